package dev.spur.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The bytes of objects and parts, one file each under a directory: {@code tmp/} while being written,
 * {@code objects/<2 chars>/<content id>} once complete. A write goes to a temp file, is fsynced, renamed
 * into its content path (atomic) and the directory fsynced, so a file under {@code objects/} is always
 * whole. Only then does the caller index it. A crash leaves at most a temp file or a file no index row
 * names: {@link #sweep} removes both at start.
 *
 * <p>The directory may be shared by several nodes (a PVC or NFS mount named by {@code --s3-directory}):
 * content ids are random UUIDs, so nodes never write the same path.
 */
final class ObjectFiles {
    private static final HexFormat HEX = HexFormat.of();

    private final Path tmp;
    private final Path objects;

    ObjectFiles(Path root) {
        this.tmp = root.resolve("tmp");
        this.objects = root.resolve("objects");
        try {
            Files.createDirectories(tmp);
            Files.createDirectories(objects);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the object directory " + root, e);
        }
    }

    /** A stored file: its content id, size and MD5. */
    record Written(String contentId, long size, byte[] md5) {
        String etag() {
            return "\"" + HEX.formatHex(md5) + "\"";
        }
    }

    /** Writes {@code data} durably (fsynced, renamed, directory fsynced). */
    Written write(byte[] data) {
        return write(List.of(data), null);
    }

    /** Writes the concatenation of existing files durably (a completed multipart upload). */
    Written concat(List<String> contentIds) {
        return write(null, contentIds);
    }

    private Written write(List<byte[]> chunks, List<String> sources) {
        String id = UUID.randomUUID().toString();
        Path temp = tmp.resolve(id);
        MessageDigest md5 = md5();
        long size = 0;
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                if (chunks != null) {
                    for (byte[] chunk : chunks) {
                        md5.update(chunk);
                        size += chunk.length;
                        writeFully(out, ByteBuffer.wrap(chunk));
                    }
                } else {
                    byte[] buffer = new byte[1 << 16];
                    for (String source : sources) {
                        try (InputStream in = Files.newInputStream(path(source))) {
                            int n;
                            while ((n = in.read(buffer)) > 0) {
                                md5.update(buffer, 0, n);
                                size += n;
                                writeFully(out, ByteBuffer.wrap(buffer, 0, n));
                            }
                        }
                    }
                }
                out.force(true);
            }
            Path target = path(id);
            Files.createDirectories(target.getParent());
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(target.getParent());
            return new Written(id, size, md5.digest());
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new UncheckedIOException("cannot store an object: " + e.getMessage(), e);
        }
    }

    Path path(String contentId) {
        return objects.resolve(contentId.substring(0, 2)).resolve(contentId);
    }

    /** Reads {@code length} bytes from {@code offset}. */
    byte[] read(String contentId, long offset, int length) {
        try (FileChannel in = FileChannel.open(path(contentId), StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(length);
            while (buffer.hasRemaining()) {
                if (in.read(buffer, offset + buffer.position()) < 0) {
                    break;
                }
            }
            return buffer.array();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read an object: " + e.getMessage(), e);
        }
    }

    /** Removes a file no row names any more; a missing one is fine. */
    void remove(String contentId) {
        deleteQuietly(path(contentId));
    }

    /**
     * Removes every temp file and every content file not in {@code referenced}: what a crash between
     * writing a file and indexing it, or between un-indexing and removing it, left behind. Only files last
     * written before {@code writtenBefore}: on a directory other nodes share, a file being written or
     * about to be indexed by another node is younger than that.
     *
     * @return how many files were removed
     */
    int sweep(Set<String> referenced, Instant writtenBefore) {
        int removed = 0;
        try (Stream<Path> temps = Files.list(tmp)) {
            for (Path p : temps.toList()) {
                if (before(p, writtenBefore)) {
                    deleteQuietly(p);
                    removed++;
                }
            }
            try (Stream<Path> all = Files.walk(objects)) {
                for (Path p : all.filter(Files::isRegularFile).toList()) {
                    if (!referenced.contains(p.getFileName().toString()) && before(p, writtenBefore)) {
                        deleteQuietly(p);
                        removed++;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sweep the object directory: " + e.getMessage(), e);
        }
        return removed;
    }

    private static boolean before(Path p, Instant writtenBefore) {
        try {
            return Files.getLastModifiedTime(p).toInstant().isBefore(writtenBefore);
        } catch (IOException e) {
            return false;
        }
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is unavailable", e);
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    private static void syncDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // some file systems cannot open a directory for syncing; the rename is still atomic
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // left for the next sweep
        }
    }
}
