package bench

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// TestMain lets the memory figures start this test binary as their heap
// child (see HeapChild).
func TestMain(m *testing.M) {
	if ran, err := HeapChild(context.Background(), os.Stdout); ran {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
