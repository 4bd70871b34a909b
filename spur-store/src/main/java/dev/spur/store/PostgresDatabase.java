package dev.spur.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * {@link Database} on pgjdbc and HikariCP.
 *
 * <p>The pool is small ({@value #POOL_SIZE} connections): one node's users are the queue's writer and
 * claimer, control-plane calls and reads, each quick. The LISTEN connection of the change feed is not
 * from the pool ({@link #dedicatedConnection}): it is held for the node's lifetime.
 *
 * <p>Advisory lock keys are constants shared by every node: {@link #MIGRATION_LOCK} (session-scoped,
 * around migrations) and {@link #CHANGES_LOCK} (transaction-scoped, around appending to the change
 * feed). They require a direct connection or session pooling: PgBouncer's transaction mode breaks
 * session locks and LISTEN.
 */
final class PostgresDatabase implements Database {
    static final int POOL_SIZE = 8;
    static final long MIGRATION_LOCK = 0x5350_5552_0001L; // "SPUR" 1
    static final long CHANGES_LOCK = 0x5350_5552_0002L;
    static final String CHANGES_CHANNEL = "spur_changes";
    static final long CONNECT_TIMEOUT_MILLIS = 10_000;

    /** Every schema step, in order; append, never edit. */
    static final List<Migrations.Migration> MIGRATIONS = List.of(
            Migrations.Migration.fromResource("db/postgresql", 1, "spur"),
            Migrations.Migration.fromResource("db/postgresql", 2, "fleet"),
            Migrations.Migration.fromResource("db/postgresql", 3, "sqs"),
            Migrations.Migration.fromResource("db/postgresql", 4, "usage"),
            Migrations.Migration.fromResource("db/postgresql", 5, "s3_objects"),
            Migrations.Migration.fromResource("db/postgresql", 6, "layer_versions"),
            Migrations.Migration.fromResource("db/postgresql", 7, "pubsub"),
            Migrations.Migration.fromResource("db/postgresql", 8, "mapping_leases"));

    private static final Pattern URL = Pattern.compile("^(jdbc:postgresql|postgresql|postgres)://.*");

    private final HikariDataSource pool;
    private final String jdbcUrl;
    private final Properties credentials;
    private final String description;
    private final int schemaVersion;

    private PostgresDatabase(
            HikariDataSource pool, String jdbcUrl, Properties credentials, String description, int schemaVersion) {
        this.pool = pool;
        this.jdbcUrl = jdbcUrl;
        this.credentials = credentials;
        this.description = description;
        this.schemaVersion = schemaVersion;
    }

    static boolean isPostgresUrl(String text) {
        return text != null && URL.matcher(text).matches();
    }

    static PostgresDatabase open(String url, List<Migrations.Migration> migrations) {
        return open(url, migrations, CONNECT_TIMEOUT_MILLIS);
    }

    /** {@code connectMillis}: how long to keep trying to reach the database at open (it may be starting too). */
    static PostgresDatabase open(String url, List<Migrations.Migration> migrations, long connectMillis) {
        Target target = parse(url);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(target.jdbcUrl());
        if (target.user() != null) {
            config.setUsername(target.user());
        }
        if (target.password() != null) {
            config.setPassword(target.password());
        }
        config.setPoolName("spur-db");
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(CONNECT_TIMEOUT_MILLIS);
        config.setInitializationFailTimeout(connectMillis);
        config.addDataSourceProperty("ApplicationName", "spur");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "Cannot reach the database " + target.description() + ": " + rootMessage(e), e);
        }
        try (Connection c = pool.getConnection()) {
            requireVersion(c, target.description());
            int version = migrate(c, migrations, target.description());
            Properties credentials = new Properties();
            if (target.user() != null) {
                credentials.setProperty("user", target.user());
            }
            if (target.password() != null) {
                credentials.setProperty("password", target.password());
            }
            credentials.setProperty("ApplicationName", "spur-listen");
            credentials.setProperty("tcpKeepAlive", "true");
            return new PostgresDatabase(pool, target.jdbcUrl(), credentials, target.description(), version);
        } catch (SQLException e) {
            pool.close();
            throw new IllegalStateException(
                    "Cannot open the database " + target.description() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    private static void requireVersion(Connection c, String description) throws SQLException {
        int major = c.getMetaData().getDatabaseMajorVersion();
        if (major < 15) {
            throw new IllegalStateException(
                    "The database " + description + " is PostgreSQL " + major + "; Spur needs 15 or newer");
        }
    }

    /**
     * Applies the missing steps under the migration lock (so two nodes starting together migrate once),
     * each with its row in {@code schema_version} in one transaction; refuses a newer schema.
     */
    static int migrate(Connection c, List<Migrations.Migration> migrations, String description) throws SQLException {
        Migrations.requireContiguous(migrations);
        int known = migrations.isEmpty() ? 0 : migrations.getLast().version();
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_lock(?)")) {
            lock.setLong(1, MIGRATION_LOCK);
            lock.execute();
        }
        try {
            try (Statement statement = c.createStatement()) {
                statement.execute("""
                        CREATE TABLE IF NOT EXISTS schema_version (
                            version     INTEGER     PRIMARY KEY,
                            description TEXT        NOT NULL,
                            applied_at  TIMESTAMPTZ NOT NULL DEFAULT now()
                        )""");
            }
            int current = currentVersion(c);
            Migrations.refuseNewer(current, known, "database " + description);
            for (Migrations.Migration migration : migrations) {
                if (migration.version() > current) {
                    apply(c, migration);
                    current = migration.version();
                }
            }
            return current;
        } finally {
            try (PreparedStatement unlock = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                unlock.setLong(1, MIGRATION_LOCK);
                unlock.execute();
            }
        }
    }

    static int currentVersion(Connection c) throws SQLException {
        try (Statement statement = c.createStatement();
                ResultSet rows = statement.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static void apply(Connection c, Migrations.Migration migration) {
        try {
            inTransaction(c, tx -> {
                try (Statement statement = tx.createStatement()) {
                    statement.execute(migration.sql());
                }
                try (PreparedStatement insert =
                        tx.prepareStatement("INSERT INTO schema_version (version, description) VALUES (?, ?)")) {
                    insert.setInt(1, migration.version());
                    insert.setString(2, migration.description());
                    insert.executeUpdate();
                }
                return null;
            });
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Schema migration V%d (%s) failed; the database stays at V%d: %s"
                            .formatted(
                                    migration.version(),
                                    migration.description(),
                                    migration.version() - 1,
                                    e.getMessage()),
                    e);
        }
    }

    @Override
    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public <T> T transaction(SqlWork<T> work) throws SQLException {
        try (Connection c = pool.getConnection()) {
            return inTransaction(c, work);
        }
    }

    /** Runs {@code work} in one transaction on {@code c}, which is in auto-commit mode before and after. */
    static <T> T inTransaction(Connection c, SqlWork<T> work) throws SQLException {
        c.setAutoCommit(false);
        try {
            T result = work.run(c);
            c.commit();
            return result;
        } catch (Throwable failure) {
            try {
                c.rollback();
            } catch (SQLException rollbackFailure) {
                failure.addSuppressed(rollbackFailure); // the connection is probably gone
            }
            throw failure;
        } finally {
            try {
                c.setAutoCommit(true);
            } catch (SQLException ignored) {
                // a broken connection; the pool finds out and replaces it
            }
        }
    }

    /** A connection of its own, outside the pool, for the lifetime of a listener. */
    Connection dedicatedConnection() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, credentials);
    }

    @Override
    public String clusterSetting(String name, String proposed) {
        try {
            return transaction(c -> {
                try (PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO cluster_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")) {
                    insert.setString(1, name);
                    insert.setString(2, proposed);
                    insert.executeUpdate();
                }
                try (PreparedStatement select =
                        c.prepareStatement("SELECT value FROM cluster_settings WHERE name = ?")) {
                    select.setString(1, name);
                    try (ResultSet rows = select.executeQuery()) {
                        rows.next();
                        return rows.getString(1);
                    }
                }
            });
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Cannot read the cluster setting " + name + " in " + description + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int schemaVersion() {
        return schemaVersion;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "PostgreSQL " + description;
    }

    /** What a URL names: pgjdbc's URL without credentials, the credentials, and a description without the password. */
    record Target(String jdbcUrl, String user, String password, String description) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Target parse(String url) {
        if (!isPostgresUrl(url)) {
            throw new IllegalArgumentException(
                    "Not a PostgreSQL URL: expected postgresql://user:password@host:port/database or "
                            + "jdbc:postgresql://host:port/database?user=...");
        }
        if (url.startsWith("jdbc:")) {
            URI uri = uri(url.substring("jdbc:".length()));
            return new Target(url, null, null, describe(null, uri));
        }
        URI uri = uri(url);
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("The PostgreSQL URL names no host");
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String info = uri.getRawUserInfo();
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? null : decode(info.substring(colon + 1));
        }
        String database = uri.getRawPath() == null || uri.getRawPath().length() <= 1
                ? (user == null ? "postgres" : user)
                : decode(uri.getRawPath().substring(1));
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        String host = uri.getHost().contains(":") && !uri.getHost().startsWith("[")
                ? "[" + uri.getHost() + "]"
                : uri.getHost();
        String jdbc = "jdbc:postgresql://" + host + ":" + port + "/" + database
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new Target(jdbc, user, password, (user == null ? "" : user + "@") + host + ":" + port + "/" + database);
    }

    private static String describe(String user, URI uri) {
        String path = uri.getPath() == null ? "" : uri.getPath();
        return (user == null ? "" : user + "@") + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + path;
    }

    private static URI uri(String text) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Not a valid PostgreSQL URL: " + e.getReason(), e);
        }
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
