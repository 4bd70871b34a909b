package dev.spur.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.common.LambdaException;
import dev.spur.testing.Zips;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Code packages on a fleet: stored once by SHA-256 in PostgreSQL, fetched and unpacked by another node
 * (its own cache directory, its own pool) on first use, refused if the database's bytes do not match.
 */
class SharedCodeStoreTest {
    @TempDir
    Path dir;

    Database nodeA;
    Database nodeB;

    @BeforeEach
    void open() {
        String url = TestPostgres.freshDatabase();
        nodeA = Database.postgres(url);
        nodeB = Database.postgres(url);
    }

    @AfterEach
    void close() {
        nodeA.close();
        nodeB.close();
    }

    @Test
    void aPackageStoredOnOneNodeIsFetchedAndUnpackedOnAnotherOnFirstUse() throws Exception {
        byte[] zip = Zips.create()
                .text("app.py", "def handler(e, c):\n    return e\n")
                .executable("bin/run", "#!/bin/sh\n")
                .bytes();
        CodeStore a = CodeStore.shared(dir.resolve("a/code"), nodeA);
        CodeStore b = CodeStore.shared(dir.resolve("b/code"), nodeB);
        String sha = a.store(zip).code().sha256Hex();
        a.store(zip); // the same bytes again: still one row

        Path onB = b.unpackedDirectory(sha);
        assertThat(onB).doesNotExist();
        assertThat(b.local(sha)).isEqualTo(onB);
        assertThat(onB.resolve("app.py")).hasContent("def handler(e, c):\n    return e\n");
        assertThat(Files.isExecutable(onB.resolve("bin/run"))).isTrue();
        assertThat(b.zipFile(sha)).hasBinaryContent(zip);
        assertThat(count(nodeA, "SELECT COUNT(*) FROM code_blobs")).isEqualTo(1);
    }

    @Test
    void aPackageInNoStoreOrCorruptInTheDatabaseIsRefusedAndLeavesNothing() throws Exception {
        byte[] zip = Zips.create().text("app.py", "x = 1\n").bytes();
        CodeStore a = CodeStore.shared(dir.resolve("a/code"), nodeA);
        CodeStore b = CodeStore.shared(dir.resolve("b/code"), nodeB);
        String absent = "0".repeat(64);
        assertThatThrownBy(() -> b.local(absent)).isInstanceOf(LambdaException.class);

        String sha = a.store(zip).code().sha256Hex();
        byte[] other = Zips.create().text("app.py", "x = 2\n").bytes();
        try (Connection c = nodeA.connection();
                var update = c.prepareStatement("UPDATE code_blobs SET zip = ? WHERE sha256 = ?")) {
            update.setBytes(1, other);
            update.setString(2, sha);
            update.executeUpdate();
        }
        assertThatThrownBy(() -> b.local(sha))
                .isInstanceOf(LambdaException.class)
                .hasMessageContaining("another SHA-256");
        assertThat(b.unpackedDirectory(sha)).doesNotExist();
    }

    @Test
    void unreferencedPackagesLeaveTheDatabaseOnlyAfterTheirGrace() throws Exception {
        CodeStore a = CodeStore.shared(dir.resolve("a/code"), nodeA);
        String young = a.store(Zips.create().text("a", "1").bytes()).code().sha256Hex();
        String old = a.store(Zips.create().text("a", "2").bytes()).code().sha256Hex();
        try (Connection c = nodeA.connection();
                Statement statement = c.createStatement()) {
            statement.execute(
                    "UPDATE code_blobs SET created_at = now() - interval '2 hours' WHERE sha256 = '" + old + "'");
        }

        a.retainOnly(Set.of());

        assertThat(count(nodeA, "SELECT COUNT(*) FROM code_blobs WHERE sha256 = '" + young + "'"))
                .isEqualTo(1);
        assertThat(count(nodeA, "SELECT COUNT(*) FROM code_blobs WHERE sha256 = '" + old + "'"))
                .isZero();
    }

    private static long count(Database database, String sql) throws Exception {
        try (Connection c = database.connection();
                Statement statement = c.createStatement();
                var rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
