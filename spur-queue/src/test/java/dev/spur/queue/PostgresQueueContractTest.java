package dev.spur.queue;

import static dev.spur.queue.Events.T0;
import static dev.spur.queue.Events.event;
import static dev.spur.queue.Events.function;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.common.FunctionKey;
import dev.spur.store.Database;
import dev.spur.store.TestPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The queue contract on PostgreSQL (a real server: {@link TestPostgres}), and what only a shared queue
 * has: several nodes (each its own {@link Database} pool) claiming side by side, leases that a live node
 * renews and a dead node's events claimed by another once its lease expired, warm functions first.
 * Leases here last one second so that expiry is quick; no assertion is about speed.
 */
class PostgresQueueContractTest extends QueueContract {
    static final Duration LEASE = Duration.ofSeconds(1);

    String url;
    final List<Database> databases = new ArrayList<>();

    @Override
    void createDatabase() {
        url = TestPostgres.freshDatabase();
    }

    @Override
    EventQueue openQueue(String node) {
        Database database = Database.postgres(url);
        databases.add(database);
        return PostgresEventQueue.open(database, node, clock, LEASE);
    }

    @Override
    void clockMoved(EventQueue q) {
        ((PostgresEventQueue) q).wakeTakers(true);
    }

    @AfterEach
    void closeDatabases() {
        close();
        opened.clear();
        databases.forEach(Database::close);
    }

    @Test
    void twoNodesClaimingSideBySideTakeEachEventOnce() throws Exception {
        EventQueue other = node("node-b");
        int events = 200;
        for (int i = 0; i < events; i++) {
            queue.enqueue(event("e-" + i));
        }
        Set<String> taken = ConcurrentHashMap.newKeySet();
        List<String> duplicates = new ArrayList<>();
        try (ExecutorService dispatchers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> running = new ArrayList<>();
            for (EventQueue node : List.of(queue, other)) {
                for (int d = 0; d < 8; d++) {
                    running.add(dispatchers.submit(() -> {
                        Optional<QueuedEvent> e;
                        while ((e = node.take(Duration.ofMillis(500))).isPresent()) {
                            if (!taken.add(e.get().id())) {
                                synchronized (duplicates) {
                                    duplicates.add(e.get().id());
                                }
                            }
                            node.complete(e.get().id());
                        }
                        return null;
                    }));
                }
            }
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(duplicates).isEmpty();
        assertThat(taken).hasSize(events);
        assertThat(queue.stats().depth()).isZero();
    }

    @Test
    void twoNodesRacingForTheSameClaimsEnqueueEachOnce() throws Exception {
        EventQueue other = node("node-b");
        int claims = 20;
        List<Future<Boolean>> outcomes = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < claims; c++) {
                for (int racer = 0; racer < 4; racer++) {
                    EventQueue node = racer % 2 == 0 ? queue : other;
                    QueuedEvent fire = event("fire-" + c + "-" + racer);
                    String claim = "rule/r@" + c;
                    outcomes.add(pool.submit(() -> node.enqueueClaimed(fire, claim)));
                }
            }
        }
        int won = 0;
        for (Future<Boolean> outcome : outcomes) {
            won += outcome.get(30, TimeUnit.SECONDS) ? 1 : 0;
        }
        assertThat(won).isEqualTo(claims);
        assertThat(other.stats().depth()).isEqualTo(claims);
    }

    @Test
    void anEventHeldByALiveNodeStaysItsPastTheLeaseBecauseItIsRenewed() throws Exception {
        EventQueue other = node("node-b");
        queue.enqueue(event("long-running"));
        assertThat(queue.take(LONG_WAIT)).isPresent();

        Thread.sleep(LEASE.multipliedBy(3).toMillis()); // three leases: renewed every third of one
        ((PostgresEventQueue) other).wakeTakers(true);
        assertThat(other.take(NO_WAIT)).isEmpty();
        assertThat(queue.stats().held()).isEqualTo(1);
        queue.complete("long-running");
        assertThat(other.take(NO_WAIT)).isEmpty();
    }

    @Test
    void aDeadNodesEventIsClaimedByAnotherOnceItsLeaseExpired() throws Exception {
        EventQueue other = node("node-b");
        queue.enqueue(event("orphan"));
        queue.enqueue(event("waiting"));
        QueuedEvent held = queue.take(LONG_WAIT).orElseThrow();
        assertThat(held.id()).isEqualTo("orphan");
        ((PostgresEventQueue) queue).abandon(); // kill -9: no release, no renewal

        assertThat(other.take(LONG_WAIT)).map(QueuedEvent::id).contains("waiting");
        QueuedEvent reclaimed = other.take(LONG_WAIT).orElseThrow();
        assertThat(reclaimed.id()).isEqualTo("orphan");
        assertThat(reclaimed.attempts()).isEqualTo(held.attempts());
        other.complete("orphan");
        other.complete("waiting");
        assertThat(other.stats().depth()).isZero();
    }

    @Test
    void aCleanCloseGivesItsEventsToOtherNodesAtOnce() throws Exception {
        EventQueue other = node("node-b");
        queue.enqueue(event("handed-over"));
        assertThat(queue.take(LONG_WAIT)).isPresent();
        queue.close();

        ((PostgresEventQueue) other).wakeTakers(true);
        assertThat(other.take(NO_WAIT)).map(QueuedEvent::id).contains("handed-over");
    }

    @Test
    void eventsOfWarmFunctionsAreClaimedFirst() throws Exception {
        FunctionKey cold = function("cold");
        FunctionKey warm = function("warm");
        queue.enqueue(new QueuedEvent("c1", cold, "", Events.payload("c1"), T0, 0, T0.minusSeconds(2), "invoke"));
        queue.enqueue(new QueuedEvent("w1", warm, "", Events.payload("w1"), T0, 0, T0.minusSeconds(1), "invoke"));

        assertThat(queue.take(LONG_WAIT, Set.of(warm))).map(QueuedEvent::id).contains("w1");
        assertThat(queue.take(LONG_WAIT, Set.of(warm))).map(QueuedEvent::id).contains("c1");
    }

    @Test
    void aRetryRecordedOnOneNodeIsTakenOnAnotherWhenDue() throws Exception {
        EventQueue other = node("node-b");
        queue.enqueue(event("moves"));
        queue.take(LONG_WAIT).orElseThrow();
        queue.retry("moves", 1, T0.plusSeconds(60));
        ((PostgresEventQueue) other).wakeTakers(true);
        assertThat(other.take(NO_WAIT)).isEmpty();

        clock.advance(Duration.ofSeconds(60));
        clockMoved(other);
        QueuedEvent again = other.take(LONG_WAIT).orElseThrow();
        assertThat(again.id()).isEqualTo("moves");
        assertThat(again.attempts()).isEqualTo(1);
    }
}
