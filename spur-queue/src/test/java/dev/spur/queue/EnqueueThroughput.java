package dev.spur.queue;

import dev.spur.common.FunctionKey;
import dev.spur.store.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * Not a test: a main-method benchmark of group commit. {@code clients} virtual threads enqueue 1 KB
 * events into a fresh queue in a temporary directory for {@code seconds}, each waiting for its own
 * fsynced commit, and the accepted events per second are printed.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -cp <test classpath> dev.spur.queue.EnqueueThroughput [clients] [seconds] [postgresql://...]}
 * — with a PostgreSQL URL, the shared queue on that (empty) database instead of a SQLite file.
 */
public final class EnqueueThroughput {
    private EnqueueThroughput() {}

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        byte[] payload = new byte[1024];
        FunctionKey function = new FunctionKey("123456789012", "us-east-1", "bench");
        Path dir = Files.createTempDirectory("spur-queue-bench");
        LongAdder accepted = new LongAdder();
        Database database = args.length > 2 ? Database.postgres(args[2]) : null;
        try (EventQueue queue = database != null
                ? EventQueue.postgres(database, "bench", InstantSource.system())
                : EventQueue.sqlite(dir.resolve("queue.db"), InstantSource.system())) {
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            List<Thread> threads = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < clients; i++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    while (System.nanoTime() < end) {
                        Instant now = Instant.now();
                        queue.enqueue(new QueuedEvent(
                                UUID.randomUUID().toString(), function, "", payload, now, 0, now, "invoke"));
                        accepted.increment();
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    "%d clients, 1 KB payloads, %.1f s: %d events accepted, %.0f events/s; depth %d%n",
                    clients,
                    elapsed,
                    accepted.sum(),
                    accepted.sum() / elapsed,
                    queue.stats().depth());
        } finally {
            if (database != null) {
                database.close();
            }
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
