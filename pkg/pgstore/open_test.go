package pgstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/holdfast/holdfast/pkg/pgstore"
)

func TestOpen(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	var one int
	if err := pool.QueryRow(t.Context(), "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
}

func TestOpenErrorsHideThePassword(t *testing.T) {
	t.Parallel()
	const password = "s3cr3t-Pa55"
	tests := []struct {
		name string
		url  string
	}{
		{name: "unparseable port", url: "postgres://holdfast:" + password + "@127.0.0.1:notaport/test"},
		{name: "bad escape", url: "postgres://holdfast:" + password + "%zz@127.0.0.1:5432/test"},
		{name: "bad sslmode", url: "postgres://holdfast:" + password + "@127.0.0.1:5432/test?sslmode=bogus"},
		{name: "nobody listening", url: "postgres://holdfast:" + password + "@127.0.0.1:1/test?connect_timeout=5"},
		{name: "keyword value", url: "host=127.0.0.1 port=1 user=holdfast password=" + password + " connect_timeout=5"},
		{name: "query password", url: "postgres://holdfast@127.0.0.1:1/test?password=" + password},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			pool, err := pgstore.Open(ctx, tc.url)
			if err == nil {
				pool.Close()
				t.Fatal("Open succeeded, want an error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "pgstore: open: ") {
				t.Errorf("error %q lacks the pgstore: open: prefix", msg)
			}
			if strings.Contains(msg, password) {
				t.Errorf("error %q contains the password", msg)
			}
		})
	}
}
