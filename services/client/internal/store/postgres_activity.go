package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// changeHolder keeps holdings in step with a customer being written: an
// open holding of another employee closes at HeldSince (never before it
// began), and a held customer without an open holding opens one.
func changeHolder(ctx context.Context, tx pgx.Tx, c domain.Customer) error {
	if _, err := tx.Exec(ctx, `UPDATE client.holdings SET held_until = greatest(held_from, $3)
		WHERE tenant = $1 AND customer_id = $2 AND held_until IS NULL AND employee_id <> $4`,
		c.Tenant, c.ID, c.HeldSince, c.OwnerID); err != nil {
		return fmt.Errorf("store: close holding: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO client.holdings (tenant, customer_id, employee_id, held_from)
		SELECT $1, $2, $3, $4 WHERE $3 <> '' AND NOT EXISTS (
			SELECT 1 FROM client.holdings WHERE tenant = $1 AND customer_id = $2 AND held_until IS NULL)`,
		c.Tenant, c.ID, c.OwnerID, c.HeldSince); err != nil {
		return fmt.Errorf("store: open holding: %w", err)
	}
	return nil
}

// Holdings implements Activity.
func (p *Postgres) Holdings(ctx context.Context, tenant string, employees []string, from, to time.Time) ([]domain.Holding, error) {
	rows, err := p.Pool.Query(ctx, `SELECT tenant, customer_id, employee_id, held_from, held_until FROM client.holdings
		WHERE tenant = $1 AND employee_id = ANY($2::text[])
		  AND (held_until IS NULL OR (held_from < $4 AND held_until > $3))
		ORDER BY employee_id, customer_id, held_from, id`, tenant, nonNil(employees), from, to)
	if err != nil {
		return nil, fmt.Errorf("store: holdings: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.Holding, error) {
		var (
			h     domain.Holding
			until *time.Time
		)
		err := row.Scan(&h.Tenant, &h.CustomerID, &h.EmployeeID, &h.From, &until)
		if until != nil {
			h.Until = *until
		}
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: holdings: %w", err)
	}
	return out, nil
}

// Touches implements Activity.
func (p *Postgres) Touches(ctx context.Context, tenant string, employees []string, from, to time.Time) ([]domain.Touch, error) {
	rows, err := p.Pool.Query(ctx, `SELECT employee_id, customer_id, occurred_at FROM client.interactions
		WHERE tenant = $1 AND employee_id = ANY($2::text[]) AND customer_id <> ''
		  AND occurred_at >= $3 AND occurred_at < $4
		ORDER BY occurred_at, sequence`, tenant, nonNil(employees), from, to)
	if err != nil {
		return nil, fmt.Errorf("store: touches: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[domain.Touch])
	if err != nil {
		return nil, fmt.Errorf("store: touches: %w", err)
	}
	return out, nil
}

// RegisteredBetween implements Activity. The registration is read from the
// customer's document: reports are rare, and a column would need a replay
// of its own.
func (p *Postgres) RegisteredBetween(ctx context.Context, tenant string, employees []string, from, to time.Time) ([]domain.Customer, error) {
	return p.collect(ctx, "registered between", `SELECT data FROM client.customers
		WHERE tenant = $1 AND data->>'RegisteredBy' = ANY($2::text[])
		  AND (data->>'RegisteredAt')::timestamptz >= $3 AND (data->>'RegisteredAt')::timestamptz < $4
		ORDER BY customer_id`, tenant, nonNil(employees), from, to)
}

// FirstContacts implements Activity.
func (p *Postgres) FirstContacts(ctx context.Context, tenant string, employees, counterparties []string) ([]domain.FirstContact, error) {
	rows, err := p.Pool.Query(ctx, `SELECT employee_id, counterparty, min(occurred_at) FROM client.interactions
		WHERE tenant = $1 AND employee_id = ANY($2::text[]) AND counterparty = ANY($3::text[]) AND counterparty <> ''
		GROUP BY employee_id, counterparty ORDER BY employee_id, counterparty`, tenant, nonNil(employees), nonNil(counterparties))
	if err != nil {
		return nil, fmt.Errorf("store: first contacts: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[domain.FirstContact])
	if err != nil {
		return nil, fmt.Errorf("store: first contacts: %w", err)
	}
	return out, nil
}

// nonNil is ids as a query parameter: never nil, which pgx would send as NULL.
func nonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}
