package dev.spur.queue;

import dev.spur.store.Database;
import dev.spur.store.TestPostgres;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/** The pub/sub store contract on PostgreSQL (a real server: {@link TestPostgres}). */
class PostgresPubSubStoreContractTest extends PubSubStoreContract {
    String url;
    final List<Database> databases = new ArrayList<>();

    @Override
    void createDatabase() {
        url = TestPostgres.freshDatabase();
    }

    @Override
    EventQueue openQueue() {
        Database database = Database.postgres(url);
        databases.add(database);
        return EventQueue.postgres(database, "node-a", InstantSource.system());
    }

    @Override
    void closeDatabase() {
        databases.forEach(Database::close);
        databases.clear();
    }
}
