-- V4: HTTP APIs (gateway). Each row is one HttpApi as JSON: its routes, CORS, authorizers and
-- throttling. api_id is unique on the server because requests are routed by it alone.
CREATE TABLE http_apis (
    api_id  TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region  TEXT NOT NULL,
    config  TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX http_apis_owner ON http_apis (account, region);
