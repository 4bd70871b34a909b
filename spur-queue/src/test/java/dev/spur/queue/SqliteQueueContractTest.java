package dev.spur.queue;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The queue contract on the embedded SQLite queue (one node; a restart is a close and an open). */
class SqliteQueueContractTest extends QueueContract {
    @TempDir
    Path dir;

    @Override
    void createDatabase() {
        // a fresh @TempDir per test
    }

    @Override
    EventQueue openQueue(String node) {
        return SqliteEventQueue.open(dir.resolve("queue.db"), clock);
    }

    @Override
    void clockMoved(EventQueue q) {
        ((SqliteEventQueue) q).wakeTakers();
    }
}
