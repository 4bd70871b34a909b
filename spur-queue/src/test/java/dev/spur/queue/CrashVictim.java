package dev.spur.queue;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Run by {@link DurabilityTest} in a child JVM that it kills with SIGKILL: enqueues from 16 threads
 * without end and prints each id once {@code enqueue} has returned for it.
 */
final class CrashVictim {
    private CrashVictim() {}

    public static void main(String[] args) throws InterruptedException {
        EventQueue queue = EventQueue.sqlite(Path.of(args[0]), InstantSource.system());
        PrintStream out = System.out;
        AtomicInteger next = new AtomicInteger();
        for (int t = 0; t < 16; t++) {
            Thread.ofVirtual().start(() -> {
                while (true) {
                    String id = "e" + next.getAndIncrement();
                    queue.enqueue(Events.event(id));
                    out.println(id); // PrintStream locks per call, so lines do not interleave
                }
            });
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
