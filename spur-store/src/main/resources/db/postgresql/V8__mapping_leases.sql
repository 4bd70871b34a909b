-- V5: which node runs each event-source mapping's pollers. A lease row per enabled mapping, held by one node
-- (its name) until lease_until on the database's clock; the owner renews it every few seconds, another node
-- takes it over once it has expired (the owner died or lost the database). Rows of mappings no node wants
-- any more (deleted, disabled) are released by their owner, or pruned an hour after their lease expired.

CREATE TABLE mapping_leases (
    uuid        TEXT COLLATE "C" PRIMARY KEY,
    owner       TEXT COLLATE "C" NOT NULL,
    lease_until TIMESTAMPTZ NOT NULL
);
