-- V1: queued events and dead letters.
--
-- events holds every event that has no final outcome yet, whether it is waiting, delayed or being
-- run: holds live in memory only, so after a restart every row is available again (at least once).
-- Rows are deleted when the outcome is recorded (complete) or moved to dead_letters in the same
-- transaction. The id is the request id the function sees; ids are unique across both tables.
-- Times are epoch milliseconds.

CREATE TABLE events (
    id            TEXT    NOT NULL PRIMARY KEY,
    account       TEXT    NOT NULL,
    region        TEXT    NOT NULL,
    function_name TEXT    NOT NULL,
    qualifier     TEXT    NOT NULL, -- '' = unqualified
    payload       BLOB    NOT NULL,
    enqueued_at   INTEGER NOT NULL, -- for the maximum event age
    attempts      INTEGER NOT NULL, -- function-error attempts made so far
    visible_at    INTEGER NOT NULL, -- not run before
    origin        TEXT    NOT NULL  -- opaque to the queue
);

CREATE TABLE dead_letters (
    id               TEXT    NOT NULL PRIMARY KEY,
    account          TEXT    NOT NULL,
    region           TEXT    NOT NULL,
    function_name    TEXT    NOT NULL,
    qualifier        TEXT    NOT NULL,
    payload          BLOB    NOT NULL,
    enqueued_at      INTEGER NOT NULL,
    failed_at        INTEGER NOT NULL,
    attempts         INTEGER NOT NULL,
    origin           TEXT    NOT NULL,
    condition        TEXT    NOT NULL, -- e.g. RetriesExhausted, EventAgeExceeded
    error_type       TEXT,
    error_message    TEXT,
    response_payload BLOB              -- the function's error document, if any
);

-- Listing an account's dead letters, all of them or one function's, in failure order.
CREATE INDEX dead_letters_by_account ON dead_letters (account, failed_at, id);
CREATE INDEX dead_letters_by_function ON dead_letters (account, function_name, failed_at, id);
