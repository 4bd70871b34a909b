-- V5: layers (as spur.db's V7). layers holds each name's last version number (never reused after a
-- delete); layer_versions one LayerVersion as JSON each, with its code's SHA-256 beside it so that
-- code_blobs keeps a package a layer version refers to.
CREATE TABLE layers (
    account      TEXT   NOT NULL,
    region       TEXT   NOT NULL,
    name         TEXT   COLLATE "C" NOT NULL,
    last_version BIGINT NOT NULL,
    PRIMARY KEY (account, region, name)
);
CREATE TABLE layer_versions (
    account     TEXT   NOT NULL,
    region      TEXT   NOT NULL,
    name        TEXT   COLLATE "C" NOT NULL,
    version     BIGINT NOT NULL,
    code_sha256 TEXT   NOT NULL,
    config      TEXT   NOT NULL,
    PRIMARY KEY (account, region, name, version)
);
CREATE INDEX layer_versions_code ON layer_versions (code_sha256);
