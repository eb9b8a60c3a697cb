package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/holdfast/holdfast/pkg/pgstore"
	"github.com/holdfast/holdfast/services/client/internal/domain"
	"github.com/holdfast/holdfast/services/client/migrations"
)

var _ Store = (*Postgres)(nil)

// projection names this read model's checkpoint row.
const projection = "customers"

// Postgres is the read model in PostgreSQL, in the "client" schema.
type Postgres struct {
	// Projection supplies the checkpointed transaction, Park and Checkpoint.
	pgstore.Projection
}

// NewPostgres returns a read model over a migrated pool (see Migrate).
func NewPostgres(pool *pgxpool.Pool) *Postgres {
	return &Postgres{pgstore.Projection{Pool: pool, Schema: migrations.Schema, Name: projection, Stream: "CLIENT"}}
}

// Migrate applies the client schema's migrations.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return pgstore.Migrate(ctx, pool, migrations.Schema, migrations.FS)
}

// Apply implements Store: the customers and the checkpoint in one transaction.
func (p *Postgres) Apply(ctx context.Context, seq uint64, customers ...domain.Customer) error {
	// data is jsonb: pgx encodes the struct with encoding/json.
	return p.ApplyAt(ctx, seq, func(tx pgx.Tx) error {
		for _, c := range customers {
			if _, err := tx.Exec(ctx, `INSERT INTO client.customers (tenant, customer_id, owner_id, data)
				VALUES ($1, $2, $3, $4)
				ON CONFLICT (tenant, customer_id) DO UPDATE SET owner_id = EXCLUDED.owner_id, data = EXCLUDED.data`,
				c.Tenant, c.ID, c.OwnerID, c); err != nil {
				return fmt.Errorf("store: upsert customer: %w", err)
			}
		}
		return nil
	})
}

// GetCustomer implements Store.
func (p *Postgres) GetCustomer(ctx context.Context, tenant, id string) (domain.Customer, error) {
	rows, err := p.Pool.Query(ctx, `SELECT data FROM client.customers WHERE tenant = $1 AND customer_id = $2`, tenant, id)
	if err != nil {
		return domain.Customer{}, fmt.Errorf("store: get customer: %w", err)
	}
	v, err := pgx.CollectExactlyOneRow(rows, pgx.RowTo[domain.Customer])
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Customer{}, ErrNotFound
	}
	if err != nil {
		return domain.Customer{}, fmt.Errorf("store: get customer: %w", err)
	}
	return v, nil
}

// ListCustomers implements Store.
func (p *Postgres) ListCustomers(ctx context.Context, tenant string, f ListFilter) ([]domain.Customer, error) {
	if f.Limit <= 0 {
		return nil, ErrBadFilter
	}
	rows, err := p.Pool.Query(ctx, `SELECT data FROM client.customers
		WHERE tenant = $1 AND ($2 = '' OR owner_id = $2) AND customer_id > $3
		ORDER BY customer_id LIMIT $4`, tenant, f.OwnerID, f.After, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: list customers: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[domain.Customer])
	if err != nil {
		return nil, fmt.Errorf("store: list customers: %w", err)
	}
	return out, nil
}
