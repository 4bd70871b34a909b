-- V5: SNS topics and subscriptions, EventBridge buses and rules, as queue.db's V4 on SQLite: one JSON
-- document per resource, written through the event queue's group-commit writer with the deliveries
-- of a publish.

CREATE TABLE pubsub_resources (
    account  TEXT COLLATE "C" NOT NULL,
    kind     TEXT COLLATE "C" NOT NULL,
    name     TEXT COLLATE "C" NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (account, kind, name)
);
