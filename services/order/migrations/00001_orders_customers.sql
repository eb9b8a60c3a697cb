-- +goose Up
CREATE TABLE orders (
    tenant       text NOT NULL,
    order_id     text NOT NULL,
    customer_id  text NOT NULL,
    seller_id    text NOT NULL,
    status       integer NOT NULL,
    created_at   timestamptz NOT NULL,
    won_at       timestamptz,
    lost_at      timestamptz,
    cancelled_at timestamptz,
    data         jsonb NOT NULL,
    PRIMARY KEY (tenant, order_id)
);
CREATE INDEX orders_created ON orders (tenant, created_at, order_id);
CREATE INDEX orders_seller ON orders (tenant, seller_id, created_at, order_id);
CREATE INDEX orders_customer ON orders (tenant, customer_id, created_at, order_id);

-- customers is the order service's projection of the client service's
-- customers: holder, recorded source and address.
CREATE TABLE customers (
    tenant      text NOT NULL,
    customer_id text NOT NULL,
    data        jsonb NOT NULL,
    PRIMARY KEY (tenant, customer_id)
);

-- +goose Down
DROP TABLE customers;
DROP TABLE orders;
