-- V2: SQS-compatible queues and their messages (as queue.db's V2 on SQLite), and event-source
-- mappings (as spur.db's V6). A message's visibility timeout is its lease: visible_at moves forward
-- on a receive, by the receiving node's clock, and any node may take it once that time has passed.

CREATE TABLE sqs_queues (
    account     TEXT COLLATE "C" NOT NULL,
    name        TEXT COLLATE "C" NOT NULL,
    region      TEXT COLLATE "C" NOT NULL,
    fifo        INTEGER NOT NULL,
    created_at  BIGINT NOT NULL,
    modified_at BIGINT NOT NULL,
    attributes  TEXT COLLATE "C" NOT NULL,
    tags        TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (account, name)
);

CREATE TABLE sqs_messages (
    seq              BIGSERIAL PRIMARY KEY,
    account          TEXT COLLATE "C" NOT NULL,
    queue            TEXT COLLATE "C" NOT NULL,
    id               TEXT COLLATE "C" NOT NULL,
    body             TEXT NOT NULL,
    attributes       TEXT,
    md5_body         TEXT NOT NULL,
    md5_attributes   TEXT,
    group_id         TEXT COLLATE "C",
    dedup_id         TEXT COLLATE "C",
    sent_at          BIGINT NOT NULL,
    visible_at       BIGINT NOT NULL,
    receive_count    INTEGER NOT NULL,
    first_receive_at BIGINT,
    receipt          TEXT COLLATE "C"
);

CREATE INDEX sqs_messages_due ON sqs_messages (account, queue, visible_at, seq);
CREATE UNIQUE INDEX sqs_messages_id ON sqs_messages (account, queue, id);

CREATE TABLE sqs_dedup (
    account    TEXT COLLATE "C" NOT NULL,
    queue      TEXT COLLATE "C" NOT NULL,
    dedup_id   TEXT COLLATE "C" NOT NULL,
    message_id TEXT COLLATE "C" NOT NULL,
    sequence   TEXT COLLATE "C" NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (account, queue, dedup_id)
);

CREATE TABLE event_source_mappings (
    account TEXT COLLATE "C" NOT NULL,
    region  TEXT COLLATE "C" NOT NULL,
    uuid    TEXT COLLATE "C" NOT NULL,
    config  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (account, region, uuid)
);
CREATE UNIQUE INDEX event_source_mappings_uuid ON event_source_mappings (uuid);
