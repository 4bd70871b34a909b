package dev.spur.queue;

import java.nio.file.Path;
import java.time.InstantSource;
import org.junit.jupiter.api.io.TempDir;

/** The S3 object index's contract on the embedded queue's SQLite file. */
class SqliteObjectIndexContractTest extends ObjectIndexContract {
    @TempDir
    Path dir;

    @Override
    void createDatabase() {
        // a fresh @TempDir per test
    }

    @Override
    EventQueue openQueue() {
        return SqliteEventQueue.open(dir.resolve("queue.db"), InstantSource.system());
    }
}
