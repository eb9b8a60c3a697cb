package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// rollbackTimeout bounds a rollback that runs after the caller's context may
// already be done.
const rollbackTimeout = 10 * time.Second

// InTx runs fn in a transaction on pool and commits it if fn returns nil. If fn
// returns an error the transaction is rolled back and that error is returned
// as is; if fn panics (or calls runtime.Goexit, as t.Fatal does) it is rolled
// back and the panic continues with its original stack.
func InTx(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) (err error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("pgstore: begin: %w", err)
	}
	committed := false
	// A deferred rollback rather than recover(): it also covers Goexit and
	// keeps the panic's stack trace pointing into fn.
	defer func() {
		if committed {
			return
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
		defer cancel()
		if rerr := tx.Rollback(rctx); rerr != nil && !errors.Is(rerr, pgx.ErrTxClosed) && err != nil {
			err = errors.Join(err, fmt.Errorf("pgstore: rollback: %w", rerr))
		}
	}()

	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("pgstore: commit: %w", err)
	}
	committed = true
	return nil
}
