package dev.spur.store;

import java.sql.Connection;
import java.sql.SQLException;

/** Work on a JDBC connection, usually run as one transaction by a store. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
