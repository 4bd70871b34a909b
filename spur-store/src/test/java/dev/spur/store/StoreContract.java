package dev.spur.store;

import static dev.spur.store.Functions.ACCOUNT;
import static dev.spur.store.Functions.REGION;
import static dev.spur.store.Functions.config;
import static dev.spur.store.Functions.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.common.Alias;
import dev.spur.common.ErrorCode;
import dev.spur.common.EventSourceMapping;
import dev.spur.common.FunctionAttachments;
import dev.spur.common.FunctionConfig;
import dev.spur.common.HttpApi;
import dev.spur.common.KafkaSource;
import dev.spur.common.LambdaException;
import dev.spur.common.LayerVersion;
import dev.spur.common.Schedule;
import dev.spur.store.ChangeFeed.Aggregate;
import dev.spur.store.ChangeFeed.Change;
import dev.spur.store.FunctionStore.StoredFunction;
import dev.spur.store.KeyStore.AccessKeyRecord;
import dev.spur.testing.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The storage contract every {@link MetadataStore} keeps, run against SQLite ({@link SqliteStoreContractTest})
 * and PostgreSQL ({@link PostgresStoreContractTest}): compare-and-set on functions, versions and
 * attachments, the document aggregates, keys, and the change feed, with two store instances on one
 * database standing for two nodes (or two processes on one SQLite file).
 */
abstract class StoreContract {
    MetadataStore store;
    MetadataStore other;

    /** A new, empty database for this test. */
    abstract void createDatabase() throws Exception;

    /** A store instance on this test's database; each call is another instance (another node). */
    abstract MetadataStore openStore();

    /** Prunes the change feed as its appender does, of everything older than {@code beforeMillis}. */
    abstract void pruneChanges(long beforeMillis) throws Exception;

    @BeforeEach
    void open() throws Exception {
        createDatabase();
        store = openStore();
        other = openStore();
    }

    @AfterEach
    void close() {
        if (other != null) {
            other.close();
        }
        if (store != null) {
            store.close();
        }
    }

    @Test
    void aFunctionCreatedOnOneInstanceIsReadWholeOnAnother() {
        FunctionConfig latest = config("hello");
        FunctionConfig v1 = versionOf(latest, "1");
        FunctionAttachments attached =
                FunctionAttachments.NONE.withNextVersion(2).withTags(Map.of("team", "core"));
        store.createFunction(latest, attached, Optional.of(v1));

        assertThat(other.findFunction(key("hello"))).contains(latest);
        assertThat(other.storedFunction(key("hello"))).hasValueSatisfying(f -> {
            assertThat(f.latest()).isEqualTo(latest);
            assertThat(f.versions()).containsExactly(v1);
            assertThat(f.attachments()).isEqualTo(attached);
        });
        assertThat(other.allFunctions()).hasSize(1);
        assertThat(other.storedFunction(key("absent"))).isEmpty();
    }

