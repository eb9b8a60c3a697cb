// Package pgstore is the PostgreSQL plumbing every Holdfast service shares:
// opening a pool, applying a service's embedded goose migrations into its own
// schema, running a function in a transaction, and the projection bookkeeping
// (checkpoints and parked poison events) that must commit in the same
// transaction as the read-model writes it describes.
//
// Every service owns one schema. Functions that touch a schema take its name
// as an argument, validate it and quote it; SQL is never built from an
// unvalidated string.
package pgstore

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

var (
	// ErrInvalidSchema is returned when a schema name is not a plain lower-case
	// identifier ([a-z_][a-z0-9_]{0,62}, not starting with pg_).
	ErrInvalidSchema = errors.New("invalid schema name")

	// ErrCheckpointRegression is returned by SaveCheckpoint when the new
	// sequence is not after the stored one: the event was already applied, so
	// the caller must roll back instead of applying it twice.
	ErrCheckpointRegression = errors.New("checkpoint regression")
)

// Querier is what read-only helpers such as LoadCheckpoint need; it is
// satisfied by *pgxpool.Pool, *pgxpool.Conn, *pgx.Conn and pgx.Tx, so callers
// can read either inside or outside a transaction.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

var (
	_ Querier = (*pgxpool.Pool)(nil)
	_ Querier = (*pgxpool.Conn)(nil)
	_ Querier = (*pgx.Conn)(nil)
	_ Querier = pgx.Tx(nil)
)

var schemaPattern = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// checkSchema rejects anything but a plain identifier so that the quoted name
// is exactly the name the caller wrote; pg_ is reserved by PostgreSQL.
func checkSchema(schema string) error {
	if !schemaPattern.MatchString(schema) || len(schema) >= 3 && schema[:3] == "pg_" {
		return fmt.Errorf("%w: %q", ErrInvalidSchema, schema)
	}
	return nil
}

// qualified returns the quoted "schema".name of one of pgstore's own tables.
func qualified(schema, table string) (string, error) {
	if err := checkSchema(schema); err != nil {
		return "", err
	}
	return pgx.Identifier{schema, table}.Sanitize(), nil
}
