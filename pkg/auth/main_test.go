package auth

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a gRPC server or client started by a test is
// left running.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
