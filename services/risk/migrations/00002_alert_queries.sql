-- +goose Up
-- Columns for ListAlerts' severity and period filters and for ListCases;
-- data keeps the whole alert, these copy what queries filter and order on.
ALTER TABLE alerts
    ADD COLUMN severity       int         NOT NULL DEFAULT 0,
    ADD COLUMN raised_at      timestamptz,
    ADD COLUMN outcome        int         NOT NULL DEFAULT 0,
    ADD COLUMN case_opened_at timestamptz,
    ADD COLUMN case_sequence  bigint      NOT NULL DEFAULT 0;
UPDATE alerts SET severity = (data->>'Severity')::int, raised_at = (data->>'RaisedAt')::timestamptz;
ALTER TABLE alerts ALTER COLUMN raised_at SET NOT NULL;
CREATE INDEX alerts_cases ON alerts (tenant, case_sequence DESC) WHERE case_sequence > 0;

-- +goose Down
DROP INDEX alerts_cases;
ALTER TABLE alerts
    DROP COLUMN severity,
    DROP COLUMN raised_at,
    DROP COLUMN outcome,
    DROP COLUMN case_opened_at,
    DROP COLUMN case_sequence;
