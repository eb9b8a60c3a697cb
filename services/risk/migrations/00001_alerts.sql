-- +goose Up
CREATE TABLE alerts (
    tenant          text   NOT NULL,
    alert_id        text   NOT NULL,
    employee_id     text   NOT NULL,
    rule_id         text   NOT NULL,
    status          int    NOT NULL,
    raised_sequence bigint NOT NULL,
    data            jsonb  NOT NULL,
    PRIMARY KEY (tenant, alert_id)
);
CREATE INDEX alerts_newest ON alerts (tenant, raised_sequence DESC);
CREATE INDEX alerts_employee ON alerts (tenant, employee_id, raised_sequence DESC);

-- +goose Down
DROP TABLE alerts;
