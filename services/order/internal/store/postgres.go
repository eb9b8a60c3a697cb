package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/holdfast/holdfast/pkg/pgstore"
	"github.com/holdfast/holdfast/services/order/internal/domain"
	"github.com/holdfast/holdfast/services/order/migrations"
)

var _ Store = (*Postgres)(nil)

// Postgres is the read model in PostgreSQL, in the "orders" schema. Its two
// projections keep their own checkpoints: "orders" over ORDER, "customers"
// over CLIENT.
type Postgres struct {
	pool      *pgxpool.Pool
	orders    pgstore.Projection
	customers pgstore.Projection
}

// NewPostgres returns a read model over a migrated pool (see Migrate).
func NewPostgres(pool *pgxpool.Pool) *Postgres {
	return &Postgres{
		pool:      pool,
		orders:    pgstore.Projection{Pool: pool, Schema: migrations.Schema, Name: "orders", Stream: "ORDER"},
		customers: pgstore.Projection{Pool: pool, Schema: migrations.Schema, Name: "customers", Stream: "CLIENT"},
	}
}

// Migrate applies the orders schema's migrations.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return pgstore.Migrate(ctx, pool, migrations.Schema, migrations.FS)
}

// nullTime is t, or NULL when t is zero.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// ApplyOrder implements Store: the order row and the checkpoint in one
// transaction. data is jsonb: pgx encodes the struct with encoding/json.
func (p *Postgres) ApplyOrder(ctx context.Context, seq uint64, o *domain.Order) error {
	return p.orders.ApplyAt(ctx, seq, func(tx pgx.Tx) error {
		if o == nil {
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO orders.orders
			(tenant, order_id, customer_id, seller_id, status, created_at, won_at, lost_at, cancelled_at, data)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (tenant, order_id) DO UPDATE SET customer_id = EXCLUDED.customer_id,
			  seller_id = EXCLUDED.seller_id, status = EXCLUDED.status, created_at = EXCLUDED.created_at,
			  won_at = EXCLUDED.won_at, lost_at = EXCLUDED.lost_at, cancelled_at = EXCLUDED.cancelled_at, data = EXCLUDED.data`,
			o.Tenant, o.ID, o.CustomerID, o.SellerID, int(o.Status), o.CreatedAt,
			nullTime(o.WonAt), nullTime(o.LostAt), nullTime(o.CancelledAt), *o); err != nil {
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

// ApplyCustomer implements Store.
func (p *Postgres) ApplyCustomer(ctx context.Context, seq uint64, c *domain.Customer) error {
	return p.customers.ApplyAt(ctx, seq, func(tx pgx.Tx) error {
		if c == nil {
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO orders.customers (tenant, customer_id, data) VALUES ($1, $2, $3)
			ON CONFLICT (tenant, customer_id) DO UPDATE SET data = EXCLUDED.data`, c.Tenant, c.ID, *c); err != nil {
			return fmt.Errorf("store: upsert customer: %w", err)
		}
		return nil
	})
}

// ParkCustomer implements Store.
func (p *Postgres) ParkCustomer(ctx context.Context, seq uint64, subject, reason string, data []byte) error {
	return p.customers.Park(ctx, seq, subject, reason, data)
}

// CustomerCheckpoint implements Store.
func (p *Postgres) CustomerCheckpoint(ctx context.Context) (uint64, error) {
	return p.customers.Checkpoint(ctx)
}

// GetCustomer implements Store.
func (p *Postgres) GetCustomer(ctx context.Context, tenant, id string) (domain.Customer, error) {
	return getOne[domain.Customer](ctx, p.pool, "customer", `SELECT data FROM orders.customers WHERE tenant = $1 AND customer_id = $2`, tenant, id)
}

// GetOrder implements Store.
func (p *Postgres) GetOrder(ctx context.Context, tenant, id string) (domain.Order, error) {
	return getOne[domain.Order](ctx, p.pool, "order", `SELECT data FROM orders.orders WHERE tenant = $1 AND order_id = $2`, tenant, id)
}

// ListOrders implements Store.
func (p *Postgres) ListOrders(ctx context.Context, tenant string, f OrderFilter) ([]domain.Order, error) {
	if f.Limit <= 0 {
		return nil, ErrBadFilter
	}
	rows, err := p.pool.Query(ctx, `SELECT data FROM orders.orders
		WHERE tenant = $1 AND ($2 = '' OR customer_id = $2) AND ($3 = '' OR seller_id = $3) AND ($4 = 0 OR status = $4)
		  AND ($5::timestamptz IS NULL OR created_at >= $5) AND ($6::timestamptz IS NULL OR created_at < $6)
		  AND ($7 = '' OR (created_at, order_id) > ($8, $7))
		ORDER BY created_at, order_id LIMIT $9`,
		tenant, f.CustomerID, f.SellerID, int(f.Status), nullTime(f.CreatedFrom), nullTime(f.CreatedTo),
		f.AfterID, f.AfterCreated, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: list orders: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[domain.Order])
	if err != nil {
		return nil, fmt.Errorf("store: list orders: %w", err)
	}
	return out, nil
}

// Funnel implements Store.
func (p *Postgres) Funnel(ctx context.Context, tenant string, f FunnelFilter) ([]domain.FunnelRow, error) {
	if !f.From.Before(f.To) {
		return nil, ErrBadFilter
	}
	rows, err := p.pool.Query(ctx, `SELECT seller_id,
		  count(*) FILTER (WHERE created_at >= $3 AND created_at < $4),
		  count(*) FILTER (WHERE won_at >= $3 AND won_at < $4),
		  count(*) FILTER (WHERE lost_at >= $3 AND lost_at < $4),
		  count(*) FILTER (WHERE cancelled_at >= $3 AND cancelled_at < $4)
		FROM orders.orders
		WHERE tenant = $1 AND ($2 = '' OR seller_id = $2)
		  AND ((created_at >= $3 AND created_at < $4) OR (won_at >= $3 AND won_at < $4)
		    OR (lost_at >= $3 AND lost_at < $4) OR (cancelled_at >= $3 AND cancelled_at < $4))
		GROUP BY seller_id ORDER BY seller_id`, tenant, f.SellerID, f.From, f.To)
	if err != nil {
		return nil, fmt.Errorf("store: funnel: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.FunnelRow, error) {
		var r domain.FunnelRow
		err := row.Scan(&r.EmployeeID, &r.Created, &r.Won, &r.Lost, &r.Cancelled)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: funnel: %w", err)
	}
	return out, nil
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
