-- V4: SNS topics and subscriptions, EventBridge buses and rules (with their targets), in the queue's
-- own file: a publish reads its subscriptions and writes its deliveries (asynchronous events, SQS
-- messages) through the same group-commit writer, so one transaction holds all of a publish's
-- deliveries. One JSON document per resource, keyed by account, kind and name.
--
-- kind: 'topic' (name = the topic ARN), 'subscription' (name = the subscription ARN, which starts
-- with its topic's ARN), 'bus' (name = the bus name), 'rule' (name = '<bus>/<rule>').

CREATE TABLE pubsub_resources (
    account  TEXT NOT NULL,
    kind     TEXT NOT NULL,
    name     TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (account, kind, name)
);
