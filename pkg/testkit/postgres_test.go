package testkit

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/holdfast/holdfast/pkg/pgstore"
)

var pgTestMigrations = fstest.MapFS{
	"00001_items.sql": {Data: []byte("-- +goose Up\nCREATE TABLE items (id int PRIMARY KEY);\n")},
}

// pgMigrateKit is a service-like migration: a goose set in its own schema.
func pgMigrateKit(ctx context.Context, pool *pgxpool.Pool) error {
	return pgstore.Migrate(ctx, pool, "kit", pgTestMigrations)
}

// pgAdminConn opens a connection to the configured server database, apart
// from the one testkit uses.
func pgAdminConn(t *testing.T) *pgx.Conn {
	t.Helper()
	pgServerFor(t) // skip or fail as NewDatabase would
	ctx, cancel := context.WithTimeout(context.Background(), pgConnectTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, pgShared.srv.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func pgDatabaseExists(t *testing.T, conn *pgx.Conn, name string) bool {
	t.Helper()
	var exists bool
	if err := conn.QueryRow(t.Context(),
		"SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	return exists
}

func pgCurrentDatabase(t *testing.T, q pgstore.Querier) string {
	t.Helper()
	var name string
	if err := q.QueryRow(t.Context(), "SELECT current_database()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}

func pgCountItems(t *testing.T, q pgstore.Querier) int {
	t.Helper()
	var n int
	if err := q.QueryRow(t.Context(), "SELECT count(*) FROM kit.items").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNewDatabaseIsolatesTestsAndDropsThem(t *testing.T) {
	t.Parallel()
	admin := pgAdminConn(t)

	var first string
	t.Run("first", func(t *testing.T) {
		pool := NewDatabase(t, "kit", pgMigrateKit)
		first = pgCurrentDatabase(t, pool)
		if _, err := pool.Exec(t.Context(), "INSERT INTO kit.items (id) VALUES (1)"); err != nil {
			t.Fatal(err)
		}
		if n := pgCountItems(t, pool); n != 1 {
			t.Fatalf("items = %d, want 1", n)
		}
		if !pgDatabaseExists(t, admin, first) {
			t.Fatalf("database %s missing during the test", first)
		}
	})
	if first == "" {
		t.Fatal("first subtest did not get a database")
	}
	if pgDatabaseExists(t, admin, first) {
		t.Errorf("database %s still exists after its test", first)
	}

	t.Run("second", func(t *testing.T) {
		pool := NewDatabase(t, "kit", pgMigrateKit)
		if name := pgCurrentDatabase(t, pool); name == first {
			t.Fatalf("second test got the first test's database %s", name)
		}
		if n := pgCountItems(t, pool); n != 0 {
			t.Errorf("items = %d, want 0: the first test's write leaked", n)
		}
	})

	t.Run("side by side", func(t *testing.T) {
		a, b := NewDatabase(t, "kit", pgMigrateKit), NewDatabase(t, "kit", pgMigrateKit)
		if _, err := a.Exec(t.Context(), "INSERT INTO kit.items (id) VALUES (1)"); err != nil {
			t.Fatal(err)
		}
		if n := pgCountItems(t, b); n != 0 {
			t.Errorf("items in the other database = %d, want 0", n)
		}
	})
}

func TestNewDatabaseURL(t *testing.T) {
	t.Parallel()
	admin := pgAdminConn(t)

	var name string
	var leaked *pgx.Conn
	t.Run("open own connection", func(t *testing.T) {
		dbURL := NewDatabaseURL(t, "kit", pgMigrateKit)
		conn, err := pgx.Connect(t.Context(), dbURL)
		if err != nil {
			t.Fatal(err)
		}
		// Deliberately left open: the drop must still succeed.
		leaked = conn
		name = pgCurrentDatabase(t, conn)
		if !strings.HasPrefix(name, "holdfast_test_") {
			t.Errorf("database = %q, want a holdfast_test_ clone", name)
		}
		if n := pgCountItems(t, conn); n != 0 {
			t.Errorf("items = %d, want 0", n)
		}
	})
	if leaked != nil {
		_ = leaked.Close(context.Background())
	}
	if name == "" {
		t.Fatal("subtest did not get a database")
	}
	if pgDatabaseExists(t, admin, name) {
		t.Errorf("database %s still exists after its test", name)
	}
}

func TestNewDatabaseMigratesTemplateOnce(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	migrate := func(ctx context.Context, pool *pgxpool.Pool) error {
		calls.Add(1)
		var db string
		if err := pool.QueryRow(ctx, "SELECT current_database()").Scan(&db); err != nil {
			return err
		}
		if !strings.HasPrefix(db, "holdfast_tpl_") {
			return fmt.Errorf("migrate ran on %q, want the template", db)
		}
		return pgMigrateKit(ctx, pool)
	}
	// A template name of its own: with -count=N the binary's templates persist
	// across iterations.
	template := fmt.Sprintf("once_%08x", rand.Uint32())
	t.Run("group", func(t *testing.T) {
		for i := range 3 {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				pool := NewDatabase(t, template, migrate)
				if n := pgCountItems(t, pool); n != 0 {
					t.Errorf("items = %d, want 0", n)
				}
			})
		}
	})
	if got := calls.Load(); got != 1 {
		t.Errorf("migrate called %d times, want 1", got)
	}
}

func TestSweepDropsDatabasesOfDeadRuns(t *testing.T) {
	t.Parallel()
	admin := pgAdminConn(t)
	srv := pgShared.srv
	ctx := t.Context()

	// A live run: some other session holds its lock.
	liveID := rand.Int64N(1<<62) + 1
	holder := pgAdminConn(t)
	if _, err := holder.Exec(ctx, "SELECT pg_advisory_lock($1)", liveID); err != nil {
		t.Fatal(err)
	}
	dead := fmt.Sprintf("holdfast_test_%016x_1", rand.Int64N(1<<62)+1)
	live := fmt.Sprintf("holdfast_tpl_%016x_kit", liveID)
	for _, name := range []string{dead, live} {
		if err := srv.exec(ctx, "CREATE DATABASE "+pgIdent(name)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), pgAdminTimeout)
			defer cancel()
			if err := srv.dropDatabase(ctx, name); err != nil {
				t.Errorf("drop %s: %v", name, err)
			}
		})
	}

	if err := srv.sweep(ctx); err != nil {
		t.Fatalf("sweep: %v", err)
	}
	if pgDatabaseExists(t, admin, dead) {
		t.Errorf("database %s of a dead run survived the sweep", dead)
	}
	if !pgDatabaseExists(t, admin, live) {
		t.Errorf("database %s of a live run was swept", live)
	}
	// This binary's own databases survive too.
	pool := NewDatabase(t, "kit", pgMigrateKit)
	own := pgCurrentDatabase(t, pool)
	if err := srv.sweep(ctx); err != nil {
		t.Fatalf("sweep: %v", err)
	}
	if !pgDatabaseExists(t, admin, own) {
		t.Errorf("own database %s was swept", own)
	}
}

// pgRecordingTB records how require ends a test. Skip and Fatal end the
// calling goroutine, as testing's do.
type pgRecordingTB struct {
	testing.TB
	mu              sync.Mutex
	skipped, failed string
}

func (r *pgRecordingTB) Helper() {}

func (r *pgRecordingTB) Skip(args ...any) { r.record(&r.skipped, fmt.Sprint(args...)) }

func (r *pgRecordingTB) Skipf(format string, args ...any) {
	r.record(&r.skipped, fmt.Sprintf(format, args...))
}

func (r *pgRecordingTB) Fatal(args ...any) { r.record(&r.failed, fmt.Sprint(args...)) }

func (r *pgRecordingTB) Fatalf(format string, args ...any) {
	r.record(&r.failed, fmt.Sprintf(format, args...))
}

func (r *pgRecordingTB) record(field *string, msg string) {
	r.mu.Lock()
	*field = msg
	r.mu.Unlock()
	runtime.Goexit()
}

// pgRequireOutcome runs st.require as a test would and reports how it ended.
func pgRequireOutcome(t *testing.T, st *pgState, ci bool) (skipped, failed string) {
	rec := &pgRecordingTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		st.require(rec, ci)
	}()
	<-done
	return rec.skipped, rec.failed
}

