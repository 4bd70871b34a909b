package dev.spur.triggers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** FilterCriteria on SQS records, matched by event-ruler as Lambda matches them. */
class FiltersTest {
    static ObjectNode record(String body) {
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("messageId", "m1");
        r.put("body", body);
        r.putObject("attributes").put("ApproximateReceiveCount", "1");
        r.put("eventSource", "aws:sqs");
        return r;
    }

    @Test
    void aJsonBodyIsMatchedAsJsonAndAnyPatternPasses() {
        Filters filters = Filters.of(List.of(
                "{\"body\":{\"kind\":[\"order\"],\"total\":[{\"numeric\":[\">\",100]}]}}",
                "{\"body\":{\"kind\":[{\"prefix\":\"vip-\"}]}}"));
        assertThat(filters.passes(record("{\"kind\":\"order\",\"total\":150}"))).isTrue();
        assertThat(filters.passes(record("{\"kind\":\"order\",\"total\":50}"))).isFalse();
        assertThat(filters.passes(record("{\"kind\":\"vip-refund\"}"))).isTrue();
        assertThat(filters.passes(record("not json"))).isFalse();
    }

    @Test
    void aPlainTextBodyIsMatchedAsAStringAndNoPatternsPassEverything() {
        assertThat(Filters.of(List.of("{\"body\":[\"ping\"]}")).passes(record("ping")))
                .isTrue();
        assertThat(Filters.of(List.of()).passes(record("anything"))).isTrue();
        assertThat(Filters.of(List.of("{\"attributes\":{\"ApproximateReceiveCount\":[\"2\"]}}"))
                        .passes(record("x")))
                .isFalse();
    }

    @Test
    void aPatternTheMatcherRefusesIsAnInvalidParameter() {
        assertThatThrownBy(() -> Filters.of(List.of("{\"body\": 5}")))
                .isInstanceOf(LambdaException.class)
                .hasMessageContaining("Invalid filter pattern");
        assertThatThrownBy(() -> Filters.of(List.of("{}", "{}", "{}", "{}", "{}", "{}")))
                .isInstanceOf(LambdaException.class);
    }
}
