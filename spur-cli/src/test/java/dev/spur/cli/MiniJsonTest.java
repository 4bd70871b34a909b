package dev.spur.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MiniJsonTest {
    @Test
    @SuppressWarnings("unchecked")
    void parsesEveryKindOfValue() {
        Map<String, Object> parsed = MiniJson.parseObject(
                " {\"s\":\"a\\\"b\\u00e9\\n\",\"n\":-1.5e2,\"i\":128,\"t\":true,\"f\":false,\"z\":null,"
                        + "\"l\":[1,{\"x\":[]}],\"o\":{}} ");

        assertThat(parsed).containsEntry("s", "a\"bé\n").containsEntry("n", new BigDecimal("-1.5e2"))
                .containsEntry("i", new BigDecimal(128)).containsEntry("t", true).containsEntry("f", false)
                .containsEntry("z", null).containsEntry("o", Map.of());
        assertThat((List<Object>) parsed.get("l")).containsExactly(new BigDecimal(1), Map.of("x", List.of()));
    }

    @Test
    void writtenJsonParsesBackToTheSameValue() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("text", "quote \" backslash \\ tab \t control \u0001 unicode ✓");
        value.put("number", new BigDecimal("3.25"));
        value.put("list", Arrays.asList(1, null, false, List.of()));
        value.put("nested", Map.of("empty", Map.of()));

        Object roundTripped = MiniJson.parse(MiniJson.write(value));

        assertThat(roundTripped).isEqualTo(Map.of("text", value.get("text"), "number", new BigDecimal("3.25"),
                "list", Arrays.asList(new BigDecimal(1), null, false, List.of()),
                "nested", Map.of("empty", Map.of())));
    }

    @Test
    void malformedJsonNamesTheOffset() {
        assertThatThrownBy(() -> MiniJson.parse("{\"a\":1,}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offset 7");
        assertThatThrownBy(() -> MiniJson.parse("[1] 2")).hasMessageContaining("after the value");
        assertThatThrownBy(() -> MiniJson.parse("\"open")).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> MiniJson.parseObject("[]")).hasMessageContaining("expected a JSON object");
    }
}
