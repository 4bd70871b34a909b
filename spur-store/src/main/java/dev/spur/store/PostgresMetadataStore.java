package dev.spur.store;

import dev.spur.common.EventSourceMapping;
import dev.spur.common.FunctionAttachments;
import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import dev.spur.common.HttpApi;
import dev.spur.common.LayerVersion;
import dev.spur.common.Schedule;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The metadata store on a shared PostgreSQL database: the aggregates ({@link PostgresFunctions},
 * {@link PostgresDocuments}) over one {@link PostgresAccess}, and the change feed.
 *
 * <p>Change feed: every write appends to {@code changes} and {@code NOTIFY}s in its transaction (see
 * {@link ChangeLog.Dialect#POSTGRESQL}). Once someone registers for wake-ups, one platform thread
 * ({@code spur-change-listener}) holds a connection of its own outside the pool, {@code LISTEN}s (the
 * first registration waits until it does, at most 2 s), and
 * turns each batch of notifications into one wake-up. When that connection breaks it reconnects (every
 * second until it can) and wakes everyone once, since notifications sent meanwhile are lost for good;
 * followers poll anyway.
 */
final class PostgresMetadataStore implements MetadataStore {
    private static final System.Logger LOG = System.getLogger(PostgresMetadataStore.class.getName());
    private static final int LISTEN_WAIT_MILLIS = 500;
    private static final long LISTENING_WAIT_MILLIS = 2_000;

    private final PostgresAccess db;
    private final PostgresFunctions functions;
    private final PostgresDocuments documents;
    private final ReentrantLock listenerLock = new ReentrantLock();
    private final CountDownLatch listening = new CountDownLatch(1);
    private Thread listener; // guarded by listenerLock
    private volatile boolean closed;

    private PostgresMetadataStore(PostgresDatabase database) {
        this.db = new PostgresAccess(database);
        this.functions = new PostgresFunctions(db);
        this.documents = new PostgresDocuments(db);
    }

    static MetadataStore open(PostgresDatabase database) {
        return new PostgresMetadataStore(database);
    }

    @Override
    public long latestChange() {
        return db.read("read the change feed", ChangeLog::latest);
    }

    @Override
    public ChangeFeed.Changes changesSince(long afterSeq, int max) {
        return db.read("read the change feed", c -> ChangeLog.since(c, afterSeq, max));
    }

    @Override
    public AutoCloseable onWakeUp(Runnable wakeUp) {
        AutoCloseable registration = db.changes.onWakeUp(wakeUp);
        listenerLock.lock();
        try {
            if (listener == null && !closed) {
                listener = Thread.ofPlatform()
                        .name("spur-change-listener")
                        .daemon()
                        .start(this::listen);
            }
        } finally {
            listenerLock.unlock();
        }
        // So that a write made after this returns is announced to it (bounded: polling covers a database away).
        try {
            listening.await(LISTENING_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return registration;
    }

    private void listen() {
        while (!closed) {
            try (Connection c = db.database.dedicatedConnection()) {
                try (Statement statement = c.createStatement()) {
                    statement.execute("LISTEN " + PostgresDatabase.CHANGES_CHANNEL);
                }
                listening.countDown();
                db.changes.wakeUp(); // whatever was announced while not listening is lost: look
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] notifications = pg.getNotifications(LISTEN_WAIT_MILLIS);
                    if (notifications != null && notifications.length > 0) {
                        db.changes.wakeUp();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.log(Level.WARNING, "lost the change feed's LISTEN connection; reconnecting in 1 s", e);
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    @Override
    public int schemaVersion() {
        return db.database.schemaVersion();
    }

    @Override
    public void close() {
        Thread running;
        listenerLock.lock();
        try {
            closed = true;
            running = listener;
        } finally {
            listenerLock.unlock();
        }
        if (running != null) {
            boolean interrupted = false;
            while (running.isAlive()) {
                try {
                    running.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // FunctionStore

    @Override
    public void createFunction(
            FunctionConfig latest, FunctionAttachments attachments, Optional<FunctionConfig> published) {
        functions.createFunction(latest, attachments, published);
    }

    @Override
    public void replaceFunction(FunctionConfig updated, String expectedRevisionId) {
        functions.replaceFunction(updated, expectedRevisionId);
    }

    @Override
    public boolean publishVersion(FunctionConfig version, FunctionAttachments expected, FunctionAttachments updated) {
        return functions.publishVersion(version, expected, updated);
    }

    @Override
    public boolean deleteVersion(FunctionKey key, String version) {
        return functions.deleteVersion(key, version);
    }

    @Override
    public boolean saveAttachments(FunctionKey key, FunctionAttachments expected, FunctionAttachments updated) {
        return functions.saveAttachments(key, expected, updated);
    }

    @Override
    public Optional<FunctionConfig> findFunction(FunctionKey key) {
        return functions.findFunction(key);
    }

    @Override
    public Optional<StoredFunction> storedFunction(FunctionKey key) {
        return functions.storedFunction(key);
    }

    @Override
    public Page listFunctions(
            String account, String region, Optional<String> marker, int maxItems, boolean allVersions) {
        return functions.listFunctions(account, region, marker, maxItems, allVersions);
    }

    @Override
    public List<StoredFunction> allFunctions() {
        return functions.allFunctions();
    }

    @Override
    public boolean deleteFunction(FunctionKey key) {
        return functions.deleteFunction(key);
    }

    // ScheduleStore, ApiStore, KeyStore

    @Override
    public void putMapping(EventSourceMapping mapping, boolean create) {
        documents.putMapping(mapping, create);
    }

    @Override
    public boolean deleteMapping(String account, String region, String uuid) {
        return documents.deleteMapping(account, region, uuid);
    }

    @Override
    public List<EventSourceMapping> allMappings() {
        return documents.allMappings();
    }

    @Override
    public LayerVersion publishLayerVersion(LayerVersion draft) {
        return db.write("publish a layer version", c -> LayerRows.publish(c, draft));
    }

    @Override
    public Optional<LayerVersion> findLayerVersion(String account, String region, String name, long version) {
        return db.read("read a layer version", c -> LayerRows.find(c, account, region, name, version));
    }

    @Override
    public List<LayerVersion> layerVersions(String account, String region, Optional<String> name) {
        return db.read("list layer versions", c -> LayerRows.list(c, account, region, name));
    }

    @Override
    public boolean deleteLayerVersion(String account, String region, String name, long version) {
        return db.write("delete a layer version", c -> LayerRows.delete(c, account, region, name, version));
    }

    @Override
    public boolean replaceLayerPolicy(LayerVersion updated, String expectedPolicyRevision) {
        return db.write(
                "change a layer version's policy",
                c -> LayerRows.replacePolicy(c, updated, expectedPolicyRevision, " FOR UPDATE"));
    }

    @Override
    public List<LayerVersion> allLayerVersions() {
        return db.read("list layer versions", LayerRows::all);
    }

    @Override
    public void putSchedule(Schedule schedule, boolean create) {
        documents.putSchedule(schedule, create);
    }

    @Override
    public boolean deleteSchedule(String account, String region, String name) {
        return documents.deleteSchedule(account, region, name);
    }

    @Override
    public List<Schedule> schedules(String account, String region) {
        return documents.schedules(account, region);
    }

    @Override
    public List<Schedule> allSchedules() {
        return documents.allSchedules();
    }

    @Override
    public Optional<Schedule> findSchedule(String account, String region, String name) {
        return documents.findSchedule(account, region, name);
    }

    @Override
    public boolean recordFire(String account, String region, String name, Instant fire) {
        return documents.recordFire(account, region, name, fire);
    }

    @Override
    public void putHttpApi(HttpApi api, boolean create) {
        documents.putHttpApi(api, create);
    }

    @Override
    public boolean deleteHttpApi(String apiId) {
        return documents.deleteHttpApi(apiId);
    }

    @Override
    public Optional<HttpApi> findHttpApi(String apiId) {
        return documents.findHttpApi(apiId);
    }

    @Override
    public List<HttpApi> allHttpApis() {
        return documents.allHttpApis();
    }

    @Override
    public void createAccessKey(AccessKeyRecord key) {
        documents.createAccessKey(key);
    }

    @Override
    public Optional<AccessKeyRecord> findAccessKey(String accessKeyId) {
        return documents.findAccessKey(accessKeyId);
    }

    @Override
    public List<AccessKeyRecord> listAccessKeys() {
        return documents.listAccessKeys();
    }

    @Override
    public boolean deleteAccessKey(String accessKeyId) {
        return documents.deleteAccessKey(accessKeyId);
    }
}
