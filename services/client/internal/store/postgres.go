package store

import (
	"context"
	"errors"
	"fmt"
	"time"

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
	return p.ApplyAt(ctx, seq, func(tx pgx.Tx) error {
		for _, c := range customers {
			if err := upsertCustomer(ctx, tx, c); err != nil {
				return err
			}
			if err := addToTrail(ctx, tx, c.Tenant, c.ID, seq); err != nil {
				return err
			}
		}
		return nil
	})
}

// addToTrail records that the event at seq is about a customer; the same
// pair again changes nothing.
func addToTrail(ctx context.Context, tx pgx.Tx, tenant, customerID string, seq uint64) error {
	if _, err := tx.Exec(ctx, `INSERT INTO client.customer_trail (tenant, customer_id, sequence) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, tenant, customerID, int64(seq)); err != nil { //nolint:gosec // stream sequences stay far below 2^63
		return fmt.Errorf("store: add to trail: %w", err)
	}
	return nil
}

// ApplyClaim implements Store.
func (p *Postgres) ApplyClaim(ctx context.Context, seq uint64, claim Claim, c domain.Customer) error {
	return p.ApplyAt(ctx, seq, func(tx pgx.Tx) error {
		if err := upsertCustomer(ctx, tx, c); err != nil {
			return err
		}
		if err := addToTrail(ctx, tx, c.Tenant, c.ID, seq); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO client.claims (tenant, employee_id, customer_id, claimed_at) VALUES ($1, $2, $3, $4)`,
			claim.Tenant, claim.EmployeeID, claim.CustomerID, claim.At); err != nil {
			return fmt.Errorf("store: record claim: %w", err)
		}
		return nil
	})
}

