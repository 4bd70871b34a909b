package dev.spur.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link SignInLimiter} on a clock the test moves. */
class SignInLimiterTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-06T12:00:00Z"));
    private final InstantSource clock = now::get;
    private final SignInLimiter limiter = new SignInLimiter(clock);

    private void advance(Duration d) {
        now.set(now.get().plus(d));
    }

    @Test
    void anAddressIsRefusedAfterItsFailuresInTheWindowAndAllowedOnceTheOldestAgesOut() {
        for (int i = 0; i < SignInLimiter.MAX_FAILURES; i++) {
            assertThat(limiter.allowed("10.0.0.1")).as("attempt %d", i + 1).isTrue();
            limiter.failed("10.0.0.1");
            advance(Duration.ofSeconds(10));
        }
        assertThat(limiter.allowed("10.0.0.1")).isFalse();
        assertThat(limiter.allowed("10.0.0.2"))
                .as("another address is not affected")
                .isTrue();
        // the first failure was at 0 s; the window is 5 minutes: at 5 min it has aged out, one more try is allowed
        advance(SignInLimiter.WINDOW.minus(Duration.ofSeconds(50)).minusMillis(1));
        assertThat(limiter.allowed("10.0.0.1")).isFalse();
        advance(Duration.ofMillis(1));
        assertThat(limiter.allowed("10.0.0.1")).isTrue();
        limiter.failed("10.0.0.1");
        assertThat(limiter.allowed("10.0.0.1")).isFalse();
    }

    @Test
    void aSuccessClearsTheAddressAndTheTableStaysBounded() {
        for (int i = 0; i < SignInLimiter.MAX_FAILURES - 1; i++) {
            limiter.failed("10.0.0.1");
        }
        limiter.succeeded("10.0.0.1");
        limiter.failed("10.0.0.1");
        assertThat(limiter.allowed("10.0.0.1")).isTrue();
        for (int i = 0; i < SignInLimiter.MAX_FAILURES; i++) {
            limiter.failed("victim");
        }
        for (int i = 0; i <= SignInLimiter.MAX_ADDRESSES; i++) {
            limiter.failed("other-" + i);
        }
        assertThat(limiter.allowed("victim"))
                .as("the least recently failed address was forgotten")
                .isTrue();
    }
}
