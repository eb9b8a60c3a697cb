-- +goose Up
CREATE TABLE org_units (
    tenant      text NOT NULL,
    org_unit_id text NOT NULL,
    parent_id   text NOT NULL,
    data        jsonb NOT NULL,
    PRIMARY KEY (tenant, org_unit_id)
);
CREATE INDEX org_units_parent ON org_units (tenant, parent_id, org_unit_id);

CREATE TABLE employees (
    tenant      text NOT NULL,
    employee_id text NOT NULL,
    org_unit_id text NOT NULL,
    role        text NOT NULL,
    status      integer NOT NULL,
    data        jsonb NOT NULL,
    PRIMARY KEY (tenant, employee_id)
);
CREATE INDEX employees_org_unit ON employees (tenant, org_unit_id, employee_id);

-- +goose Down
DROP TABLE employees;
DROP TABLE org_units;
