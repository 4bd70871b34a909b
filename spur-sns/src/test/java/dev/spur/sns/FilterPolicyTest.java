package dev.spur.sns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FilterPolicyTest {

    @Test
    void attributeScopeMatchesStringsNumbersAndStringArraysAsSnsTypesThem() {
        FilterPolicy policy = FilterPolicy.compile(
                "{\"store\":[\"example_corp\"],\"price\":[{\"numeric\":[\">=\",100]}]," + "\"tags\":[\"blue\"]}",
                FilterPolicy.ATTRIBUTES);
        Map<String, MessageAttribute> matching = Map.of(
                "store", MessageAttribute.string("example_corp"),
                "price", new MessageAttribute("Number", "120.5"),
                "tags", new MessageAttribute("String.Array", "[\"red\",\"blue\"]"));

        assertThat(policy.passes(matching, "anything")).isTrue();
        assertThat(policy.passes(
                        Map.of(
                                "store", MessageAttribute.string("example_corp"),
                                "price", new MessageAttribute("Number", "99"),
                                "tags", new MessageAttribute("String.Array", "[\"blue\"]")),
                        "anything"))
                .isFalse();
        assertThat(policy.passes(Map.of(), "anything")).isFalse();
    }

    @Test
    void bodyScopeMatchesTheMessageAsJsonAndNothingThatIsNotJson() {
        FilterPolicy policy = FilterPolicy.compile(
                "{\"order\":{\"kind\":[{\"prefix\":\"book\"}]},\"gift\":[{\"exists\":false}]}", FilterPolicy.BODY);

        assertThat(policy.passes(Map.of(), "{\"order\":{\"kind\":\"books\"}}")).isTrue();
        assertThat(policy.passes(Map.of(), "{\"order\":{\"kind\":\"books\"},\"gift\":true}"))
                .isFalse();
        assertThat(policy.passes(Map.of(), "book")).isFalse();
    }

    @Test
    void aPolicyTheMatcherRefusesOrAnUnknownScopeIsInvalidParameter() {
        assertThatThrownBy(() -> FilterPolicy.compile("{\"a\":\"not-an-array\"}", FilterPolicy.ATTRIBUTES))
                .isInstanceOfSatisfying(
                        SnsException.class, e -> assertThat(e.code()).isEqualTo(SnsException.Code.INVALID_PARAMETER));
        assertThatThrownBy(() -> FilterPolicy.compile("{}", "Everything")).hasMessageContaining("FilterPolicyScope");
    }
}
