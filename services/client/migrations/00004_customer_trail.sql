-- +goose Up
-- One row per event about a customer: the events of its own aggregate and
-- those stored elsewhere that name it (interactions, contact reveals).
-- GetCustomerHistory pages through it and reads each event from CLIENT.
CREATE TABLE customer_trail (
    tenant      text   NOT NULL,
    customer_id text   NOT NULL,
    sequence    bigint NOT NULL,
    PRIMARY KEY (tenant, customer_id, sequence)
);

-- Events applied before this migration are not in the trail: empty the
-- read model and its checkpoint so the projector replays CLIENT from the
-- start, as 00003 does.
DELETE FROM customer_identities;
DELETE FROM claims;
DELETE FROM interactions;
DELETE FROM customers;
DELETE FROM checkpoints WHERE projection = 'customers';

-- +goose Down
DROP TABLE customer_trail;
