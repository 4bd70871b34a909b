-- V2: SQS-compatible queues and their messages, in the same file and through the same group-commit
-- writer as the event queue: a 200 for a send means the row is committed and fsynced.
--
-- A message is visible when visible_at has come; a receive moves visible_at forward by the
-- visibility timeout (the message's lease), bumps receive_count and draws a new receipt, so an older
-- receipt handle no longer deletes it. A delete names the receipt. Times are epoch milliseconds.

CREATE TABLE sqs_queues (
    account     TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    region      TEXT    NOT NULL,
    fifo        INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    attributes  TEXT    NOT NULL, -- the settable attributes as a JSON object of strings
    tags        TEXT    NOT NULL, -- JSON object
    PRIMARY KEY (account, name)
);

CREATE TABLE sqs_messages (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT, -- send order; a FIFO queue's sequence number
    account          TEXT    NOT NULL,
    queue            TEXT    NOT NULL,
    id               TEXT    NOT NULL,
    body             TEXT    NOT NULL,
    attributes       TEXT,             -- message attributes as SQS's JSON protocol writes them
    md5_body         TEXT    NOT NULL,
    md5_attributes   TEXT,
    group_id         TEXT,
    dedup_id         TEXT,
    sent_at          INTEGER NOT NULL,
    visible_at       INTEGER NOT NULL,
    receive_count    INTEGER NOT NULL,
    first_receive_at INTEGER,
    receipt          TEXT
);

CREATE INDEX sqs_messages_due ON sqs_messages (account, queue, visible_at, seq);
CREATE UNIQUE INDEX sqs_messages_id ON sqs_messages (account, queue, id);

-- FIFO deduplication ids, kept for the 5-minute window.
CREATE TABLE sqs_dedup (
    account    TEXT    NOT NULL,
    queue      TEXT    NOT NULL,
    dedup_id   TEXT    NOT NULL,
    message_id TEXT    NOT NULL,
    sequence   TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (account, queue, dedup_id)
);
