-- +goose Up
-- One row per logged interaction: with a customer (customer_id) or with a
-- contact who is not a registered customer (counterparty, E.164 phone or
-- lower-cased WeChat id). A deleted interaction stays, marked deleted.
CREATE TABLE interactions (
    tenant         text        NOT NULL,
    interaction_id text        NOT NULL,
    customer_id    text        NOT NULL,
    counterparty   text        NOT NULL,
    employee_id    text        NOT NULL,
    kind           int         NOT NULL,
    direction      int         NOT NULL,
    body           text        NOT NULL,
    duration_ns    bigint      NOT NULL,
    occurred_at    timestamptz NOT NULL,
    deleted        boolean     NOT NULL DEFAULT false,
    -- The CLIENT sequence of the InteractionLogged: lists page by it, newest first.
    sequence       bigint      NOT NULL,
    PRIMARY KEY (tenant, interaction_id)
);
CREATE INDEX interactions_by_customer ON interactions (tenant, customer_id, sequence DESC);
CREATE INDEX interactions_by_employee ON interactions (tenant, employee_id, sequence DESC);

-- Interactions logged before this migration are only in CLIENT: empty the
-- read model and its checkpoint so the projector replays CLIENT from the
-- start. Everything it rebuilds goes, or replay would count interactions
-- and claims twice.
DELETE FROM customer_identities;
DELETE FROM claims;
DELETE FROM customers;
DELETE FROM checkpoints WHERE projection = 'customers';

-- +goose Down
DROP TABLE interactions;