func TestRequireSkipsOrFailsWithoutServer(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	const password = "hunter2-secret"
	unreachable := pgStart(ctx, "postgres://holdfast:"+password+"@127.0.0.1:1/test?sslmode=disable&connect_timeout=5")
	if unreachable.unreachable == nil {
		t.Fatal("no error connecting to port 1")
	}
	invalid := pgStart(ctx, "postgres://holdfast:"+password+"@127.0.0.1:notaport/test")
	if invalid.invalid == nil {
		t.Fatal("no error for an unparseable URL")
	}

	tests := []struct {
		name        string
		st          *pgState
		ci          bool
		wantSkipped bool
		wantFailed  bool
	}{
		{name: "unreachable locally", st: unreachable, ci: false, wantSkipped: true},
		{name: "unreachable in CI", st: unreachable, ci: true, wantFailed: true},
		{name: "bad URL locally", st: invalid, ci: false, wantFailed: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			skipped, failed := pgRequireOutcome(t, tc.st, tc.ci)
			if (skipped != "") != tc.wantSkipped || (failed != "") != tc.wantFailed {
				t.Fatalf("skipped %q, failed %q; want skipped %v, failed %v", skipped, failed, tc.wantSkipped, tc.wantFailed)
			}
			msg := skipped + failed
			if strings.Contains(msg, password) {
				t.Errorf("message %q contains the password", msg)
			}
			if !strings.Contains(msg, pgURLEnv) {
				t.Errorf("message %q does not name %s", msg, pgURLEnv)
			}
		})
	}
}

func TestURLFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, url, want string
	}{
		{name: "url", url: "postgres://u:p@h:5432/test?sslmode=disable", want: "postgres://u:p@h:5432/db1?sslmode=disable"},
		{name: "url with dbname", url: "postgresql://h/test?dbname=other", want: "postgresql://h/db1"},
		{name: "keyword value", url: "host=h dbname=test", want: "host=h dbname=test dbname=db1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := (&pgServer{url: tc.url}).urlFor("db1")
			if got != tc.want {
				t.Errorf("urlFor = %q, want %q", got, tc.want)
			}
			cfg, err := pgx.ParseConfig(got)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Database != "db1" {
				t.Errorf("database = %q, want db1", cfg.Database)
			}
		})
	}
}
