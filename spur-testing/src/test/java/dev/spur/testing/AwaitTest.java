package dev.spur.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {
    @Test
    void returnsTheFirstValueThatIsDone() {
        AtomicInteger polls = new AtomicInteger();
        int seen = Await.await("three polls", Duration.ofSeconds(30), polls::incrementAndGet, n -> n >= 3);
        assertThat(seen).isEqualTo(3);
        Await.await("a true condition", Duration.ZERO, () -> true);
        assertThat(Await.awaitPresent("a value", Duration.ofSeconds(30), () -> Optional.of("x")))
                .isEqualTo("x");
    }

    @Test
    void timeoutFailsNamingWhatWasAwaitedAndTheLastValueSeen() {
        AtomicInteger polls = new AtomicInteger();
        assertThatThrownBy(() -> Await.await("the answer", Duration.ofMillis(20), polls::incrementAndGet, n -> n < 0))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("gave up after PT0.02S waiting for the answer; last seen: ")
                .hasMessageEndingWith(": " + polls.get());
        assertThatThrownBy(() -> Await.await("never", Duration.ZERO, () -> false))
                .isInstanceOf(AssertionError.class)
                .hasMessage("gave up after PT0S waiting for never");
    }

    @Test
    void anExceptionFromTheConditionEndsTheWaitAtOnce() {
        assertThatThrownBy(() -> Await.await("a broken condition", Duration.ofMinutes(10), () -> {
                    throw new IllegalStateException("broken");
                }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("broken");
    }
}
