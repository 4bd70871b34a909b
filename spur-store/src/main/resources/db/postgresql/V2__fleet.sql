-- V2: what a fleet needs besides the shared state of V1: membership (each node's row, its heartbeat on
-- the database's clock and what it reports of its load), the claims that make a schedule fire once per
-- tick across the nodes, and cluster-wide settings (the sealing key's check value, or the key itself
-- when the nodes are not given one).

CREATE TABLE nodes (
    name         TEXT COLLATE "C" PRIMARY KEY,
    incarnation  TEXT COLLATE "C" NOT NULL, -- random per start: tells a node's restart from a twin
    advertise    TEXT COLLATE "C" NOT NULL, -- http://host:port where peers reach it
    state        TEXT COLLATE "C" NOT NULL, -- ACTIVE, or LEFT after a clean stop
    started_at   TIMESTAMPTZ NOT NULL,
    heartbeat_at TIMESTAMPTZ NOT NULL,      -- the database's now() at the last beat
    report       TEXT COLLATE "C" NOT NULL  -- load, environments, provisioned status: JSON
);

-- A schedule's fire for one scheduled time is claimed here in the transaction that enqueues its event,
-- so of the nodes that find it due exactly one enqueues it. Claims are kept a day, then pruned.
CREATE TABLE schedule_fires (
    claim      TEXT COLLATE "C" PRIMARY KEY, -- the schedule's ARN '@' the scheduled time
    claimed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX schedule_fires_age ON schedule_fires (claimed_at);

CREATE TABLE cluster_settings (
    name  TEXT COLLATE "C" PRIMARY KEY,
    value TEXT COLLATE "C" NOT NULL
);
