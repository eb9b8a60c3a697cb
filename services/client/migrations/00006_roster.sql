-- +goose Up
-- The roster: the organisation tree as the client service projects it from
-- ATTENDANCE, so senior_sales see their team's customers and managers their
-- subtree's. Its checkpoint row is the projection "roster" (an ATTENDANCE
-- sequence); it starts at 0, so the projector replays ATTENDANCE from the
-- start and nothing else needs rebuilding.
CREATE TABLE roster_employees (
    tenant      text NOT NULL,
    employee_id text NOT NULL,
    org_unit_id text NOT NULL,
    manager_id  text NOT NULL,
    role        text NOT NULL,
    -- status is domain.EmployeeStatus: 1 active, 2 on notice, 3 departed.
    status      int  NOT NULL,
    PRIMARY KEY (tenant, employee_id)
);
CREATE INDEX roster_employees_by_unit ON roster_employees (tenant, org_unit_id);

CREATE TABLE org_units (
    tenant      text NOT NULL,
    org_unit_id text NOT NULL,
    parent_id   text NOT NULL,
    PRIMARY KEY (tenant, org_unit_id)
);
CREATE INDEX org_units_by_parent ON org_units (tenant, parent_id);

-- +goose Down
DROP TABLE org_units;
DROP TABLE roster_employees;
