package dev.spur.queue;

import java.nio.file.Path;
import java.time.InstantSource;
import org.junit.jupiter.api.io.TempDir;

/** The pub/sub store contract on the embedded queue's SQLite file. */
class SqlitePubSubStoreContractTest extends PubSubStoreContract {
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
