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
	"github.com/holdfast/holdfast/services/commission/internal/domain"
	"github.com/holdfast/holdfast/services/commission/migrations"
)

var _ Store = (*Postgres)(nil)

// Postgres is the read model in PostgreSQL, in the "commission" schema:
// three projections, each with its checkpoint row.
type Postgres struct {
	pool      *pgxpool.Pool
	orders    pgstore.Projection
	statement pgstore.Projection
	holds     pgstore.Projection
}

// NewPostgres returns a read model over a migrated pool (see Migrate).
func NewPostgres(pool *pgxpool.Pool) *Postgres {
	return &Postgres{
		pool:      pool,
		orders:    pgstore.Projection{Pool: pool, Schema: migrations.Schema, Name: "orders", Stream: "ORDER"},
		statement: pgstore.Projection{Pool: pool, Schema: migrations.Schema, Name: "statement", Stream: "COMMISSION"},
		holds:     pgstore.Projection{Pool: pool, Schema: migrations.Schema, Name: "holds", Stream: "RISK"},
	}
}

// Migrate applies the commission schema's migrations.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return pgstore.Migrate(ctx, pool, migrations.Schema, migrations.FS)
}

// ApplyOrder implements Store. data is jsonb: pgx encodes the struct with encoding/json.
func (p *Postgres) ApplyOrder(ctx context.Context, seq uint64, o *domain.OrderTrack) error {
	return p.orders.ApplyAt(ctx, seq, func(tx pgx.Tx) error {
		if o == nil {
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO commission.orders (tenant, order_id, data) VALUES ($1, $2, $3)
			ON CONFLICT (tenant, order_id) DO UPDATE SET data = EXCLUDED.data`, o.Tenant, o.OrderID, *o); err != nil {
			return fmt.Errorf("store: upsert order: %w", err)
		}
		return nil
	})
}

// ParkOrder implements Store.
func (p *Postgres) ParkOrder(ctx context.Context, seq uint64, subject, reason string, data []byte) error {
	return p.orders.Park(ctx, seq, subject, reason, data)
}

// OrderCheckpoint implements Store.
func (p *Postgres) OrderCheckpoint(ctx context.Context) (uint64, error) {
	return p.orders.Checkpoint(ctx)
}

// GetOrder implements Store.
func (p *Postgres) GetOrder(ctx context.Context, tenant, id string) (domain.OrderTrack, error) {
	rows, err := p.pool.Query(ctx, `SELECT data FROM commission.orders WHERE tenant = $1 AND order_id = $2`, tenant, id)
	if err != nil {
		return domain.OrderTrack{}, fmt.Errorf("store: get order: %w", err)
	}
	o, err := pgx.CollectExactlyOneRow(rows, pgx.RowTo[domain.OrderTrack])
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.OrderTrack{}, fmt.Errorf("order %s: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return domain.OrderTrack{}, fmt.Errorf("store: get order: %w", err)
	}
	return o, nil
}

// ApplyEntry implements Store.
func (p *Postgres) ApplyEntry(ctx context.Context, seq uint64, e *domain.Entry) error {
	return p.statement.ApplyAt(ctx, seq, func(tx pgx.Tx) error {
		if e == nil {
			return nil
		}
		if e.Sequence > math.MaxInt64 {
			return fmt.Errorf("store: entry: sequence %d out of range", e.Sequence)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO commission.entries (tenant, sequence, employee_id, occurred_at, data)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant, sequence) DO NOTHING`,
			e.Tenant, int64(e.Sequence), e.EmployeeID, e.OccurredAt, *e); err != nil {
			return fmt.Errorf("store: insert entry: %w", err)
		}
		return nil
	})
}

// ParkEntry implements Store.
func (p *Postgres) ParkEntry(ctx context.Context, seq uint64, subject, reason string, data []byte) error {
	return p.statement.Park(ctx, seq, subject, reason, data)
}

// EntryCheckpoint implements Store.
func (p *Postgres) EntryCheckpoint(ctx context.Context) (uint64, error) {
	return p.statement.Checkpoint(ctx)
}

// ListEntries implements Store.
func (p *Postgres) ListEntries(ctx context.Context, tenant, employeeID string, from, to time.Time) ([]domain.Entry, error) {
	var fromArg, toArg any
	if !from.IsZero() {
		fromArg = from
	}
	if !to.IsZero() {
		toArg = to
	}
	rows, err := p.pool.Query(ctx, `SELECT data FROM commission.entries
		WHERE tenant = $1 AND employee_id = $2
		  AND ($3::timestamptz IS NULL OR occurred_at >= $3)
		  AND ($4::timestamptz IS NULL OR occurred_at < $4)
		ORDER BY occurred_at, sequence`, tenant, employeeID, fromArg, toArg)
	if err != nil {
		return nil, fmt.Errorf("store: list entries: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[domain.Entry])
	if err != nil {
		return nil, fmt.Errorf("store: list entries: %w", err)
	}
	return out, nil
}

// TenantEntries implements Store.
func (p *Postgres) TenantEntries(ctx context.Context, tenant string) ([]domain.Entry, error) {
	rows, err := p.pool.Query(ctx, `SELECT data FROM commission.entries WHERE tenant = $1 ORDER BY sequence`, tenant)
	if err != nil {
		return nil, fmt.Errorf("store: tenant entries: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[domain.Entry])
	if err != nil {
		return nil, fmt.Errorf("store: tenant entries: %w", err)
	}
	return out, nil
}

// ApplyRisk implements Store.
func (p *Postgres) ApplyRisk(ctx context.Context, seq uint64) error {
	return p.holds.ApplyAt(ctx, seq, func(pgx.Tx) error { return nil })
}

// ParkRisk implements Store.
func (p *Postgres) ParkRisk(ctx context.Context, seq uint64, subject, reason string, data []byte) error {
	return p.holds.Park(ctx, seq, subject, reason, data)
}

// RiskCheckpoint implements Store.
func (p *Postgres) RiskCheckpoint(ctx context.Context) (uint64, error) {
	return p.holds.Checkpoint(ctx)
}
