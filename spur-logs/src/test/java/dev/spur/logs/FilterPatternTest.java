package dev.spur.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FilterPatternTest {
    private static boolean matches(String pattern, String message) {
        return FilterPattern.parse(pattern).matches(message);
    }

    @Test
    void termsMustAllOccurCaseSensitively() {
        assertThat(matches("ERROR disk", "ERROR: disk full")).isTrue();
        assertThat(matches("ERROR disk", "ERROR: memory")).isFalse();
        assertThat(matches("error", "ERROR")).isFalse();
        assertThat(matches("", "anything")).isTrue();
    }

    @Test
    void aQuotedPhraseIsOneTerm() {
        assertThat(matches("\"disk full\"", "ERROR: disk full")).isTrue();
        assertThat(matches("\"disk full\"", "full disk")).isFalse();
    }

    @Test
    void minusExcludesAndQuestionMarksAreAlternatives() {
        assertThat(matches("ERROR -Exiting", "ERROR retrying")).isTrue();
        assertThat(matches("ERROR -Exiting", "ERROR Exiting now")).isFalse();
        assertThat(matches("?WARN ?ERROR", "a WARN line")).isTrue();
        assertThat(matches("?WARN ?ERROR", "an INFO line")).isFalse();
    }

    @Test
    void aStarInATermStandsForAnyCharacters() {
        assertThat(matches("time*out", "timed out")).isTrue();
        assertThat(matches("time*out", "time passes")).isFalse();
    }

    @Test
    void jsonPatternsCompareStringsNumbersAndCombine() {
        String error =
                "{\"level\":\"ERROR\",\"latency\":250,\"user\":{\"id\":null},\"tags\":[\"a\",\"b\"],\"ok\":false}";
        assertThat(matches("{ $.level = \"ERROR\" }", error)).isTrue();
        assertThat(matches("{ $.level = \"ERR*\" }", error)).isTrue();
        assertThat(matches("{ $.level != \"ERROR\" }", error)).isFalse();
        assertThat(matches("{ $.latency > 100 && $.level = ERROR }", error)).isTrue();
        assertThat(matches("{ $.latency <= 100 || $.tags[1] = \"b\" }", error)).isTrue();
        assertThat(matches("{ ($.latency < 100 || $.latency >= 250) && $.ok IS FALSE }", error))
                .isTrue();
        assertThat(matches("{ $.user.id IS NULL && $.missing NOT EXISTS }", error))
                .isTrue();
        assertThat(matches("{ $.missing = \"x\" }", error)).isFalse();
        assertThat(matches("{ $.level = \"ERROR\" }", "ERROR not json")).isFalse();
    }

    @Test
    void regularExpressionsBetweenPercentSigns() {
        assertThat(matches("%ERROR [0-9]+%", "ERROR 42")).isTrue();
        assertThat(matches("%ERROR [0-9]+%", "ERROR x")).isFalse();
    }

    @Test
    void malformedPatternsAreRefusedWithAReason() {
        assertThatThrownBy(() -> FilterPattern.parse("{ $.level = }"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a value");
        assertThatThrownBy(() -> FilterPattern.parse("{ $.latency > \"x\" }"))
                .hasMessageContaining("strings compare only with = and !=");
        assertThatThrownBy(() -> FilterPattern.parse("\"unterminated")).hasMessageContaining("Unterminated");
        assertThatThrownBy(() -> FilterPattern.parse("[ip, user]")).hasMessageContaining("Space-delimited");
    }
}
