package dev.spur.queue;

import dev.spur.common.LambdaException;
import dev.spur.store.SqliteTransaction;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Group commit: one platform thread ({@value #THREAD_NAME}) owns the write connection; callers submit
 * operations and wait until the transaction holding theirs has committed.
 *
 * <p>The writer takes every operation waiting (up to {@link #MAX_BATCH}) and runs them in one
 * {@code BEGIN IMMEDIATE ... COMMIT}: one fsync for the whole batch, which is what makes 202-after-fsync
 * affordable. After the commit it runs each operation's {@link Operation#committed} step (the in-memory
 * index update) in submission order, then releases the callers. While a batch commits, the next one
 * gathers, so the batch size follows the load by itself.
 *
 * <p>Failures: an operation rejects a request (404, 409) by throwing a {@link LambdaException} before it
 * has written anything, so the rest of the batch commits and only that caller gets the error. Any other
 * failure ({@link SQLException}, a bug) rolls the whole batch back; the writer then runs its operations
 * again one per transaction, so each caller gets its own outcome and one bad operation cannot fail or
 * lose the others. A failed transaction wrote nothing, so "it threw, so nothing was stored" holds.
 *
 * <p>Callers block in {@link CompletableFuture#join}, which parks a virtual thread without pinning.
 */
final class GroupCommitWriter implements AutoCloseable {
    static final String THREAD_NAME = "spur-queue-writer";
    static final int MAX_BATCH = 1_000;
    private static final Logger LOG = Logger.getLogger(GroupCommitWriter.class.getName());

    /** What a caller wants written. */
    interface Operation<T> {
        /**
         * Runs inside the batch's transaction. To reject the request, throw a {@link LambdaException}
         * before writing anything.
         */
        T write(Connection connection) throws SQLException;

        /** Runs on the writer thread once the write is durable, in submission order. */
        default void committed(T result) {}
    }

    private final Connection connection;
    private final Runnable afterRollback;
    private final LinkedBlockingQueue<Pending<?>> submitted = new LinkedBlockingQueue<>();
    private final ReentrantLock submitLock = new ReentrantLock();
    private final Pending<Void> stop = new Pending<>(c -> null);
    private final Thread thread;
    private boolean closed; // guarded by submitLock

    GroupCommitWriter(Connection connection) {
        this(connection, () -> {});
    }

    /** {@code afterRollback} runs on the writer thread after a failed transaction, e.g. to drop cached statements. */
    GroupCommitWriter(Connection connection, Runnable afterRollback) {
        this.connection = connection;
        this.afterRollback = afterRollback;
        this.thread = Thread.ofPlatform().name(THREAD_NAME).daemon().unstarted(this::run);
        thread.start();
    }

    /** Writes {@code operation} durably and returns its result, or throws what it threw (wrapped if not a {@link LambdaException}). */
    <T> T submit(Operation<T> operation) {
        Pending<T> pending = new Pending<>(operation);
        submitLock.lock();
        try {
            if (closed) {
                throw LambdaException.internal("The event queue is closed", null);
            }
            submitted.add(pending);
        } finally {
            submitLock.unlock();
        }
        try {
            return pending.done.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** Writes what was submitted before, then stops the thread. Does not close the connection. */
    @Override
    public void close() {
        submitLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            submitted.add(stop);
        } finally {
            submitLock.unlock();
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Pending<?>> batch = new ArrayList<>(MAX_BATCH);
        boolean stopping = false;
        while (!stopping) {
            try {
                batch.add(submitted.take());
            } catch (InterruptedException e) {
                continue; // only close() stops the writer, so that nothing submitted is left waiting
            }
            submitted.drainTo(batch, MAX_BATCH - 1);
            stopping = batch.remove(stop); // nothing is submitted after stop, so it is the last
            if (!batch.isEmpty()) {
                runBatch(batch);
            }
            batch.clear();
        }
    }

    private void runBatch(List<Pending<?>> batch) {
        try {
            SqliteTransaction.run(connection, c -> {
                for (Pending<?> pending : batch) {
                    pending.write(c);
                }
                return null;
            });
        } catch (SQLException | RuntimeException | Error e) {
            afterRollback.run();
            if (batch.size() == 1) {
                batch.getFirst().fail(e);
            } else {
                LOG.log(
                        Level.WARNING,
                        "A batch of " + batch.size() + " queue writes failed; retrying them one by one",
                        e);
                for (Pending<?> pending : batch) {
                    runBatch(List.of(pending));
                }
            }
            return;
        }
        for (Pending<?> pending : batch) {
            pending.finish();
        }
    }

    /** One submitted operation and its outcome within the current attempt. */
    private static final class Pending<T> {
        final Operation<T> operation;
        final CompletableFuture<T> done = new CompletableFuture<>();
        T result;
        LambdaException rejection;

        Pending(Operation<T> operation) {
            this.operation = operation;
        }

        void write(Connection connection) throws SQLException {
            result = null;
            rejection = null;
            try {
                result = operation.write(connection);
            } catch (LambdaException e) {
                rejection = e;
            }
        }

        void finish() {
            if (rejection != null) {
                done.completeExceptionally(rejection);
                return;
            }
            try {
                operation.committed(result);
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "The queue's index could not follow a committed write", e);
            }
            done.complete(result);
        }

        void fail(Throwable cause) {
            LOG.log(Level.WARNING, "A queue write failed", cause);
            done.completeExceptionally(LambdaException.internal("The event queue could not store the change", cause));
        }
    }
}
