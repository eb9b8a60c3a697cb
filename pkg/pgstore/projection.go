package pgstore

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Projection is one read model's writer: it applies the changes of the
// event at a stream sequence together with the checkpoint, in one
// transaction, and skips a sequence it has already applied. Read models
// embed it so that "projection + checkpoint in one transaction" is written once.
type Projection struct {
	Pool   *pgxpool.Pool
	Schema string
	// Name is the checkpoint row's key, e.g. "customers".
	Name string
	// Stream is the stream the projection follows, recorded with parked events.
	Stream string
}

// ApplyAt runs fn and advances the checkpoint to seq in one transaction.
// A seq at or below the checkpoint was applied before: nothing runs.
func (p Projection) ApplyAt(ctx context.Context, seq uint64, fn func(pgx.Tx) error) error {
	return InTx(ctx, p.Pool, func(tx pgx.Tx) error {
		cur, err := LoadCheckpoint(ctx, tx, p.Schema, p.Name)
		if err != nil {
			return err
		}
		if seq <= cur {
			return nil
		}
		if err := fn(tx); err != nil {
			return err
		}
		return SaveCheckpoint(ctx, tx, p.Schema, p.Name, seq)
	})
}

// Park records an event the projection cannot apply and advances past it.
func (p Projection) Park(ctx context.Context, seq uint64, subject, reason string, data []byte) error {
	return p.ApplyAt(ctx, seq, func(tx pgx.Tx) error {
		return ParkEvent(ctx, tx, p.Schema, p.Name, p.Stream, seq, subject, reason, data)
	})
}

// Checkpoint is the last sequence the projection applied (0 = none).
func (p Projection) Checkpoint(ctx context.Context) (uint64, error) {
	return LoadCheckpoint(ctx, p.Pool, p.Schema, p.Name)
}
