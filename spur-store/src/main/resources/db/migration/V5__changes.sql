-- V5: the change feed. Every control-plane write appends one row here in its own transaction, so
-- another process on the same file (or, on PostgreSQL, another node) can tell what to re-read.
-- AUTOINCREMENT: a sequence number is never reused, also after the newest rows are pruned. SQLite
-- serialises writers, so seq order is commit order.
CREATE TABLE changes (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    aggregate TEXT    NOT NULL, -- FUNCTION, HTTP_API, SCHEDULE, ACCESS_KEY
    key       TEXT    NOT NULL, -- what to re-read, e.g. account/region/name
    at        INTEGER NOT NULL  -- epoch milliseconds, for pruning
);

-- The highest seq pruned so far: a reader behind it has missed changes and must reload.
CREATE TABLE change_horizon (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    pruned_to INTEGER NOT NULL
);
INSERT INTO change_horizon (id, pruned_to) VALUES (1, 0);
