-- +goose Up
-- One row per stretch of time an employee held a customer (held_until
-- NULL: still held), for team reports. Written with the customer: a
-- customer written with another holder closes the open row and opens one.
CREATE TABLE holdings (
    id          bigserial   PRIMARY KEY,
    tenant      text        NOT NULL,
    customer_id text        NOT NULL,
    employee_id text        NOT NULL,
    held_from   timestamptz NOT NULL,
    held_until  timestamptz
);
CREATE INDEX holdings_by_employee ON holdings (tenant, employee_id, held_from);
CREATE UNIQUE INDEX holdings_open ON holdings (tenant, customer_id) WHERE held_until IS NULL;
CREATE INDEX interactions_by_employee_time ON interactions (tenant, employee_id, occurred_at);

-- Holdings of customers applied before this migration are only in CLIENT:
-- empty the read model and its checkpoint so the projector replays CLIENT
-- from the start, as 00004 does. Holdings are part of the read model: any
-- later migration that empties it must empty holdings too, or the replay
-- adds every stretch again.
DELETE FROM holdings;
DELETE FROM customer_identities;
DELETE FROM claims;
DELETE FROM interactions;
DELETE FROM customer_trail;
DELETE FROM customers;
DELETE FROM checkpoints WHERE projection = 'customers';

-- +goose Down
DROP INDEX interactions_by_employee_time;
DROP TABLE holdings;
