package dev.spur.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spur.common.ErrorCode;
import dev.spur.common.LambdaException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitWriterTest {
    @TempDir
    Path dir;

    @Test
    void aFailingOperationFailsAloneAndTheRestOfItsBatchIsStored() throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("w.db"))) {
            try (Statement s = connection.createStatement()) {
                s.executeUpdate("CREATE TABLE t (v INTEGER PRIMARY KEY)");
            }
            GroupCommitWriter writer = new GroupCommitWriter(connection);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Object> blocker = CompletableFuture.supplyAsync(
                    () -> writer.submit(c -> {
                        awaitQuietly(release); // holds the writer so that the next ones form one batch
                        return insert(c, 0);
                    }),
                    Thread::startVirtualThread);
            Thread.sleep(100);
            List<CompletableFuture<Object>> batch = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                int v = i;
                batch.add(CompletableFuture.supplyAsync(
                        () -> writer.submit(c -> insert(c, v)), Thread::startVirtualThread));
            }
            CompletableFuture<Object> failing = CompletableFuture.supplyAsync(
                    () -> writer.submit(c -> insert(c, 3)),
                    Thread::startVirtualThread); // duplicate key: an SQLException
            CompletableFuture<Object> rejected = CompletableFuture.supplyAsync(
                    () -> writer.submit(c -> {
                        throw LambdaException.conflict("no");
                    }),
                    Thread::startVirtualThread);
            Thread.sleep(100);
            release.countDown();

            blocker.get(10, TimeUnit.SECONDS);
            for (CompletableFuture<Object> ok : batch) {
                ok.get(10, TimeUnit.SECONDS);
            }
            assertThat(failing)
                    .failsWithin(10, TimeUnit.SECONDS)
                    .withThrowableThat()
                    .havingCause()
                    .isInstanceOfSatisfying(
                            LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SERVICE));
            assertThat(rejected)
                    .failsWithin(10, TimeUnit.SECONDS)
                    .withThrowableThat()
                    .havingCause()
                    .isInstanceOfSatisfying(
                            LambdaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_CONFLICT));
            writer.close();
            assertThat(count(connection)).isEqualTo(6);
        }
    }

    private static Object insert(Connection c, int v) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
            insert.setInt(1, v);
            return insert.executeUpdate();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long count(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT COUNT(*) FROM t")) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
