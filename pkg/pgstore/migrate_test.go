package pgstore_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/holdfast/holdfast/pkg/pgstore"
)

// tablesIn lists the tables of schema.
func tablesIn(t *testing.T, q pgstore.Querier, schema string) []string {
	t.Helper()
	rows, err := q.Query(t.Context(),
		"SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name", schema)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

// appliedVersions lists the migration versions goose recorded in schema.
func appliedVersions(t *testing.T, q pgstore.Querier, schema string) []int64 {
	t.Helper()
	rows, err := q.Query(t.Context(),
		"SELECT version_id FROM "+schema+".goose_db_version WHERE is_applied ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	var versions []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		versions = append(versions, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return versions
}

var (
	wantTables   = []string{"checkpoints", "goose_db_version", "parked_events", "widgets"}
	wantVersions = []int64{0, 1, 2}
)

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	schema := newSchemaName(t, pool)

	for i := range 2 {
		if err := pgstore.Migrate(t.Context(), pool, schema, testMigrations(t)); err != nil {
			t.Fatalf("Migrate #%d: %v", i+1, err)
		}
		if diff := cmp.Diff(wantTables, tablesIn(t, pool, schema)); diff != "" {
			t.Errorf("after Migrate #%d tables mismatch (-want, +got):\n%s", i+1, diff)
		}
		if diff := cmp.Diff(wantVersions, appliedVersions(t, pool, schema)); diff != "" {
			t.Errorf("after Migrate #%d versions mismatch (-want, +got):\n%s", i+1, diff)
		}
	}
	// The migration's unqualified names went into the schema, not public.
	if n := countRows(t, pool,
		"SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('widgets', 'goose_db_version')"); n != 0 {
		t.Errorf("%d migration tables landed in public", n)
	}
	if n := countRows(t, pool, "SELECT count(*) FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'widgets' AND column_name = 'colour'", schema); n != 1 {
		t.Errorf("widgets.colour columns = %d, want 1", n)
	}
}

func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	schema := newSchemaName(t, pool)

	const callers = 4
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			errs[i] = pgstore.Migrate(t.Context(), pool, schema, testMigrations(t))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Migrate #%d: %v", i+1, err)
		}
	}
	if diff := cmp.Diff(wantTables, tablesIn(t, pool, schema)); diff != "" {
		t.Errorf("tables mismatch (-want, +got):\n%s", diff)
	}
	// Each migration applied exactly once.
	if diff := cmp.Diff(wantVersions, appliedVersions(t, pool, schema)); diff != "" {
		t.Errorf("versions mismatch (-want, +got):\n%s", diff)
	}
}

func TestMigrateSchemasAreIndependent(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	a, b := migratedSchema(t, pool), migratedSchema(t, pool)
	if _, err := pool.Exec(t.Context(), "INSERT INTO "+a+".widgets (id, name) VALUES (1, 'a')"); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, pool, "SELECT count(*) FROM "+b+".widgets"); n != 0 {
		t.Errorf("%s.widgets has %d rows, want 0", b, n)
	}
}

func TestMigrateReportsBrokenMigration(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	schema := newSchemaName(t, pool)
	broken := fstest.MapFS{
		"00001_ok.sql":     {Data: []byte("-- +goose Up\nCREATE TABLE ok (id int);\n")},
		"00002_broken.sql": {Data: []byte("-- +goose Up\nCREATE TABLE nope (id no_such_type);\n")},
	}
	if err := pgstore.Migrate(t.Context(), pool, schema, broken); err == nil {
		t.Fatal("Migrate succeeded, want an error")
	}
	// The good migration stays applied; the broken one left nothing behind.
	if diff := cmp.Diff([]string{"checkpoints", "goose_db_version", "ok", "parked_events"}, tablesIn(t, pool, schema)); diff != "" {
		t.Errorf("tables mismatch (-want, +got):\n%s", diff)
	}
	// The lock was released: a fixed set migrates.
	fixed := fstest.MapFS{
		"00001_ok.sql":    broken["00001_ok.sql"],
		"00002_fixed.sql": {Data: []byte("-- +goose Up\nCREATE TABLE fixed (id int);\n")},
	}
	if err := pgstore.Migrate(t.Context(), pool, schema, fixed); err != nil {
		t.Fatalf("Migrate after fix: %v", err)
	}
}

func TestMigrateWithoutMigrations(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	schema := newSchemaName(t, pool)
	// Files one directory down are not found: the caller forgot fs.Sub.
	if err := pgstore.Migrate(t.Context(), pool, schema, embedded); err == nil {
		t.Fatal("Migrate of an fs without migrations at its root succeeded, want an error")
	}
}

func TestSchemaNamesAreValidated(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	bad := []string{
		"",
		"Client",
		"1client",
		"client-a",
		"client;drop",
		`client"`,
		"client schema",
		"pg_client",
		"a234567890123456789012345678901234567890123456789012345678901234", // 64 characters
	}
	for _, schema := range bad {
		t.Run(schema, func(t *testing.T) {
			t.Parallel()
			checks := map[string]error{
				"Migrate":        pgstore.Migrate(t.Context(), pool, schema, testMigrations(t)),
				"LoadCheckpoint": loadErr(t, pool, schema),
				"SaveCheckpoint": pgstore.InTx(t.Context(), pool, func(tx pgx.Tx) error {
					return pgstore.SaveCheckpoint(t.Context(), tx, schema, "p", 1)
				}),
				"ParkEvent": pgstore.InTx(t.Context(), pool, func(tx pgx.Tx) error {
					return pgstore.ParkEvent(t.Context(), tx, schema, "p", "s", 1, "subj", "why", nil)
				}),
			}
			for name, err := range checks {
				if !errors.Is(err, pgstore.ErrInvalidSchema) {
					t.Errorf("%s(%q) = %v, want ErrInvalidSchema", name, schema, err)
				}
			}
		})
	}
	// The longest valid name works end to end.
	long := newSchemaName(t, pool)
	long += strings.Repeat("x", 63-len(long))
	dropSchemaAtCleanup(t, pool, long)
	if err := pgstore.Migrate(t.Context(), pool, long, testMigrations(t)); err != nil {
		t.Errorf("Migrate(63-character name): %v", err)
	}
}

func loadErr(t *testing.T, q pgstore.Querier, schema string) error {
	_, err := pgstore.LoadCheckpoint(t.Context(), q, schema, "p")
	return err
}
