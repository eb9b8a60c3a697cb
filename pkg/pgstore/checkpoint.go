package pgstore

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"
)

// LoadCheckpoint returns the last sequence projection has applied, or 0 if it
// has applied none. Pass the projector's transaction as q to read the value
// that transaction will update.
func LoadCheckpoint(ctx context.Context, q Querier, schema, projection string) (uint64, error) {
	table, err := qualified(schema, "checkpoints")
	if err != nil {
		return 0, fmt.Errorf("pgstore: load checkpoint: %w", err)
	}
	var seq int64
	err = q.QueryRow(ctx, "SELECT sequence FROM "+table+" WHERE projection = $1", projection).Scan(&seq)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("pgstore: load checkpoint %q: %w", projection, err)
	}
	return uint64(seq), nil //nolint:gosec // the column's CHECK keeps it non-negative
}

// SaveCheckpoint records that projection has applied every event up to seq. It
// must run in the same transaction as the projection's writes so that both
// commit or neither does.
//
// seq must be after the stored checkpoint (0 when none): saving the same or an
// earlier sequence returns an error wrapping ErrCheckpointRegression, which
// means the event was applied before and the transaction must be rolled back.
// The row is locked until tx ends, so concurrent projectors of one projection
// serialise instead of both applying an event.
func SaveCheckpoint(ctx context.Context, tx pgx.Tx, schema, projection string, seq uint64) error {
	table, err := qualified(schema, "checkpoints")
	if err != nil {
		return fmt.Errorf("pgstore: save checkpoint: %w", err)
	}
	if seq > math.MaxInt64 {
		return fmt.Errorf("pgstore: save checkpoint %q: sequence %d out of range", projection, seq)
	}
	if seq == 0 {
		return fmt.Errorf("pgstore: save checkpoint %q: sequence 0 is not after 0: %w", projection, ErrCheckpointRegression)
	}
	tag, err := tx.Exec(ctx, `INSERT INTO `+table+` AS c (projection, sequence) VALUES ($1, $2)
		ON CONFLICT (projection) DO UPDATE SET sequence = EXCLUDED.sequence
		WHERE c.sequence < EXCLUDED.sequence`, projection, int64(seq))
	if err != nil {
		return fmt.Errorf("pgstore: save checkpoint %q: %w", projection, err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	stored, err := LoadCheckpoint(ctx, tx, schema, projection)
	if err != nil {
		return fmt.Errorf("pgstore: save checkpoint %q: sequence %d not saved: %w", projection, seq, err)
	}
	return fmt.Errorf("pgstore: save checkpoint %q: sequence %d is not after %d: %w",
		projection, seq, stored, ErrCheckpointRegression)
}

// ParkEvent sets aside an event projection cannot apply (a poison event) with
// the reason, so it is kept for inspection and replay instead of being dropped
// or blocking the events behind it. Call it in the transaction that also saves
// the checkpoint past the event. Parking the same (projection, stream, seq)
// again keeps the first record.
func ParkEvent(ctx context.Context, tx pgx.Tx, schema, projection, stream string, seq uint64, subject, reason string, data []byte) error {
	table, err := qualified(schema, "parked_events")
	if err != nil {
		return fmt.Errorf("pgstore: park event: %w", err)
	}
	if seq > math.MaxInt64 {
		return fmt.Errorf("pgstore: park event %s/%d: sequence out of range", stream, seq)
	}
	if data == nil {
		data = []byte{}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO `+table+`
		(projection, stream, sequence, subject, reason, data) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (projection, stream, sequence) DO NOTHING`,
		projection, stream, int64(seq), subject, reason, data); err != nil {
		return fmt.Errorf("pgstore: park event %s/%d for %q: %w", stream, seq, projection, err)
	}
	return nil
}
