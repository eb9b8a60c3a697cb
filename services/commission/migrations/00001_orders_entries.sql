-- +goose Up
-- orders is what the accrual worker knows of each ORDER order.
CREATE TABLE orders (
    tenant   text NOT NULL,
    order_id text NOT NULL,
    data     jsonb NOT NULL,
    PRIMARY KEY (tenant, order_id)
);

-- entries are the statement lines projected from COMMISSION.
CREATE TABLE entries (
    tenant      text NOT NULL,
    sequence    bigint NOT NULL,
    employee_id text NOT NULL,
    occurred_at timestamptz NOT NULL,
    data        jsonb NOT NULL,
    PRIMARY KEY (tenant, sequence)
);
CREATE INDEX entries_employee ON entries (tenant, employee_id, occurred_at, sequence);

-- +goose Down
DROP TABLE entries;
DROP TABLE orders;
