package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

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
	pool *pgxpool.Pool
}

// NewPostgres returns a read model over a migrated pool (see Migrate).
func NewPostgres(pool *pgxpool.Pool) *Postgres { return &Postgres{pool: pool} }

// Migrate applies the risk schema's migrations.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return pgstore.Migrate(ctx, pool, migrations.Schema, migrations.FS)
}

func (p *Postgres) inTxAt(ctx context.Context, seq uint64, fn func(pgx.Tx) error) error {
	return pgstore.InTx(ctx, p.pool, func(tx pgx.Tx) error {
		cur, err := pgstore.LoadCheckpoint(ctx, tx, migrations.Schema, projection)
		if err != nil {
			return err
		}
		if seq <= cur {
			return nil
		}
		if err := fn(tx); err != nil {
			return err
		}
		return pgstore.SaveCheckpoint(ctx, tx, migrations.Schema, projection, seq)
	})
}

// Apply implements Store.
func (p *Postgres) Apply(ctx context.Context, seq uint64, alerts ...domain.Alert) error {
	return p.inTxAt(ctx, seq, func(tx pgx.Tx) error {
		for _, a := range alerts {
			data, err := json.Marshal(a)
			if err != nil {
				return fmt.Errorf("store: encode alert: %w", err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO risk.alerts (tenant, alert_id, employee_id, rule_id, status, raised_sequence, data)
				VALUES ($1, $2, $3, $4, $5, $6, $7)
				ON CONFLICT (tenant, alert_id) DO UPDATE SET status = EXCLUDED.status, data = EXCLUDED.data`,
				a.Tenant, a.ID, a.EmployeeID, a.RuleID, int(a.Status), int64(a.RaisedSequence), data); err != nil {
				return fmt.Errorf("store: upsert alert: %w", err)
			}
		}
		return nil
	})
}

// Park implements Store.
func (p *Postgres) Park(ctx context.Context, seq uint64, subject, reason string, data []byte) error {
	return p.inTxAt(ctx, seq, func(tx pgx.Tx) error {
		return pgstore.ParkEvent(ctx, tx, migrations.Schema, projection, "RISK", seq, subject, reason, data)
	})
}

// Checkpoint implements Store.
func (p *Postgres) Checkpoint(ctx context.Context) (uint64, error) {
	return pgstore.LoadCheckpoint(ctx, p.pool, migrations.Schema, projection)
}

// GetAlert implements Store.
func (p *Postgres) GetAlert(ctx context.Context, tenant, id string) (domain.Alert, error) {
	var data []byte
	err := p.pool.QueryRow(ctx, `SELECT data FROM risk.alerts WHERE tenant = $1 AND alert_id = $2`, tenant, id).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Alert{}, ErrNotFound
	}
	if err != nil {
		return domain.Alert{}, fmt.Errorf("store: get alert: %w", err)
	}
	var a domain.Alert
	if err := json.Unmarshal(data, &a); err != nil {
		return domain.Alert{}, fmt.Errorf("store: decode alert: %w", err)
	}
	return a, nil
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
	rows, err := p.pool.Query(ctx, `SELECT data FROM risk.alerts
		WHERE tenant = $1 AND ($2 = '' OR employee_id = $2) AND ($3 = '' OR rule_id = $3)
		  AND ($4 = 0 OR status = $4) AND raised_sequence < $5
		ORDER BY raised_sequence DESC LIMIT $6`, tenant, f.EmployeeID, f.RuleID, int(f.Status), before, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: list alerts: %w", err)
	}
	defer rows.Close()
	var out []domain.Alert
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("store: list alerts: %w", err)
		}
		var a domain.Alert
		if err := json.Unmarshal(data, &a); err != nil {
			return nil, fmt.Errorf("store: decode alert: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list alerts: %w", err)
	}
	return out, nil
}
