package app

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/pkg/domainerr"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// waitRiskIn returns once RISK_IN has sourced n messages, by following it.
func waitRiskIn(t *testing.T, log *eventlog.Log, n int) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	seen := 0
	if err := log.Follow(ctx, eventlog.StreamRiskIn, func(context.Context, eventlog.Record) error {
		if seen++; seen >= n {
			cancel()
		}
		return nil
	}, eventlog.FollowOptions{}); err != nil {
		t.Fatalf("follow RISK_IN: %v", err)
	}
	if seen < n {
		t.Fatalf("RISK_IN holds %d messages, want %d", seen, n)
	}
}

// TestReplaySandboxIsBounded: a history larger than the event cap is
// ErrBacktestTooLarge, a cancelled call is an error and never a partial
// answer, and within the cap every event is read.
func TestReplaySandboxIsBounded(t *testing.T) {
	t.Parallel()
	a := newClockApp(t)
	testkit.WriteAttendance(t, a.log, "cap",
		testkit.AttendanceEvent{Type: "orgunit", ID: "co", Payload: &attendancev1.OrgUnitCreated{OrgUnitId: "co"}},
		testkit.AttendanceEvent{Type: "employee", ID: "e1", Payload: &attendancev1.EmployeeHired{EmployeeId: "e1", OrgUnitId: "co", Role: "sales"}},
		testkit.AttendanceEvent{Type: "employee", ID: "e2", Payload: &attendancev1.EmployeeHired{EmployeeId: "e2", OrgUnitId: "co", Role: "sales"}},
	)
	waitRiskIn(t, a.log, 3)
	draft := a.builtin["reveal_spike"]
	draft.Version = 2

	if _, _, err := replaySandbox(t.Context(), a.log, a.engine.Fresh(), "cap", draft, 2); !errors.Is(err, ErrBacktestTooLarge) {
		t.Errorf("3 events with a cap of 2: %v, want ErrBacktestTooLarge", err)
	}
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	if alerts, _, err := replaySandbox(cancelled, a.log, a.engine.Fresh(), "cap", draft, 10); !errors.Is(err, context.Canceled) || alerts != nil {
		t.Errorf("cancelled: %v, %v; want context.Canceled and no alerts", alerts, err)
	}
	alerts, events, err := replaySandbox(t.Context(), a.log, a.engine.Fresh(), "cap", draft, 3)
	if err != nil || events != 3 || len(alerts) != 0 {
		t.Errorf("within the cap: %d alerts, %d events, %v; want none, 3, nil", len(alerts), events, err)
	}
}

// TestBacktestDraftValidation names every bad field at once.
func TestBacktestDraftValidation(t *testing.T) {
	t.Parallel()
	a := newClockApp(t)
	def := a.builtin["bulk_export"].Definition
	def.Trigger = "event.type =="
	_, err := a.backtestDraft("t", BacktestInput{
		Definition: &def,
		Params:     []domain.Param{{Name: "nope", Kind: domain.ParamInt}, {Name: "max_customers", Kind: domain.ParamBool}},
	})
	var ve *domainerr.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want a validation error", err)
	}
	var fields []string
	for _, v := range ve.Violations {
		fields = append(fields, v.Field)
	}
	if diff := cmp.Diff([]string{"from", "parameters[0].name", "parameters[1]", "definition.trigger"}, fields); diff != "" {
		t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
	}
}
