package pgstore_test

import (
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/holdfast/holdfast/pkg/pgstore"
)

func TestInTx(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	schema := migratedSchema(t, pool)
	insert := "INSERT INTO " + schema + ".widgets (id, name) VALUES ($1, 'w')"
	count := func(t *testing.T, id int) int {
		return countRows(t, pool, "SELECT count(*) FROM "+schema+".widgets WHERE id = $1", id)
	}
	errBoom := errors.New("boom")

	t.Run("commits", func(t *testing.T) {
		err := pgstore.InTx(t.Context(), pool, func(tx pgx.Tx) error {
			_, err := tx.Exec(t.Context(), insert, 1)
			return err
		})
		if err != nil {
			t.Fatalf("InTx: %v", err)
		}
		if n := count(t, 1); n != 1 {
			t.Errorf("rows after commit = %d, want 1", n)
		}
	})

	t.Run("rolls back on error", func(t *testing.T) {
		err := pgstore.InTx(t.Context(), pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(t.Context(), insert, 2); err != nil {
				return err
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Fatalf("InTx = %v, want %v", err, errBoom)
		}
		if n := count(t, 2); n != 0 {
			t.Errorf("rows after rollback = %d, want 0", n)
		}
	})

	t.Run("rolls back on panic", func(t *testing.T) {
		var recovered any
		func() {
			defer func() { recovered = recover() }()
			_ = pgstore.InTx(t.Context(), pool, func(tx pgx.Tx) error {
				if _, err := tx.Exec(t.Context(), insert, 3); err != nil {
					t.Errorf("insert: %v", err)
				}
				panic(errBoom)
			})
		}()
		if err, _ := recovered.(error); !errors.Is(err, errBoom) {
			t.Fatalf("recovered %v, want the original panic %v", recovered, errBoom)
		}
		if n := count(t, 3); n != 0 {
			t.Errorf("rows after panic = %d, want 0", n)
		}
	})

	t.Run("failed statement", func(t *testing.T) {
		// A duplicate key aborts the transaction; InTx reports it and the
		// earlier insert in the same transaction is gone too.
		err := pgstore.InTx(t.Context(), pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(t.Context(), insert, 4); err != nil {
				return err
			}
			_, err := tx.Exec(t.Context(), insert, 1)
			return err
		})
		if err == nil {
			t.Fatal("InTx succeeded, want a duplicate key error")
		}
		if n := count(t, 4); n != 0 {
			t.Errorf("rows after failed statement = %d, want 0", n)
		}
	})

	// The pool has every connection back: a leaked transaction would hold one.
	if got := pool.Stat().AcquiredConns(); got != 0 {
		t.Errorf("acquired connections = %d, want 0", got)
	}
}
