package testkit

import (
	"strconv"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/eventlog"
	tickv1 "github.com/holdfast/holdfast/proto/holdfast/tick/v1"
)

// Clock is a tenant's risk clock driven by a test: its ticks are appended
// to TICK in EXTERNAL mode, as AdvanceClock would, so the risk service's
// live scheduler leaves the tenant alone.
type Clock struct {
	t      *testing.T
	log    *eventlog.Log
	ref    eventlog.AggregateRef
	after  eventlog.Position
	Latest uint64 // TICK sequence of the last tick
}

// ClaimClock makes tenant's clock external with a first tick at at. Call
// it before the test writes anything else of the tenant: the live
// scheduler ticks, once it has seen a tenant, any clock nobody claimed.
func ClaimClock(t *testing.T, log *eventlog.Log, tenant string, at time.Time) *Clock {
	t.Helper()
	c := &Clock{t: t, log: log, ref: eventlog.AggregateRef{Context: "tick", Tenant: tenant, Type: "clock", ID: tenant}}
	c.Tick(at)
	return c
}

// Tick appends one tick per time, in order, each at the hour it falls in,
// and returns the TICK sequence of the last: pass it as a consistent_with
// position to wait until the engine has judged it.
func (c *Clock) Tick(times ...time.Time) uint64 {
	c.t.Helper()
	for _, at := range times {
		at = at.Truncate(time.Hour).UTC()
		res, err := c.log.Append(c.t.Context(), eventlog.AppendRequest{
			Ref: c.ref, After: c.after, RequestID: "testkit-tick-" + strconv.FormatInt(at.Unix(), 10), ActorID: "test-clock", OccurredAt: at,
			Payload: &tickv1.ClockTicked{At: timestamppb.New(at), Mode: tickv1.ClockMode_CLOCK_MODE_EXTERNAL},
		})
		if err != nil {
			c.t.Fatalf("testkit: tick %s at %v: %v", c.ref.Tenant, at, err)
		}
		c.after = eventlog.Position{Version: res.Version, Sequence: res.Sequence}
		c.Latest = res.Sequence
	}
	return c.Latest
}
