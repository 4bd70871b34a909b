package dev.spur.store;

import dev.spur.common.FunctionAttachments;
import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import dev.spur.common.HttpApi;
import dev.spur.common.Schedule;
import java.nio.file.Path;
import java.time.Instant;
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

    /**
     * Stores a new function: its {@code $LATEST}, what is attached to it, and (when created with
     * {@code Publish}) its first published version; 409 ResourceConflictException if the name is taken.
     */
    void createFunction(FunctionConfig latest, FunctionAttachments attachments, Optional<FunctionConfig> published);

    /**
     * Replaces a function's {@code $LATEST} if its stored revision is still {@code expectedRevisionId}
     * (compare-and-set); 404 if the function is gone, 412 PreconditionFailedException if the revision moved.
     */
    void replaceFunction(FunctionConfig updated, String expectedRevisionId);

    /**
     * Stores a published version (an immutable copy of {@code $LATEST}) and the function's attachments
     * with its next version number advanced, in one transaction; 404 if the function is gone, 409 if
     * the version number is taken.
     */
    void publishVersion(FunctionConfig version, FunctionAttachments attachments);

    /** Deletes one published version; false if it did not exist. */
    boolean deleteVersion(FunctionKey key, String version);

    /** Replaces what is attached to a function; 404 if the function is gone. */
    void saveAttachments(FunctionKey key, FunctionAttachments attachments);

    Optional<FunctionConfig> findFunction(FunctionKey key);

    /**
     * One page of an account's functions in a region, ordered by name; with {@code allVersions} every
     * published version follows its function's {@code $LATEST}, in version order.
     */
    Page listFunctions(String account, String region, Optional<String> marker, int maxItems, boolean allVersions);

    /** Every stored function with its versions and attachments, for warming caches at start. */
    List<StoredFunction> allFunctions();

    /**
     * Stores a schedule: a new one ({@code create}: 409 ResourceConflictException if the name is
     * taken in its account and region) or a replacement (404 if it is gone).
     */
    void putSchedule(Schedule schedule, boolean create);

    boolean deleteSchedule(String account, String region, String name);

    /** An account's schedules in a region, ordered by name. */
    List<Schedule> schedules(String account, String region);

    List<Schedule> allSchedules();

    /** Stores an HTTP API: a new one ({@code create}: 409 if its id is taken) or a replacement (404 if gone). */
    void putHttpApi(HttpApi api, boolean create);

    boolean deleteHttpApi(String apiId);

    /** Every HTTP API of every account, for warming the gateway's routing table at start. */
    List<HttpApi> allHttpApis();

    /** Stores a new access key; 409 if the id exists. */
    void createAccessKey(AccessKeyRecord key);

    Optional<AccessKeyRecord> findAccessKey(String accessKeyId);

    /** Every access key, ordered by account then id. */
    List<AccessKeyRecord> listAccessKeys();

    boolean deleteAccessKey(String accessKeyId);

    /** Deletes a function and everything stored under it; false if there was nothing to delete. */
    boolean deleteFunction(FunctionKey key);

    /** The schema version the database is at after migration. */
    int schemaVersion();

    @Override
    void close();

    /** A function as stored: {@code $LATEST}, its published versions in order, and its attachments. */
    record StoredFunction(FunctionConfig latest, List<FunctionConfig> versions, FunctionAttachments attachments) {
        public StoredFunction {
            versions = List.copyOf(versions);
        }
    }

    /**
     * An access key as stored.
     *
     * @param sealedSecret the secret key sealed with the server's master key; never the plain secret
     */
    record AccessKeyRecord(String accessKeyId, String account, String sealedSecret, Instant createdAt) {
        @Override
        public String toString() {
            return "AccessKeyRecord[" + accessKeyId + ", account " + account + "]";
        }
    }

    /** A page of functions; {@code nextMarker} is opaque to callers and present when more remain. */
    record Page(List<FunctionConfig> functions, Optional<String> nextMarker) {
        public Page {
            functions = List.copyOf(functions);
        }
    }
}
