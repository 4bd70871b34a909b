-- V2: what hangs off a function besides its versions, and access keys.
--
-- attachments holds a FunctionAttachments as JSON: the next version number, reserved concurrency,
-- tags, aliases, provisioned concurrency settings and function URLs. They are small, always read
-- and written together with the function under its lock, and never searched across functions
-- (the URL index is rebuilt in memory at start), so one document per function keeps every change
-- to them a single-row update.
ALTER TABLE functions ADD COLUMN attachments TEXT NOT NULL DEFAULT '{"nextVersion":1}';

-- Access keys for SigV4. The secret is sealed (AES-GCM with the server's master key file); the
-- database alone does not reveal it.
CREATE TABLE access_keys (
    access_key_id TEXT    PRIMARY KEY,
    account       TEXT    NOT NULL,
    sealed_secret TEXT    NOT NULL,
    created_at    INTEGER NOT NULL -- epoch milliseconds
) WITHOUT ROWID;

CREATE INDEX access_keys_account ON access_keys (account);
