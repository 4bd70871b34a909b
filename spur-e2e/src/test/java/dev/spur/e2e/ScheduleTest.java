package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spur.common.Json;
import dev.spur.testing.Await;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Schedules under {@code /spur/v1/schedules}: one-time {@code at()} fires with EventBridge's
 * Scheduled Event (or the schedule's own input), rate timetables, validation, the CRUD API, and what
 * happens to schedules and fires across a restart.
 */
@SpurTest(shared = false)
class ScheduleTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
    static Spur spur;

    /** A whole second at least {@code seconds} - 1 s from now. */
    private static Instant secondsAhead(int seconds) {
        return Instant.now().plusSeconds(seconds).truncatedTo(ChronoUnit.SECONDS);
    }

    private static String at(Instant time) {
        return "at(" + AT.format(LocalDateTime.ofInstant(time, ZoneOffset.UTC)) + ")";
    }

    private static Spur.Answer create(String body) {
        return spur.spurApi("POST", "/spur/v1/schedules", body);
    }

    private static JsonNode created(String name, String expression, String target, String extra) {
        Spur.Answer a = create("""
                {"Name":"%s","ScheduleExpression":"%s","Target":{"Arn":"%s"}%s}""".formatted(name, expression, target, extra));
        assertThat(a.status()).as("%s", a.body()).isEqualTo(201);
        return a.body();
    }

    private static JsonNode get(String name) {
        Spur.Answer a = spur.spurApi("GET", "/spur/v1/schedules/" + name, null);
        assertThat(a.status()).as("%s", a.body()).isEqualTo(200);
        return a.body();
    }

    /** Waits until no asynchronous event is queued or running. */
    private static void awaitQuiet() {
        Await.await(
                "an empty queue",
                WAIT,
                () -> spur.spurApi("GET", "/spur/v1/async", null).body(),
                stats -> stats.get("depth").asLong() == 0);
    }

    @Test
    void anAtScheduleFiresOnceWithEventBridgesScheduledEvent() throws Exception {
        Recorder fn = Recorder.deploy(spur, "at", "");
        String name = Spur.uniqueName("once");
        Instant when = secondsAhead(2);
        JsonNode schedule = created(name, at(when), fn.name, "");
        assertThat(schedule.get("NextFireTime").asText()).isEqualTo(when.toString());
        assertThat(schedule.get("State").asText()).isEqualTo("ENABLED");
        assertThat(schedule.get("MissedFires").asText()).isEqualTo("RUN_ONCE");
        assertThat(schedule.get("ScheduleExpressionTimezone").asText()).isEqualTo("UTC");
        assertThat(schedule.get("Target").get("Arn").asText()).isEqualTo(fn.arn);
        String ruleArn = schedule.get("Arn").asText();
        assertThat(ruleArn).isEqualTo("arn:aws:events:us-east-1:000000000000:rule/" + name);

        Recorder.Call call = fn.await(WAIT, "the fire", c -> !c.isEmpty()).getFirst();
        assertThat(call.at()).isAfterOrEqualTo(when);
        JsonNode event = call.event();
        List<String> fields = new ArrayList<>();
        event.fieldNames().forEachRemaining(fields::add);
        assertThat(fields)
                .containsExactly(
                        "version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail");
        assertThat(event.get("version").asText()).isEqualTo("0");
        assertThat(event.get("id").asText()).matches("[0-9a-f-]{36}");
        assertThat(event.get("detail-type").asText()).isEqualTo("Scheduled Event");
        assertThat(event.get("source").asText()).isEqualTo("aws.events");
        assertThat(event.get("account").asText()).isEqualTo("000000000000");
        assertThat(event.get("time").asText()).isEqualTo(when.toString());
        assertThat(event.get("region").asText()).isEqualTo("us-east-1");
        assertThat(event.get("resources"))
                .isEqualTo(Json.MAPPER.createArrayNode().add(ruleArn));
        assertThat(event.get("detail")).isEqualTo(Json.MAPPER.createObjectNode());

        awaitQuiet();
        JsonNode after = get(name);
        assertThat(after.get("LastFireTime").asText()).isEqualTo(when.toString());
        assertThat(after.has("NextFireTime")).isFalse(); // a one-time schedule has nothing left to fire
        assertThat(fn.calls()).hasSize(1);
    }

    @Test
    void aRateScheduleFiresOneIntervalAfterCreationAndAtTakesItsTimeZone() {
        Recorder fn = Recorder.deploy(spur, "rate", "");
        JsonNode rate = created(Spur.uniqueName("rate"), "rate(1 minute)", fn.name, "");
        Instant createdAt = Instant.parse(rate.get("CreationDate").asText());
        Instant next = Instant.parse(rate.get("NextFireTime").asText());
        assertThat(Duration.between(createdAt, next).toMillis()).isBetween(59_000L, 61_000L);

        LocalDateTime tokyo =
                LocalDateTime.now(ZoneId.of("Asia/Tokyo")).plusHours(1).truncatedTo(ChronoUnit.SECONDS);
        JsonNode local = created(
                Spur.uniqueName("tokyo"),
                "at(" + AT.format(tokyo) + ")",
                fn.name,
                ",\"ScheduleExpressionTimezone\":\"Asia/Tokyo\"");
        assertThat(Instant.parse(local.get("NextFireTime").asText()))
                .isEqualTo(tokyo.atZone(ZoneId.of("Asia/Tokyo")).toInstant());
    }

    @Test
    void customInputIsDeliveredVerbatimAndADisabledScheduleDoesNotFire() throws Exception {
        Recorder fn = Recorder.deploy(spur, "input", "");
        Recorder idle = Recorder.deploy(spur, "idle", "");
        Instant when = secondsAhead(2);
        String input = "{\"custom\":[1,2.5,{\"k\":\"v\"}],\"s\":\"\\u00e9\"}";
        Spur.Answer withInput = create(
                """
                {"Name":"%s","ScheduleExpression":"%s","Target":{"Arn":"%s","Input":%s}}""".formatted(Spur.uniqueName("input"), at(when), fn.arn, Json.MAPPER.writeValueAsString(input)));
        assertThat(withInput.status()).as("%s", withInput.body()).isEqualTo(201);
        assertThat(withInput.body().get("Target").get("Input").asText()).isEqualTo(input);
        String disabled = Spur.uniqueName("off");
        JsonNode off = created(disabled, at(when), idle.name, ",\"State\":\"DISABLED\"");
        assertThat(off.get("State").asText()).isEqualTo("DISABLED");
        assertThat(off.has("NextFireTime")).isFalse();

        Recorder.Call call = fn.await(WAIT, "the fire", c -> !c.isEmpty()).getFirst();
        assertThat(call.event()).isEqualTo(Json.MAPPER.readTree(input));
        // Both were due at the same tick; give the firing thread a moment past the enabled one's fire.
        Thread.sleep(500);
        awaitQuiet();
        assertThat(idle.calls()).isEmpty();
        assertThat(get(disabled).has("LastFireTime")).isFalse();

        // Enabled again after its time: the timetable counts from now, so nothing missed fires.
        Spur.Answer enabled = spur.spurApi("PUT", "/spur/v1/schedules/" + disabled, "{\"State\":\"ENABLED\"}");
        assertThat(enabled.status()).isEqualTo(200);
        assertThat(enabled.body().has("NextFireTime")).isFalse();
        Thread.sleep(300);
        awaitQuiet();
        assertThat(idle.calls()).isEmpty();
    }

    @Test
    void invalidSchedulesAre400WithAMessageNamingTheProblem() {
        Recorder fn = Recorder.deploy(spur, "bad", "");
        for (String expression : List.of(
                "rate(0 minutes)",
                "rate(5 fortnights)",
                "cron(* * * * * *)",
                "cron(0 12 * * ? 2026 extra)",
                "every day",
                "at(2026-13-01T00:00:00)")) {
            Spur.Answer a = create("""
                    {"Name":"%s","ScheduleExpression":"%s","Target":{"Arn":"%s"}}""".formatted(Spur.uniqueName("bad"), expression, fn.name));
            assertThat(a.status()).as(expression).isEqualTo(400);
            assertThat(a.body().get("message").asText())
                    .as(expression)
                    .startsWith("Invalid ScheduleExpression " + expression + ": ");
        }
        Spur.Answer zone = create("""
                {"Name":"zone","ScheduleExpression":"rate(1 hour)","ScheduleExpressionTimezone":"Mars/Olympus_Mons",
                 "Target":{"Arn":"%s"}}""".formatted(fn.name));
        assertThat(zone.status()).isEqualTo(400);
        assertThat(zone.body().get("message").asText())
                .contains("ScheduleExpressionTimezone")
                .contains("Mars/Olympus_Mons");
        Spur.Answer name = create("""
                {"Name":"has space","ScheduleExpression":"rate(1 hour)","Target":{"Arn":"%s"}}""".formatted(fn.name));
        assertThat(name.status()).isEqualTo(400);
        assertThat(name.body().get("message").asText()).contains("'has space'").contains("name");
        Spur.Answer state = create("""
                {"Name":"st","ScheduleExpression":"rate(1 hour)","State":"PAUSED","Target":{"Arn":"%s"}}""".formatted(fn.name));
        assertThat(state.status()).isEqualTo(400);
        assertThat(state.body().get("message").asText()).contains("PAUSED");
        Spur.Answer input = create("""
                {"Name":"in","ScheduleExpression":"rate(1 hour)","Target":{"Arn":"%s","Input":"{not json"}}""".formatted(fn.name));
        assertThat(input.status()).isEqualTo(400);
        assertThat(input.body().get("message").asText()).contains("Input");
        Spur.Answer target = create("""
                {"Name":"nobody","ScheduleExpression":"rate(1 hour)","Target":{"Arn":"%s"}}""".formatted(Spur.uniqueName("missing")));
        assertThat(target.status()).isEqualTo(404);
        assertThat(spur.spurApi("GET", "/spur/v1/schedules", null)
                        .body()
                        .get("Schedules")
                        .toString())
                .doesNotContain("\"zone\"", "\"st\"", "\"in\"", "\"nobody\"");
    }

    @Test
    void schedulesCanBeListedReadUpdatedAndDeleted() throws Exception {
        Recorder fn = Recorder.deploy(spur, "crud", "");
        String a = "crud-a-" + Spur.uniqueName("x");
        String b = "crud-b-" + Spur.uniqueName("x");
        created(b, "rate(1 hour)", fn.arn, ",\"Description\":\"hourly\"");
        JsonNode first = created(a, "cron(0 12 * * ? *)", fn.name, "");
        assertThat(create("""
                {"Name":"%s","ScheduleExpression":"rate(1 hour)","Target":{"Arn":"%s"}}""".formatted(a, fn.name)).status()).isEqualTo(409);

        List<String> names = new ArrayList<>();
        spur.spurApi("GET", "/spur/v1/schedules", null).body().get("Schedules").forEach(s -> {
            String n = s.get("Name").asText();
            if (n.equals(a) || n.equals(b)) {
                names.add(n);
            }
        });
        assertThat(names).containsExactly(a, b);
        assertThat(get(b).get("Description").asText()).isEqualTo("hourly");
        assertThat(get(a)).isEqualTo(first);

        Spur.Answer updated = spur.spurApi("PUT", "/spur/v1/schedules/" + a, """
                {"ScheduleExpression":"rate(5 minutes)","Description":"often","Target":{"Input":"{\\"x\\":1}"}}""");
        assertThat(updated.status()).as("%s", updated.body()).isEqualTo(200);
        JsonNode u = updated.body();
        assertThat(u.get("ScheduleExpression").asText()).isEqualTo("rate(5 minutes)");
        assertThat(u.get("Description").asText()).isEqualTo("often");
        assertThat(u.get("Target").get("Arn").asText()).isEqualTo(fn.arn); // kept
        assertThat(u.get("Target").get("Input").asText()).isEqualTo("{\"x\":1}");
        assertThat(u.get("CreationDate")).isEqualTo(first.get("CreationDate"));
        Instant next = Instant.parse(u.get("NextFireTime").asText());
        assertThat(next)
                .isAfter(Instant.now())
                .isBefore(Instant.now().plus(Duration.ofMinutes(5)).plusSeconds(1));
        assertThat(get(a)).isEqualTo(u);
        assertThat(spur.spurApi("PUT", "/spur/v1/schedules/" + a, "{\"ScheduleExpression\":\"rate(nope)\"}")
                        .status())
                .isEqualTo(400);
        assertThat(get(a).get("ScheduleExpression").asText()).isEqualTo("rate(5 minutes)");

        assertThat(spur.spurApi("DELETE", "/spur/v1/schedules/" + a, null).status())
                .isEqualTo(204);
        assertThat(spur.spurApi("GET", "/spur/v1/schedules/" + a, null).status())
                .isEqualTo(404);
        assertThat(spur.spurApi("DELETE", "/spur/v1/schedules/" + a, null).status())
                .isEqualTo(404);
        assertThat(spur.spurApi("PUT", "/spur/v1/schedules/" + a, "{\"Description\":\"x\"}")
                        .status())
                .isEqualTo(404);
        assertThat(spur.spurApi("GET", "/spur/v1/schedules", null).body().toString())
                .doesNotContain(a)
                .contains(b);
    }

    @Test
    void aScheduleSurvivesARestart() {
        Recorder fn = Recorder.deploy(spur, "keep", "");
        String name = Spur.uniqueName("keep");
        JsonNode before =
                created(name, "rate(1 minute)", fn.name, ",\"Description\":\"kept\",\"MissedFires\":\"SKIP\"");
        spur.restart();
        assertThat(get(name)).isEqualTo(before);
    }

    @Test
    void aFireMissedWhileTheServerWasDownRunsOnceAfterRestartUnlessMissedFiresIsSkip() {
        Recorder runOnce = Recorder.deploy(spur, "missed", "");
        Recorder skip = Recorder.deploy(spur, "skipped", "");
        Instant when = secondsAhead(3);
        String runOnceName = Spur.uniqueName("missed");
        String skipName = Spur.uniqueName("skipped");
        created(runOnceName, at(when), runOnce.name, "");
        created(skipName, at(when), skip.name, ",\"MissedFires\":\"SKIP\"");

        spur.restart(() -> {
            assertThat(Instant.now())
                    .as("the server stopped before the fire time")
                    .isBefore(when);
            // Down until the fire is well past (a fire less than a second late counts as on time).
            Await.await(
                    "the fire time to be well past", WAIT, () -> Instant.now().isAfter(when.plusMillis(1_500)));
            assertThat(runOnce.calls()).isEmpty();
            assertThat(skip.calls()).isEmpty();
        });

        Recorder.Call call =
                runOnce.await(WAIT, "the missed fire", c -> !c.isEmpty()).getFirst();
        assertThat(call.event().get("time").asText()).isEqualTo(when.toString());
        awaitQuiet();
        assertThat(runOnce.calls()).hasSize(1);
        assertThat(get(runOnceName).get("LastFireTime").asText()).isEqualTo(when.toString());
        // The skipped fire was passed over by the same first tick: it is recorded as done, and never ran.
        JsonNode skipped = get(skipName);
        assertThat(skipped.get("LastFireTime").asText()).isEqualTo(when.toString());
        assertThat(skipped.has("NextFireTime")).isFalse();
        assertThat(skip.calls()).isEmpty();
    }
}
