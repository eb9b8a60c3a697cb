-- +goose Up
-- ListAlerts in SEVERITY order (highest risk first) pages by severity,
-- then newest: this index serves it as alerts_newest serves newest first.
CREATE INDEX alerts_by_severity ON alerts (tenant, severity DESC, raised_sequence DESC);

-- +goose Down
DROP INDEX alerts_by_severity;
