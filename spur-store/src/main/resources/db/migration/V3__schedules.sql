-- V3: schedules. Each row is one Schedule as JSON (its expression, target, state and the time of its
-- last fire, rewritten after every fire); the key is what callers name it by.
CREATE TABLE schedules (
    account TEXT NOT NULL,
    region  TEXT NOT NULL,
    name    TEXT NOT NULL,
    config  TEXT NOT NULL,
    PRIMARY KEY (account, region, name)
) WITHOUT ROWID;
