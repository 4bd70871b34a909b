package dev.spur.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract on SQLite: two store instances on one file stand for two processes. */
class SqliteStoreContractTest extends StoreContract {
    @TempDir
    Path dir;

    @Override
    void createDatabase() {
        // a fresh @TempDir per test: the file is created by the first open
    }

    @Override
    MetadataStore openStore() {
        return MetadataStore.sqlite(dir.resolve("spur.db"));
    }

    @Override
    void pruneChanges(long beforeMillis) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("spur.db"))) {
            SqliteTransaction.run(c, tx -> {
                ChangeLog.prune(tx, beforeMillis);
                return null;
            });
        }
    }
}
