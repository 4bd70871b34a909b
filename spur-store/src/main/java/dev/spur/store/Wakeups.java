package dev.spur.store;

import java.util.function.Consumer;

/**
 * Wake-ups between the nodes of a fleet: a node announces that something named by a key changed (a message
 * was sent to a queue) and every node listening is told the key. A hint only, never the data: whoever is woken
 * reads the database, and whoever is not (a notification lost while a listener reconnects) finds it at its
 * next poll. On PostgreSQL ({@link #postgres}) one {@code NOTIFY} carries every key announced since the last
 * one — never one per message, since NOTIFY takes a database-wide lock at commit.
 */
public interface Wakeups extends AutoCloseable {

    /** Announces {@code key} (batched with others announced meanwhile); returns at once. */
    void announce(String key);

    @Override
    void close();

    /** A node alone: nobody else to wake. */
    Wakeups NONE = new Wakeups() {
        @Override
        public void announce(String key) {}

        @Override
        public void close() {}
    };

    /**
     * Wake-ups on {@code channel} of {@code database}: {@code woken} is called (on the listener's thread) with
     * every key any node announces, this one's included.
     */
    static Wakeups postgres(Database database, String channel, Consumer<String> woken) {
        if (!(database instanceof PostgresDatabase pg)) {
            throw new IllegalArgumentException("not a PostgreSQL database: " + database);
        }
        return new PostgresWakeups(pg, channel, woken).start();
    }
}
