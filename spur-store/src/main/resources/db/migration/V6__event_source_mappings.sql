-- V6: event-source mappings. Each row is one EventSourceMapping as JSON (source ARN, function,
-- batching, filters, state); the UUID is what Lambda's API names it by.
CREATE TABLE event_source_mappings (
    account TEXT NOT NULL,
    region  TEXT NOT NULL,
    uuid    TEXT NOT NULL,
    config  TEXT NOT NULL,
    PRIMARY KEY (account, region, uuid)
) WITHOUT ROWID;
CREATE UNIQUE INDEX event_source_mappings_uuid ON event_source_mappings (uuid);
