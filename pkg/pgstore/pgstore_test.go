package pgstore_test

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/holdfast/holdfast/pkg/pgstore"
)

// These tests share the server's test database and isolate themselves by
// schema rather than through testkit, so that pgstore's tests do not depend on
// (or wait for) the rest of testkit.

//go:embed testdata/migrations/*.sql
var embedded embed.FS

func testMigrations(t testing.TB) fs.FS {
	t.Helper()
	sub, err := fs.Sub(embedded, "testdata/migrations")
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func databaseURL() string {
	if u := os.Getenv("HOLDFAST_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

var (
	reachOnce sync.Once
	reachErr  error
)

// testPool returns a pool on the test database, closed at cleanup. A server
// that does not answer skips the test, except in CI where it fails it.
func testPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	reachOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, databaseURL())
		if err != nil {
			reachErr = err
			return
		}
		reachErr = conn.Close(ctx)
	})
	if reachErr != nil {
		msg := fmt.Sprintf("PostgreSQL does not answer (%v); run scripts/ensure-postgres.sh or set HOLDFAST_TEST_DATABASE_URL", reachErr)
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	pool, err := pgstore.Open(t.Context(), databaseURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// newSchemaName returns a schema name nobody else uses and drops the schema
// at cleanup.
func newSchemaName(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	schema := fmt.Sprintf("pgstore_test_%016x", rand.Uint64())
	dropSchemaAtCleanup(t, pool, schema)
	return schema
}

func dropSchemaAtCleanup(t *testing.T, pool *pgxpool.Pool, schema string) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
}

// migratedSchema returns a fresh schema holding the testdata migrations.
func migratedSchema(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	schema := newSchemaName(t, pool)
	if err := pgstore.Migrate(t.Context(), pool, schema, testMigrations(t)); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return schema
}

func countRows(t *testing.T, q pgstore.Querier, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := q.QueryRow(t.Context(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}
