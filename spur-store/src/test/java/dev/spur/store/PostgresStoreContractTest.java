package dev.spur.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The storage contract on PostgreSQL (a real server: {@link TestPostgres}), each store instance on its
 * own {@link Database} (its own pool) as on its own node; and what only a shared database has: migrations
 * under an advisory lock, refusing a newer schema.
 */
class PostgresStoreContractTest extends StoreContract {
    String url;
    final List<Database> databases = new ArrayList<>();

    @Override
    void createDatabase() {
        url = TestPostgres.freshDatabase();
    }

    @Override
    MetadataStore openStore() {
        Database database = Database.postgres(url);
        databases.add(database);
        return MetadataStore.postgres(database);
    }

    @Override
    void pruneChanges(long beforeMillis) throws Exception {
        databases.getFirst().transaction(c -> {
            ChangeLog.prune(c, beforeMillis);
            return null;
        });
    }

    @AfterEach
    void closeDatabases() {
        databases.forEach(Database::close);
    }

    @Test
    void nodesStartingTogetherMigrateTheSchemaOnce() throws Exception {
        String fresh = TestPostgres.freshDatabase();
        int nodes = 4;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Database>> opened = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(nodes)) {
            for (int i = 0; i < nodes; i++) {
                opened.add(pool.submit(() -> {
                    start.await();
                    return Database.postgres(fresh);
                }));
            }
            start.countDown();
            for (Future<Database> f : opened) {
                Database database = f.get(60, TimeUnit.SECONDS);
                databases.add(database);
                assertThat(database.schemaVersion())
                        .isEqualTo(PostgresDatabase.MIGRATIONS.getLast().version());
            }
        }
        try (Connection c = databases.getLast().connection();
                Statement statement = c.createStatement();
                var rows = statement.executeQuery("SELECT COUNT(*), MAX(version) FROM schema_version")) {
            rows.next();
            assertThat(rows.getInt(1))
                    .as("one row per step, not per node")
                    .isEqualTo(PostgresDatabase.MIGRATIONS.size());
        }
    }

    @Test
    void aNodeStartedAgainstANewerSchemaRefusesWithAClearMessage() throws Exception {
        try (Connection c = databases.getFirst().connection();
                Statement statement = c.createStatement()) {
            statement.execute("INSERT INTO schema_version (version, description) VALUES (99, 'from the future')");
        }

        assertThatThrownBy(() -> Database.postgres(url))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("schema version 99")
                .hasMessageContaining("only knows versions up to "
                        + PostgresDatabase.MIGRATIONS.getLast().version())
                .hasMessageContaining("newer Spur");
    }

    @Test
    void anUnreachableDatabaseIsRefusedNamingItWithoutThePassword() {
        assertThatThrownBy(() -> PostgresDatabase.open(
                        "postgresql://spur:s3cret@127.0.0.1:1/spur", PostgresDatabase.MIGRATIONS, 300))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("spur@127.0.0.1:1/spur")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> Database.postgres("mysql://x@y/z")).isInstanceOf(IllegalArgumentException.class);
    }
}
