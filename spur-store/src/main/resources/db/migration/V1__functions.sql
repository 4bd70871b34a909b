-- V1: functions and their versions.
--
-- A function is its identity (account, region, name); everything that can differ between versions
-- lives in function_versions, where $LATEST is an ordinary row. Published versions (rows '1', '2',
-- ...), aliases and tags arrive as later migrations and hang off functions.id with ON DELETE
-- CASCADE, so deleting a function row removes everything stored under it in one statement.
--
-- config holds the whole FunctionConfig as JSON (the record is the storage format); the other
-- columns copy the fields that are searched, compared or garbage-collected on, so they are indexed
-- without parsing JSON.

CREATE TABLE functions (
    id         INTEGER PRIMARY KEY,
    account    TEXT    NOT NULL,
    region     TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL, -- epoch milliseconds
    UNIQUE (account, region, name)
);

CREATE TABLE function_versions (
    function_id   INTEGER NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    version       TEXT    NOT NULL, -- '$LATEST' or a published version number
    revision_id   TEXT    NOT NULL, -- compare-and-set token for updates
    code_sha256   TEXT    NOT NULL, -- lower-case hex, the code store's key
    last_modified INTEGER NOT NULL, -- epoch milliseconds
    config        TEXT    NOT NULL, -- FunctionConfig as JSON
    PRIMARY KEY (function_id, version)
) WITHOUT ROWID;

-- Which packages are still referenced, for the code store's garbage collection.
CREATE INDEX function_versions_code ON function_versions (code_sha256);
