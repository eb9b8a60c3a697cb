package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/holdfast/holdfast/pkg/testkit"
	"github.com/holdfast/holdfast/services/risk/internal/store"
	"github.com/holdfast/holdfast/services/risk/internal/store/storetest"
)

func TestMemory(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(*testing.T) store.Store { return store.NewMemory() })
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store {
		pool := testkit.NewDatabase(t, "risk", func(ctx context.Context, pool *pgxpool.Pool) error {
			return store.Migrate(ctx, pool)
		})
		return store.NewPostgres(pool)
	})
}

// TestClaimPartition: the first claim decides whose read model a schema
// is; the same tenants in any order are that partition again, and any
// other set, every tenant included, is refused without changing the claim.
func TestClaimPartition(t *testing.T) {
	t.Parallel()
	fresh := func(t *testing.T) *pgxpool.Pool {
		return testkit.NewDatabase(t, "risk", func(ctx context.Context, pool *pgxpool.Pool) error {
			return store.Migrate(ctx, pool)
		})
	}
	claimed := func(t *testing.T, pool *pgxpool.Pool) []string {
		t.Helper()
		var got []string
		if err := pool.QueryRow(t.Context(), `SELECT tenants FROM risk.read_model_partition`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, tc := range []struct {
		name    string
		first   []string
		same    [][]string
		refused map[string][]string // what the error names → tenants
		stored  []string
	}{
		{
			name: "two tenants", first: []string{"initech", "acme", "acme"},
			same: [][]string{{"acme", "initech"}, {"initech", "acme"}},
			refused: map[string][]string{
				"serves tenants acme":             {"acme"},
				"serves tenants acme, globex":     {"globex", "acme"},
				"serves every tenant":             nil,
				"serves tenants acme, initech, x": {"acme", "initech", "x"},
			},
			stored: []string{"acme", "initech"},
		},
		{
			name: "every tenant", first: nil,
			same:    [][]string{nil, {}},
			refused: map[string][]string{"serves tenants acme": {"acme"}},
			stored:  []string{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pool := fresh(t)
			if err := store.ClaimPartition(t.Context(), pool, tc.first); err != nil {
				t.Fatalf("first claim: %v", err)
			}
			for _, same := range tc.same {
				if err := store.ClaimPartition(t.Context(), pool, same); err != nil {
					t.Errorf("claim %q again: %v", same, err)
				}
			}
			for names, other := range tc.refused {
				err := store.ClaimPartition(t.Context(), pool, other)
				if !errors.Is(err, store.ErrOtherPartition) {
					t.Errorf("claim %q: err = %v, want ErrOtherPartition", other, err)
					continue
				}
				if !strings.Contains(err.Error(), names) {
					t.Errorf("claim %q: %q does not say the process %s", other, err, names)
				}
			}
			if got := claimed(t, pool); !slices.Equal(got, tc.stored) {
				t.Errorf("the schema is claimed by %q, want %q", got, tc.stored)
			}
		})
	}

	// Two processes starting at once on one schema: exactly one claims it.
	pool := fresh(t)
	errs := make(chan error, 2)
	for _, tenants := range [][]string{{"acme"}, {"globex"}} {
		go func() { errs <- store.ClaimPartition(t.Context(), pool, tenants) }()
	}
	first, second := <-errs, <-errs
	if (first == nil) == (second == nil) {
		t.Errorf("concurrent claims returned %v and %v, want exactly one refused", first, second)
	}
	for _, err := range []error{first, second} {
		if err != nil && !errors.Is(err, store.ErrOtherPartition) {
			t.Errorf("concurrent claim: %v, want ErrOtherPartition", err)
		}
	}
}
