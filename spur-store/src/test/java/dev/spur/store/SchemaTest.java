package dev.spur.store;

import static dev.spur.store.Functions.config;
import static dev.spur.store.Functions.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.common.FunctionAttachments;
import dev.spur.store.Migrations.Migration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite file itself: its settings, its schema version and how migrations move it. */
class SchemaTest {
    @TempDir
    Path dir;

    @Test
    void aNewDatabaseIsAtTheLatestVersionAndRecordsEveryStep() throws SQLException {
        Path file = dir.resolve("spur.db");
        try (MetadataStore store = MetadataStore.sqlite(file)) {
            assertThat(store.schemaVersion())
                    .isEqualTo(Migrations.ALL.getLast().version())
                    .isEqualTo(7);
        }
        assertThat(query(file, "SELECT version || ':' || description FROM schema_version ORDER BY version"))
                .containsExactly(
                        "1:functions",
                        "2:attachments_and_keys",
                        "3:schedules",
                        "4:http_apis",
                        "5:changes",
                        "6:event_source_mappings",
                        "7:layer_versions");
    }

    @Test
    void theDatabaseIsInWalModeWithForeignKeysEnforced() throws SQLException {
        Path file = dir.resolve("spur.db");
        try (MetadataStore store = MetadataStore.sqlite(file)) {
            store.createFunction(config("hello"), FunctionAttachments.NONE, Optional.empty());
            assertThat(Files.exists(dir.resolve("spur.db-wal"))).isTrue();
            // journal_mode=WAL is persistent: a fresh connection sees it too
            assertThat(query(file, "PRAGMA journal_mode")).containsExactly("wal");
            // deleting the function cascaded to its $LATEST row
            store.deleteFunction(key("hello"));
            assertThat(query(file, "SELECT COUNT(*) FROM function_versions")).containsExactly("0");
        }
    }

    @Test
    void aDatabaseFromANewerSpurIsRefusedWithAClearError() throws SQLException {
        Path file = dir.resolve("spur.db");
        MetadataStore.sqlite(file).close();
        execute(file, "INSERT INTO schema_version VALUES (9, 'from the future', 0)");

        assertThatThrownBy(() -> MetadataStore.sqlite(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("schema version 9")
                .hasMessageContaining("only knows versions up to 7")
                .hasMessageContaining("newer Spur");
    }

    @Test
    void reopeningAppliesOnlyTheStepsAddedSince() throws SQLException {
        Path file = dir.resolve("spur.db");
        try (MetadataStore store = MetadataStore.sqlite(file)) {
            store.createFunction(config("hello"), FunctionAttachments.NONE, Optional.empty());
        }
        List<Migration> withTags = withStep(new Migration(
                8,
                "tags",
                "CREATE TABLE tags (function_id INTEGER NOT NULL REFERENCES functions (id) ON DELETE CASCADE,"
                        + " key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (function_id, key));"
                        + " CREATE INDEX tags_key ON tags (key);"));

        try (MetadataStore store = SqliteMetadataStore.open(file, withTags)) {
            assertThat(store.schemaVersion()).isEqualTo(8);
            assertThat(store.findFunction(key("hello"))).isPresent();
        }
        assertThat(query(file, "SELECT name FROM sqlite_master WHERE name LIKE 'tags%' ORDER BY name"))
                .containsExactly("tags", "tags_key");
    }

    @Test
    void aFailingStepIsRolledBackWholeAndTheDatabaseStaysAtThePreviousVersion() throws SQLException {
        Path file = dir.resolve("spur.db");
        List<Migration> broken = withStep(
                new Migration(8, "broken", "CREATE TABLE aliases (name TEXT); INSERT INTO no_such_table VALUES (1);"));

        assertThatThrownBy(() -> SqliteMetadataStore.open(file, broken))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("V8 (broken) failed")
                .hasMessageContaining("stays at V7");

        assertThat(query(file, "SELECT MAX(version) FROM schema_version")).containsExactly("7");
        assertThat(query(file, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'aliases'"))
                .containsExactly("0");
        try (MetadataStore store = MetadataStore.sqlite(file)) {
            assertThat(store.schemaVersion()).isEqualTo(7);
        }
    }

    @Test
    void aFileThatIsNotADatabaseIsRefusedWithAClearError() throws Exception {
        Path file = dir.resolve("spur.db");
        Files.writeString(file, "this is not a database, just some text that is long enough ".repeat(20));

        assertThatThrownBy(() -> MetadataStore.sqlite(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Cannot open the metadata database");
    }

    private static List<Migration> withStep(Migration step) {
        List<Migration> migrations = new ArrayList<>(Migrations.ALL);
        migrations.add(step);
        return migrations;
    }

    private static List<String> query(Path file, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = c.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rows.next()) {
                values.add(rows.getString(1));
            }
            return values;
        }
    }

    private static void execute(Path file, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = c.createStatement()) {
            statement.executeUpdate(sql);
        }
    }
}
