-- +goose Up
-- The partition this schema's read model belongs to. The alerts and
-- sensitive-hits views keep one checkpoint each, so a schema can follow
-- only one partition's share of RISK and RISK_IN: a second process with
-- other tenants (or the same process given other tenants) would resume
-- from a checkpoint that skipped records it never applied. The first
-- process to start claims the schema (store.ClaimPartition); any other
-- tenant set is refused.
CREATE TABLE read_model_partition (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    -- The tenant ids, sorted and without duplicates; empty: every tenant.
    tenants  text[]  NOT NULL
);

-- +goose Down
DROP TABLE read_model_partition;
