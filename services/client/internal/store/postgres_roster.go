package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/holdfast/holdfast/pkg/pgstore"
	"github.com/holdfast/holdfast/services/client/internal/domain"
	"github.com/holdfast/holdfast/services/client/migrations"
)

// rosterProjection names the roster's checkpoint row.
const rosterProjection = "roster"

func (p *Postgres) roster() pgstore.Projection {
	return pgstore.Projection{Pool: p.Pool, Schema: migrations.Schema, Name: rosterProjection, Stream: "ATTENDANCE"}
}

// ApplyRoster implements Roster: the change and the roster's checkpoint in
// one transaction.
func (p *Postgres) ApplyRoster(ctx context.Context, seq uint64, ch RosterChange) error {
	return p.roster().ApplyAt(ctx, seq, func(tx pgx.Tx) error {
		if e := ch.Employee; e != nil {
			if _, err := tx.Exec(ctx, `INSERT INTO client.roster_employees (tenant, employee_id, org_unit_id, manager_id, role, status)
				VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (tenant, employee_id) DO UPDATE
				SET org_unit_id = EXCLUDED.org_unit_id, manager_id = EXCLUDED.manager_id, role = EXCLUDED.role, status = EXCLUDED.status`,
				e.Tenant, e.ID, e.OrgUnitID, e.ManagerID, e.Role, int(e.Status)); err != nil {
				return fmt.Errorf("store: upsert roster employee: %w", err)
			}
		}
		if u := ch.OrgUnit; u != nil {
			if _, err := tx.Exec(ctx, `INSERT INTO client.org_units (tenant, org_unit_id, parent_id) VALUES ($1, $2, $3)
				ON CONFLICT (tenant, org_unit_id) DO UPDATE SET parent_id = EXCLUDED.parent_id`,
				u.Tenant, u.ID, u.ParentID); err != nil {
				return fmt.Errorf("store: upsert org unit: %w", err)
			}
		}
		return nil
	})
}

// ParkRoster implements Roster.
func (p *Postgres) ParkRoster(ctx context.Context, seq uint64, subject, reason string, data []byte) error {
	return p.roster().Park(ctx, seq, subject, reason, data)
}

// RosterCheckpoint implements Roster.
func (p *Postgres) RosterCheckpoint(ctx context.Context) (uint64, error) {
	return p.roster().Checkpoint(ctx)
}

// RosterEmployee implements Roster.
func (p *Postgres) RosterEmployee(ctx context.Context, tenant, id string) (domain.RosterEmployee, error) {
	e := domain.RosterEmployee{Tenant: tenant, ID: id}
	var status int
	err := p.Pool.QueryRow(ctx, `SELECT org_unit_id, manager_id, role, status FROM client.roster_employees
		WHERE tenant = $1 AND employee_id = $2`, tenant, id).Scan(&e.OrgUnitID, &e.ManagerID, &e.Role, &status)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.RosterEmployee{}, ErrNotFound
	}
	if err != nil {
		return domain.RosterEmployee{}, fmt.Errorf("store: get roster employee: %w", err)
	}
	e.Status = domain.EmployeeStatus(status)
	return e, nil
}

// Subtree implements Roster with a recursive query. UNION drops a
// (unit, depth) pair already found, and the depth bound ends the walk, so
// a cycle in a malformed tree cannot make it run away.
func (p *Postgres) Subtree(ctx context.Context, tenant, root string, maxDepth int) ([]string, error) {
	rows, err := p.Pool.Query(ctx, `WITH RECURSIVE sub (org_unit_id, depth) AS (
			SELECT org_unit_id, 0 FROM client.org_units WHERE tenant = $1 AND org_unit_id = $2
			UNION
			SELECT u.org_unit_id, s.depth + 1 FROM client.org_units u
			JOIN sub s ON u.tenant = $1 AND u.parent_id = s.org_unit_id
			WHERE s.depth < $3)
		SELECT DISTINCT org_unit_id COLLATE "C" FROM sub ORDER BY 1`, tenant, root, maxDepth)
	if err != nil {
		return nil, fmt.Errorf("store: subtree: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: subtree: %w", err)
	}
	if len(out) == 0 {
		return nil, ErrNotFound
	}
	return out, nil
}

// EmployeesIn implements Roster.
func (p *Postgres) EmployeesIn(ctx context.Context, tenant string, units []string) ([]string, error) {
	rows, err := p.Pool.Query(ctx, `SELECT employee_id FROM client.roster_employees
		WHERE tenant = $1 AND org_unit_id = ANY($2::text[]) ORDER BY employee_id COLLATE "C"`, tenant, units)
	if err != nil {
		return nil, fmt.Errorf("store: employees in: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: employees in: %w", err)
	}
	return out, nil
}
