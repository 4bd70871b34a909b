-- V4: the S3-compatible object store's index (spur-s3). The bytes are files under <data>/s3/; these
-- rows say which file is which object. An object row and the notifications its change causes (rows of
-- events and sqs_messages) are written in one transaction of the group-commit writer, so an object
-- that is visible always has its notifications queued. Keys sort as bytes (BINARY), as S3 lists them.
-- Times are epoch milliseconds.

CREATE TABLE s3_buckets (
    name          TEXT    NOT NULL PRIMARY KEY,
    account       TEXT    NOT NULL,
    region        TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    notifications TEXT    NOT NULL -- the notification configuration as JSON ("{}" = none)
);

CREATE TABLE s3_objects (
    bucket        TEXT    NOT NULL,
    key           TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    etag          TEXT    NOT NULL, -- quoted, as returned
    content_id    TEXT    NOT NULL, -- the file holding the bytes
    last_modified INTEGER NOT NULL,
    metadata      TEXT    NOT NULL, -- JSON: content headers and x-amz-meta-*
    sequencer     TEXT    NOT NULL,
    PRIMARY KEY (bucket, key)
);

CREATE TABLE s3_uploads (
    id         TEXT    NOT NULL PRIMARY KEY,
    bucket     TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    initiated  INTEGER NOT NULL,
    metadata   TEXT    NOT NULL
);

CREATE INDEX s3_uploads_bucket ON s3_uploads (bucket, key, initiated);

CREATE TABLE s3_parts (
    upload_id     TEXT    NOT NULL,
    number        INTEGER NOT NULL,
    size          INTEGER NOT NULL,
    etag          TEXT    NOT NULL,
    content_id    TEXT    NOT NULL,
    last_modified INTEGER NOT NULL,
    PRIMARY KEY (upload_id, number)
);
