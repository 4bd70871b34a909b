package dev.spur.control;

import static dev.spur.control.TemporaryControlPlane.CALLER;
import static dev.spur.control.TemporaryControlPlane.NOW;
import static dev.spur.control.TemporaryControlPlane.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.common.ErrorCode;
import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import dev.spur.common.Ticker;
import dev.spur.logs.LogStore;
import dev.spur.pools.PoolSettings;
import dev.spur.pools.Pools;
import dev.spur.runtimes.Runtimes;
import dev.spur.sandbox.Sandbox;
import dev.spur.store.CodeStore;
import dev.spur.store.Database;
import dev.spur.store.MetadataStore;
import dev.spur.store.TestPostgres;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two control planes on one PostgreSQL database, as two nodes of a fleet: a node learns what another
 * changed when told of the change (what following the feed does) or when it asks for a function it does
 * not know; changes made on both at once are all kept (compare-and-set on the attachments, read again and
 * applied again when refused); a check against a stale copy is made again on the current one.
 */
class ControlPlaneFleetTest {
    static final String ARN = "arn:aws:lambda:us-east-1:000000000000:function:";
    static final FunctionKey KEY = new FunctionKey(CALLER.account(), CALLER.region(), "shared");

    @TempDir
    Path dir;

    private Database database;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private ControlPlane a;
    private ControlPlane b;

    @BeforeEach
    void open() throws Exception {
        database = Database.postgres(TestPostgres.freshDatabase());
        Runtimes runtimes = TemporaryControlPlane.runtimes();
        a = node(dir.resolve("a"), runtimes);
        b = node(dir.resolve("b"), runtimes);
    }

    private ControlPlane node(Path data, Runtimes runtimes) {
        MetadataStore store = MetadataStore.postgres(database);
        Pools pools = new Pools(
                PoolSettings.defaults(),
                Sandbox.process(),
                LogStore.open(data.resolve("logs")),
                data.resolve("run"),
                Ticker.system(),
                InstantSource.fixed(NOW),
                false);
        opened.add(pools);
        opened.add(store);
        return new ControlPlane(
                store, CodeStore.shared(data.resolve("code"), database), runtimes, pools, InstantSource.fixed(NOW));
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
        database.close();
    }

    @Test
    void aFunctionCreatedOnOneNodeIsFoundAtOnceOnAnotherAndItsUpdatesArriveWithTheirChange() {
        a.handle(create("shared").description("first").command());

        assertThat(configuration(b).description())
                .as("unknown here a moment ago: looked up in the store")
                .isEqualTo("first");
        a.handle(update("shared", Optional.of("second"), Optional.empty(), Optional.empty()));
        assertThat(configuration(b).description())
                .as("before the change reaches it")
                .isEqualTo("first");
        b.changed(KEY);
        assertThat(configuration(b).description()).isEqualTo("second");

        a.handle(new FunctionCommand.DeleteFunction(CALLER, "shared", Optional.empty()));
        b.changed(KEY);
        assertThatThrownBy(() -> configuration(b))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND));
    }

    @Test
    void aReservationMadeOnOneNodeReachesTheOtherNodesPools() {
        a.handle(create("shared").command());
        configuration(b);
        a.handle(new FunctionCommand.PutFunctionConcurrency(CALLER, "shared", Optional.of(7)));

        b.changed(KEY);

        assertThat(b.pools().accountConcurrency(CALLER.account()).reservedTotal())
                .isEqualTo(7);
    }

    @Test
    void anUpdateOnANodeWithAStaleCopyAppliesToTheNewestAndAStaleRevisionIsStill412() {
        a.handle(create("shared").command());
        String original = configuration(b).revisionId();
        a.handle(update("shared", Optional.of("from a"), Optional.empty(), Optional.empty()));

        b.handle(update("shared", Optional.empty(), Optional.of(256), Optional.empty()));

        a.changed(KEY);
        FunctionConfig after = configuration(a);
        assertThat(after.description()).as("a's change kept").isEqualTo("from a");
        assertThat(after.memorySize()).as("b's change applied on top").isEqualTo(256);
        assertThatThrownBy(
                        () -> b.handle(update("shared", Optional.of("late"), Optional.empty(), Optional.of(original))))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PRECONDITION_FAILED));
        String current = configuration(b).revisionId();
        a.handle(update("shared", Optional.of("named"), Optional.empty(), Optional.of(current)));
        assertThat(configuration(a).description()).isEqualTo("named");
    }

    @Test
    void tagsAndAliasesChangedOnTwoNodesAtOnceAreAllKept() throws Exception {
        a.handle(create("shared").publish().command());
        configuration(b);
        int n = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> running = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                String tag = "t" + i;
                String alias = "a" + i;
                running.add(threads.submit(() -> {
                    start.await();
                    return a.handle(new FunctionCommand.TagResource(CALLER, ARN + "shared", Map.of(tag, "v")));
                }));
                running.add(threads.submit(() -> {
                    start.await();
                    return b.handle(new FunctionCommand.CreateAlias(
                            CALLER, "shared", alias, Optional.of("1"), Optional.empty(), Optional.empty()));
                }));
            }
            start.countDown();
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
        }

        a.changed(KEY);
        b.changed(KEY);
        for (ControlPlane node : List.of(a, b)) {
            assertThat(((ControlResult.Tags) node.handle(new FunctionCommand.ListTags(CALLER, ARN + "shared"))).tags())
                    .hasSize(n);
            assertThat(((ControlResult.AliasList) node.handle(new FunctionCommand.ListAliases(
                                    CALLER, "shared", Optional.empty(), Optional.empty(), Optional.empty())))
                            .aliases())
                    .hasSize(n);
        }
    }

    private static FunctionConfig configuration(ControlPlane node) {
        return ((ControlResult.Configuration)
                        node.handle(new FunctionCommand.GetFunctionConfiguration(CALLER, "shared", Optional.empty())))
                .config();
    }

    private static FunctionCommand update(
            String name, Optional<String> description, Optional<Integer> memory, Optional<String> revision) {
        return new FunctionCommand.UpdateFunctionConfiguration(
                CALLER,
                name,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                description,
                memory,
                Optional.empty(),
                Optional.empty(),
                revision,
                new FunctionCommand.Unsupported(List.of()),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                FunctionCommand.OptionsChange.NONE);
    }
}
