-- V7: layers. layers holds each name's last version number (never reused after a delete);
-- layer_versions one LayerVersion as JSON each, with its code's SHA-256 beside it.
CREATE TABLE layers (
    account      TEXT    NOT NULL,
    region       TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    last_version INTEGER NOT NULL,
    PRIMARY KEY (account, region, name)
) WITHOUT ROWID;
CREATE TABLE layer_versions (
    account     TEXT    NOT NULL,
    region      TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    code_sha256 TEXT    NOT NULL,
    config      TEXT    NOT NULL,
    PRIMARY KEY (account, region, name, version)
) WITHOUT ROWID;
