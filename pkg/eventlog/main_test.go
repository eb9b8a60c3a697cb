package eventlog_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a follower's reader goroutine, or anything
// else a test started, is left running.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// nats-server 2.15 leaves RISK_IN's source-consumer setup waiting
		// on its own timer after Shutdown; it is the server's, not ours.
		goleak.IgnoreTopFunction("github.com/nats-io/nats-server/v2/server.(*stream).trySetupSourceConsumer.func3"),
	)
}
