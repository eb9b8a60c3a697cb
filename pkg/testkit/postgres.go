package testkit

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/holdfast/holdfast/pkg/pgstore"
)

// How the databases are managed
//
// Every test binary draws a random run id and, before creating any database,
// takes a session advisory lock keyed by that id on a connection it keeps for
// its whole life (the admin connection, which also runs every CREATE and DROP
// DATABASE). Its databases are named after the id:
//
//	holdfast_tpl_<run id>_<template name>   migrated once per binary
//	holdfast_test_<run id>_<n>              cloned per test, dropped in t.Cleanup
//
// Templates cannot be dropped at the end of a binary without a TestMain, so
// they are left behind, along with any test database of a binary that crashed.
// The first NewDatabase of every binary sweeps them: it drops each holdfast_*
// database whose run id's lock nobody holds (pg_locks is server-wide), i.e.
// whose binary has exited. A binary that is still running, however long, keeps
// its lock and so its databases; a stale template is never reused because a
// new binary never knows an old run id.

const (
	pgURLEnv     = "HOLDFAST_TEST_DATABASE_URL"
	pgDefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

	pgConnectTimeout = 10 * time.Second
	pgAdminTimeout   = time.Minute
	pgMigrateTimeout = 5 * time.Minute
)

var (
	pgTemplateNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,29}$`)
	pgDatabaseNamePattern = regexp.MustCompile(`^holdfast_(?:tpl|test)_([0-9a-f]{16})_`)
)

// NewDatabase returns a pool on a fresh database of its own, cloned from the
// template named templateName. The first call for a template name in a test
// binary creates the template and calls migrate on it; later calls, even with
// another migrate, reuse it. The pool is closed and the database dropped in
// t.Cleanup.
//
// The server comes from HOLDFAST_TEST_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable); its role needs
// CREATEDB. If the server does not answer the test is skipped, or failed when
// CI is set, because in CI a database test that skips is a failing test.
func NewDatabase(t testing.TB, templateName string, migrate func(ctx context.Context, pool *pgxpool.Pool) error) *pgxpool.Pool {
	t.Helper()
	dbURL := NewDatabaseURL(t, templateName, migrate)
	ctx, cancel := context.WithTimeout(context.Background(), pgConnectTimeout)
	defer cancel()
	pool, err := pgstore.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	// Registered after the drop, so it runs before it.
	t.Cleanup(pool.Close)
	return pool
}

// NewDatabaseURL is NewDatabase for code that opens its own connections: it
// returns the URL of the fresh database. Connections still open at cleanup
// are terminated by the drop.
func NewDatabaseURL(t testing.TB, templateName string, migrate func(ctx context.Context, pool *pgxpool.Pool) error) string {
	t.Helper()
	if !pgTemplateNamePattern.MatchString(templateName) {
		t.Fatalf("testkit: template name %q: want %s", templateName, pgTemplateNamePattern)
	}
	if migrate == nil {
		t.Fatal("testkit: nil migrate function")
	}
	srv := pgServerFor(t)

	template, err := srv.template(templateName, migrate)
	if err != nil {
		t.Fatalf("testkit: template %q: %v", templateName, err)
	}
	name := fmt.Sprintf("holdfast_test_%016x_%d", srv.runID, srv.databases.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), pgAdminTimeout)
	defer cancel()
	if err := srv.exec(ctx, "CREATE DATABASE "+pgIdent(name)+" TEMPLATE "+pgIdent(template)); err != nil {
		t.Fatalf("testkit: clone %s: %v", template, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), pgAdminTimeout)
		defer cancel()
		if err := srv.dropDatabase(ctx, name); err != nil {
			t.Errorf("testkit: drop database %s: %v", name, err)
		}
	})
	return srv.urlFor(name)
}

// pgState is the outcome of the binary's one attempt to reach the server.
type pgState struct {
	srv         *pgServer
	shownURL    string // the URL with its password masked, for messages
	invalid     error  // the configured URL cannot work: always a failure
	unreachable error  // the server did not answer: a skip, or a failure in CI
}

var (
	pgOnce   sync.Once
	pgShared *pgState
)

// pgServerFor returns the binary's server, skipping or failing t if there is
// none. The first caller connects and sweeps databases left by dead binaries.
func pgServerFor(t testing.TB) *pgServer {
	t.Helper()
	pgOnce.Do(func() {
		rawURL := os.Getenv(pgURLEnv)
		if rawURL == "" {
			rawURL = pgDefaultURL
		}
		ctx, cancel := context.WithTimeout(context.Background(), pgAdminTimeout)
		defer cancel()
		pgShared = pgStart(ctx, rawURL)
		if pgShared.srv != nil {
			if err := pgShared.srv.sweep(ctx); err != nil {
				// Leftovers cost disk, not correctness.
				t.Logf("testkit: sweeping stale databases: %v", err)
			}
		}
	})
	return pgShared.require(t, pgInCI())
}

func pgInCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// require returns the server or ends the test: a skip normally, a failure
// when ci is true or when the URL itself is wrong.
func (st *pgState) require(t testing.TB, ci bool) *pgServer {
	t.Helper()
	switch {
	case st.invalid != nil:
		t.Fatalf("testkit: %s: %v", pgURLEnv, st.invalid)
	case st.unreachable != nil:
		msg := fmt.Sprintf("testkit: PostgreSQL does not answer at %s: %v (run scripts/ensure-postgres.sh, or set %s)",
			st.shownURL, st.unreachable, pgURLEnv)
		if ci {
			t.Fatal(msg + "; CI is set, and in CI a database test that skips is a failing test")
		}
		t.Skip(msg)
	}
	return st.srv
}

// pgStart parses rawURL, connects the admin connection and takes the run's
// liveness lock.
func pgStart(ctx context.Context, rawURL string) *pgState {
	st := &pgState{shownURL: pgRedactURL(rawURL)}
	config, err := pgx.ParseConfig(rawURL)
	if err != nil {
		// Cut the chain: pgx's parse error keeps the raw string reachable.
		st.invalid = errors.New(err.Error())
		return st
	}
	srv := &pgServer{
		url:    rawURL,
		config: config,
		// Positive and below 2^62 so both halves shown in pg_locks are
		// plain non-negative numbers.
		runID:     rand.Int64N(1<<62) + 1, //nolint:gosec // a name for throw-away test databases, not a secret
		templates: map[string]*pgTemplate{},
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if err := srv.connectLocked(ctx); err != nil {
		st.unreachable = err
		return st
	}
	st.srv = srv
	return st
}

// pgServer is the PostgreSQL server of one test binary.
type pgServer struct {
	url    string
	config *pgx.ConnConfig
	runID  int64

	databases atomic.Uint64 // numbers the per-test databases

	// mu serialises use of admin, a single connection; that also keeps a
	// clone from overlapping any other CREATE or DROP DATABASE.
	mu    sync.Mutex
	admin *pgx.Conn

	templatesMu sync.Mutex
	templates   map[string]*pgTemplate
}

type pgTemplate struct {
	once     sync.Once
	database string
	err      error
}

// connectLocked (re)opens the admin connection and takes the liveness lock.
// A connection lost mid-run leaves this binary's databases unguarded until
// the reconnect; a sweep by another binary in that window could drop them.
func (s *pgServer) connectLocked(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(ctx, pgConnectTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, s.config.Copy())
	if err != nil {
		return err
	}
	if _, err := conn.Exec(cctx, "SELECT pg_advisory_lock($1)", s.runID); err != nil {
		_ = conn.Close(cctx)
		return fmt.Errorf("take the run lock: %w", err)
	}
	s.admin = conn
	return nil
}

// exec runs one statement on the admin connection.
func (s *pgServer) exec(ctx context.Context, sql string, args ...any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.admin == nil || s.admin.IsClosed() {
		if err := s.connectLocked(ctx); err != nil {
			return fmt.Errorf("reconnect: %w", err)
		}
	}
	_, err := s.admin.Exec(ctx, sql, args...)
	return err
}

func (s *pgServer) dropDatabase(ctx context.Context, name string) error {
	return s.exec(ctx, "DROP DATABASE IF EXISTS "+pgIdent(name)+" WITH (FORCE)")
}

// template returns the database name of the migrated template, building it on
// first use. Every caller waits for the one build and shares its outcome.
func (s *pgServer) template(name string, migrate func(context.Context, *pgxpool.Pool) error) (string, error) {
	s.templatesMu.Lock()
	tpl, ok := s.templates[name]
	if !ok {
		tpl = &pgTemplate{database: fmt.Sprintf("holdfast_tpl_%016x_%s", s.runID, name)}
		s.templates[name] = tpl
	}
	s.templatesMu.Unlock()

	tpl.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), pgMigrateTimeout)
		defer cancel()
		tpl.err = s.buildTemplate(ctx, tpl.database, migrate)
	})
	return tpl.database, tpl.err
}

func (s *pgServer) buildTemplate(ctx context.Context, database string, migrate func(context.Context, *pgxpool.Pool) error) error {
	if err := s.exec(ctx, "CREATE DATABASE "+pgIdent(database)); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	err := func() error {
		pool, err := pgstore.Open(ctx, s.urlFor(database))
		if err != nil {
			return err
		}
		defer pool.Close()
		if err := migrate(ctx, pool); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		return nil
	}()
	if err != nil {
		return errors.Join(err, s.dropDatabase(ctx, database))
	}
	// CREATE DATABASE ... TEMPLATE refuses a template anyone is connected
	// to. The pool is closed, but migrate may have opened connections of its
	// own; end them and wait (up to 5 s each; PostgreSQL 14 or later) until
	// they are gone.
	if err := s.exec(ctx, `SELECT pg_terminate_backend(pid, 5000) FROM pg_catalog.pg_stat_activity
		WHERE datname = $1 AND pid <> pg_backend_pid()`, database); err != nil {
		return fmt.Errorf("disconnect: %w", err)
	}
	return nil
}

// sweep drops the holdfast_* databases of test binaries that are gone: those
// whose run lock nobody holds.
func (s *pgServer) sweep(ctx context.Context) error {
	s.mu.Lock()
	rows, err := s.admin.Query(ctx, `SELECT datname FROM pg_catalog.pg_database
		WHERE datname LIKE 'holdfast\_tpl\_%' OR datname LIKE 'holdfast\_test\_%'`)
	var names []string
	if err == nil {
		names, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("list databases: %w", err)
	}

	var errs []error
	for _, name := range names {
		m := pgDatabaseNamePattern.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		id, err := strconv.ParseInt(m[1], 16, 64)
		if err != nil || id == s.runID {
			continue
		}
		alive, err := s.runAlive(ctx, id)
		if err != nil {
			errs = append(errs, fmt.Errorf("check %s: %w", name, err))
			continue
		}
		if !alive {
			if err := s.dropDatabase(ctx, name); err != nil {
				errs = append(errs, fmt.Errorf("drop %s: %w", name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// runAlive reports whether some session holds run id's lock. pg_locks shows a
// bigint advisory key as its high half in classid and low half in objid, with
// objsubid 1.
func (s *pgServer) runAlive(ctx context.Context, id int64) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var alive bool
	err := s.admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks
		WHERE locktype = 'advisory' AND objsubid = 1 AND granted
		AND classid::bigint = $1 AND objid::bigint = $2)`, id>>32, id&0xffffffff).Scan(&alive)
	return alive, err
}

// urlFor returns the configured URL pointed at database instead.
func (s *pgServer) urlFor(database string) string {
	u, err := url.Parse(s.url)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// A keyword/value string: a later setting overrides an earlier one.
		return s.url + " dbname=" + database
	}
	u.Path, u.RawPath = "/"+database, ""
	q := u.Query()
	q.Del("dbname")
	u.RawQuery = q.Encode()
	return u.String()
}

// pgRedactURL masks the password of a URL or keyword/value string; messages
// show where the tests looked, never the secret.
func pgRedactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Scheme != "" {
		u.RawQuery = ""
		return u.Redacted()
	}
	raw = pgUserinfoPassword.ReplaceAllString(raw, "${1}xxxxx@")
	return pgKeywordPassword.ReplaceAllString(raw, "password=xxxxx")
}

var (
	pgUserinfoPassword = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@]*:)[^/]*@`)
	pgKeywordPassword  = regexp.MustCompile(`password\s*=\s*('[^']*'|\S+)`)
)

func pgIdent(name string) string { return pgx.Identifier{name}.Sanitize() }
