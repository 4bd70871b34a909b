package dev.spur.triggers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Caller;
import dev.spur.common.FunctionTargets;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import dev.spur.queue.EventQueue;
import dev.spur.queue.QueuedEvent;
import dev.spur.store.MetadataStore;
import dev.spur.testing.FakeClock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Firing schedules on a fake clock: {@link Schedules#tick} is driven by hand, so fire times, DST and
 * missed-fire catch-up are checked exactly, with no waiting. The store and the queue are the real
 * SQLite ones.
 */
class SchedulesTest {
    static final Caller CALLER = new Caller("123456789012", "us-east-1");
    static final FunctionTargets ANY_FUNCTION = (caller, function, qualifier) -> {
        if (function.equals("missing")) {
            throw LambdaException.notFound("Function not found: %s", function);
        }
        return new FunctionTargets.Target(function, qualifier);
    };

    @TempDir
    Path dir;

    FakeClock clock = FakeClock.at("2026-03-07T12:00:00Z");
    MetadataStore store;
    EventQueue queue;
    Schedules schedules;

    @BeforeEach
    void open() {
        store = MetadataStore.sqlite(dir.resolve("spur.db"));
        queue = EventQueue.sqlite(dir.resolve("queue.db"), clock);
        schedules = new Schedules(store, queue, ANY_FUNCTION, clock);
    }

    @AfterEach
    void close() {
        schedules.close();
        queue.close();
        store.close();
    }

    @Test
    void aDailyCronFiresAtItsLocalTimeAndSkipsTheTimeThatDaylightSavingRemoves() throws Exception {
        // 02:30 New York does not exist on 2026-03-08 (clocks jump from 02:00 to 03:00).
        schedules.create(CALLER, "nightly", change("cron(30 2 * * ? *)", "America/New_York"));
        List<Instant> fires = new ArrayList<>();
        for (int hour = 0; hour < 24 * 4; hour++) {
            clock.set(Instant.parse("2026-03-07T12:00:00Z").plus(Duration.ofHours(hour)));
            schedules.tick(false);
            for (JsonNode event : drain()) {
                fires.add(Instant.parse(event.path("time").asText()));
            }
        }
        assertThat(fires)
                .containsExactly(
                        Instant.parse("2026-03-09T06:30:00Z"), // 02:30 EDT (UTC-4)
                        Instant.parse("2026-03-10T06:30:00Z"),
                        Instant.parse("2026-03-11T06:30:00Z"));
    }

    @Test
    void eachFireIsEventBridgesScheduledEvent() throws Exception {
        schedules.create(CALLER, "every5", change("rate(5 minutes)", "UTC"));
        clock.advance(Duration.ofMinutes(5));
        assertThat(schedules.tick(false)).contains(clock.instant().plus(Duration.ofMinutes(5)));

        List<QueuedEvent> events = take();
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.function().name()).isEqualTo("target");
            assertThat(e.origin()).isEqualTo("schedule:every5");
        });
        JsonNode event = Json.MAPPER.readTree(events.getFirst().payload());
        assertThat(event.path("version").asText()).isEqualTo("0");
        assertThat(event.path("id").asText()).hasSize(36);
        assertThat(event.path("detail-type").asText()).isEqualTo("Scheduled Event");
        assertThat(event.path("source").asText()).isEqualTo("aws.events");
        assertThat(event.path("account").asText()).isEqualTo("123456789012");
        assertThat(event.path("time").asText()).isEqualTo("2026-03-07T12:05:00Z");
        assertThat(event.path("region").asText()).isEqualTo("us-east-1");
        assertThat(event.path("resources").get(0).asText())
                .isEqualTo("arn:aws:events:us-east-1:123456789012:rule/every5");
        assertThat(event.path("detail").isObject() && event.path("detail").isEmpty())
                .isTrue();
    }

    @Test
    void aDelayedTickRunsADueScheduleOnceForTheLatestTime() throws Exception {
        schedules.create(CALLER, "every5", change("rate(5 minutes)", "UTC"));
        clock.advance(Duration.ofMinutes(17));
        schedules.tick(false);
        List<JsonNode> fired = drain();
        assertThat(fired).hasSize(1);
        assertThat(fired.getFirst().path("time").asText()).isEqualTo("2026-03-07T12:15:00Z");
        clock.advance(Duration.ofMinutes(2));
        schedules.tick(false);
        assertThat(drain()).hasSize(0);
        clock.advance(Duration.ofMinutes(1));
        schedules.tick(false);
        assertThat(drain())
                .singleElement()
                .satisfies(e -> assertThat(e.path("time").asText()).isEqualTo("2026-03-07T12:20:00Z"));
    }

    @Test
    void firesMissedWhileDownRunOnceAfterARestartOrNotAtAllWhenSkipped() throws Exception {
        schedules.create(CALLER, "hourly", change("cron(0 * * * ? *)", "UTC"));
        schedules.create(
                CALLER,
                "hourly-skip",
                new Schedules.Change(
                        Optional.of("cron(0 * * * ? *)"),
                        Optional.of("UTC"),
                        Optional.of("target"),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of(true),
                        Optional.empty()));
        schedules.close();

        clock.advance(Duration.ofHours(5).plusMinutes(10)); // down from 12:00 to 17:10
        schedules = new Schedules(store, queue, ANY_FUNCTION, clock);
        schedules.tick(true);

        List<QueuedEvent> fired = take();
        assertThat(fired).singleElement().satisfies(e -> assertThat(e.origin()).isEqualTo("schedule:hourly"));
        assertThat(Json.MAPPER.readTree(fired.getFirst().payload()).path("time").asText())
                .isEqualTo("2026-03-07T17:00:00Z");
        assertThat(schedules.get(CALLER, "hourly-skip").lastFire()).isEqualTo(Instant.parse("2026-03-07T17:00:00Z"));

        clock.advance(Duration.ofMinutes(50));
        schedules.tick(false);
        assertThat(take()).hasSize(2); // both fire at 18:00 as usual
    }

    @Test
    void aOneTimeScheduleFiresOnceAndADisabledOneNever() throws Exception {
        schedules.create(CALLER, "once", change("at(2026-03-07T13:00:30)", "Europe/Berlin")); // 12:00:30 UTC
        schedules.create(
                CALLER,
                "off",
                new Schedules.Change(
                        Optional.of("rate(1 minute)"),
                        Optional.empty(),
                        Optional.of("target"),
                        Optional.empty(),
                        Optional.of(Optional.of("{\"custom\":1}")),
                        Optional.of(false),
                        Optional.empty(),
                        Optional.empty()));
        clock.advance(Duration.ofSeconds(29));
        schedules.tick(false);
        assertThat(take()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        schedules.tick(false);
        assertThat(take()).singleElement().satisfies(e -> assertThat(e.origin()).isEqualTo("schedule:once"));
        clock.advance(Duration.ofDays(2));
        schedules.tick(false);
        assertThat(take()).isEmpty();
        assertThat(schedules.nextFire(schedules.get(CALLER, "once"))).isEmpty();

        // Enabled again, it counts from now: nothing "missed" while it was off fires.
        schedules.update(
                CALLER,
                "off",
                new Schedules.Change(
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of(true),
                        Optional.empty(),
                        Optional.empty()));
        schedules.tick(false);
        assertThat(take()).isEmpty();
        clock.advance(Duration.ofMinutes(1));
        schedules.tick(false);
        assertThat(take())
                .singleElement()
                .satisfies(e -> assertThat(new String(e.payload())).isEqualTo("{\"custom\":1}"));
    }

    @Test
    void badExpressionsZonesTargetsAndNamesAreRefused() {
        assertThatThrownBy(() -> schedules.create(CALLER, "x", change("cron(0 12 * * *)", "UTC")))
                .isInstanceOf(LambdaException.class)
                .hasMessageContaining("Invalid ScheduleExpression");
        assertThatThrownBy(() -> schedules.create(CALLER, "x", change("rate(5 minutes)", "Mars/Olympus")))
                .isInstanceOf(LambdaException.class)
                .hasMessageContaining("Mars/Olympus");
        assertThatThrownBy(() -> schedules.create(
                        CALLER,
                        "x",
                        new Schedules.Change(
                                Optional.of("rate(5 minutes)"),
                                Optional.empty(),
                                Optional.of("missing"),
                                Optional.empty(),
                                Optional.empty(),
                                Optional.empty(),
                                Optional.empty(),
                                Optional.empty())))
                .isInstanceOf(LambdaException.class)
                .hasMessageContaining("Function not found");
        assertThatThrownBy(() -> schedules.create(CALLER, "bad name!", change("rate(5 minutes)", "UTC")))
                .isInstanceOf(LambdaException.class);
        schedules.create(CALLER, "x", change("rate(5 minutes)", "UTC"));
        assertThatThrownBy(() -> schedules.create(CALLER, "x", change("rate(5 minutes)", "UTC")))
                .isInstanceOf(LambdaException.class)
                .hasMessageContaining("already exists");
        assertThat(store.allSchedules()).hasSize(1);
    }

    private static Schedules.Change change(String expression, String zone) {
        return new Schedules.Change(
                Optional.of(expression),
                Optional.of(zone),
                Optional.of("target"),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    private List<QueuedEvent> take() throws InterruptedException {
        List<QueuedEvent> out = new ArrayList<>();
        for (Optional<QueuedEvent> e; (e = queue.take(Duration.ZERO)).isPresent(); ) {
            out.add(e.get());
            queue.complete(e.get().id());
        }
        return out;
    }

    private List<JsonNode> drain() throws InterruptedException, IOException {
        List<JsonNode> out = new ArrayList<>();
        for (QueuedEvent e : take()) {
            out.add(Json.MAPPER.readTree(e.payload()));
        }
        return out;
    }
}
