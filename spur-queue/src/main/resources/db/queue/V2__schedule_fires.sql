-- V2: claims of schedule fires, enqueued in the transaction that stores the fire's event (the same table
-- as on PostgreSQL, where many nodes race for one fire; here it keeps a fire from being enqueued twice).
CREATE TABLE schedule_fires (
    claim      TEXT    NOT NULL PRIMARY KEY, -- the schedule's ARN '@' the scheduled time
    claimed_at INTEGER NOT NULL              -- epoch milliseconds
);
CREATE INDEX schedule_fires_age ON schedule_fires (claimed_at);
