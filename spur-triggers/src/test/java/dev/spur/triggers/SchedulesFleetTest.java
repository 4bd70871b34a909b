package dev.spur.triggers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Caller;
import dev.spur.common.FunctionTargets;
import dev.spur.common.Json;
import dev.spur.queue.EventQueue;
import dev.spur.queue.QueuedEvent;
import dev.spur.store.Database;
import dev.spur.store.MetadataStore;
import dev.spur.store.TestPostgres;
import dev.spur.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three nodes' schedules on one PostgreSQL database, ticked side by side on one fake clock: every tick
 * fires once across the fleet, whichever node finds it due first, also after the node that fired last
 * stops ticking for good (it died). Nothing here waits for time to pass: the clock is moved by hand and
 * the three ticks of a minute start together.
 */
class SchedulesFleetTest {
    static final Caller CALLER = new Caller("123456789012", "us-east-1");
    static final FunctionTargets ANY_FUNCTION =
            (caller, function, qualifier) -> new FunctionTargets.Target(function, qualifier);
    static final Instant START = Instant.parse("2026-03-07T12:00:00Z");

    private final FakeClock clock = FakeClock.at(START);
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final List<Schedules> nodes = new ArrayList<>();
    private Database database;
    private EventQueue reader;

    @BeforeEach
    void open() {
        database = Database.postgres(TestPostgres.freshDatabase());
        for (int i = 0; i < 3; i++) {
            MetadataStore store = MetadataStore.postgres(database);
            EventQueue queue = EventQueue.postgres(database, "node-" + i, clock);
            opened.add(store);
            opened.add(queue);
            nodes.add(new Schedules(store, queue, ANY_FUNCTION, clock));
        }
        reader = EventQueue.postgres(database, "reader", clock);
        opened.add(reader);
    }

    @AfterEach
    void close() throws Exception {
        nodes.forEach(Schedules::close);
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
        database.close();
    }

    @Test
    void everyTickFiresOnceAcrossThreeNodesAlsoAfterTheLastFirerIsGone() throws Exception {
        nodes.get(0).create(CALLER, "every-minute", change("rate(1 minute)"));
        nodes.forEach(n -> n.changed(CALLER.account(), CALLER.region(), "every-minute")); // as the feed does

        List<Schedules> alive = new ArrayList<>(nodes);
        List<String> fired = new ArrayList<>();
        for (int minute = 1; minute <= 10; minute++) {
            clock.set(START.plus(Duration.ofMinutes(minute)));
            tickTogether(alive);
            List<JsonNode> events = drain();
            assertThat(events).as("fires of minute %d", minute).hasSize(1);
            fired.add(events.getFirst().path("time").asText());
            if (minute == 5) {
                Schedules last = alive.stream()
                        .filter(n -> n.fires() > 0)
                        .max((x, y) -> Long.compare(x.fires(), y.fires()))
                        .orElseThrow();
                alive.remove(last); // stops ticking for good: killed
            }
        }

        assertThat(fired)
                .containsExactly(
                        "2026-03-07T12:01:00Z",
                        "2026-03-07T12:02:00Z",
                        "2026-03-07T12:03:00Z",
                        "2026-03-07T12:04:00Z",
                        "2026-03-07T12:05:00Z",
                        "2026-03-07T12:06:00Z",
                        "2026-03-07T12:07:00Z",
                        "2026-03-07T12:08:00Z",
                        "2026-03-07T12:09:00Z",
                        "2026-03-07T12:10:00Z");
        assertThat(nodes.stream().mapToLong(Schedules::fires).sum()).isEqualTo(10);
    }

    /** Every node's tick of this minute, started at once on threads of their own. */
    private static void tickTogether(List<Schedules> nodes) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> ticks = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Schedules node : nodes) {
                ticks.add(threads.submit(() -> {
                    start.await();
                    return node.tick(false);
                }));
            }
            start.countDown();
            for (Future<?> tick : ticks) {
                tick.get(30, TimeUnit.SECONDS);
            }
        }
    }

    private List<JsonNode> drain() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (Optional<QueuedEvent> e; (e = reader.take(Duration.ofMillis(200))).isPresent(); ) {
            out.add(Json.MAPPER.readTree(e.get().payload()));
            reader.complete(e.get().id());
        }
        return out;
    }

    private static Schedules.Change change(String expression) {
        return new Schedules.Change(
                Optional.of(expression),
                Optional.of("UTC"),
                Optional.of("target"),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }
}
