package dev.spur.store;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Usage per function version and hour: what the usage meter (spur-usage) adds up off the invoke path
 * and writes here in batches. Two siblings behind one contract: a SQLite file of its own
 * ({@code <data>/usage.db}, so that a batch never waits on the metadata store's lock) and the shared
 * PostgreSQL database (one more table of its migration list, added to by every node).
 *
 * <p>Failure semantics: {@link #add} is one transaction; when it returns every row is durable, when it
 * throws none of them was added (the meter keeps them and tries again with its next batch). Rows add
 * up: a row written twice counts twice, so a caller must not retry a batch whose commit may have
 * landed — the meter retries only batches whose transaction failed before commit.
 */
public interface UsageStore extends AutoCloseable {

    /** Opens (creating if needed) the SQLite file at {@code file} and migrates its schema. */
    static UsageStore sqlite(Path file) {
        return SqlUsageStore.sqlite(file);
    }

    /** The usage table of a PostgreSQL database {@link Database#postgres} opened (and migrated). */
    static UsageStore postgres(Database database) {
        return SqlUsageStore.postgres(database);
    }

    /** Adds every row to its (account, region, function, version, hour) total, in one transaction. */
    void add(List<UsageRow> rows);

    /**
     * The stored rows with {@code fromHour <= hour < untilHour} (epoch seconds), of one account (empty:
     * every account) and optionally one function, ordered by hour, function, version.
     */
    List<UsageRow> rows(Optional<String> account, Optional<String> function, long fromHour, long untilHour);

    @Override
    void close();

    /**
     * One function version's usage in one hour. Every figure is an exact integer so that sums agree with
     * the REPORT lines to the millisecond.
     *
     * @param hour                  epoch seconds of the hour's start (UTC)
     * @param durationMicros        Σ measured durations
     * @param billedMs              Σ REPORT {@code Billed Duration}
     * @param initBilledMs          the part of {@code billedMs} that is the init phase
     * @param billedMbMs            Σ billed ms × memory MB (÷ 1024 ÷ 1000 = GB-seconds)
     * @param provisionedRequests   requests served by provisioned environments
     * @param provisionedBilledMbMs their part of {@code billedMbMs}
     * @param provisionedMbMs       provisioned environments kept × memory MB × ms
     * @param ephemeralMbMs         Σ billed ms × ephemeral storage MB above 512
     */
    record UsageRow(
            String account,
            String region,
            String function,
            String version,
            long hour,
            long requests,
            long errors,
            long throttles,
            long coldStarts,
            long durationMicros,
            long billedMs,
            long initBilledMs,
            long billedMbMs,
            long provisionedRequests,
            long provisionedBilledMbMs,
            long provisionedMbMs,
            long ephemeralMbMs) {

        /** This row's figures plus {@code other}'s, under this row's key. */
        public UsageRow plus(UsageRow other) {
            return new UsageRow(
                    account,
                    region,
                    function,
                    version,
                    hour,
                    requests + other.requests,
                    errors + other.errors,
                    throttles + other.throttles,
                    coldStarts + other.coldStarts,
                    durationMicros + other.durationMicros,
                    billedMs + other.billedMs,
                    initBilledMs + other.initBilledMs,
                    billedMbMs + other.billedMbMs,
                    provisionedRequests + other.provisionedRequests,
                    provisionedBilledMbMs + other.provisionedBilledMbMs,
                    provisionedMbMs + other.provisionedMbMs,
                    ephemeralMbMs + other.ephemeralMbMs);
        }

        /** The same figures under another key (for grouping). */
        public UsageRow keyed(String account, String region, String function, String version, long hour) {
            return new UsageRow(
                    account,
                    region,
                    function,
                    version,
                    hour,
                    requests,
                    errors,
                    throttles,
                    coldStarts,
                    durationMicros,
                    billedMs,
                    initBilledMs,
                    billedMbMs,
                    provisionedRequests,
                    provisionedBilledMbMs,
                    provisionedMbMs,
                    ephemeralMbMs);
        }
    }
}
