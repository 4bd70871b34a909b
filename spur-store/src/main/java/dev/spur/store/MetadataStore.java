package dev.spur.store;

import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where function metadata lives durably. The embedded implementation is SQLite in WAL mode; a
 * PostgreSQL implementation will sit beside it behind this same interface.
 *
 * <p>Failure semantics: every mutating call is one transaction. When it returns, the change is
 * durable; when it throws, nothing of it was written. Conflicts are reported as
 * {@link dev.spur.common.LambdaException} with the Lambda error the caller should see.
 */
public interface MetadataStore extends AutoCloseable {

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

    /** Stores a new function's {@code $LATEST}; 409 ResourceConflictException if the name is taken. */
    void createFunction(FunctionConfig config);

    /**
     * Replaces a function's {@code $LATEST} if its stored revision is still {@code expectedRevisionId}
     * (compare-and-set); 404 if the function is gone, 412 PreconditionFailedException if the revision moved.
     */
    void replaceFunction(FunctionConfig updated, String expectedRevisionId);

    Optional<FunctionConfig> findFunction(FunctionKey key);

    /** One page of an account's functions in a region, ordered by name. */
    Page listFunctions(String account, String region, Optional<String> marker, int maxItems);

    /** Every stored function, for warming caches at start. */
    List<FunctionConfig> allFunctions();

    /** Deletes a function and everything stored under it; false if there was nothing to delete. */
    boolean deleteFunction(FunctionKey key);

    /** The schema version the database is at after migration. */
    int schemaVersion();

    @Override
    void close();

    /** A page of functions; {@code nextMarker} is opaque to callers and present when more remain. */
    record Page(List<FunctionConfig> functions, Optional<String> nextMarker) {
        public Page {
            functions = List.copyOf(functions);
        }
    }
}
