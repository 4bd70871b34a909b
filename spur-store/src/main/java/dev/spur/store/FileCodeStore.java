package dev.spur.store;

import dev.spur.common.FunctionConfig;
import dev.spur.common.LambdaException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The code store on a local directory, content-addressed by SHA-256.
 *
 * <p>Layout: {@code <dir>/<sha256hex>.zip} is the upload as received (read-only, fsynced) and
 * {@code <dir>/<sha256hex>/} its unpacked, read-only tree. Work in progress lives in
 * {@code <dir>/.tmp-<uuid>} entries, which nothing else reads and which opening the store deletes as
 * leftovers of a crash.
 *
 * <p>Publishing: a package is unpacked and validated in a temporary directory, made read-only, its zip
 * written (temporary file, fsync, atomic rename), and only then the directory renamed into place. So
 * the presence of {@code <sha256hex>/} is the commit point: it is complete and its zip exists. Two
 * stores of the same bytes may race; both build a tree, the first rename wins, and the loser finds the
 * target present and discards its own. No lock is needed.
 *
 * <p>Failure semantics: {@link #store} returns a complete package or throws and leaves no new file in
 * the directory. Rejections of the upload are 400 InvalidParameterValueException (see
 * {@link ZipUnpacker}); local disk failures are 500 {@link LambdaException#internal}. (One exception to
 * "no new file": if the final rename of a validated tree fails, its complete zip stays; it is harmless
 * and the next store of those bytes replaces it.) The unpacked files themselves are not fsynced:
 * after a power loss a tree could be incomplete, but its zip is durable and the tree can be rebuilt
 * from it.
 */
final class FileCodeStore implements CodeStore {
    private static final String TEMP_PREFIX = ".tmp-";
    private static final String ZIP_SUFFIX = ".zip";
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private final Path directory;
    private final long maxZipBytes;
    private final long maxUnpackedBytes;

    /**
     * Opens the store at {@code directory}, creating it if needed and deleting the temporary entries a
     * crashed store left behind.
     *
     * @throws UncheckedIOException if the directory cannot be created or cleaned
     */
    FileCodeStore(Path directory, long maxZipBytes, long maxUnpackedBytes) {
        if (maxZipBytes <= 0 || maxUnpackedBytes <= 0) {
            throw new IllegalArgumentException("Code size limits must be positive");
        }
        this.directory = directory.toAbsolutePath().normalize();
        this.maxZipBytes = maxZipBytes;
        this.maxUnpackedBytes = maxUnpackedBytes;
        try {
            Files.createDirectories(this.directory);
            for (Path leftover : list(name -> name.startsWith(TEMP_PREFIX))) {
                FileTrees.deleteTree(leftover);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the code store at " + this.directory, e);
        }
    }

    @Override
    public StoredCode store(byte[] zip) {
        if (zip.length > maxZipBytes) {
            throw LambdaException.invalid(
                    "Zipped code package is %d bytes; the limit for direct upload is %d bytes",
                    zip.length, maxZipBytes);
        }
        String sha256 = sha256Hex(zip);
        StoredCode stored = new StoredCode(new FunctionConfig.Code(sha256, zip.length), unpackedDirectory(sha256));
        try {
            if (Files.isDirectory(stored.directory(), LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.exists(zipFile(sha256))) {
                    writeZip(sha256, zip); // only if someone deleted it by hand; the tree is what counts
                }
                return stored;
            }
            Path temp = newTempPath("");
            try {
                Files.createDirectory(temp);
                ZipUnpacker.unpack(zip, temp, maxUnpackedBytes);
                FileTrees.makeDirectoriesReadOnly(temp);
                writeZip(sha256, zip);
                publish(temp, stored.directory());
            } catch (Throwable failure) {
                deleteQuietly(temp, failure);
                throw failure;
            }
            return stored;
        } catch (IOException e) {
            throw LambdaException.internal("Could not store the code package", e);
        }
    }

    @Override
    public Path unpackedDirectory(String sha256Hex) {
        return directory.resolve(requireHash(sha256Hex));
    }

    @Override
    public Path zipFile(String sha256Hex) {
        return directory.resolve(requireHash(sha256Hex) + ZIP_SUFFIX);
    }

    @Override
    public void retainOnly(Set<String> keep) {
        try {
            Set<String> doomed = new TreeSet<>();
            for (Path path : list(name -> !name.startsWith(TEMP_PREFIX))) {
                String hash = path.getFileName().toString().replaceFirst("\\.zip$", "");
                if (SHA256_HEX.matcher(hash).matches() && !keep.contains(hash)) {
                    doomed.add(hash);
                }
            }
            for (String hash : doomed) {
                // Tree first, by an atomic rename, so a tree in place always has its zip; then delete at leisure.
                Path tree = unpackedDirectory(hash);
                if (Files.isDirectory(tree, LinkOption.NOFOLLOW_LINKS)) {
                    Path away = newTempPath("");
                    Files.move(tree, away, StandardCopyOption.ATOMIC_MOVE);
                    FileTrees.deleteTree(away);
                }
                Files.deleteIfExists(zipFile(hash));
            }
        } catch (IOException e) {
            throw LambdaException.internal("Could not delete unused code packages", e);
        }
    }

    /** Writes the zip beside its final name, fsyncs it, and renames it into place (replacing an equal copy). */
    private void writeZip(String sha256, byte[] zip) throws IOException {
        Path temp = newTempPath(ZIP_SUFFIX);
        try {
            try (FileChannel channel =
                    FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(zip);
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            Files.setPosixFilePermissions(temp, FileTrees.READ_ONLY);
            Files.move(temp, zipFile(sha256), StandardCopyOption.ATOMIC_MOVE);
        } catch (Throwable failure) {
            deleteQuietly(temp, failure);
            throw failure;
        }
    }

    /** Renames the finished tree into place; if a concurrent store of the same bytes got there first, keeps theirs. */
    private static void publish(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                throw e;
            }
            FileTrees.deleteTree(temp);
        }
    }

    private Path newTempPath(String suffix) {
        return directory.resolve(TEMP_PREFIX + UUID.randomUUID() + suffix);
    }

    private List<Path> list(Predicate<String> nameFilter) throws IOException {
        List<Path> paths = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path path : entries) {
                if (nameFilter.test(path.getFileName().toString())) {
                    paths.add(path);
                }
            }
        }
        return paths;
    }

    private static void deleteQuietly(Path path, Throwable failure) {
        try {
            FileTrees.deleteTree(path);
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private static String requireHash(String sha256Hex) {
        if (!SHA256_HEX.matcher(sha256Hex).matches()) {
            throw new IllegalArgumentException("Not a lower-case hex SHA-256: " + sha256Hex);
        }
        return sha256Hex;
    }

    private static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JDK has SHA-256", e);
        }
    }
}
