-- V1: all of Spur's shared state in one PostgreSQL database, one migration list for all of it (so a
-- node knows the whole schema it runs against and refuses a newer one as a whole). The tables mirror
-- the SQLite files' (spur.db and queue.db), with what a fleet needs in addition: the change feed, the
-- code packages, and leases on queued events. Times are epoch milliseconds where a node's clock sets
-- them (as in SQLite) and timestamptz where the database's clock must (leases). Text sorts bytewise
-- (COLLATE "C"), as in SQLite, whatever the database's locale: listings page in the same order.

CREATE TABLE functions (
    id          BIGSERIAL PRIMARY KEY,
    account     TEXT COLLATE "C" NOT NULL,
    region      TEXT COLLATE "C" NOT NULL,
    name        TEXT COLLATE "C" NOT NULL,
    created_at  BIGINT NOT NULL,
    attachments TEXT COLLATE "C" NOT NULL, -- FunctionAttachments as JSON
    UNIQUE (account, region, name)
);

CREATE TABLE function_versions (
    function_id   BIGINT NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    version       TEXT COLLATE "C" NOT NULL, -- '$LATEST' or a published version number
    position      BIGINT GENERATED ALWAYS AS (CASE version WHEN '$LATEST' THEN -1 ELSE version::bigint END) STORED,
    revision_id   TEXT COLLATE "C" NOT NULL, -- compare-and-set token for updates
    code_sha256   TEXT COLLATE "C" NOT NULL, -- lower-case hex, a code_blobs key
    last_modified BIGINT NOT NULL,
    config        TEXT COLLATE "C" NOT NULL, -- FunctionConfig as JSON
    PRIMARY KEY (function_id, version)
);
CREATE INDEX function_versions_code ON function_versions (code_sha256);

CREATE TABLE access_keys (
    access_key_id TEXT COLLATE "C" PRIMARY KEY,
    account       TEXT COLLATE "C" NOT NULL,
    sealed_secret TEXT COLLATE "C" NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX access_keys_account ON access_keys (account);

CREATE TABLE schedules (
    account TEXT COLLATE "C" NOT NULL,
    region  TEXT COLLATE "C" NOT NULL,
    name    TEXT COLLATE "C" NOT NULL,
    config  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (account, region, name)
);

CREATE TABLE http_apis (
    api_id  TEXT COLLATE "C" PRIMARY KEY,
    account TEXT COLLATE "C" NOT NULL,
    region  TEXT COLLATE "C" NOT NULL,
    config  TEXT COLLATE "C" NOT NULL
);
CREATE INDEX http_apis_owner ON http_apis (account, region);

-- The change feed (see ChangeFeed): appended in the transaction of every control-plane write, under a
-- transaction-scoped advisory lock so that seq order is commit order.
CREATE TABLE changes (
    seq       BIGSERIAL PRIMARY KEY,
    aggregate TEXT COLLATE "C" NOT NULL,
    key       TEXT COLLATE "C" NOT NULL,
    at        BIGINT NOT NULL
);
CREATE TABLE change_horizon (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    pruned_to BIGINT  NOT NULL
);
INSERT INTO change_horizon (id, pruned_to) VALUES (1, 0);

-- Code packages, once per content: bytea (at most 50 MB each; stored out of line by TOAST, deleted with
-- the row, read and written like any column, unlike large objects, which need their own clean-up).
CREATE TABLE code_blobs (
    sha256     TEXT COLLATE "C" PRIMARY KEY, -- lower-case hex of zip
    size       BIGINT      NOT NULL,
    zip        BYTEA       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Queued asynchronous events. A row is in the queue until its outcome is recorded. owner and
-- lease_until say which node runs it and until when (the database's clock); a lease that expired is
-- free to claim again, so a node that died gives its events up after at most one lease.
CREATE TABLE events (
    id            TEXT COLLATE "C" PRIMARY KEY,
    seq           BIGSERIAL NOT NULL, -- enqueue order, the tie-breaker after visible_at
    account       TEXT COLLATE "C" NOT NULL,
    region        TEXT COLLATE "C" NOT NULL,
    function_name TEXT COLLATE "C" NOT NULL,
    qualifier     TEXT COLLATE "C" NOT NULL,
    payload       BYTEA   NOT NULL,
    enqueued_at   BIGINT  NOT NULL,
    attempts      INTEGER NOT NULL,
    visible_at    BIGINT  NOT NULL,
    origin        TEXT COLLATE "C" NOT NULL,
    owner         TEXT COLLATE "C",
    lease_until   TIMESTAMPTZ
) WITH (fillfactor = 80); -- room for claims and lease renewals to update in place (owner and lease_until are not indexed)
CREATE INDEX events_due ON events (visible_at, seq);
CREATE INDEX events_due_by_function ON events (account, region, function_name, visible_at, seq);

CREATE TABLE dead_letters (
    id               TEXT COLLATE "C" PRIMARY KEY,
    account          TEXT COLLATE "C" NOT NULL,
    region           TEXT COLLATE "C" NOT NULL,
    function_name    TEXT COLLATE "C" NOT NULL,
    qualifier        TEXT COLLATE "C" NOT NULL,
    payload          BYTEA   NOT NULL,
    enqueued_at      BIGINT  NOT NULL,
    failed_at        BIGINT  NOT NULL,
    attempts         INTEGER NOT NULL,
    origin           TEXT COLLATE "C" NOT NULL,
    condition        TEXT COLLATE "C" NOT NULL,
    error_type       TEXT COLLATE "C",
    error_message    TEXT COLLATE "C",
    response_payload BYTEA
);
CREATE INDEX dead_letters_by_account ON dead_letters (account, failed_at, id);
CREATE INDEX dead_letters_by_function ON dead_letters (account, function_name, failed_at, id);
