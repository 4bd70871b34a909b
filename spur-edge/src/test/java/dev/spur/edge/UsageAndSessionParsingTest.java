package dev.spur.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.common.LambdaException;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The small parsers of the usage API and the console's sessions. */
class UsageAndSessionParsingTest {
    static final Instant NOW = Instant.parse("2026-03-01T12:34:56Z");

    @Test
    void sinceAndUntilAreInstantsDatesOrAges() {
        assertThat(UsageApi.time("2026-02-01T00:00:00Z", NOW, "since")).isEqualTo("2026-02-01T00:00:00Z");
        assertThat(UsageApi.time("2026-02-01", NOW, "since")).isEqualTo("2026-02-01T00:00:00Z");
        assertThat(UsageApi.time("90m", NOW, "since")).isEqualTo("2026-03-01T11:04:56Z");
        assertThat(UsageApi.time("24h", NOW, "since")).isEqualTo("2026-02-28T12:34:56Z");
        assertThat(UsageApi.time("7d", NOW, "since")).isEqualTo("2026-02-22T12:34:56Z");
        assertThatThrownBy(() -> UsageApi.time("yesterday", NOW, "since"))
                .isInstanceOf(LambdaException.class)
                .hasMessageStartingWith("since must be an ISO instant");
    }

    @Test
    void byIsAListOfKnownDimensions() {
        assertThat(UsageApi.dimensions("function, DAY")).containsExactly("function", "day");
        assertThatThrownBy(() -> UsageApi.dimensions("function,region"))
                .isInstanceOf(LambdaException.class)
                .hasMessageContaining("function, version, day, hour");
    }

    @Test
    void theSessionCookieIsFoundAmongOthersAndOnlyByItsExactName() {
        assertThat(Sessions.cookie("a=1; spur-console=abc; b=2", "spur-console"))
                .contains("abc");
        assertThat(Sessions.cookie("xspur-console=abc", "spur-console")).isEmpty();
        assertThat(Sessions.cookie("", "spur-console")).isEqualTo(Optional.empty());
        assertThat(Sessions.changesState("GET")).isFalse();
        assertThat(Sessions.changesState("POST")).isTrue();
        assertThat(Sessions.changesState("DELETE")).isTrue();
    }
}
