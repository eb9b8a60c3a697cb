package pgstore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/holdfast/holdfast/pkg/pgstore"
)

func saveInTx(t *testing.T, pool *pgxpool.Pool, schema, projection string, seq uint64) error {
	t.Helper()
	return pgstore.InTx(t.Context(), pool, func(tx pgx.Tx) error {
		return pgstore.SaveCheckpoint(t.Context(), tx, schema, projection, seq)
	})
}

func loadCheckpoint(t *testing.T, q pgstore.Querier, schema, projection string) uint64 {
	t.Helper()
	seq, err := pgstore.LoadCheckpoint(t.Context(), q, schema, projection)
	if err != nil {
		t.Fatalf("LoadCheckpoint(%q): %v", projection, err)
	}
	return seq
}

func TestCheckpointRoundTrip(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	schema := migratedSchema(t, pool)

	if got := loadCheckpoint(t, pool, schema, "alerts"); got != 0 {
		t.Fatalf("checkpoint before any save = %d, want 0", got)
	}
	for _, seq := range []uint64{1, 5, 1 << 62} {
		if err := saveInTx(t, pool, schema, "alerts", seq); err != nil {
			t.Fatalf("SaveCheckpoint(%d): %v", seq, err)
		}
		if got := loadCheckpoint(t, pool, schema, "alerts"); got != seq {
			t.Errorf("checkpoint = %d, want %d", got, seq)
		}
	}
	// Projections keep their own checkpoints.
	if got := loadCheckpoint(t, pool, schema, "cases"); got != 0 {
		t.Errorf("other projection's checkpoint = %d, want 0", got)
	}
}

func TestCheckpointRefusesRegression(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	schema := migratedSchema(t, pool)

	if err := saveInTx(t, pool, schema, "alerts", 0); !errors.Is(err, pgstore.ErrCheckpointRegression) {
		t.Errorf("SaveCheckpoint(0) on a new projection = %v, want ErrCheckpointRegression", err)
	}
	if err := saveInTx(t, pool, schema, "alerts", 7); err != nil {
		t.Fatalf("SaveCheckpoint(7): %v", err)
	}
	tests := []struct {
		name string
		seq  uint64
	}{
		{name: "same sequence (double apply)", seq: 7},
		{name: "earlier sequence", seq: 3},
		{name: "zero", seq: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := saveInTx(t, pool, schema, "alerts", tc.seq)
			if !errors.Is(err, pgstore.ErrCheckpointRegression) {
				t.Errorf("SaveCheckpoint(%d) = %v, want ErrCheckpointRegression", tc.seq, err)
			}
			if got := loadCheckpoint(t, pool, schema, "alerts"); got != 7 {
				t.Errorf("checkpoint after refused save = %d, want 7", got)
			}
		})
	}
	if err := saveInTx(t, pool, schema, "alerts", 1<<63); err == nil {
		t.Error("SaveCheckpoint(2^63) succeeded, want out of range")
	}
}

