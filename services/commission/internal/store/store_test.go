package store_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/holdfast/holdfast/pkg/testkit"
	"github.com/holdfast/holdfast/services/commission/internal/store"
	"github.com/holdfast/holdfast/services/commission/internal/store/storetest"
)

func TestMemory(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(*testing.T) store.Store { return store.NewMemory() })
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store {
		pool := testkit.NewDatabase(t, "commission", func(ctx context.Context, pool *pgxpool.Pool) error {
			return store.Migrate(ctx, pool)
		})
		return store.NewPostgres(pool)
	})
}
