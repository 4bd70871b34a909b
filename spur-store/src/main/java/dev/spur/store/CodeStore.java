package dev.spur.store;

import dev.spur.common.FunctionConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Code packages stored by content: each zip is kept once under its SHA-256 and unpacked once into a
 * read-only directory, shared by every function and environment that uses the same bytes.
 *
 * <p>Failure semantics: {@link #store} either returns a fully unpacked, validated package or throws
 * and leaves nothing behind (no partial zip, no partial directory).
 */
public interface CodeStore {

    /** Lambda's limit for a zip uploaded directly: 50 MB. */
    long MAX_ZIP_BYTES = 50L * 1024 * 1024;
    /** Lambda's limit for a function's unpacked code: 250 MB. */
    long MAX_UNPACKED_BYTES = 250L * 1024 * 1024;

    static CodeStore open(Path directory) {
        return open(directory, MAX_ZIP_BYTES, MAX_UNPACKED_BYTES);
    }

    /**
     * Opens the store at {@code directory}, creating it if needed and deleting what a crash left half-done.
     *
     * @throws java.io.UncheckedIOException if the directory cannot be created or cleaned
     */
    static CodeStore open(Path directory, long maxZipBytes, long maxUnpackedBytes) {
        return new FileCodeStore(directory, maxZipBytes, maxUnpackedBytes);
    }

    /**
     * The store a fleet shares: packages are kept once by SHA-256 in the database's {@code code_blobs}
     * table and cached, unpacked, in {@code localCache} (a {@link #open local store}) on each node that
     * uses them; {@link #local} fetches one on its first use on this node.
     */
    static CodeStore shared(Path localCache, Database database) {
        return new SharedCodeStore(open(localCache), (PostgresDatabase) database);
    }

    /**
     * Validates and stores a zip. Rejects with 400 InvalidParameterValueException, naming the problem:
     * an empty or corrupt archive, an entry escaping the root ({@code ../}, absolute paths), a symbolic
     * link, more than the zipped limit, or more than the unpacked limit (counted while unpacking, so a
     * zip bomb stops early). Storing bytes already present is cheap and returns the same package.
     * Failures of the local disk are 500 ServiceException. Safe to call concurrently, also with the same
     * bytes.
     */
    StoredCode store(byte[] zip);

    /**
     * The read-only directory holding the unpacked package. The path is computed, not checked: it exists
     * only if those bytes were stored and not since dropped by {@link #retainOnly}.
     *
     * @throws IllegalArgumentException if {@code sha256Hex} is not 64 lower-case hex digits
     */
    Path unpackedDirectory(String sha256Hex);

    /** The stored zip itself; computed and validated like {@link #unpackedDirectory}. */
    Path zipFile(String sha256Hex);

    /**
     * The unpacked directory, present on this node: for a shared store, fetched from the database and
     * unpacked first if this node has not got it yet (it then stays cached). A local store only computes
     * the path, as {@link #unpackedDirectory}.
     *
     * @throws dev.spur.common.LambdaException 500 if the package is in no store, or the database cannot be
     *                                         reached to fetch it
     */
    default Path local(String sha256Hex) {
        return unpackedDirectory(sha256Hex);
    }

    /**
     * Where the merge of these layer packages (in order) lives: computed, as {@link #unpackedDirectory}.
     * One layer is its own package's directory; several are merged by {@link #localLayers}.
     */
    default Path layersDirectory(List<String> sha256Hexes) {
        if (sha256Hexes.size() == 1) {
            return unpackedDirectory(sha256Hexes.getFirst());
        }
        return unpackedDirectory(LayerTrees.key(sha256Hexes));
    }

    /**
     * The layers' merged read-only tree, present on this node: each package made {@link #local} first,
     * then merged once per distinct list (a later package's file replaces an earlier one's) and kept
     * until the next start's clean-up.
     *
     * @throws dev.spur.common.LambdaException 500 as {@link #local}, or if the local disk fails
     */
    default Path localLayers(List<String> sha256Hexes) {
        List<Path> sources = sha256Hexes.stream().map(this::local).toList();
        if (sources.size() == 1) {
            return sources.getFirst();
        }
        return LayerTrees.merge(sources, layersDirectory(sha256Hexes));
    }

    /**
     * Deletes every package whose hash is not in {@code keep}. Call only when no environment runs and no
     * store is under way. A tree is first renamed aside atomically, so a crash half-way never leaves a
     * partial package in place; what was renamed aside is deleted at the next open.
     */
    void retainOnly(Set<String> keep);

    /** A stored package: its identity and where it is unpacked. */
    record StoredCode(FunctionConfig.Code code, Path directory) {}
}
