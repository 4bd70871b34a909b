package dev.spur.queue;

import dev.spur.common.LambdaException;
import dev.spur.store.SqlWork;
import dev.spur.store.SqliteTransaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
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
 * Group commit: one platform thread ({@value #THREAD_NAME}) does every write; callers submit
 * operations and wait until the transaction holding theirs has committed. On SQLite it owns the write
 * connection; on PostgreSQL each batch takes a pooled connection (so a broken one is replaced).
 *
 * <p>The writer takes every operation waiting (up to {@link #MAX_BATCH}) and runs them in one
 * transaction ({@code BEGIN IMMEDIATE ... COMMIT} on SQLite): one fsync for the whole batch, which is what makes 202-after-fsync
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

    /**
     * An operation that is one statement: neighbours in a batch with the same {@link #sql} share one JDBC
     * batch ({@code addBatch}/{@code executeBatch}), which a PostgreSQL driver sends in one round trip
     * instead of one per operation. {@link #write} stays the way to run it alone.
     */
    interface Statement<T> extends Operation<T> {
        String sql();

        void bind(PreparedStatement statement) throws SQLException;

        /** The result from the statement's update count; throw a {@link LambdaException} to reject. */
        T result(int updateCount);

        @Override
        default T write(Connection connection) throws SQLException {
            try (PreparedStatement statement = connection.prepareStatement(sql())) {
                bind(statement);
                return result(statement.executeUpdate());
            }
        }
    }

    /** Runs a batch as one transaction: committed if the work returns, rolled back if it throws. */
    @FunctionalInterface
    interface Transactions {
        void run(SqlWork<Void> work) throws SQLException;
    }

    private final Transactions transactions;
    private final Runnable afterRollback;
    private final boolean batchable;
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
        this(work -> SqliteTransaction.run(connection, work), afterRollback, false);
    }

    /**
     * A writer whose batches run through {@code transactions}, e.g. on a pooled PostgreSQL connection
     * ({@code afterRollback} as above); with {@code batchStatements}, neighbouring {@link Statement}s of
     * one SQL share a JDBC batch (worth it where a statement costs a network round trip).
     */
    GroupCommitWriter(Transactions transactions, Runnable afterRollback, boolean batchStatements) {
        this.transactions = transactions;
        this.afterRollback = afterRollback;
        this.batchable = batchStatements;
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

    /** Writes {@code batch.get(i)} alone; returns the next index. */
    private static int writeOne(Connection c, List<Pending<?>> batch, int i) throws SQLException {
        batch.get(i).write(c);
        return i + 1;
    }

    /**
     * Writes {@code batch.get(i)} and, if it is a {@link Statement}, the neighbours with the same SQL in
     * one JDBC batch; returns the next index.
     */
    private static int writeFrom(Connection c, List<Pending<?>> batch, int i) throws SQLException {
        if (!(batch.get(i).operation instanceof Statement<?> first)) {
            return writeOne(c, batch, i);
        }
        int end = i + 1;
        while (end < batch.size()
                && batch.get(end).operation instanceof Statement<?> next
                && next.sql().equals(first.sql())) {
            end++;
        }
        if (end - i == 1) {
            return writeOne(c, batch, i);
        }
        try (PreparedStatement statement = c.prepareStatement(first.sql())) {
            for (int k = i; k < end; k++) {
                ((Statement<?>) batch.get(k).operation).bind(statement);
                statement.addBatch();
            }
            int[] counts = statement.executeBatch();
            for (int k = i; k < end; k++) {
                batch.get(k).batched(counts[k - i]);
            }
        }
        return end;
    }

    private void runBatch(List<Pending<?>> batch) {
        try {
            transactions.run(c -> {
                int i = 0;
                while (i < batch.size()) {
                    i = batchable ? writeFrom(c, batch, i) : writeOne(c, batch, i);
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

        /** Takes the outcome of this statement from its place in a JDBC batch. */
        void batched(int updateCount) {
            result = null;
            rejection = null;
            try {
                result = ((Statement<T>) operation).result(updateCount);
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
