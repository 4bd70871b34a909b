package dev.spur.queue;

import static dev.spur.queue.Events.T0;
import static dev.spur.queue.Events.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.testing.FakeClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrencyTest {
    @TempDir
    Path dir;

    @Test
    void concurrentEnqueuesFrom64ThreadsAllLandExactlyOnce() throws Exception {
        Path file = dir.resolve("queue.db");
        Set<String> expected = new HashSet<>();
        try (EventQueue queue = EventQueue.sqlite(file, FakeClock.at(T0));
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 64; t++) {
                int thread = t;
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        queue.enqueue(event("t" + thread + "-" + i));
                    }
                }));
                for (int i = 0; i < 200; i++) {
                    expected.add("t" + t + "-" + i);
                }
            }
            for (Future<?> f : done) {
                f.get();
            }
            assertThat(queue.stats().depth()).isEqualTo(64 * 200);
            assertThat(queue.stats().enqueued()).isEqualTo(64 * 200);
        }
        try (EventQueue reopened = EventQueue.sqlite(file, FakeClock.at(T0))) {
            List<String> taken = new ArrayList<>();
            Optional<QueuedEvent> next;
            while ((next = reopened.take(Duration.ZERO)).isPresent()) {
                taken.add(next.get().id());
            }
            assertThat(taken).hasSize(64 * 200).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void manyConcurrentTakersGetEachEventExactlyOnce() throws Exception {
        int events = 2_000;
        ConcurrentLinkedQueue<String> taken = new ConcurrentLinkedQueue<>();
        AtomicInteger count = new AtomicInteger();
        try (EventQueue queue = EventQueue.sqlite(dir.resolve("queue.db"), FakeClock.at(T0));
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> takers = new ArrayList<>();
            for (int t = 0; t < 32; t++) {
                takers.add(threads.submit(() -> {
                    while (count.get() < events) {
                        Optional<QueuedEvent> next = queue.take(Duration.ofMillis(100));
                        if (next.isPresent()) {
                            taken.add(next.get().id());
                            if (count.incrementAndGet() % 3 == 0) {
                                queue.complete(next.get().id()); // others stay held: must not be given again
                            }
                        }
                    }
                    return null;
                }));
            }
            for (int i = 0; i < events; i++) {
                queue.enqueue(event("e" + i));
            }
            for (Future<?> f : takers) {
                f.get();
            }
            assertThat(queue.take(Duration.ofMillis(200)))
                    .as("nothing is given twice")
                    .isEmpty();
            assertThat(taken).hasSize(events).doesNotHaveDuplicates();
            assertThat(queue.stats().held()).isEqualTo(events - queue.stats().completed());
        }
    }
}
