-- +goose Up
CREATE TABLE customers (
    tenant      text NOT NULL,
    customer_id text NOT NULL,
    owner_id    text NOT NULL,
    data        jsonb NOT NULL,
    PRIMARY KEY (tenant, customer_id)
);
CREATE INDEX customers_owner ON customers (tenant, owner_id, customer_id);

-- +goose Down
DROP TABLE customers;
