package dev.spur.store;

import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import dev.spur.store.ChangeFeed.Aggregate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the PostgreSQL aggregates share: reads on a pooled connection, writes as one transaction that
 * appends to the change feed, and the one place where {@link SQLException}s become 500s.
 *
 * <p>Concurrency: no lock in this process; the database serialises what must be (row locks for
 * compare-and-set, unique keys for names, the change feed's advisory lock at commit), so many nodes and
 * many threads of one node write at once.
 */
final class PostgresAccess {
    final PostgresDatabase database;
    final ChangeLog changes = new ChangeLog(ChangeLog.Dialect.POSTGRESQL);

    PostgresAccess(PostgresDatabase database) {
        this.database = database;
    }

    <T> T read(String what, SqlWork<T> work) {
        try (Connection c = database.connection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw LambdaException.internal("The metadata store could not " + what, e);
        }
    }

    /** One transaction; the change feed's wake-ups run after it committed. */
    <T> T write(String what, SqlWork<T> work) {
        T result;
        try {
            result = database.transaction(work);
        } catch (SQLException e) {
            throw LambdaException.internal("The metadata store could not " + what, e);
        }
        changes.wakeUp();
        return result;
    }

    void changed(Connection c, FunctionKey key) throws SQLException {
        changes.record(c, Aggregate.FUNCTION, ChangeFeed.key(key.account(), key.region(), key.name()));
    }

    boolean changedIf(boolean changed, Connection c, Aggregate aggregate, String key) throws SQLException {
        if (changed) {
            changes.record(c, aggregate, key);
        }
        return changed;
    }

    static Optional<String> firstString(PreparedStatement select) throws SQLException {
        try (ResultSet rows = select.executeQuery()) {
            return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
        }
    }

    /** The JSON documents a query's first column holds. */
    static <T> List<T> documents(PreparedStatement select, Class<T> type) throws SQLException {
        List<T> out = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                out.add(ConfigJson.read(rows.getString(1), type));
            }
        }
        return out;
    }
}