// upsertCustomer writes a customer and replaces its identity keys. data is
// jsonb: pgx encodes the struct with encoding/json.
func upsertCustomer(ctx context.Context, tx pgx.Tx, c domain.Customer) error {
	if _, err := tx.Exec(ctx, `INSERT INTO client.customers (tenant, customer_id, owner_id, source, idle_since, data)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (tenant, customer_id) DO UPDATE
		SET owner_id = EXCLUDED.owner_id, source = EXCLUDED.source, idle_since = EXCLUDED.idle_since, data = EXCLUDED.data`,
		c.Tenant, c.ID, c.OwnerID, int(c.Source), c.IdleSince(), c); err != nil {
		return fmt.Errorf("store: upsert customer: %w", err)
	}
	if err := changeHolder(ctx, tx, c); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM client.customer_identities WHERE tenant = $1 AND customer_id = $2`, c.Tenant, c.ID); err != nil {
		return fmt.Errorf("store: replace identities: %w", err)
	}
	kinds, values := identityRows(domain.KeysOf(c))
	if _, err := tx.Exec(ctx, `INSERT INTO client.customer_identities (tenant, kind, value, customer_id)
		SELECT $1, k, v, $2 FROM unnest($3::text[], $4::text[]) AS t(k, v) ON CONFLICT DO NOTHING`,
		c.Tenant, c.ID, kinds, values); err != nil {
		return fmt.Errorf("store: write identities: %w", err)
	}
	return nil
}

// identityRows flattens identity keys into parallel (kind, value) arrays.
func identityRows(k domain.IdentityKeys) (kinds, values []string) {
	add := func(kind, v string) {
		if v != "" {
			kinds, values = append(kinds, kind), append(values, v)
		}
	}
	for _, ph := range k.Phones {
		add("phone", ph)
	}
	add("email", k.Email)
	add("wechat_id", k.WeChatID)
	add("company", k.Company)
	return kinds, values
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
	var idleBefore *time.Time
	if !f.IdleBefore.IsZero() {
		idleBefore = &f.IdleBefore
	}
	rows, err := p.Pool.Query(ctx, `SELECT data FROM client.customers
		WHERE tenant = $1 AND ($2 = '' OR owner_id = $2) AND customer_id > $3
		  AND (NOT $5 OR owner_id = '') AND ($6 = 0 OR source = $6)
		  AND ($7::timestamptz IS NULL OR (owner_id <> '' AND idle_since <= $7))
		  AND ($8 OR (owner_id = '' AND $9) OR (owner_id <> '' AND owner_id = ANY($10::text[])))
		ORDER BY customer_id LIMIT $4`, tenant, f.OwnerID, f.After, f.Limit, f.InPool, int(f.Source), idleBefore,
		f.Holders == nil, f.Holders != nil && f.Holders.Pool, holderIDs(f.Holders))
	if err != nil {
		return nil, fmt.Errorf("store: list customers: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[domain.Customer])
	if err != nil {
		return nil, fmt.Errorf("store: list customers: %w", err)
	}
	return out, nil
}

// holderIDs is the employees of h as a query parameter (never nil).
func holderIDs(h *Holders) []string {
	if h == nil || h.Employees == nil {
		return []string{}
	}
	return h.Employees
}

func (p *Postgres) collect(ctx context.Context, what, sql string, args ...any) ([]domain.Customer, error) {
	rows, err := p.Pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[domain.Customer])
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// FindByIdentity implements Store.
func (p *Postgres) FindByIdentity(ctx context.Context, tenant string, keys domain.IdentityKeys) ([]domain.Customer, error) {
	kinds, values := identityRows(keys)
	return p.collect(ctx, "find by identity", `SELECT c.data FROM client.customers c
		WHERE c.tenant = $1 AND c.customer_id IN (
			SELECT i.customer_id FROM client.customer_identities i
			JOIN unnest($2::text[], $3::text[]) AS k(kind, value) ON i.kind = k.kind AND i.value = k.value
			WHERE i.tenant = $1)
		ORDER BY c.customer_id`, tenant, kinds, values)
}

// CountHeld implements Store.
func (p *Postgres) CountHeld(ctx context.Context, tenant, employee string) (int, error) {
	var n int
	if err := p.Pool.QueryRow(ctx, `SELECT count(*) FROM client.customers WHERE tenant = $1 AND owner_id = $2`, tenant, employee).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count held: %w", err)
	}
	return n, nil
}

// CountClaimsSince implements Store.
func (p *Postgres) CountClaimsSince(ctx context.Context, tenant, employee string, since time.Time) (int, error) {
	var n int
	if err := p.Pool.QueryRow(ctx, `SELECT count(*) FROM client.claims WHERE tenant = $1 AND employee_id = $2 AND claimed_at >= $3`,
		tenant, employee, since).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count claims: %w", err)
	}
	return n, nil
}

// IdleHeld implements Store.
func (p *Postgres) IdleHeld(ctx context.Context, tenant string, cutoff time.Time, limit int) ([]domain.Customer, error) {
	if limit <= 0 {
		return nil, ErrBadFilter
	}
	return p.collect(ctx, "idle held", `SELECT data FROM client.customers
		WHERE tenant = $1 AND owner_id <> '' AND idle_since < $2 ORDER BY customer_id LIMIT $3`, tenant, cutoff, limit)
}

// Tenants implements Store.
func (p *Postgres) Tenants(ctx context.Context) ([]string, error) {
	rows, err := p.Pool.Query(ctx, `SELECT DISTINCT tenant FROM client.customers ORDER BY tenant`)
	if err != nil {
		return nil, fmt.Errorf("store: tenants: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: tenants: %w", err)
	}
	return out, nil
}

// interactionColumns are read back in the order scanInteraction expects.
const interactionColumns = `tenant, interaction_id, customer_id, counterparty, employee_id, kind, direction,
	body, duration_ns, occurred_at, deleted, sequence, text_withheld`

// ApplyInteraction implements Store: the interaction, the customer it
// changes and the checkpoint in one transaction.
func (p *Postgres) ApplyInteraction(ctx context.Context, seq uint64, in domain.LoggedInteraction, customer *domain.Customer) error {
	return p.ApplyAt(ctx, seq, func(tx pgx.Tx) error {
		if customer != nil {
			if err := upsertCustomer(ctx, tx, *customer); err != nil {
				return err
			}
		}
		if in.CustomerID != "" {
			if err := addToTrail(ctx, tx, in.Tenant, in.CustomerID, seq); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO client.interactions (`+interactionColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
			ON CONFLICT (tenant, interaction_id) DO UPDATE
			SET customer_id = EXCLUDED.customer_id, counterparty = EXCLUDED.counterparty, employee_id = EXCLUDED.employee_id,
			    kind = EXCLUDED.kind, direction = EXCLUDED.direction, body = EXCLUDED.body, duration_ns = EXCLUDED.duration_ns,
			    occurred_at = EXCLUDED.occurred_at, deleted = EXCLUDED.deleted, sequence = EXCLUDED.sequence,
			    text_withheld = EXCLUDED.text_withheld`,
			in.Tenant, in.ID, in.CustomerID, in.Counterparty, in.EmployeeID, int(in.Kind), int(in.Direction),
			in.Text, int64(in.Duration), in.OccurredAt, in.Deleted, int64(in.Sequence), in.TextWithheld); err != nil { //nolint:gosec // stream sequences stay far below 2^63
			return fmt.Errorf("store: upsert interaction: %w", err)
		}
		return nil
	})
}

// scanInteraction reads one row of interactionColumns.
func scanInteraction(row pgx.CollectableRow) (domain.LoggedInteraction, error) {
	var (
		in                domain.LoggedInteraction
		kind, direction   int
		durationNs, seqNo int64
	)
	err := row.Scan(&in.Tenant, &in.ID, &in.CustomerID, &in.Counterparty, &in.EmployeeID, &kind, &direction,
		&in.Text, &durationNs, &in.OccurredAt, &in.Deleted, &seqNo, &in.TextWithheld)
	in.Kind, in.Direction = domain.InteractionKind(kind), domain.Direction(direction)
	in.Duration, in.Sequence = time.Duration(durationNs), uint64(seqNo) //nolint:gosec // written from a uint64 sequence
	return in, err
}

// GetInteraction implements Store.
func (p *Postgres) GetInteraction(ctx context.Context, tenant, id string) (domain.LoggedInteraction, error) {
	rows, err := p.Pool.Query(ctx, `SELECT `+interactionColumns+` FROM client.interactions
		WHERE tenant = $1 AND interaction_id = $2`, tenant, id)
	if err != nil {
		return domain.LoggedInteraction{}, fmt.Errorf("store: get interaction: %w", err)
	}
	in, err := pgx.CollectExactlyOneRow(rows, scanInteraction)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.LoggedInteraction{}, ErrNotFound
	}
	if err != nil {
		return domain.LoggedInteraction{}, fmt.Errorf("store: get interaction: %w", err)
	}
	return in, nil
}

// ListInteractions implements Store.
func (p *Postgres) ListInteractions(ctx context.Context, tenant string, f InteractionFilter) ([]domain.LoggedInteraction, error) {
	if f.Limit <= 0 {
		return nil, ErrBadFilter
	}
	rows, err := p.Pool.Query(ctx, `SELECT `+interactionColumns+` FROM client.interactions
		WHERE tenant = $1 AND ($2 = '' OR customer_id = $2) AND ($3 = '' OR employee_id = $3)
		  AND ($4 OR NOT deleted) AND ($5 = 0 OR sequence < $5)
		ORDER BY sequence DESC LIMIT $6`,
		tenant, f.CustomerID, f.EmployeeID, f.IncludeDeleted, int64(f.Before), f.Limit) //nolint:gosec // stream sequences stay far below 2^63
	if err != nil {
		return nil, fmt.Errorf("store: list interactions: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanInteraction)
	if err != nil {
		return nil, fmt.Errorf("store: list interactions: %w", err)
	}
	return out, nil
}

// ApplyMention implements Store.
func (p *Postgres) ApplyMention(ctx context.Context, seq uint64, tenant, customerID string) error {
	return p.ApplyAt(ctx, seq, func(tx pgx.Tx) error {
		return addToTrail(ctx, tx, tenant, customerID, seq)
	})
}

// CustomerTrail implements Store.
func (p *Postgres) CustomerTrail(ctx context.Context, tenant, customerID string, after uint64, limit int) ([]uint64, error) {
	if limit <= 0 {
		return nil, ErrBadFilter
	}
	rows, err := p.Pool.Query(ctx, `SELECT sequence FROM client.customer_trail
		WHERE tenant = $1 AND customer_id = $2 AND sequence > $3 ORDER BY sequence LIMIT $4`,
		tenant, customerID, int64(after), limit) //nolint:gosec // stream sequences stay far below 2^63
	if err != nil {
		return nil, fmt.Errorf("store: customer trail: %w", err)
	}
	seqs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("store: customer trail: %w", err)
	}
	out := make([]uint64, len(seqs))
	for i, s := range seqs {
		out[i] = uint64(s) //nolint:gosec // written from a uint64 sequence
	}
	return out, nil
}