    @Test
    void aTakenNameIs409OnEveryInstanceAndKeepsTheFirst() {
        store.createFunction(config("hello"), FunctionAttachments.NONE, Optional.empty());

        assertThatThrownBy(() ->
                        other.createFunction(config(key("hello"), "other"), FunctionAttachments.NONE, Optional.empty()))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_CONFLICT));
        assertThat(store.findFunction(key("hello")).orElseThrow().revisionId()).isEqualTo("rev-1");
    }

    @Test
    void replaceIsCompareAndSetOnTheRevision() {
        store.createFunction(config("hello"), FunctionAttachments.NONE, Optional.empty());
        other.replaceFunction(config(key("hello"), "rev-2"), "rev-1");

        assertThatThrownBy(() -> store.replaceFunction(config(key("hello"), "rev-3"), "rev-1"))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PRECONDITION_FAILED));
        assertThatThrownBy(() -> store.replaceFunction(config(key("absent"), "rev-2"), "rev-1"))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND));
        assertThat(store.findFunction(key("hello")).orElseThrow().revisionId()).isEqualTo("rev-2");
    }

    @Test
    void ofManyConcurrentReplacesWithTheSameRevisionExactlyOneWins() throws Exception {
        store.createFunction(config("hello"), FunctionAttachments.NONE, Optional.empty());
        int writers = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> outcomes = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            for (int i = 0; i < writers; i++) {
                MetadataStore node = i % 2 == 0 ? store : other;
                String revision = "rev-w" + i;
                outcomes.add(pool.submit(() -> {
                    start.await();
                    try {
                        node.replaceFunction(config(key("hello"), revision), "rev-1");
                        return true;
                    } catch (LambdaException e) {
                        assertThat(e.code()).isEqualTo(ErrorCode.PRECONDITION_FAILED);
                        return false;
                    }
                }));
            }
            start.countDown();
            int won = 0;
            for (Future<Boolean> outcome : outcomes) {
                won += outcome.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(won).isEqualTo(1);
        }
        assertThat(store.findFunction(key("hello")).orElseThrow().revisionId()).startsWith("rev-w");
    }

    @Test
    void aVersionNumberIsPublishedOnceAcrossInstances() {
        FunctionConfig latest = config("hello");
        store.createFunction(latest, FunctionAttachments.NONE, Optional.empty());
        Alias live = new Alias("live", "1", "d", Map.of(), "a-rev");
        FunctionAttachments attached = FunctionAttachments.NONE
                .withNextVersion(2)
                .withAliases(a -> {
                    a.put("live", live);
                    return a;
                });
        assertThat(store.publishVersion(versionOf(latest, "1"), FunctionAttachments.NONE, attached))
                .isTrue();

        assertThatThrownBy(() -> other.publishVersion(versionOf(latest, "1"), attached, FunctionAttachments.NONE))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_CONFLICT));
        assertThat(other.storedFunction(key("hello")).orElseThrow().attachments())
                .as("the refused publish changed nothing")
                .isEqualTo(attached);
        assertThatThrownBy(() -> other.publishVersion(
                        versionOf(config("absent"), "1"), FunctionAttachments.NONE, FunctionAttachments.NONE))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND));
    }

    @Test
    void versionsListInNumericOrderAndPageByMarker() {
        FunctionConfig latest = config("alpha");
        store.createFunction(latest, FunctionAttachments.NONE, Optional.empty());
        FunctionAttachments expected = FunctionAttachments.NONE;
        for (String v : List.of("1", "2", "10", "3")) {
            store.publishVersion(versionOf(latest, v), expected, FunctionAttachments.NONE.withNextVersion(11));
            expected = FunctionAttachments.NONE.withNextVersion(11);
        }
        store.createFunction(config("beta"), FunctionAttachments.NONE, Optional.empty());

        List<String> seen = new ArrayList<>();
        Optional<String> marker = Optional.empty();
        do {
            FunctionStore.Page page = other.listFunctions(ACCOUNT, REGION, marker, 2, true);
            page.functions().forEach(f -> seen.add(f.key().name() + ":" + f.version()));
            marker = page.nextMarker();
        } while (marker.isPresent());

        assertThat(seen).containsExactly("alpha:$LATEST", "alpha:1", "alpha:2", "alpha:3", "alpha:10", "beta:$LATEST");
        assertThat(other.storedFunction(key("alpha")).orElseThrow().versions())
                .extracting(FunctionConfig::version)
                .containsExactly("1", "2", "3", "10");
    }

    @Test
    void namesSortBytewiseWhateverTheDatabasesLocale() {
        for (String name : List.of("b", "B", "a", "A", "_x", "Z-1")) {
            store.createFunction(config(name), FunctionAttachments.NONE, Optional.empty());
        }

        assertThat(other.listFunctions(ACCOUNT, REGION, Optional.empty(), 50, false)
                        .functions())
                .extracting(f -> f.key().name())
                .containsExactly("A", "B", "Z-1", "_x", "a", "b");
    }

    @Test
    void deletingAVersionOrAFunctionRemovesItEverywhere() {
        FunctionConfig latest = config("hello");
        store.createFunction(latest, FunctionAttachments.NONE, Optional.of(versionOf(latest, "1")));

        assertThat(other.deleteVersion(key("hello"), "1")).isTrue();
        assertThat(other.deleteVersion(key("hello"), "1")).isFalse();
        assertThat(store.storedFunction(key("hello")).orElseThrow().versions()).isEmpty();
        assertThat(other.deleteFunction(key("hello"))).isTrue();
        assertThat(store.findFunction(key("hello"))).isEmpty();
        assertThat(store.deleteFunction(key("hello"))).isFalse();
        assertThatThrownBy(
                        () -> store.saveAttachments(key("hello"), FunctionAttachments.NONE, FunctionAttachments.NONE))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND));
    }

    @Test
    void attachmentsAreReplacedOnlyIfTheyAreStillWhatTheWriterRead() {
        FunctionConfig latest = config("hello");
        store.createFunction(latest, FunctionAttachments.NONE, Optional.empty());
        FunctionAttachments first = FunctionAttachments.NONE.withTags(Map.of("by", "store"));
        FunctionAttachments second = FunctionAttachments.NONE.withTags(Map.of("by", "other"));

        assertThat(store.saveAttachments(key("hello"), FunctionAttachments.NONE, first))
                .isTrue();
        assertThat(other.saveAttachments(key("hello"), FunctionAttachments.NONE, second))
                .as("a write based on what was there before the first")
                .isFalse();
        assertThat(other.publishVersion(versionOf(latest, "1"), FunctionAttachments.NONE, second.withNextVersion(2)))
                .as("a publish based on it too")
                .isFalse();

        StoredFunction stored = other.storedFunction(key("hello")).orElseThrow();
        assertThat(stored.attachments()).isEqualTo(first);
        assertThat(stored.versions())
                .as("the refused publish stored no version")
                .isEmpty();
        assertThat(other.saveAttachments(key("hello"), first, second)).isTrue();
        assertThat(store.storedFunction(key("hello")).orElseThrow().attachments())
                .isEqualTo(second);
    }

    @Test
    void concurrentAttachmentChangesOnTwoInstancesThatReadAgainWhenRefusedLoseNothing() throws Exception {
        store.createFunction(config("hello"), FunctionAttachments.NONE, Optional.empty());
        int writers = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2 * writers);
        try {
            List<Future<Integer>> outcomes = new ArrayList<>();
            for (int i = 0; i < 2 * writers; i++) {
                MetadataStore instance = i % 2 == 0 ? store : other;
                String tag = "t" + i;
                outcomes.add(pool.submit(() -> {
                    start.await();
                    int refusals = 0;
                    while (true) {
                        FunctionAttachments read = instance.storedFunction(key("hello"))
                                .orElseThrow()
                                .attachments();
                        Map<String, String> tags = new TreeMap<>(read.tags());
                        tags.put(tag, "x");
                        if (instance.saveAttachments(key("hello"), read, read.withTags(tags))) {
                            return refusals;
                        }
                        refusals++;
                    }
                }));
            }
            start.countDown();
            for (Future<Integer> outcome : outcomes) {
                outcome.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.storedFunction(key("hello"))
                        .orElseThrow()
                        .attachments()
                        .tags())
                .hasSize(2 * writers);
    }

    @Test
    void aScheduleFireIsRecordedOnceForwardOnlyAndKeepsAChangeMadeMeanwhile() {
        Schedule nightly = schedule("nightly");
        store.putSchedule(nightly, true);
        Schedule described = new Schedule(
                nightly.account(),
                nightly.region(),
                nightly.name(),
                nightly.expression(),
                nightly.timezone(),
                nightly.functionName(),
                nightly.qualifier(),
                nightly.input(),
                nightly.enabled(),
                nightly.skipMissed(),
                "changed on the other node",
                nightly.createdAt(),
                nightly.lastModified(),
                nightly.lastFire());
        other.putSchedule(described, false);
        Instant fire = Instant.parse("2026-01-02T01:00:00Z");

        assertThat(store.recordFire(ACCOUNT, REGION, "nightly", fire)).isTrue();
        assertThat(other.recordFire(ACCOUNT, REGION, "nightly", fire))
                .as("the same fire again")
                .isFalse();
        assertThat(other.recordFire(ACCOUNT, REGION, "nightly", fire.minusSeconds(3600)))
                .as("an earlier fire")
                .isFalse();
        assertThat(other.findSchedule(ACCOUNT, REGION, "nightly")).contains(described.withLastFire(fire));
        assertThat(other.recordFire(ACCOUNT, REGION, "absent", fire)).isFalse();
        assertThat(other.findSchedule(ACCOUNT, REGION, "absent")).isEmpty();
    }

    @Test
    void schedulesAreCreatedOnceReplacedListedAndDeleted() {
        Schedule nightly = schedule("nightly");
        store.putSchedule(nightly, true);
        assertThatThrownBy(() -> other.putSchedule(nightly, true))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_CONFLICT));
        Schedule fired = nightly.withLastFire(Instant.parse("2026-01-02T01:00:00Z"));
        other.putSchedule(fired, false);

        assertThat(store.schedules(ACCOUNT, REGION)).containsExactly(fired);
        assertThat(store.schedules(ACCOUNT, "eu-west-1")).isEmpty();
        assertThat(store.allSchedules()).containsExactly(fired);
        assertThat(store.deleteSchedule(ACCOUNT, REGION, "nightly")).isTrue();
        assertThat(other.deleteSchedule(ACCOUNT, REGION, "nightly")).isFalse();
        assertThatThrownBy(() -> other.putSchedule(fired, false))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND));
    }

    @Test
    void eventSourceMappingsAreCreatedOnceReplacedListedAndDeleted() {
        EventSourceMapping mapping = new EventSourceMapping(
                "6f1c2a9e-0000-4000-8000-000000000001",
                ACCOUNT,
                REGION,
                "arn:aws:sqs:" + REGION + ":" + ACCOUNT + ":orders",
                "hello",
                "",
                10,
                0,
                List.of("{\"body\":{\"kind\":[\"a\"]}}"),
                List.of("ReportBatchItemFailures"),
                5,
                EventSourceMapping.ENABLED,
                Instant.ofEpochMilli(1_000));
        store.putMapping(mapping, true);
        assertThatThrownBy(() -> other.putMapping(mapping, true))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_CONFLICT));
        EventSourceMapping disabled = new EventSourceMapping(
                mapping.uuid(),
                ACCOUNT,
                REGION,
                mapping.eventSourceArn(),
                "hello",
                "",
                10,
                0,
                List.of(),
                List.of(),
                0,
                EventSourceMapping.DISABLED,
                Instant.ofEpochMilli(2_000));
        other.putMapping(disabled, false);

        assertThat(store.allMappings()).containsExactly(disabled);
        assertThat(store.deleteMapping(ACCOUNT, REGION, mapping.uuid())).isTrue();
        assertThat(other.deleteMapping(ACCOUNT, REGION, mapping.uuid())).isFalse();
        assertThat(store.allMappings()).isEmpty();
        assertThatThrownBy(() -> other.putMapping(disabled, false))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND));
    }

    @Test
    void aKafkaMappingKeepsItsSourceAndAnSqsMappingHasNone() {
        KafkaSource source = new KafkaSource(
                List.of("kafka-1:9092", "kafka-2:9092"),
                "orders",
                "TRIM_HORIZON",
                "billing-group",
                3,
                "arn:aws:sqs:" + REGION + ":" + ACCOUNT + ":kafka-failures");
        EventSourceMapping kafka = new EventSourceMapping(
                "6f1c2a9e-0000-4000-8000-000000000002",
                ACCOUNT,
                REGION,
                "",
                "hello",
                "live",
                100,
                1,
                List.of("{\"value\":{\"kind\":[\"a\"]}}"),
                List.of(),
                0,
                EventSourceMapping.ENABLED,
                Instant.ofEpochMilli(3_000),
                source);
        EventSourceMapping sqs = new EventSourceMapping(
                "6f1c2a9e-0000-4000-8000-000000000003",
                ACCOUNT,
                REGION,
                "arn:aws:sqs:" + REGION + ":" + ACCOUNT + ":orders",
                "hello",
                "",
                10,
                0,
                List.of(),
                List.of(),
                0,
                EventSourceMapping.ENABLED,
                Instant.ofEpochMilli(3_000));
        store.putMapping(kafka, true);
        store.putMapping(sqs, true);
        assertThat(other.allMappings()).containsExactly(kafka, sqs);
        assertThat(other.allMappings().getFirst().kafka()).contains(source);
        assertThat(other.allMappings().get(1).kafka()).isEmpty();
        assertThat(store.deleteMapping(ACCOUNT, REGION, kafka.uuid())).isTrue();
        assertThat(store.deleteMapping(ACCOUNT, REGION, sqs.uuid())).isTrue();
    }

    @Test
    void httpApisAreCreatedOnceReplacedFoundAndDeleted() {
        HttpApi api = api("a1b2c3d4e5", "shop");
        store.putHttpApi(api, true);
        assertThatThrownBy(() -> other.putHttpApi(api, true)).isInstanceOf(LambdaException.class);
        HttpApi renamed = api("a1b2c3d4e5", "store");
        other.putHttpApi(renamed, false);

        assertThat(store.findHttpApi("a1b2c3d4e5")).contains(renamed);
        assertThat(store.allHttpApis()).containsExactly(renamed);
        assertThat(other.deleteHttpApi("a1b2c3d4e5")).isTrue();
        assertThat(store.findHttpApi("a1b2c3d4e5")).isEmpty();
        assertThatThrownBy(() -> store.putHttpApi(renamed, false)).isInstanceOf(LambdaException.class);
    }

    @Test
    void accessKeysAreStoredOnceListedAndDeleted() {
        AccessKeyRecord key = new AccessKeyRecord("AKSPEXAMPLE", ACCOUNT, "sealed", Instant.ofEpochMilli(1_000));
        store.createAccessKey(key);
        assertThatThrownBy(() -> other.createAccessKey(key)).isInstanceOf(LambdaException.class);

        assertThat(other.findAccessKey("AKSPEXAMPLE")).contains(key);
        assertThat(other.listAccessKeys()).containsExactly(key);
        assertThat(other.deleteAccessKey("AKSPEXAMPLE")).isTrue();
        assertThat(store.findAccessKey("AKSPEXAMPLE")).isEmpty();
        assertThat(store.deleteAccessKey("AKSPEXAMPLE")).isFalse();
    }

    @Test
    void everyCommittedWriteAppendsOneChangeInCommitOrderAndAFailedOneNone() {
        long before = other.latestChange();
        FunctionConfig latest = config("hello");
        store.createFunction(latest, FunctionAttachments.NONE, Optional.empty());
        assertThatThrownBy(() -> store.createFunction(latest, FunctionAttachments.NONE, Optional.empty()))
                .isInstanceOf(LambdaException.class);
        store.publishVersion(
                versionOf(latest, "1"), FunctionAttachments.NONE, FunctionAttachments.NONE.withNextVersion(2));
        store.putSchedule(schedule("nightly"), true);
        store.putHttpApi(api("a1b2c3d4e5", "shop"), true);
        store.createAccessKey(new AccessKeyRecord("AKSPEXAMPLE", ACCOUNT, "sealed", Instant.ofEpochMilli(1_000)));
        assertThat(store.deleteSchedule(ACCOUNT, REGION, "absent")).isFalse();
        store.deleteFunction(key("hello"));

        ChangeFeed.Changes changes = other.changesSince(before, 100);
        assertThat(changes.gap()).isFalse();
        assertThat(changes.changes())
                .extracting(c -> c.aggregate() + " " + c.key())
                .containsExactly(
                        "FUNCTION " + ACCOUNT + "/" + REGION + "/hello",
                        "FUNCTION " + ACCOUNT + "/" + REGION + "/hello",
                        "SCHEDULE " + ACCOUNT + "/" + REGION + "/nightly",
                        "HTTP_API a1b2c3d4e5",
                        "ACCESS_KEY AKSPEXAMPLE",
                        "FUNCTION " + ACCOUNT + "/" + REGION + "/hello");
        assertThat(changes.changes()).extracting(Change::seq).isSorted().doesNotHaveDuplicates();
        assertThat(other.latestChange()).isEqualTo(changes.changes().getLast().seq());
        assertThat(other.changesSince(other.latestChange(), 100).changes()).isEmpty();
        assertThat(other.changesSince(before, 2).changes()).hasSize(2);
    }

    @Test
    void aWriteOnOneInstanceReachesAnotherInstancesFollowerWithinTwoSeconds() throws Exception {
        LinkedBlockingQueue<Change> seen = new LinkedBlockingQueue<>();
        try (ChangeFollower follower =
                ChangeFollower.start(other, other.latestChange(), Duration.ofSeconds(1), new ChangeFollower.Listener() {
                    @Override
                    public void changed(List<Change> changes) {
                        seen.addAll(changes);
                    }

                    @Override
                    public void reload() {
                        throw new AssertionError("nothing was pruned");
                    }
                })) {
            for (int i = 0; i < 5; i++) {
                store.putSchedule(schedule("s" + i), true);
                Change change = seen.poll(2, TimeUnit.SECONDS);
                assertThat(change)
                        .as("change %d seen by the other instance within 2 s", i)
                        .isNotNull();
                assertThat(change.aggregate()).isEqualTo(Aggregate.SCHEDULE);
                assertThat(change.key()).isEqualTo(ACCOUNT + "/" + REGION + "/s" + i);
                assertThat(other.schedules(ACCOUNT, REGION))
                        .extracting(Schedule::name)
                        .contains("s" + i);
            }
            // The follower moves its position once the listener has returned: wait for it, do not race it.
            long last = store.latestChange();
            Await.await(
                    "the follower's position at the last change",
                    Duration.ofSeconds(2),
                    () -> follower.position() == last);
        }
    }

    @Test
    void aFollowerBehindWhatWasPrunedIsToldToReload() throws Exception {
        long start = other.latestChange();
        store.putSchedule(schedule("old"), true);
        store.putSchedule(schedule("older"), true);
        pruneChanges(System.currentTimeMillis() + 60_000);

        ChangeFeed.Changes behind = other.changesSince(start, 100);
        assertThat(behind.gap()).isTrue();
        assertThat(behind.changes()).isEmpty();
        CountDownLatch reloaded = new CountDownLatch(1);
        List<Change> after = new CopyOnWriteArrayList<>();
        try (ChangeFollower follower =
                ChangeFollower.start(other, start, Duration.ofMillis(100), new ChangeFollower.Listener() {
                    @Override
                    public void changed(List<Change> changes) {
                        after.addAll(changes);
                    }

                    @Override
                    public void reload() {
                        reloaded.countDown();
                    }
                })) {
            assertThat(reloaded.await(10, TimeUnit.SECONDS)).isTrue();
            long position = follower.position();
            assertThat(position).isGreaterThan(start);
            store.putSchedule(schedule("new"), true);
            assertThat(other.changesSince(position, 100).changes())
                    .extracting(Change::key)
                    .containsExactly(ACCOUNT + "/" + REGION + "/new");
        }
    }

    static Schedule schedule(String name) {
        return new Schedule(
                ACCOUNT,
                REGION,
                name,
                "cron(0 2 * * ? *)",
                "Europe/Berlin",
                "hello",
                "live",
                null,
                true,
                false,
                "d",
                Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-01-01T00:00:00Z"),
                null);
    }

    static HttpApi api(String id, String name) {
        return new HttpApi(
                ACCOUNT,
                REGION,
                id,
                name,
                null,
                null,
                Map.of(),
                List.of(new HttpApi.Route("GET /pets/{id}", "pets", "live", "2.0", null, null)),
                0,
                Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void layerVersionsAreNumberedOncePerNameAcrossInstancesAndNeverReused() {
        assertThat(store.publishLayerVersion(layer("tools")).version()).isEqualTo(1);
        assertThat(other.publishLayerVersion(layer("tools")).version()).isEqualTo(2);
        assertThat(other.publishLayerVersion(layer("other")).version()).isEqualTo(1);
        assertThat(store.deleteLayerVersion(ACCOUNT, REGION, "tools", 2)).isTrue();
        assertThat(store.deleteLayerVersion(ACCOUNT, REGION, "tools", 2)).isFalse();

        LayerVersion third = other.publishLayerVersion(layer("tools"));

        assertThat(third.version()).isEqualTo(3);
        assertThat(store.findLayerVersion(ACCOUNT, REGION, "tools", 3)).contains(third);
        assertThat(store.findLayerVersion(ACCOUNT, REGION, "tools", 2)).isEmpty();
        assertThat(store.layerVersions(ACCOUNT, REGION, Optional.of("tools")))
                .extracting(LayerVersion::version)
                .containsExactly(3L, 1L);
        assertThat(store.layerVersions(ACCOUNT, REGION, Optional.empty()))
                .extracting(l -> l.name() + ":" + l.version())
                .containsExactly("other:1", "tools:3", "tools:1");
        assertThat(store.layerVersions("210987654321", REGION, Optional.empty()))
                .isEmpty();
        assertThat(other.allLayerVersions()).hasSize(3);
    }

    @Test
    void aLayerPolicyChangeIsCompareAndSetOnItsRevision() {
        LayerVersion v1 = store.publishLayerVersion(layer("shared"));
        LayerVersion.Statement everyone = new LayerVersion.Statement("all", "*", "lambda:GetLayerVersion", "");

        assertThat(other.replaceLayerPolicy(v1.withPolicy(List.of(everyone), "p-1"), ""))
                .isTrue();
        assertThat(store.replaceLayerPolicy(v1.withPolicy(List.of(), "p-2"), ""))
                .isFalse();

        LayerVersion read = store.findLayerVersion(ACCOUNT, REGION, "shared", 1).orElseThrow();
        assertThat(read.statements()).containsExactly(everyone);
        assertThat(read.policyRevisionId()).isEqualTo("p-1");
        assertThat(read.usableBy("210987654321")).isTrue();
        assertThat(v1.usableBy("210987654321")).isFalse();
        assertThat(store.replaceLayerPolicy(v1.numbered(9).withPolicy(List.of(), "p-3"), ""))
                .isFalse();
    }

    static LayerVersion layer(String name) {
        return new LayerVersion(
                ACCOUNT,
                REGION,
                name,
                0,
                "tools for " + name,
                "MIT",
                List.of("python3.12"),
                List.of("x86_64"),
                new FunctionConfig.Code("a".repeat(64), 100),
                400,
                Instant.parse("2026-01-01T00:00:00Z"),
                List.of(),
                "");
    }

    static FunctionConfig versionOf(FunctionConfig latest, String version) {
        return new FunctionConfig(
                latest.key(),
                version,
                latest.runtime(),
                latest.handler(),
                latest.role(),
                latest.description(),
                latest.memorySize(),
                latest.timeout(),
                latest.environment(),
                latest.code(),
                latest.ephemeralStorage(),
                latest.architectures(),
                latest.lastModified(),
                "rev-v" + version,
                latest.state(),
                latest.lastUpdateStatus(),
                null,
                null,
                null,
                null);
    }
}
