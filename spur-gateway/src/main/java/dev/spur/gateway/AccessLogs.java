package dev.spur.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Gateway access logs: one JSON line per request in {@code <dir>/<apiId>.log}, rolled to
 * {@code <apiId>.log.1} past {@value #MAX_BYTES} bytes (so at most about twice that per API on
 * disk). Each API's file stays open; an append is one {@code write} under that API's lock (no
 * fsync: access logs are best effort, and a crash may lose the last lines). Different APIs append
 * in parallel.
 */
final class AccessLogs implements AutoCloseable {
    static final long MAX_BYTES = 8L * 1024 * 1024;

    private final Path dir;
    private final ConcurrentMap<String, Log> logs = new ConcurrentHashMap<>();

    AccessLogs(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    Path file(String apiId) {
        return dir.resolve(apiId + ".log");
    }

    void append(String apiId, String line) {
        Log log = logs.computeIfAbsent(apiId, Log::new);
        log.lock.lock();
        try {
            log.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            log.closeQuietly(); // reopened by the next append
            System.getLogger(AccessLogs.class.getName())
                    .log(System.Logger.Level.WARNING, "cannot write the access log of " + apiId, e);
        } finally {
            log.lock.unlock();
        }
    }

    @Override
    public void close() {
        logs.values().forEach(l -> {
            l.lock.lock();
            try {
                l.closeQuietly();
            } finally {
                l.lock.unlock();
            }
        });
    }

    private final class Log {
        final ReentrantLock lock = new ReentrantLock();
        final String apiId;
        FileChannel channel;
        long size;

        Log(String apiId) {
            this.apiId = apiId;
        }

        void write(byte[] bytes) throws IOException {
            if (channel == null) {
                channel = FileChannel.open(
                        file(apiId), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                size = channel.size();
            }
            if (size > MAX_BYTES) {
                closeQuietly();
                Files.move(file(apiId), dir.resolve(apiId + ".log.1"), StandardCopyOption.REPLACE_EXISTING);
                channel = FileChannel.open(
                        file(apiId), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                size = 0;
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                size += channel.write(buffer);
            }
        }

        void closeQuietly() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
                channel = null;
            }
        }
    }
}