func TestCheckpointCommitsWithProjection(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	schema := migratedSchema(t, pool)
	errBoom := errors.New("boom")

	// apply writes the projection row and the checkpoint in one transaction,
	// reading the checkpoint through the transaction as a projector would.
	apply := func(t *testing.T, id int, seq uint64, fail bool) error {
		return pgstore.InTx(t.Context(), pool, func(tx pgx.Tx) error {
			if cur := loadCheckpoint(t, tx, schema, "widgets"); cur >= seq {
				t.Fatalf("checkpoint %d already at or past %d", cur, seq)
			}
			if _, err := tx.Exec(t.Context(), "INSERT INTO "+schema+".widgets (id, name) VALUES ($1, 'w')", id); err != nil {
				return err
			}
			if err := pgstore.SaveCheckpoint(t.Context(), tx, schema, "widgets", seq); err != nil {
				return err
			}
			if got := loadCheckpoint(t, tx, schema, "widgets"); got != seq {
				t.Errorf("checkpoint inside the transaction = %d, want %d", got, seq)
			}
			if fail {
				return errBoom
			}
			return nil
		})
	}
	widgets := func(t *testing.T) int {
		return countRows(t, pool, "SELECT count(*) FROM "+schema+".widgets")
	}

	if err := apply(t, 1, 1, false); err != nil {
		t.Fatalf("apply 1: %v", err)
	}
	if err := apply(t, 2, 2, true); !errors.Is(err, errBoom) {
		t.Fatalf("apply 2 = %v, want %v", err, errBoom)
	}
	// Neither the row nor the checkpoint of the rolled-back event survived.
	if n := widgets(t); n != 1 {
		t.Errorf("widgets after rollback = %d, want 1", n)
	}
	if got := loadCheckpoint(t, pool, schema, "widgets"); got != 1 {
		t.Errorf("checkpoint after rollback = %d, want 1", got)
	}

	// Redelivering event 1 is caught by the checkpoint and leaves no row.
	err := pgstore.InTx(t.Context(), pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(t.Context(), "INSERT INTO "+schema+".widgets (id, name) VALUES (100, 'dup')"); err != nil {
			return err
		}
		return pgstore.SaveCheckpoint(t.Context(), tx, schema, "widgets", 1)
	})
	if !errors.Is(err, pgstore.ErrCheckpointRegression) {
		t.Fatalf("reapplying event 1 = %v, want ErrCheckpointRegression", err)
	}
	if n := widgets(t); n != 1 {
		t.Errorf("widgets after refused double apply = %d, want 1", n)
	}
}

type parkedEvent struct {
	Projection, Stream string
	Sequence           int64
	Subject, Reason    string
	Data               []byte
	ParkedAt           time.Time
}

func parkedEvents(t *testing.T, q pgstore.Querier, schema string) []parkedEvent {
	t.Helper()
	rows, err := q.Query(t.Context(), "SELECT projection, stream, sequence, subject, reason, data, parked_at FROM "+
		schema+".parked_events ORDER BY projection, stream, sequence")
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[parkedEvent])
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestParkEvent(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	schema := migratedSchema(t, pool)
	park := func(seq uint64, reason string, data []byte) error {
		return pgstore.InTx(t.Context(), pool, func(tx pgx.Tx) error {
			return pgstore.ParkEvent(t.Context(), tx, schema, "alerts", "CLIENT", seq, "client.t1.created", reason, data)
		})
	}

	before := time.Now().Add(-time.Minute)
	if err := park(42, "unknown field", []byte{0xde, 0xad}); err != nil {
		t.Fatalf("ParkEvent: %v", err)
	}
	if err := park(43, "no payload", nil); err != nil {
		t.Fatalf("ParkEvent(nil data): %v", err)
	}
	// Parking 42 again (a redelivery) keeps the first record.
	if err := park(42, "second reason", []byte{1}); err != nil {
		t.Fatalf("ParkEvent again: %v", err)
	}

	got := parkedEvents(t, pool, schema)
	want := []parkedEvent{
		{Projection: "alerts", Stream: "CLIENT", Sequence: 42, Subject: "client.t1.created", Reason: "unknown field", Data: []byte{0xde, 0xad}},
		{Projection: "alerts", Stream: "CLIENT", Sequence: 43, Subject: "client.t1.created", Reason: "no payload", Data: []byte{}},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(parkedEvent{}, "ParkedAt")); diff != "" {
		t.Errorf("parked events mismatch (-want, +got):\n%s", diff)
	}
	for _, p := range got {
		if p.ParkedAt.Before(before) {
			t.Errorf("event %d parked_at = %v, want about now", p.Sequence, p.ParkedAt)
		}
	}

	// A parked event rolls back with its transaction.
	errBoom := errors.New("boom")
	err := pgstore.InTx(t.Context(), pool, func(tx pgx.Tx) error {
		if err := pgstore.ParkEvent(t.Context(), tx, schema, "alerts", "CLIENT", 44, "s", "r", nil); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("InTx = %v, want %v", err, errBoom)
	}
	if n := len(parkedEvents(t, pool, schema)); n != 2 {
		t.Errorf("parked events after rollback = %d, want 2", n)
	}
}
