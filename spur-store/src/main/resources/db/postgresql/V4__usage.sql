-- V3: usage per function version and hour (see the SQLite sibling, db/usage/V1__usage.sql). Every write
-- adds to its row (INSERT … ON CONFLICT DO UPDATE), so every node of a fleet adds its own batches.
CREATE TABLE usage_hours (
    account                  TEXT COLLATE "C" NOT NULL,
    region                   TEXT COLLATE "C" NOT NULL,
    function                 TEXT COLLATE "C" NOT NULL,
    version                  TEXT COLLATE "C" NOT NULL,
    hour                     BIGINT NOT NULL,
    requests                 BIGINT NOT NULL,
    errors                   BIGINT NOT NULL,
    throttles                BIGINT NOT NULL,
    cold_starts              BIGINT NOT NULL,
    duration_us              BIGINT NOT NULL,
    billed_ms                BIGINT NOT NULL,
    init_billed_ms           BIGINT NOT NULL,
    billed_mb_ms             BIGINT NOT NULL,
    provisioned_requests     BIGINT NOT NULL,
    provisioned_billed_mb_ms BIGINT NOT NULL,
    provisioned_mb_ms        BIGINT NOT NULL,
    ephemeral_mb_ms          BIGINT NOT NULL,
    PRIMARY KEY (account, region, function, version, hour)
);
CREATE INDEX usage_hours_by_hour ON usage_hours (account, hour);
