package dev.spur.edge;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * {@code <apiId>.log.1} past {@value #MAX_BYTES} bytes (so at most twice that per API on disk).
 * Appends to one API's file are serialised by that API's lock; different APIs append in parallel.
 */
final class AccessLogs {
    static final long MAX_BYTES = 8L * 1024 * 1024;

    private final Path dir;
    private final ConcurrentMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

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
        ReentrantLock lock = locks.computeIfAbsent(apiId, k -> new ReentrantLock());
        lock.lock();
        try {
            Path file = file(apiId);
            if (Files.exists(file) && Files.size(file) > MAX_BYTES) {
                Files.move(file, dir.resolve(apiId + ".log.1"), StandardCopyOption.REPLACE_EXISTING);
            }
            Files.write(file, (line + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.getLogger(AccessLogs.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot write the access log of " + apiId, e);
        } finally {
            lock.unlock();
        }
    }
}
