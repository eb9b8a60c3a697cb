package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/holdfast/holdfast/pkg/pgstore"
	"github.com/holdfast/holdfast/services/attendance/internal/domain"
	"github.com/holdfast/holdfast/services/attendance/migrations"
)

var _ Store = (*Postgres)(nil)

// projection names this read model's checkpoint row.
const projection = "attendance"

// Postgres is the read model in PostgreSQL, in the "attendance" schema.
type Postgres struct {
	// Projection supplies the checkpointed transaction, Park and Checkpoint.
	pgstore.Projection
}

// NewPostgres returns a read model over a migrated pool (see Migrate).
func NewPostgres(pool *pgxpool.Pool) *Postgres {
	return &Postgres{pgstore.Projection{Pool: pool, Schema: migrations.Schema, Name: projection, Stream: "ATTENDANCE"}}
}

// Migrate applies the attendance schema's migrations.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return pgstore.Migrate(ctx, pool, migrations.Schema, migrations.FS)
}

// Apply implements Store: the views and the checkpoint in one transaction.
// data is jsonb: pgx encodes the structs with encoding/json.
func (p *Postgres) Apply(ctx context.Context, seq uint64, c Change) error {
	return p.ApplyAt(ctx, seq, func(tx pgx.Tx) error {
		if u := c.OrgUnit; u != nil {
			if _, err := tx.Exec(ctx, `INSERT INTO attendance.org_units (tenant, org_unit_id, parent_id, data)
				VALUES ($1, $2, $3, $4)
				ON CONFLICT (tenant, org_unit_id) DO UPDATE SET parent_id = EXCLUDED.parent_id, data = EXCLUDED.data`,
				u.Tenant, u.ID, u.ParentID, *u); err != nil {
				return fmt.Errorf("store: upsert org unit: %w", err)
			}
		}
		if e := c.Employee; e != nil {
			if _, err := tx.Exec(ctx, `INSERT INTO attendance.employees (tenant, employee_id, org_unit_id, role, status, data)
				VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (tenant, employee_id) DO UPDATE
				SET org_unit_id = EXCLUDED.org_unit_id, role = EXCLUDED.role, status = EXCLUDED.status, data = EXCLUDED.data`,
				e.Tenant, e.ID, e.OrgUnitID, e.Role, int(e.Status), *e); err != nil {
				return fmt.Errorf("store: upsert employee: %w", err)
			}
		}
		if c := c.CheckIn; c != nil {
			if c.Sequence > math.MaxInt64 {
				return fmt.Errorf("store: check-in %s: sequence %d out of range", c.ID, c.Sequence)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO attendance.check_ins
				(tenant, check_in_id, employee_id, customer_id, sequence, device_time, latitude, longitude, accuracy_m, data)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
				ON CONFLICT (tenant, check_in_id) DO NOTHING`,
				c.Tenant, c.ID, c.EmployeeID, c.CustomerID, int64(c.Sequence), c.DeviceTime,
				c.Point.Latitude, c.Point.Longitude, c.AccuracyM, *c); err != nil {
				return fmt.Errorf("store: insert check-in: %w", err)
			}
		}
		return nil
	})
}

// GetOrgUnit implements Store.
func (p *Postgres) GetOrgUnit(ctx context.Context, tenant, id string) (domain.OrgUnit, error) {
	return getOne[domain.OrgUnit](ctx, p.Pool, "org unit", `SELECT data FROM attendance.org_units WHERE tenant = $1 AND org_unit_id = $2`, tenant, id)
}

// ListOrgUnits implements Store.
func (p *Postgres) ListOrgUnits(ctx context.Context, tenant string, f OrgUnitFilter) ([]domain.OrgUnit, error) {
	if f.Limit <= 0 {
		return nil, ErrBadFilter
	}
	return collect[domain.OrgUnit](ctx, p.Pool, "list org units", `SELECT data FROM attendance.org_units
		WHERE tenant = $1 AND ($2 = '' OR parent_id = $2) AND org_unit_id > $3
		ORDER BY org_unit_id LIMIT $4`, tenant, f.ParentID, f.After, f.Limit)
}

// GetEmployee implements Store.
func (p *Postgres) GetEmployee(ctx context.Context, tenant, id string) (domain.Employee, error) {
	return getOne[domain.Employee](ctx, p.Pool, "employee", `SELECT data FROM attendance.employees WHERE tenant = $1 AND employee_id = $2`, tenant, id)
}

// ListEmployees implements Store.
func (p *Postgres) ListEmployees(ctx context.Context, tenant string, f EmployeeFilter) ([]domain.Employee, error) {
	if f.Limit <= 0 {
		return nil, ErrBadFilter
	}
	return collect[domain.Employee](ctx, p.Pool, "list employees", `SELECT data FROM attendance.employees
		WHERE tenant = $1 AND ($2 = '' OR org_unit_id = $2) AND ($3 = '' OR role = $3) AND ($4 = 0 OR status = $4)
		  AND employee_id > $5 AND ($7::text[] IS NULL OR org_unit_id = ANY($7))
		ORDER BY employee_id LIMIT $6`, tenant, f.OrgUnitID, f.Role, int(f.Status), f.After, f.Limit, f.OrgUnitIDs)
}

// GetCheckIn implements Store.
func (p *Postgres) GetCheckIn(ctx context.Context, tenant, id string) (domain.CheckIn, error) {
	return getOne[domain.CheckIn](ctx, p.Pool, "check-in", `SELECT data FROM attendance.check_ins WHERE tenant = $1 AND check_in_id = $2`, tenant, id)
}

// FindSameFix implements Store.
func (p *Postgres) FindSameFix(ctx context.Context, tenant string, c domain.CheckIn) (string, bool, error) {
	var id string
	err := p.Pool.QueryRow(ctx, `SELECT check_in_id FROM attendance.check_ins
		WHERE tenant = $1 AND employee_id = $2 AND latitude = $3 AND longitude = $4 AND accuracy_m = $5
		ORDER BY sequence LIMIT 1`, tenant, c.EmployeeID, c.Point.Latitude, c.Point.Longitude, c.AccuracyM).Scan(&id)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("store: find same fix: %w", err)
	}
	return id, true, nil
}

// ListCheckIns implements Store.
func (p *Postgres) ListCheckIns(ctx context.Context, tenant string, f CheckInFilter) ([]domain.CheckIn, error) {
	if f.Limit <= 0 {
		return nil, ErrBadFilter
	}
	before := int64(math.MaxInt64)
	if f.Before > 0 && f.Before <= math.MaxInt64 {
		before = int64(f.Before)
	}
	var from, to *time.Time
	if !f.From.IsZero() {
		from = &f.From
	}
	if !f.To.IsZero() {
		to = &f.To
	}
	return collect[domain.CheckIn](ctx, p.Pool, "list check-ins", `SELECT data FROM attendance.check_ins
		WHERE tenant = $1 AND ($2 = '' OR employee_id = $2) AND ($3 = '' OR customer_id = $3)
		  AND ($4::timestamptz IS NULL OR device_time >= $4) AND ($5::timestamptz IS NULL OR device_time < $5)
		  AND sequence < $6
		ORDER BY sequence DESC LIMIT $7`, tenant, f.EmployeeID, f.CustomerID, from, to, before, f.Limit)
}

func getOne[T any](ctx context.Context, pool *pgxpool.Pool, what, sql string, tenant, id string) (T, error) {
	var zero T
	rows, err := pool.Query(ctx, sql, tenant, id)
	if err != nil {
		return zero, fmt.Errorf("store: get %s: %w", what, err)
	}
	v, err := pgx.CollectExactlyOneRow(rows, pgx.RowTo[T])
	if errors.Is(err, pgx.ErrNoRows) {
		return zero, fmt.Errorf("%s %s: %w", what, id, domain.ErrNotFound)
	}
	if err != nil {
		return zero, fmt.Errorf("store: get %s: %w", what, err)
	}
	return v, nil
}

func collect[T any](ctx context.Context, pool *pgxpool.Pool, what, sql string, args ...any) ([]T, error) {
	rows, err := pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[T])
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}
