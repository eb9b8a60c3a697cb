-- +goose Up
CREATE TABLE check_ins (
    tenant      text NOT NULL,
    check_in_id text NOT NULL,
    employee_id text NOT NULL,
    customer_id text NOT NULL,
    sequence    bigint NOT NULL,
    device_time timestamptz NOT NULL,
    latitude    double precision NOT NULL,
    longitude   double precision NOT NULL,
    accuracy_m  double precision NOT NULL,
    data        jsonb NOT NULL,
    PRIMARY KEY (tenant, check_in_id)
);
CREATE INDEX check_ins_employee ON check_ins (tenant, employee_id, sequence DESC);
CREATE INDEX check_ins_customer ON check_ins (tenant, customer_id, sequence DESC) WHERE customer_id <> '';
CREATE INDEX check_ins_fix ON check_ins (tenant, employee_id, latitude, longitude, accuracy_m, sequence);

-- +goose Down
DROP TABLE check_ins;
