package store

import (
	"context"
	"encoding/json"
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
	pool *pgxpool.Pool
}

// NewPostgres returns a read model over a migrated pool (see Migrate).
func NewPostgres(pool *pgxpool.Pool) *Postgres { return &Postgres{pool: pool} }

// Migrate applies the client schema's migrations.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return pgstore.Migrate(ctx, pool, migrations.Schema, migrations.FS)
}

// Apply implements Store: the customers and the checkpoint in one transaction.
func (p *Postgres) Apply(ctx context.Context, seq uint64, customers ...domain.Customer) error {
	return p.inTxAt(ctx, seq, func(tx pgx.Tx) error {
		for _, c := range customers {
			data, err := json.Marshal(c)
			if err != nil {
				return fmt.Errorf("store: encode customer: %w", err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO client.customers (tenant, customer_id, owner_id, data)
				VALUES ($1, $2, $3, $4)
				ON CONFLICT (tenant, customer_id) DO UPDATE SET owner_id = EXCLUDED.owner_id, data = EXCLUDED.data`,
				c.Tenant, c.ID, c.OwnerID, data); err != nil {
				return fmt.Errorf("store: upsert customer: %w", err)
			}
		}
		return nil
	})
}

// inTxAt runs fn and saves checkpoint seq in one transaction, unless seq is
// already applied.
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

// Park implements Store.
func (p *Postgres) Park(ctx context.Context, seq uint64, subject, reason string, data []byte) error {
	return p.inTxAt(ctx, seq, func(tx pgx.Tx) error {
		return pgstore.ParkEvent(ctx, tx, migrations.Schema, projection, "CLIENT", seq, subject, reason, data)
	})
}

// Checkpoint implements Store.
func (p *Postgres) Checkpoint(ctx context.Context) (uint64, error) {
	return pgstore.LoadCheckpoint(ctx, p.pool, migrations.Schema, projection)
}

// GetCustomer implements Store.
func (p *Postgres) GetCustomer(ctx context.Context, tenant, id string) (domain.Customer, error) {
	var data []byte
	err := p.pool.QueryRow(ctx, `SELECT data FROM client.customers WHERE tenant = $1 AND customer_id = $2`, tenant, id).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Customer{}, ErrNotFound
	}
	if err != nil {
		return domain.Customer{}, fmt.Errorf("store: get customer: %w", err)
	}
	var c domain.Customer
	if err := json.Unmarshal(data, &c); err != nil {
		return domain.Customer{}, fmt.Errorf("store: decode customer: %w", err)
	}
	return c, nil
}

// ListCustomers implements Store.
func (p *Postgres) ListCustomers(ctx context.Context, tenant string, f ListFilter) ([]domain.Customer, error) {
	if f.Limit <= 0 {
		return nil, ErrBadFilter
	}
	rows, err := p.pool.Query(ctx, `SELECT data FROM client.customers
		WHERE tenant = $1 AND ($2 = '' OR owner_id = $2) AND customer_id > $3
		ORDER BY customer_id LIMIT $4`, tenant, f.OwnerID, f.After, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: list customers: %w", err)
	}
	defer rows.Close()
	var out []domain.Customer
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("store: list customers: %w", err)
		}
		var c domain.Customer
		if err := json.Unmarshal(data, &c); err != nil {
			return nil, fmt.Errorf("store: decode customer: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list customers: %w", err)
	}
	return out, nil
}
