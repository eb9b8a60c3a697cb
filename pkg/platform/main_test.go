package platform_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if an App, gRPC server, client or HTTP connection
// started by a test is left running.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
