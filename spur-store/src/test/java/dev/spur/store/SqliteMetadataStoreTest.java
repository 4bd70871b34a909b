package dev.spur.store;

import static dev.spur.store.Functions.ACCOUNT;
import static dev.spur.store.Functions.REGION;
import static dev.spur.store.Functions.config;
import static dev.spur.store.Functions.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.common.Alias;
import dev.spur.common.CorsConfig;
import dev.spur.common.ErrorCode;
import dev.spur.common.FunctionAttachments;
import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import dev.spur.common.HttpApi;
import dev.spur.common.LambdaException;
import dev.spur.common.Schedule;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteMetadataStoreTest {
    @TempDir
    Path dir;

    Path file;
    MetadataStore store;

    @BeforeEach
    void open() {
        file = dir.resolve("data/spur.db");
        store = MetadataStore.sqlite(file);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void createdFunctionIsFoundWithEveryFieldIntact() {
        FunctionConfig config = config("hello");
        store.createFunction(config, FunctionAttachments.NONE, Optional.empty());

        assertThat(store.findFunction(key("hello"))).contains(config);
        assertThat(store.findFunction(key("absent"))).isEmpty();
    }

    @Test
    void creatingATakenNameIsAConflictAndKeepsTheFirst() {
        store.createFunction(config("hello"), FunctionAttachments.NONE, Optional.empty());

        assertThatThrownBy(() ->
                        store.createFunction(config(key("hello"), "other"), FunctionAttachments.NONE, Optional.empty()))
                .isInstanceOfSatisfying(LambdaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_CONFLICT);
                    assertThat(e).hasMessage("Function already exist: hello");
                });
        assertThat(store.findFunction(key("hello")).orElseThrow().revisionId()).isEqualTo("rev-1");
        store.createFunction(
                config("next"),
                FunctionAttachments.NONE,
                Optional.empty()); // the failed transaction was rolled back, not left open
        assertThat(store.allFunctions()).hasSize(2);
    }

    @Test
    void sameNameInAnotherAccountOrRegionIsAnotherFunction() {
        store.createFunction(config("hello"), FunctionAttachments.NONE, Optional.empty());
        store.createFunction(
                config(new FunctionKey(ACCOUNT, "eu-west-1", "hello"), "r"),
                FunctionAttachments.NONE,
                Optional.empty());
        store.createFunction(
                config(new FunctionKey("210987654321", REGION, "hello"), "r"),
                FunctionAttachments.NONE,
                Optional.empty());

        assertThat(store.allFunctions()).hasSize(3);
    }

    @Test
    void replaceWithTheCurrentRevisionStoresTheUpdate() {
        store.createFunction(config("hello"), FunctionAttachments.NONE, Optional.empty());
        FunctionConfig updated = config("hello").withRevision("rev-2", Instant.parse("2025-02-01T00:00:00Z"));

        store.replaceFunction(updated, "rev-1");

        assertThat(store.findFunction(key("hello"))).contains(updated);
    }

    @Test
    void replaceWithAStaleRevisionFailsWithPreconditionFailedAndChangesNothing() {
        store.createFunction(config("hello"), FunctionAttachments.NONE, Optional.empty());
        store.replaceFunction(config(key("hello"), "rev-2"), "rev-1");

        assertThatThrownBy(() -> store.replaceFunction(config(key("hello"), "rev-3"), "rev-1"))
                .isInstanceOfSatisfying(LambdaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PRECONDITION_FAILED);
                    assertThat(e)
                            .hasMessage("The Revision Id provided does not match the latest Revision Id. "
                                    + "Call the GetFunction/GetAlias API to retrieve the latest Revision Id");
                });
        assertThat(store.findFunction(key("hello")).orElseThrow().revisionId()).isEqualTo("rev-2");
    }

    @Test
    void replacingAMissingFunctionIsNotFound() {
        assertThatThrownBy(() -> store.replaceFunction(config("ghost"), "rev-1"))
                .isInstanceOfSatisfying(LambdaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND);
                    assertThat(e)
                            .hasMessage("Function not found: arn:aws:lambda:us-east-1:123456789012:function:ghost");
                });
        assertThat(store.findFunction(key("ghost"))).isEmpty();
    }

    @Test
    void concurrentReplacesWithTheSameRevisionLetExactlyOneWin() throws Exception {
        store.createFunction(config("hello"), FunctionAttachments.NONE, Optional.empty());
        AtomicInteger wins = new AtomicInteger();
        ConcurrentLinkedQueue<ErrorCode> failures = new ConcurrentLinkedQueue<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 32; i++) {
                String revision = "rev-" + (i + 100);
                threads.submit(() -> {
                    try {
                        store.replaceFunction(config(key("hello"), revision), "rev-1");
                        wins.incrementAndGet();
                    } catch (LambdaException e) {
                        failures.add(e.code());
                    }
                });
            }
        }
        assertThat(wins).hasValue(1);
        assertThat(failures).hasSize(31).containsOnly(ErrorCode.PRECONDITION_FAILED);
    }

    @Test
    void deleteRemovesTheFunctionAndReportsWhetherThereWasOne() {
        store.createFunction(config("hello"), FunctionAttachments.NONE, Optional.empty());

        assertThat(store.deleteFunction(key("hello"))).isTrue();
        assertThat(store.deleteFunction(key("hello"))).isFalse();
        assertThat(store.findFunction(key("hello"))).isEmpty();
        store.createFunction(
                config("hello"),
                FunctionAttachments.NONE,
                Optional.empty()); // the name is free again, with no leftover version row
        assertThat(store.findFunction(key("hello"))).isPresent();
    }

    @Test
    void listPagesThroughOneAccountAndRegionInNameOrderWithMarkers() {
        for (String name : List.of("delta", "alpha", "echo", "charlie", "bravo")) {
            store.createFunction(config(name), FunctionAttachments.NONE, Optional.empty());
        }
        store.createFunction(
                config(new FunctionKey(ACCOUNT, "eu-west-1", "aardvark"), "r"),
                FunctionAttachments.NONE,
                Optional.empty());
        store.createFunction(
                config(new FunctionKey("210987654321", REGION, "zulu"), "r"),
                FunctionAttachments.NONE,
                Optional.empty());

        List<String> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        Optional<String> marker = Optional.empty();
        do {
            MetadataStore.Page page = store.listFunctions(ACCOUNT, REGION, marker, 2, false);
            page.functions().forEach(f -> seen.add(f.key().name()));
            pageSizes.add(page.functions().size());
            marker = page.nextMarker();
        } while (marker.isPresent());

        assertThat(seen).containsExactly("alpha", "bravo", "charlie", "delta", "echo");
        assertThat(pageSizes).containsExactly(2, 2, 1);
    }

    @Test
    void aPageThatHoldsEverythingHasNoMarker() {
        store.createFunction(config("alpha"), FunctionAttachments.NONE, Optional.empty());
        store.createFunction(config("bravo"), FunctionAttachments.NONE, Optional.empty());

        MetadataStore.Page page = store.listFunctions(ACCOUNT, REGION, Optional.empty(), 2, false);

        assertThat(page.functions()).hasSize(2);
        assertThat(page.nextMarker()).isEmpty();
        assertThat(store.listFunctions(ACCOUNT, "ap-south-1", Optional.empty(), 50, false)
                        .functions())
                .isEmpty();
    }

    @Test
    void aMarkerThatIsNotOursIsInvalid() {
        assertThatThrownBy(() -> store.listFunctions(ACCOUNT, REGION, Optional.of("%%%"), 10, false))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE));
    }

    @Test
    void functionsSurviveReopening() {
        store.createFunction(config("hello"), FunctionAttachments.NONE, Optional.empty());
        store.replaceFunction(config(key("hello"), "rev-2"), "rev-1");
        store.close();

        store = MetadataStore.sqlite(file);

        assertThat(store.findFunction(key("hello"))).contains(config(key("hello"), "rev-2"));
        assertThat(store.allFunctions())
                .extracting(f -> f.latest().key().name())
                .containsExactly("hello");
    }

    @Test
    void manyVirtualThreadsCanCreateAtOnce() {
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 100; i++) {
                String name = "fn-%03d".formatted(i);
                threads.submit(() -> store.createFunction(config(name), FunctionAttachments.NONE, Optional.empty()));
            }
        }
        assertThat(store.allFunctions()).hasSize(100);
        assertThat(store.listFunctions(ACCOUNT, REGION, Optional.empty(), 1000, false)
                        .functions())
                .extracting(f -> f.key().name())
                .isSorted();
    }

    @Test
    void publishedVersionsAndAttachmentsAreStoredTogetherAndComeBackAtStart() {
        FunctionConfig latest = config("hello");
        store.createFunction(latest, FunctionAttachments.NONE, Optional.empty());
        FunctionConfig v1 = StoreContract.versionOf(latest, "1");
        Alias live = new Alias("live", "1", "d", Map.of(), "a-rev");
        FunctionAttachments attached = FunctionAttachments.NONE
                .withNextVersion(2)
                .withTags(Map.of("team", "core"))
                .withReservedConcurrency(5)
                .withAliases(a -> {
                    a.put("live", live);
                    return a;
                });
        assertThat(store.publishVersion(v1, FunctionAttachments.NONE, attached)).isTrue();

        assertThatThrownBy(() -> store.publishVersion(v1, attached, attached))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_CONFLICT));
        store.close();
        store = MetadataStore.sqlite(file);

        assertThat(store.allFunctions()).singleElement().satisfies(f -> {
            assertThat(f.latest()).isEqualTo(latest);
            assertThat(f.versions()).containsExactly(v1);
            assertThat(f.attachments()).isEqualTo(attached);
        });
    }

    @Test
    void listingAllVersionsPagesThroughEveryVersionInNumericOrder() {
        FunctionConfig latest = config("alpha");
        store.createFunction(latest, FunctionAttachments.NONE, Optional.empty());
        for (int v = 1; v <= 11; v++) {
            store.publishVersion(
                    StoreContract.versionOf(latest, Integer.toString(v)),
                    FunctionAttachments.NONE.withNextVersion(v),
                    FunctionAttachments.NONE.withNextVersion(v + 1));
        }
        store.createFunction(config("bravo"), FunctionAttachments.NONE, Optional.empty());

        List<String> seen = new ArrayList<>();
        Optional<String> marker = Optional.empty();
        do {
            MetadataStore.Page page = store.listFunctions(ACCOUNT, REGION, marker, 5, true);
            page.functions().forEach(f -> seen.add(f.key().name() + ":" + f.version()));
            marker = page.nextMarker();
        } while (marker.isPresent());

        assertThat(seen)
                .containsExactly(
                        "alpha:$LATEST",
                        "alpha:1",
                        "alpha:2",
                        "alpha:3",
                        "alpha:4",
                        "alpha:5",
                        "alpha:6",
                        "alpha:7",
                        "alpha:8",
                        "alpha:9",
                        "alpha:10",
                        "alpha:11",
                        "bravo:$LATEST");
        assertThat(store.listFunctions(ACCOUNT, REGION, Optional.empty(), 50, false)
                        .functions())
                .hasSize(2);
        assertThat(store.deleteVersion(key("alpha"), "3")).isTrue();
        assertThat(store.deleteVersion(key("alpha"), "3")).isFalse();
        assertThat(store.listFunctions(ACCOUNT, REGION, Optional.empty(), 50, true)
                        .functions())
                .hasSize(12);
    }

    @Test
    void accessKeysAreStoredSealedAndDeletable() {
        MetadataStore.AccessKeyRecord key = new MetadataStore.AccessKeyRecord(
                "AKSPEXAMPLE", "111122223333", "sealed-bytes", Instant.ofEpochMilli(1_700_000_000_000L));
        store.createAccessKey(key);
        assertThatThrownBy(() -> store.createAccessKey(key)).isInstanceOf(LambdaException.class);

        assertThat(store.findAccessKey("AKSPEXAMPLE")).contains(key);
        assertThat(store.listAccessKeys()).containsExactly(key);
        assertThat(key.toString()).doesNotContain("sealed-bytes");
        assertThat(store.deleteAccessKey("AKSPEXAMPLE")).isTrue();
        assertThat(store.findAccessKey("AKSPEXAMPLE")).isEmpty();
    }

    @Test
    void schedulesAreCreatedOnceUpdatedListedAndDeleted() {
        Schedule nightly = new Schedule(
                ACCOUNT,
                REGION,
                "nightly",
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
        store.putSchedule(nightly, true);
        assertThatThrownBy(() -> store.putSchedule(nightly, true)).isInstanceOf(LambdaException.class);
        Schedule fired = nightly.withLastFire(Instant.parse("2026-01-02T01:00:00Z"));
        store.putSchedule(fired, false);
        assertThat(store.schedules(ACCOUNT, REGION)).containsExactly(fired);
        assertThat(store.schedules(ACCOUNT, "eu-west-1")).isEmpty();
        assertThat(store.allSchedules()).containsExactly(fired);
        assertThat(store.deleteSchedule(ACCOUNT, REGION, "nightly")).isTrue();
        assertThatThrownBy(() -> store.putSchedule(fired, false)).isInstanceOf(LambdaException.class);
    }

    @Test
    void httpApisRoundTripWithRoutesAndAuthorizers() {
        HttpApi api = new HttpApi(
                ACCOUNT,
                REGION,
                "a1b2c3d4e5",
                "shop",
                new CorsConfig(false, List.of(), List.of("GET"), List.of("*"), List.of(), 60),
                new HttpApi.Throttle(100, 50),
                Map.of(
                        "jwt",
                        new HttpApi.Authorizer(
                                "JWT",
                                "$request.header.Authorization",
                                "https://issuer",
                                List.of("shop"),
                                null,
                                "{\"keys\":[]}",
                                null,
                                null,
                                0,
                                null)),
                List.of(new HttpApi.Route("GET /pets/{id}", "pets", "live", "1.0", "jwt", null)),
                0,
                Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-01-01T00:00:00Z"));
        store.putHttpApi(api, true);
        assertThatThrownBy(() -> store.putHttpApi(api, true)).isInstanceOf(LambdaException.class);
        store.close();
        store = MetadataStore.sqlite(file);
        assertThat(store.allHttpApis()).containsExactly(api);
        assertThat(store.deleteHttpApi("a1b2c3d4e5")).isTrue();
        assertThat(store.allHttpApis()).isEmpty();
    }
}
