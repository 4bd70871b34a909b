package dev.spur.store;

import dev.spur.common.LambdaException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Code packages shared by a fleet: the zip once per SHA-256 in PostgreSQL ({@code code_blobs}, bytea),
 * unpacked on each node into its {@link FileCodeStore} cache when first needed there.
 *
 * <p>Why bytea and not large objects: a package is at most 50 MB, which bytea holds out of line (TOAST)
 * and deletes with its row; large objects need their own clean-up ({@code lo_unlink}) and a transaction
 * around every read. Why the database and not a second store: it is already there, backed up and shared,
 * and packages change only at deploy time.
 *
 * <p>Store: validated and unpacked locally first (the same checks as on one node), then inserted if absent;
 * a function referring to it is stored only after this returns, so every stored function's code is in
 * the database. Fetch ({@link #local}): one fetch per package per node at a time (a lock per hash); the
 * fetched bytes go through {@link FileCodeStore#store}, whose SHA-256 must match the name asked for, so a
 * corrupt row is refused rather than run. Presence is remembered in memory, so the invoke path pays a map
 * lookup once a package is here.
 *
 * <p>Failure semantics: {@link #store} throws 500 if the database cannot take the zip; the local copy then
 * stays (harmless, and collected at the next start). {@link #local} throws 500 if the database cannot be
 * reached or has no such package; nothing partial is left on disk (see {@link FileCodeStore}).
 */
final class SharedCodeStore implements CodeStore {
    /** Unreferenced packages younger than this are kept: a deploy stores its code before its function. */
    static final String UNREFERENCED_GRACE = "1 hour";

    private final CodeStore cache;
    private final PostgresDatabase database;
    private final Set<String> present = ConcurrentHashMap.newKeySet();
    private final ConcurrentMap<String, ReentrantLock> fetching = new ConcurrentHashMap<>();

    SharedCodeStore(CodeStore cache, PostgresDatabase database) {
        this.cache = cache;
        this.database = database;
    }

    @Override
    public StoredCode store(byte[] zip) {
        StoredCode stored = cache.store(zip);
        String sha256 = stored.code().sha256Hex();
        try {
            database.transaction(c -> {
                try (PreparedStatement insert =
                        c.prepareStatement("INSERT INTO code_blobs (sha256, size, zip) SELECT ?, ?, ? "
                                + "WHERE NOT EXISTS (SELECT 1 FROM code_blobs WHERE sha256 = ?) "
                                + "ON CONFLICT (sha256) DO NOTHING")) {
                    insert.setString(1, sha256);
                    insert.setLong(2, zip.length);
                    insert.setBytes(3, zip);
                    insert.setString(4, sha256);
                    insert.executeUpdate();
                }
                return null;
            });
        } catch (SQLException e) {
            throw LambdaException.internal("Could not store the code package in the database", e);
        }
        present.add(sha256);
        return stored;
    }

    @Override
    public Path local(String sha256Hex) {
        Path directory = cache.unpackedDirectory(sha256Hex);
        if (present.contains(sha256Hex)) {
            return directory;
        }
        ReentrantLock lock = fetching.computeIfAbsent(sha256Hex, h -> new ReentrantLock());
        lock.lock();
        try {
            if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
                byte[] zip = fetch(sha256Hex)
                        .orElseThrow(() ->
                                LambdaException.internal("The code package " + sha256Hex + " is in no store", null));
                StoredCode stored = cache.store(zip);
                if (!stored.code().sha256Hex().equals(sha256Hex)) {
                    throw LambdaException.internal(
                            "The database's code package " + sha256Hex + " has another SHA-256", null);
                }
            }
            present.add(sha256Hex);
            return directory;
        } finally {
            lock.unlock();
            fetching.remove(sha256Hex, lock);
        }
    }

    private Optional<byte[]> fetch(String sha256Hex) {
        try (var c = database.connection();
                PreparedStatement select = c.prepareStatement("SELECT zip FROM code_blobs WHERE sha256 = ?")) {
            select.setString(1, sha256Hex);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(rows.getBytes(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw LambdaException.internal("Could not fetch the code package " + sha256Hex + " from the database", e);
        }
    }

    @Override
    public Path unpackedDirectory(String sha256Hex) {
        return cache.unpackedDirectory(sha256Hex);
    }

    @Override
    public Path zipFile(String sha256Hex) {
        local(sha256Hex);
        return cache.zipFile(sha256Hex);
    }

    /**
     * Drops what the local cache holds beyond {@code keep}, and deletes from the database the packages no
     * stored function version or layer version refers to (a function's layers included) that are older than {@value #UNREFERENCED_GRACE}.
     */
    @Override
    public void retainOnly(Set<String> keep) {
        cache.retainOnly(keep);
        present.retainAll(keep);
        try {
            database.transaction(c -> {
                try (PreparedStatement delete =
                        c.prepareStatement("DELETE FROM code_blobs b WHERE created_at < now() - "
                                + "interval '" + UNREFERENCED_GRACE + "' AND NOT EXISTS "
                                + "(SELECT 1 FROM function_versions v WHERE v.code_sha256 = b.sha256) AND NOT EXISTS "
                                + "(SELECT 1 FROM layer_versions l WHERE l.code_sha256 = b.sha256) AND NOT EXISTS "
                                + "(SELECT 1 FROM function_versions v, jsonb_array_elements("
                                + "COALESCE(v.config::jsonb -> 'layers', '[]'::jsonb)) layer "
                                + "WHERE layer ->> 'sha256Hex' = b.sha256)")) {
                    return delete.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw LambdaException.internal("Could not delete unused code packages from the database", e);
        }
    }
}
