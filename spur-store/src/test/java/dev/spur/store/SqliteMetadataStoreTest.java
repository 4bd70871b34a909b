package dev.spur.store;

import static dev.spur.store.Functions.ACCOUNT;
import static dev.spur.store.Functions.REGION;
import static dev.spur.store.Functions.config;
import static dev.spur.store.Functions.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.common.ErrorCode;
import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
        store.createFunction(config);

        assertThat(store.findFunction(key("hello"))).contains(config);
        assertThat(store.findFunction(key("absent"))).isEmpty();
    }

    @Test
    void creatingATakenNameIsAConflictAndKeepsTheFirst() {
        store.createFunction(config("hello"));

        assertThatThrownBy(() -> store.createFunction(config(key("hello"), "other")))
                .isInstanceOfSatisfying(LambdaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_CONFLICT);
                    assertThat(e).hasMessage("Function already exist: hello");
                });
        assertThat(store.findFunction(key("hello")).orElseThrow().revisionId()).isEqualTo("rev-1");
        store.createFunction(config("next")); // the failed transaction was rolled back, not left open
        assertThat(store.allFunctions()).hasSize(2);
    }

    @Test
    void sameNameInAnotherAccountOrRegionIsAnotherFunction() {
        store.createFunction(config("hello"));
        store.createFunction(config(new FunctionKey(ACCOUNT, "eu-west-1", "hello"), "r"));
        store.createFunction(config(new FunctionKey("210987654321", REGION, "hello"), "r"));

        assertThat(store.allFunctions()).hasSize(3);
    }

    @Test
    void replaceWithTheCurrentRevisionStoresTheUpdate() {
        store.createFunction(config("hello"));
        FunctionConfig updated = config("hello").withRevision("rev-2", Instant.parse("2025-02-01T00:00:00Z"));

        store.replaceFunction(updated, "rev-1");

        assertThat(store.findFunction(key("hello"))).contains(updated);
    }

    @Test
    void replaceWithAStaleRevisionFailsWithPreconditionFailedAndChangesNothing() {
        store.createFunction(config("hello"));
        store.replaceFunction(config(key("hello"), "rev-2"), "rev-1");

        assertThatThrownBy(() -> store.replaceFunction(config(key("hello"), "rev-3"), "rev-1"))
                .isInstanceOfSatisfying(LambdaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PRECONDITION_FAILED);
                    assertThat(e).hasMessage("The Revision Id provided does not match the latest Revision Id. "
                            + "Call the GetFunction/GetAlias API to retrieve the latest Revision Id");
                });
        assertThat(store.findFunction(key("hello")).orElseThrow().revisionId()).isEqualTo("rev-2");
    }

    @Test
    void replacingAMissingFunctionIsNotFound() {
        assertThatThrownBy(() -> store.replaceFunction(config("ghost"), "rev-1"))
                .isInstanceOfSatisfying(LambdaException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND);
                    assertThat(e).hasMessage("Function not found: arn:aws:lambda:us-east-1:123456789012:function:ghost");
                });
        assertThat(store.findFunction(key("ghost"))).isEmpty();
    }

    @Test
    void concurrentReplacesWithTheSameRevisionLetExactlyOneWin() throws Exception {
        store.createFunction(config("hello"));
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
        store.createFunction(config("hello"));

        assertThat(store.deleteFunction(key("hello"))).isTrue();
        assertThat(store.deleteFunction(key("hello"))).isFalse();
        assertThat(store.findFunction(key("hello"))).isEmpty();
        store.createFunction(config("hello")); // the name is free again, with no leftover version row
        assertThat(store.findFunction(key("hello"))).isPresent();
    }

    @Test
    void listPagesThroughOneAccountAndRegionInNameOrderWithMarkers() {
        for (String name : List.of("delta", "alpha", "echo", "charlie", "bravo")) {
            store.createFunction(config(name));
        }
        store.createFunction(config(new FunctionKey(ACCOUNT, "eu-west-1", "aardvark"), "r"));
        store.createFunction(config(new FunctionKey("210987654321", REGION, "zulu"), "r"));

        List<String> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        Optional<String> marker = Optional.empty();
        do {
            MetadataStore.Page page = store.listFunctions(ACCOUNT, REGION, marker, 2);
            page.functions().forEach(f -> seen.add(f.key().name()));
            pageSizes.add(page.functions().size());
            marker = page.nextMarker();
        } while (marker.isPresent());

        assertThat(seen).containsExactly("alpha", "bravo", "charlie", "delta", "echo");
        assertThat(pageSizes).containsExactly(2, 2, 1);
    }

    @Test
    void aPageThatHoldsEverythingHasNoMarker() {
        store.createFunction(config("alpha"));
        store.createFunction(config("bravo"));

        MetadataStore.Page page = store.listFunctions(ACCOUNT, REGION, Optional.empty(), 2);

        assertThat(page.functions()).hasSize(2);
        assertThat(page.nextMarker()).isEmpty();
        assertThat(store.listFunctions(ACCOUNT, "ap-south-1", Optional.empty(), 50).functions()).isEmpty();
    }

    @Test
    void aMarkerThatIsNotOursIsInvalid() {
        assertThatThrownBy(() -> store.listFunctions(ACCOUNT, REGION, Optional.of("%%%"), 10))
                .isInstanceOfSatisfying(LambdaException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE));
    }

    @Test
    void functionsSurviveReopening() {
        store.createFunction(config("hello"));
        store.replaceFunction(config(key("hello"), "rev-2"), "rev-1");
        store.close();

        store = MetadataStore.sqlite(file);

        assertThat(store.findFunction(key("hello"))).contains(config(key("hello"), "rev-2"));
        assertThat(store.allFunctions()).extracting(f -> f.key().name()).containsExactly("hello");
    }

    @Test
    void manyVirtualThreadsCanCreateAtOnce() {
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 100; i++) {
                String name = "fn-%03d".formatted(i);
                threads.submit(() -> store.createFunction(config(name)));
            }
        }
        assertThat(store.allFunctions()).hasSize(100);
        assertThat(store.listFunctions(ACCOUNT, REGION, Optional.empty(), 1000).functions())
                .extracting(f -> f.key().name()).isSorted();
    }
}
