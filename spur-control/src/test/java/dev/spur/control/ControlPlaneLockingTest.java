package dev.spur.control;

import static dev.spur.control.TemporaryControlPlane.ARN;
import static dev.spur.control.TemporaryControlPlane.CALLER;
import static dev.spur.control.TemporaryControlPlane.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.common.ErrorCode;
import dev.spur.common.FunctionConfig;
import dev.spur.common.LambdaException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The per-function lock and the revision compare-and-set: concurrent read-modify-writes of one function
 * (tags and aliases share one stored attachments document) lose nothing, and of several updates that
 * name the same RevisionId exactly one wins. Threads start together on a latch; nothing is timed.
 */
class ControlPlaneLockingTest {
    @RegisterExtension
    static final TemporaryControlPlane control = TemporaryControlPlane.perClass(1000);

    @Test
    void concurrentChangesToOneFunctionsAttachmentsAreAllKept() throws Exception {
        control.handle(create("locked").publish().command());
        int n = 16;
        List<Runnable> changes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String tag = "t" + i;
            String alias = "a" + i;
            changes.add(
                    () -> control.handle(new FunctionCommand.TagResource(CALLER, ARN + "locked", Map.of(tag, "v"))));
            changes.add(() -> control.handle(new FunctionCommand.CreateAlias(
                    CALLER, "locked", alias, Optional.of("1"), Optional.empty(), Optional.empty())));
        }

        for (Future<?> f : together(changes)) {
            f.get();
        }

        assertThat(((ControlResult.Tags) control.handle(new FunctionCommand.ListTags(CALLER, ARN + "locked"))).tags())
                .hasSize(n);
        assertThat(aliases("locked")).hasSize(n);
        control.restart();
        assertThat(((ControlResult.Tags) control.handle(new FunctionCommand.ListTags(CALLER, ARN + "locked"))).tags())
                .as("as stored")
                .hasSize(n);
        assertThat(aliases("locked")).as("as stored").hasSize(n);
    }

    @Test
    void ofConcurrentUpdatesNamingTheSameRevisionExactlyOneWins() throws Exception {
        control.handle(create("cas").command());
        String revision = control.configuration("cas").revisionId();
        int n = 8;
        List<Runnable> updates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String description = "writer " + i;
            updates.add(() -> control.handle(describe("cas", description, Optional.of(revision))));
        }

        int won = 0;
        int refused = 0;
        for (Future<?> f : together(updates)) {
            try {
                f.get();
                won++;
            } catch (ExecutionException e) {
                assertThat(e.getCause())
                        .isInstanceOfSatisfying(
                                LambdaException.class,
                                l -> assertThat(l.code()).isEqualTo(ErrorCode.PRECONDITION_FAILED));
                refused++;
            }
        }

        assertThat(won).isEqualTo(1);
        assertThat(refused).isEqualTo(n - 1);
        FunctionConfig after = control.configuration("cas");
        assertThat(after.revisionId()).isNotEqualTo(revision);
        assertThat(after.description()).startsWith("writer ");
    }

    @Test
    void anUpdateWithAStaleRevisionIs412AndChangesNothing() {
        control.handle(create("stale").command());
        String first = control.configuration("stale").revisionId();
        control.handle(describe("stale", "second", Optional.of(first)));
        FunctionConfig second = control.configuration("stale");

        assertThatThrownBy(() -> control.handle(describe("stale", "third", Optional.of(first))))
                .isInstanceOfSatisfying(
                        LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PRECONDITION_FAILED))
                .hasMessage("The Revision Id provided does not match the latest Revision Id. Call the"
                        + " GetFunction/GetAlias API to retrieve the latest Revision Id");
        control.restart();
        assertThat(control.configuration("stale").description()).isEqualTo("second");
        assertThat(control.configuration("stale").revisionId()).isEqualTo(second.revisionId());
    }

    /** Runs every task on its own thread, all released at once; their futures in order. */
    private static List<Future<?>> together(List<Runnable> tasks) throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Runnable task : tasks) {
                futures.add(threads.submit(() -> {
                    start.await();
                    task.run();
                    return null;
                }));
            }
            start.countDown();
        }
        return futures;
    }

    private static List<?> aliases(String name) {
        return ((ControlResult.AliasList) control.handle(new FunctionCommand.ListAliases(
                        CALLER, name, Optional.empty(), Optional.empty(), Optional.of(100))))
                .aliases();
    }

    static FunctionCommand describe(String name, String description, Optional<String> revision) {
        return new FunctionCommand.UpdateFunctionConfiguration(
                CALLER,
                name,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.of(description),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                revision,
                FunctionCommand.Unsupported.NONE,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                FunctionCommand.OptionsChange.NONE);
    }
}
