-- V1: usage per function version and hour, as the usage meter adds it up off the invoke path. One row
-- per (account, region, function, version, hour); every write adds to the row (an upsert), so batches
-- may arrive in any order and from many nodes. Every column is an exact integer: milliseconds as the
-- REPORT line bills them, multiplied by megabytes, so sums agree with REPORT lines to the millisecond.
CREATE TABLE usage_hours (
    account                  TEXT    NOT NULL,
    region                   TEXT    NOT NULL,
    function                 TEXT    NOT NULL,
    version                  TEXT    NOT NULL,
    hour                     INTEGER NOT NULL, -- epoch seconds of the hour's start, UTC
    requests                 INTEGER NOT NULL,
    errors                   INTEGER NOT NULL,
    throttles                INTEGER NOT NULL,
    cold_starts              INTEGER NOT NULL,
    duration_us              INTEGER NOT NULL, -- Σ measured duration, microseconds
    billed_ms                INTEGER NOT NULL, -- Σ REPORT Billed Duration (init included where billed)
    init_billed_ms           INTEGER NOT NULL, -- the part of billed_ms that is the init phase
    billed_mb_ms             INTEGER NOT NULL, -- Σ Billed Duration × Memory Size
    provisioned_requests     INTEGER NOT NULL, -- requests served by provisioned environments
    provisioned_billed_mb_ms INTEGER NOT NULL, -- their part of billed_mb_ms
    provisioned_mb_ms        INTEGER NOT NULL, -- provisioned environments kept × memory × time
    ephemeral_mb_ms          INTEGER NOT NULL, -- Σ Billed Duration × (EphemeralStorage − 512 MB)
    PRIMARY KEY (account, region, function, version, hour)
) WITHOUT ROWID;
CREATE INDEX usage_hours_by_hour ON usage_hours (account, hour);
