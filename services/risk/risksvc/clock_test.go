package risksvc_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	tickv1 "github.com/holdfast/holdfast/proto/holdfast/tick/v1"
)

// TestAdvanceClockOverGRPC moves a simulated tenant's clock through a day
// and waits for the engine to judge it, and checks what may not move it.
func TestAdvanceClockOverGRPC(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	stack := env.start(t, stackOptions{})
	svc := env.riskAs(t, stack, principal("simco", "simulator", auth.RoleService))
	day := time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)
	first, err := svc.AdvanceClock(t.Context(), &riskv1.AdvanceClockRequest{
		From: timestamppb.New(day.Add(-30 * time.Minute)), To: timestamppb.New(day.Add(24 * time.Hour)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if first.GetTicks() != 25 || !first.GetLastTickAt().AsTime().Equal(day.Add(24*time.Hour)) || first.GetConsistentWith().GetStream() != eventlog.StreamTick {
		t.Fatalf("advance = %v, want 25 ticks from %s on TICK", first, day)
	}
	// The engine has judged every tick once ListAlerts answers.
	hrSim := env.riskAs(t, stack, principal("simco", "hr-1", auth.RoleHR))
	if _, err := hrSim.ListAlerts(t.Context(), &riskv1.ListAlertsRequest{ConsistentWith: []*riskv1.StreamPosition{first.GetConsistentWith()}}); err != nil {
		t.Fatalf("list alerts consistent with the last tick: %v", err)
	}
	// The ticks are on the tenant's clock, each at its hour, mode EXTERNAL.
	agg, err := env.log.Load(t.Context(), eventlog.AggregateRef{Context: "tick", Tenant: "simco", Type: "clock", ID: "simco"})
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range agg.Records {
		msg, err := rec.Payload()
		if err != nil {
			t.Fatal(err)
		}
		tick := msg.(*tickv1.ClockTicked)
		if want := day.Add(time.Duration(i) * time.Hour); !tick.GetAt().AsTime().Equal(want) || !rec.Envelope.GetOccurredAt().AsTime().Equal(want) ||
			tick.GetMode() != tickv1.ClockMode_CLOCK_MODE_EXTERNAL {
			t.Errorf("tick %d = %v at %v, want %s EXTERNAL", i, tick, rec.Envelope.GetOccurredAt().AsTime(), want)
		}
	}

	retry, err := svc.AdvanceClock(t.Context(), &riskv1.AdvanceClockRequest{To: timestamppb.New(day.Add(24 * time.Hour))})
	if err != nil || retry.GetTicks() != 0 || retry.GetConsistentWith().GetSequence() != first.GetConsistentWith().GetSequence() {
		t.Errorf("retried advance = %v, %v; want no ticks at the same position", retry, err)
	}
	_, err = svc.AdvanceClock(t.Context(), &riskv1.AdvanceClockRequest{To: timestamppb.New(day)})
	wantCode(t, err, codes.FailedPrecondition)

	// A live clock (the scheduler's ticks) is not for moving.
	live := eventlog.AggregateRef{Context: "tick", Tenant: "liveco", Type: "clock", ID: "liveco"}
	if _, err := env.log.Append(t.Context(), eventlog.AppendRequest{
		Ref: live, RequestID: "live-test", ActorID: "risk-scheduler",
		Payload: &tickv1.ClockTicked{At: timestamppb.New(day), Mode: tickv1.ClockMode_CLOCK_MODE_LIVE},
	}); err != nil {
		t.Fatal(err)
	}
	_, err = env.riskAs(t, stack, principal("liveco", "a", auth.RoleAdmin)).AdvanceClock(t.Context(), &riskv1.AdvanceClockRequest{To: timestamppb.New(day.Add(time.Hour))})
	wantCode(t, err, codes.FailedPrecondition)

	bad := &timestamppb.Timestamp{Seconds: -1 << 40}
	fresh := env.riskAs(t, stack, principal("fresh", "a", auth.RoleAdmin))
	tests := []struct {
		name string
		req  *riskv1.AdvanceClockRequest
		want []string
	}{
		{"to missing", &riskv1.AdvanceClockRequest{}, []string{"to"}},
		{"invalid times", &riskv1.AdvanceClockRequest{From: bad, To: bad}, []string{"from", "to"}},
		{"from after to", &riskv1.AdvanceClockRequest{From: timestamppb.New(day.Add(time.Hour)), To: timestamppb.New(day)}, []string{"from"}},
		{"in the future", &riskv1.AdvanceClockRequest{To: timestamppb.New(time.Now().Add(48 * time.Hour))}, []string{"to"}},
		{"more than 400 days of hours", &riskv1.AdvanceClockRequest{From: timestamppb.New(day), To: timestamppb.New(day.Add(401 * 24 * time.Hour))}, []string{"to"}},
	}
	for _, tc := range tests {
		_, err := fresh.AdvanceClock(t.Context(), tc.req)
		if diff := cmp.Diff(tc.want, violatedFields(t, err)); diff != "" {
			t.Errorf("%s: violated fields mismatch (-want, +got):\n%s", tc.name, diff)
		}
	}
	if got, err := env.log.Load(t.Context(), eventlog.AggregateRef{Context: "tick", Tenant: "fresh", Type: "clock", ID: "fresh"}); err != nil || len(got.Records) != 0 {
		t.Errorf("refused advances ticked %d times (%v)", len(got.Records), err)
	}
}
