package dev.spur.sandbox;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hands out host uids from a range, one per live environment, so no two environments on the host
 * (of this Spur or of another one sharing the range) ever run as the same user. That is what lets
 * the Runtime API tell environments apart by the uid owning a connection's socket, and keeps one
 * environment from signalling or reading another's processes by uid.
 *
 * <p>A uid is held by an advisory lock on {@code <directory>/<uid>.lock}: the kernel drops it when
 * the holder dies, so a crashed Spur's uids come back by themselves. Within one JVM, where file
 * locks do not exclude each other, a set of held uids does.
 */
final class HostUids {
    private static final Set<Integer> HELD_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

    private final int first;
    private final int count;
    private final Path directory;

    HostUids(int first, int count, Path directory) {
        if (first <= 0 || count <= 0 || (long) first + count > 0xFFFF_FFFEL) {
            throw new IllegalArgumentException("bad host uid range " + first + "+" + count);
        }
        this.first = first;
        this.count = count;
        this.directory = directory;
    }

    /** A uid of the range nobody else holds, starting at a random slot to keep contention low. */
    Lease acquire() throws IOException {
        Files.createDirectories(directory);
        int start = ThreadLocalRandom.current().nextInt(count);
        for (int i = 0; i < count; i++) {
            int uid = first + (start + i) % count;
            if (!HELD_IN_THIS_JVM.add(uid)) {
                continue;
            }
            FileChannel channel = null;
            try {
                channel = FileChannel.open(
                        directory.resolve(uid + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    return new Lease(uid, channel);
                }
            } catch (OverlappingFileLockException | IOException e) {
                // held elsewhere, or this slot's file is unusable: try the next one
            }
            if (channel != null) {
                channel.close();
            }
            HELD_IN_THIS_JVM.remove(uid);
        }
        throw new IOException("all " + count + " sandbox host uids from " + first + " are in use");
    }

    /** One held uid; {@link #close()} gives it back (after the environment's processes are gone). */
    static final class Lease implements AutoCloseable {
        private final int uid;
        private final FileChannel channel;
        private boolean closed;

        private Lease(int uid, FileChannel channel) {
            this.uid = uid;
            this.channel = channel;
        }

        int uid() {
            return uid;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                channel.close(); // releases the lock
            } catch (IOException e) {
                // the lock goes with the channel either way
            }
            HELD_IN_THIS_JVM.remove(uid);
        }
    }
}
