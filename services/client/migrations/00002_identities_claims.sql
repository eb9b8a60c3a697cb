-- +goose Up
-- One row per identity key of a customer (phone, email, wechat_id,
-- company): duplicate detection looks customers up by any of them.
CREATE TABLE customer_identities (
    tenant      text NOT NULL,
    kind        text NOT NULL,
    value       text NOT NULL,
    customer_id text NOT NULL,
    PRIMARY KEY (tenant, kind, value, customer_id)
);
CREATE INDEX customer_identities_customer ON customer_identities (tenant, customer_id);

-- Pool claims, for daily claim quotas.
CREATE TABLE claims (
    tenant      text        NOT NULL,
    employee_id text        NOT NULL,
    customer_id text        NOT NULL,
    claimed_at  timestamptz NOT NULL
);
CREATE INDEX claims_by_employee ON claims (tenant, employee_id, claimed_at);

ALTER TABLE customers ADD COLUMN source int NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN idle_since timestamptz;
CREATE INDEX customers_idle ON customers (tenant, idle_since) WHERE owner_id <> '';

-- The new columns and tables are filled by the projector: empty the read
-- model and its checkpoint so it replays CLIENT from the start.
DELETE FROM customers;
DELETE FROM checkpoints WHERE projection = 'customers';

-- +goose Down
DROP INDEX customers_idle;
ALTER TABLE customers DROP COLUMN idle_since;
ALTER TABLE customers DROP COLUMN source;
DROP TABLE claims;
DROP TABLE customer_identities;
