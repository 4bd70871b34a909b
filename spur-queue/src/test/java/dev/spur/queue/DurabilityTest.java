package dev.spur.queue;

import static dev.spur.queue.Events.ACCOUNT;
import static dev.spur.queue.Events.T0;
import static dev.spur.queue.Events.event;
import static dev.spur.queue.Events.payload;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.testing.FakeClock;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What survives a close, an abandoned instance, and a kill -9 of the process. */
class DurabilityTest {
    @TempDir
    Path dir;

    @Test
    void reopenKeepsPendingEventsAndDeadLettersAndReleasesHolds() throws Exception {
        Path file = dir.resolve("queue.db");
        FakeClock clock = FakeClock.at(T0);
        try (EventQueue queue = EventQueue.sqlite(file, clock)) {
            for (String id : List.of("done", "held", "waiting", "retried", "dead")) {
                queue.enqueue(event(id));
            }
            for (int i = 0; i < 4; i++) {
                queue.take(Duration.ZERO).orElseThrow();
            }
            queue.complete("done");
            queue.retry("retried", 2, T0.plusSeconds(30));
            queue.deadLetter("waiting", 0, new DeadLetterReason("Throttled", null, null, null));
            // "held" stays taken and not completed; "dead" stays untaken.
        }

        try (EventQueue reopened = EventQueue.sqlite(file, clock)) {
            assertThat(reopened.stats().depth()).isEqualTo(3);
            assertThat(reopened.stats().held()).isZero();
            QueuedEvent held = reopened.take(Duration.ZERO).orElseThrow();
            assertThat(held.id()).isEqualTo("held");
            assertThat(held.payload()).isEqualTo(payload("held"));
            assertThat(reopened.take(Duration.ZERO).orElseThrow().id()).isEqualTo("dead");
            assertThat(reopened.take(Duration.ZERO))
                    .as("retried is not due yet")
                    .isEmpty();
            clock.advance(Duration.ofSeconds(30));
            QueuedEvent retried = reopened.take(Duration.ZERO).orElseThrow();
            assertThat(retried.id()).isEqualTo("retried");
            assertThat(retried.attempts()).isEqualTo(2);
            assertThat(reopened.deadLetter(ACCOUNT, "waiting"))
                    .map(d -> d.reason().condition())
                    .contains("Throttled");
            assertThat(reopened.stats().deadLetters()).isOne();
        }
    }

    @Test
    void anAbandonedInstanceLosesNothingEnqueueReturnedFor() throws Exception {
        Path file = dir.resolve("queue.db");
        EventQueue abandoned = EventQueue.sqlite(file, FakeClock.at(T0));
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            abandoned.enqueue(event("e" + i));
            ids.add("e" + i);
        }
        abandoned.take(Duration.ZERO).orElseThrow();
        abandoned.complete("e0");
        ids.remove("e0");
        abandoned.take(Duration.ZERO).orElseThrow(); // e1 held, never completed
        // No close: the first instance is left as a crash would leave it.

        try (EventQueue second = EventQueue.sqlite(file, FakeClock.at(T0))) {
            assertThat(drain(second)).containsExactlyInAnyOrderElementsOf(ids);
        } finally {
            abandoned.close();
        }
    }

    @Test
    void killMinus9LosesNothingEnqueueReturnedFor() throws Exception {
        Path file = dir.resolve("queue.db");
        Process victim = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        CrashVictim.class.getName(),
                        file.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        Set<String> acknowledged = new HashSet<>();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(victim.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (acknowledged.size() < 2_000 && (line = out.readLine()) != null) {
                acknowledged.add(line);
            }
            // SIGKILL, mid-stream: enqueues are still running. Through the handle, because
            // Process.destroyForcibly also closes our end of the pipe, losing lines already printed.
            victim.toHandle().destroyForcibly();
            while ((line = out.readLine()) != null) {
                acknowledged.add(line); // printed before the kill, still in the pipe
            }
        } finally {
            victim.destroyForcibly();
            victim.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(2_000);

        try (EventQueue survivor = EventQueue.sqlite(file, FakeClock.at(T0))) {
            Set<String> stored = drain(survivor);
            assertThat(stored).containsAll(acknowledged);
        }
    }

    private static Set<String> drain(EventQueue queue) throws InterruptedException {
        Set<String> ids = new HashSet<>();
        Optional<QueuedEvent> next;
        while ((next = queue.take(Duration.ZERO)).isPresent()) {
            assertThat(ids.add(next.get().id()))
                    .as("taken once: %s", next.get().id())
                    .isTrue();
            assertThat(next.get().payload()).isEqualTo(payload(next.get().id()));
        }
        return ids;
    }
}
