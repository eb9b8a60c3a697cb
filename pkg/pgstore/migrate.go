package pgstore

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

// gooseTable is goose's version table. It is left unqualified on purpose: the
// migration connection's search_path is the service's schema alone, so the
// table lands there, one per schema, and goose's own unquoted SQL keeps working
// for schema names that are reserved words.
const gooseTable = "goose_db_version"

// unlockTimeout bounds the release of the migration lock once the caller's
// context may already be gone.
const unlockTimeout = 10 * time.Second

// Migrate brings schema up to date: it creates the schema if absent, ensures
// pgstore's own tables (checkpoints and parked_events) exist in it, then
// applies the goose migrations found at the root of migrations (use fs.Sub on
// an embed.FS whose files sit in a directory), recording them in
// <schema>.goose_db_version.
//
// The migrations run on a dedicated connection whose search_path is the schema
// alone, so they create unqualified names inside it. Each SQL file runs in its
// own transaction unless it says -- +goose NO TRANSACTION.
//
// Concurrent calls for the same schema on the same database (replicas starting
// together, parallel tests) are serialised by a session advisory lock keyed by
// the schema name; the second caller finds nothing left to do.
//
// Migrate needs two connections at once: one from pool holds the lock, the
// other is opened from pool's configuration for goose and closed on return.
func Migrate(ctx context.Context, pool *pgxpool.Pool, schema string, migrations fs.FS) error {
	if err := checkSchema(schema); err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	if migrations == nil {
		return fmt.Errorf("pgstore: migrate %s: no migrations file system", schema)
	}

	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("pgstore: migrate %s: acquire: %w", schema, err)
	}
	defer conn.Release()

	key := migrationLockKey(schema)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return fmt.Errorf("pgstore: migrate %s: lock: %w", schema, err)
	}
	defer unlockMigration(ctx, conn, key)

	if err := ensureSchema(ctx, conn, schema); err != nil {
		return fmt.Errorf("pgstore: migrate %s: %w", schema, err)
	}
	if err := runGoose(ctx, pool.Config().ConnConfig, schema, migrations); err != nil {
		return fmt.Errorf("pgstore: migrate %s: %w", schema, err)
	}
	return nil
}

// migrationLockKey derives the advisory lock from the schema name so that
// services sharing a database migrate their own schemas in parallel. Advisory
// locks are per database, so the database needs no part in the key.
func migrationLockKey(schema string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("holdfast/pgstore/migrate/" + schema))
	return int64(h.Sum64()) //nolint:gosec // a hash: wrapping to negative is fine
}

// unlockMigration releases the lock even when ctx is done; if that fails the
// connection is closed instead, since ending the session is what releases a
// session lock for certain. A pooled connection must never keep it.
func unlockMigration(ctx context.Context, conn *pgxpool.Conn, key int64) {
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unlockTimeout)
	defer cancel()
	var released bool
	if err := conn.QueryRow(uctx, "SELECT pg_advisory_unlock($1)", key).Scan(&released); err != nil || !released {
		_ = conn.Conn().Close(uctx)
	}
}

// ensureSchema creates the schema and pgstore's tables in one transaction.
// The existence check comes first so that a role without CREATE on the
// database can still migrate a schema an administrator created for it.
func ensureSchema(ctx context.Context, conn *pgxpool.Conn, schema string) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx,
			"SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)", schema,
		).Scan(&exists); err != nil {
			return fmt.Errorf("look up schema: %w", err)
		}
		if !exists {
			if _, err := tx.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
				return fmt.Errorf("create schema: %w", err)
			}
		}
		checkpoints := pgx.Identifier{schema, "checkpoints"}.Sanitize()
		parked := pgx.Identifier{schema, "parked_events"}.Sanitize()
		// These tables evolve only by statements that are idempotent too
		// (ADD COLUMN IF NOT EXISTS ...), because they run on every Migrate.
		ddl := []string{
			`CREATE TABLE IF NOT EXISTS ` + checkpoints + ` (
				projection text PRIMARY KEY,
				stream     text,
				sequence   bigint NOT NULL CHECK (sequence >= 0)
			)`,
			`CREATE TABLE IF NOT EXISTS ` + parked + ` (
				projection text        NOT NULL,
				stream     text        NOT NULL,
				sequence   bigint      NOT NULL CHECK (sequence >= 0),
				subject    text        NOT NULL,
				reason     text        NOT NULL,
				data       bytea       NOT NULL,
				parked_at  timestamptz NOT NULL DEFAULT now(),
				PRIMARY KEY (projection, stream, sequence)
			)`,
		}
		for _, stmt := range ddl {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("create pgstore tables: %w", err)
			}
		}
		return nil
	})
}

// runGoose applies the migrations over database/sql, which goose requires, on
// a connection of its own: setting search_path there leaves the caller's
// pooled connections untouched.
func runGoose(ctx context.Context, cfg *pgx.ConnConfig, schema string, migrations fs.FS) (err error) {
	cfg = cfg.Copy()
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize()
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(1)

	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations,
		goose.WithTableName(gooseTable),
		// Go migrations registered globally by some other package must not
		// leak into this service's schema.
		goose.WithDisableGlobalRegistry(true),
		goose.WithLogger(goose.NopLogger()),
	)
	if err != nil {
		return errors.Join(fmt.Errorf("goose: %w", err), db.Close())
	}
	defer func() {
		// Closes db too.
		if cerr := provider.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("goose: close: %w", cerr)
		}
	}()
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("goose: %w", err)
	}
	return nil
}
