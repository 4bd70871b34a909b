package dev.spur.store;

import java.nio.file.Path;

/**
 * Everything the control plane stores, as one object: the per-aggregate stores ({@link FunctionStore},
 * {@link ApiStore}, {@link ScheduleStore}, {@link MappingStore}, {@link KeyStore}, {@link LayerStore}) and the {@link ChangeFeed} they all write
 * to. New code should take only the aggregate it needs; this composition keeps the wiring in one place.
 *
 * <p>Two implementations, siblings behind the same contract (checked by one suite against both): the
 * embedded default, one SQLite file in WAL mode ({@link #sqlite}), and a shared PostgreSQL database many
 * nodes use at once ({@link #postgres}).
 *
 * <p>Failure semantics: every mutating call is one transaction. When it returns, the change is
 * durable; when it throws, nothing of it was written. Conflicts are reported as
 * {@link dev.spur.common.LambdaException} with the Lambda error the caller should see.
 */
public interface MetadataStore
        extends FunctionStore, ApiStore, ScheduleStore, MappingStore, KeyStore, LayerStore, ChangeFeed, AutoCloseable {

    /**
     * Opens (creating if needed) the SQLite database at {@code file} and migrates its schema.
     *
     * @throws IllegalStateException if the file cannot be opened as a database, was written by a newer
     *                               Spur (its schema version is higher than this code knows), or a
     *                               migration fails; the message says which
     */
    static MetadataStore sqlite(Path file) {
        return SqliteMetadataStore.open(file);
    }

    /**
     * The store on a PostgreSQL database that {@link Database#postgres} opened (and migrated). Closing
     * the store does not close the database; it stops listening for other nodes' changes.
     */
    static MetadataStore postgres(Database database) {
        return PostgresMetadataStore.open((PostgresDatabase) database);
    }

    /** The schema version the database is at after migration. */
    int schemaVersion();

    @Override
    void close();
}
