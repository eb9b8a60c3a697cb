package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrOtherPartition is returned by ClaimPartition when the schema's read
// model belongs to a process serving other tenants.
var ErrOtherPartition = errors.New("store: the risk read model in this database belongs to another partition")

// ClaimPartition records that the risk schema's read model follows the
// partition serving tenants (nil: every tenant), or checks that it already
// does. The views keep one checkpoint each, so two partitions sharing a
// schema, or one whose tenants changed, would resume from checkpoints that
// skipped the other tenants' records: their alerts would silently be
// missing. That is refused with ErrOtherPartition; the order of tenants
// does not matter.
func ClaimPartition(ctx context.Context, pool *pgxpool.Pool, tenants []string) error {
	want := slices.Compact(slices.Sorted(slices.Values(tenants)))
	if want == nil {
		want = []string{}
	}
	if _, err := pool.Exec(ctx, `INSERT INTO risk.read_model_partition (tenants) VALUES ($1)
		ON CONFLICT (only_row) DO NOTHING`, want); err != nil {
		return fmt.Errorf("store: claim partition: %w", err)
	}
	var got []string
	if err := pool.QueryRow(ctx, `SELECT tenants FROM risk.read_model_partition`).Scan(&got); err != nil {
		return fmt.Errorf("store: read partition: %w", err)
	}
	if !slices.Equal(got, want) {
		return fmt.Errorf("%w: it follows %s, this process serves %s. Give each partition a database of its own, "+
			"or drop the risk schema (DROP SCHEMA risk CASCADE) so that this process rebuilds it from the streams",
			ErrOtherPartition, describeTenants(got), describeTenants(want))
	}
	return nil
}

// describeTenants names a partition's tenants for an operator.
func describeTenants(tenants []string) string {
	if len(tenants) == 0 {
		return "every tenant"
	}
	return "tenants " + strings.Join(tenants, ", ")
}
