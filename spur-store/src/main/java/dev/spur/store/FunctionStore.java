package dev.spur.store;

import dev.spur.common.FunctionAttachments;
import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import java.util.List;
import java.util.Optional;

/**
 * Functions as stored: {@code $LATEST}, published versions, and what is attached to a function
 * (aliases, tags, concurrency settings, URLs) as one document.
 *
 * <p>Failure semantics: every mutating call is one transaction. When it returns, the change is durable
 * and recorded in the store's {@link ChangeFeed}; when it throws, nothing of it was written. Conflicts
 * are reported as {@link dev.spur.common.LambdaException} with the Lambda error the caller should see;
 * a store that cannot be reached (a lost database connection) is a 500 {@code internal} — the change may
 * then not have been written, never half-written.
 */
public interface FunctionStore {

    /**
     * Stores a new function: its {@code $LATEST}, what is attached to it, and (when created with
     * {@code Publish}) its first published version; 409 ResourceConflictException if the name is taken.
     */
    void createFunction(FunctionConfig latest, FunctionAttachments attachments, Optional<FunctionConfig> published);

    /**
     * Replaces a function's {@code $LATEST} if its stored revision is still {@code expectedRevisionId}
     * (compare-and-set, also across nodes); 404 if the function is gone, 412 PreconditionFailedException if
     * the revision moved.
     */
    void replaceFunction(FunctionConfig updated, String expectedRevisionId);

    /**
     * Stores a published version (an immutable copy of {@code $LATEST}) and the function's attachments
     * with its next version number advanced, in one transaction, if the stored attachments are still
     * {@code expected} (compare-and-set, also across nodes: a writer that read them before another's
     * change loses nothing of it, it is told to read again).
     *
     * @return false, writing nothing, if the stored attachments are no longer {@code expected}
     * @throws dev.spur.common.LambdaException 404 if the function is gone, 409 if the version number is
     *                                         taken (by this node or another)
     */
    boolean publishVersion(FunctionConfig version, FunctionAttachments expected, FunctionAttachments updated);

    /** Deletes one published version; false if it did not exist. */
    boolean deleteVersion(FunctionKey key, String version);

    /**
     * Replaces what is attached to a function if the stored attachments are still {@code expected}
     * (compare-and-set, also across nodes, as {@link #publishVersion}).
     *
     * @return false, writing nothing, if the stored attachments are no longer {@code expected}
     * @throws dev.spur.common.LambdaException 404 if the function is gone
     */
    boolean saveAttachments(FunctionKey key, FunctionAttachments expected, FunctionAttachments updated);

    Optional<FunctionConfig> findFunction(FunctionKey key);

    /** A function with its versions and attachments; empty if it does not exist. */
    Optional<StoredFunction> storedFunction(FunctionKey key);

    /**
     * One page of an account's functions in a region, ordered by name; with {@code allVersions} every
     * published version follows its function's {@code $LATEST}, in version order.
     */
    Page listFunctions(String account, String region, Optional<String> marker, int maxItems, boolean allVersions);

    /** Every stored function with its versions and attachments, for warming caches at start. */
    List<StoredFunction> allFunctions();

    /** Deletes a function and everything stored under it; false if there was nothing to delete. */
    boolean deleteFunction(FunctionKey key);

    /** A function as stored: {@code $LATEST}, its published versions in order, and its attachments. */
    record StoredFunction(FunctionConfig latest, List<FunctionConfig> versions, FunctionAttachments attachments) {
        public StoredFunction {
            versions = List.copyOf(versions);
        }
    }

    /** A page of functions; {@code nextMarker} is opaque to callers and present when more remain. */
    record Page(List<FunctionConfig> functions, Optional<String> nextMarker) {
        public Page {
            functions = List.copyOf(functions);
        }
    }
}
