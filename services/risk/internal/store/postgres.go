package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/holdfast/holdfast/pkg/pgstore"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/migrations"
)

var _ Store = (*Postgres)(nil)

const projection = "alerts"

// Postgres is the alert read model in PostgreSQL, in the "risk" schema.
type Postgres struct {
	// Projection supplies the checkpointed transaction, Park and Checkpoint.
	pgstore.Projection
}

// NewPostgres returns a read model over a migrated pool (see Migrate).
func NewPostgres(pool *pgxpool.Pool) *Postgres {
	return &Postgres{pgstore.Projection{Pool: pool, Schema: migrations.Schema, Name: projection, Stream: "RISK"}}
}

// Migrate applies the risk schema's migrations.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return pgstore.Migrate(ctx, pool, migrations.Schema, migrations.FS)
}

// Apply implements Store.
func (p *Postgres) Apply(ctx context.Context, seq uint64, alerts ...domain.Alert) error {
	// data is jsonb: pgx encodes the struct with encoding/json.
	return p.ApplyAt(ctx, seq, func(tx pgx.Tx) error {
		for _, a := range alerts {
			if _, err := tx.Exec(ctx, `INSERT INTO risk.alerts (tenant, alert_id, employee_id, rule_id, status, raised_sequence, data,
					severity, raised_at, outcome, case_opened_at, case_sequence)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
				ON CONFLICT (tenant, alert_id) DO UPDATE SET status = EXCLUDED.status, data = EXCLUDED.data,
					severity = EXCLUDED.severity, outcome = EXCLUDED.outcome,
					case_opened_at = EXCLUDED.case_opened_at, case_sequence = EXCLUDED.case_sequence`,
				a.Tenant, a.ID, a.EmployeeID, a.RuleID, int(a.Status), int64(a.RaisedSequence), a,
				int(a.Severity), a.RaisedAt, int(a.Outcome), nullTime(a.CaseOpenedAt), int64(a.CaseSequence)); err != nil {
				return fmt.Errorf("store: upsert alert: %w", err)
			}
		}
		return nil
	})
}

// GetAlert implements Store.
func (p *Postgres) GetAlert(ctx context.Context, tenant, id string) (domain.Alert, error) {
	rows, err := p.Pool.Query(ctx, `SELECT data FROM risk.alerts WHERE tenant = $1 AND alert_id = $2`, tenant, id)
	if err != nil {
		return domain.Alert{}, fmt.Errorf("store: get alert: %w", err)
	}
	v, err := pgx.CollectExactlyOneRow(rows, pgx.RowTo[domain.Alert])
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Alert{}, ErrNotFound
	}
	if err != nil {
		return domain.Alert{}, fmt.Errorf("store: get alert: %w", err)
	}
	return v, nil
}

// ListAlerts implements Store.
func (p *Postgres) ListAlerts(ctx context.Context, tenant string, f ListFilter) ([]domain.Alert, error) {
	if f.Limit <= 0 {
		return nil, ErrBadFilter
	}
	before := int64(f.Before)
	if f.Before == 0 {
		before = 1<<63 - 1
	}
	order := "raised_sequence DESC"
	if f.BySeverity {
		order = "severity DESC, raised_sequence DESC"
	}
	beforeSeverity := int(f.BeforeSeverity)
	if f.Before == 0 {
		beforeSeverity = int(domain.SeverityHigh) + 1
	}
	rows, err := p.Pool.Query(ctx, `SELECT data FROM risk.alerts
		WHERE tenant = $1 AND ($2 = '' OR employee_id = $2) AND ($3 = '' OR rule_id = $3)
		  AND ($4 = 0 OR status = $4)
		  AND (CASE WHEN $11 THEN severity < $12 OR (severity = $12 AND raised_sequence < $5) ELSE raised_sequence < $5 END)
		  AND ($7::text[] IS NULL OR employee_id = ANY($7)) AND severity >= $8
		  AND ($9::timestamptz IS NULL OR raised_at >= $9) AND ($10::timestamptz IS NULL OR raised_at < $10)
		ORDER BY `+order+` LIMIT $6`, tenant, f.EmployeeID, f.RuleID, int(f.Status), before, f.Limit,
		f.Employees, int(f.MinSeverity), nullTime(f.RaisedFrom), nullTime(f.RaisedTo), f.BySeverity, beforeSeverity)
	if err != nil {
		return nil, fmt.Errorf("store: list alerts: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[domain.Alert])
	if err != nil {
		return nil, fmt.Errorf("store: list alerts: %w", err)
	}
	return out, nil
}

// StatusCounts implements Store.
func (p *Postgres) StatusCounts(ctx context.Context, tenant string) (map[string]map[domain.Status]int, error) {
	rows, err := p.Pool.Query(ctx, `SELECT rule_id, status, count(*) FROM risk.alerts WHERE tenant = $1 GROUP BY rule_id, status`, tenant)
	if err != nil {
		return nil, fmt.Errorf("store: status counts: %w", err)
	}
	defer rows.Close()
	out := map[string]map[domain.Status]int{}
	for rows.Next() {
		var (
			rule   string
			status int
			n      int64
		)
		if err := rows.Scan(&rule, &status, &n); err != nil {
			return nil, fmt.Errorf("store: status counts: %w", err)
		}
		if out[rule] == nil {
			out[rule] = map[domain.Status]int{}
		}
		out[rule][domain.Status(status)] = int(n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: status counts: %w", err)
	}
	return out, nil
}

// ListCases implements Store.
func (p *Postgres) ListCases(ctx context.Context, tenant string, f CaseFilter) ([]domain.Alert, error) {
	if f.Limit <= 0 {
		return nil, ErrBadFilter
	}
	before := int64(f.Before)
	if f.Before == 0 {
		before = 1<<63 - 1
	}
	rows, err := p.Pool.Query(ctx, `SELECT data FROM risk.alerts
		WHERE tenant = $1 AND case_sequence > 0 AND case_sequence < $2
		  AND ($3 = '' OR employee_id = $3) AND ($4::text[] IS NULL OR employee_id = ANY($4))
		  AND ($5 = 0 OR status = $5) AND ($6 = 0 OR outcome = $6)
		  AND ($7::timestamptz IS NULL OR case_opened_at >= $7) AND ($8::timestamptz IS NULL OR case_opened_at < $8)
		ORDER BY case_sequence DESC LIMIT $9`, tenant, before, f.EmployeeID, f.Employees, int(f.Status), int(f.Outcome),
		nullTime(f.OpenedFrom), nullTime(f.OpenedTo), f.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: list cases: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[domain.Alert])
	if err != nil {
		return nil, fmt.Errorf("store: list cases: %w", err)
	}
	return out, nil
}

// engineProjection names the engine's parked RISK_IN events among the
// schema's parked events.
const engineProjection = "engine"

// ParkInput implements Store.
func (p *Postgres) ParkInput(ctx context.Context, seq uint64, subject, reason string, data []byte) error {
	return pgstore.InTx(ctx, p.Pool, func(tx pgx.Tx) error {
		return pgstore.ParkEvent(ctx, tx, migrations.Schema, engineProjection, "RISK_IN", seq, subject, reason, data)
	})
}

// ParkedInputs implements Store.
func (p *Postgres) ParkedInputs(ctx context.Context) (int, error) {
	var n int
	err := p.Pool.QueryRow(ctx, `SELECT count(*) FROM risk.parked_events WHERE projection = $1`, engineProjection).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: parked inputs: %w", err)
	}
	return n, nil
}

// nullTime is NULL for the zero time: an open end of a period, or no case.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
