package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/pkg/domainerr"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

func TestPlanAdvance(t *testing.T) {
	t.Parallel()
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	hours := func(first string, n int) []time.Time {
		var out []time.Time
		for i := range n {
			out = append(out, at(first).Add(time.Duration(i)*time.Hour))
		}
		return out
	}
	external := domain.Clock{LastTick: at("2026-05-01T10:00:00Z"), Mode: domain.ClockExternal}
	tests := []struct {
		name     string
		clock    domain.Clock
		from, to time.Time
		want     []time.Time
		// wantErr is a sentinel, or nil with wantField for a violation.
		wantErr   error
		wantField string
	}{
		{name: "first call starts at the hour of to", to: at("2026-05-01T10:30:00Z"), want: hours("2026-05-01T10:00:00Z", 1)},
		{name: "first call from rounds up", from: at("2026-05-01T07:10:00Z"), to: at("2026-05-01T10:00:00Z"), want: hours("2026-05-01T08:00:00Z", 3)},
		{name: "first call from on the hour", from: at("2026-05-01T07:00:00Z"), to: at("2026-05-01T09:59:00Z"), want: hours("2026-05-01T07:00:00Z", 3)},
		{name: "continues after the last tick", clock: external, to: at("2026-05-02T00:00:00Z"), want: hours("2026-05-01T11:00:00Z", 14)},
		{name: "from is ignored once ticked", clock: external, from: at("2026-04-01T00:00:00Z"), to: at("2026-05-01T12:00:00Z"), want: hours("2026-05-01T11:00:00Z", 2)},
		{name: "to at the last tick ticks nothing", clock: external, to: at("2026-05-01T10:00:00Z")},
		{name: "to inside the hour after the last tick ticks nothing", clock: external, to: at("2026-05-01T10:59:59Z")},
		{name: "time never goes back", clock: external, to: at("2026-05-01T09:00:00Z"), wantErr: domain.ErrPrecondition},
		{name: "live clock", clock: domain.Clock{LastTick: at("2026-05-01T10:00:00Z"), Mode: domain.ClockLive}, to: at("2026-05-01T12:00:00Z"), wantErr: domain.ErrPrecondition},
		{name: "exactly the bound", from: at("2026-01-01T00:00:00Z"), to: at("2026-01-01T00:00:00Z").Add((domain.MaxTicksPerAdvance - 1) * time.Hour), want: hours("2026-01-01T00:00:00Z", domain.MaxTicksPerAdvance)},
		{name: "over the bound", from: at("2026-01-01T00:00:00Z"), to: at("2026-01-01T00:00:00Z").Add(domain.MaxTicksPerAdvance * time.Hour), wantField: "to"},
		{name: "to missing", wantField: "to"},
		{name: "from after to", from: at("2026-05-02T00:00:00Z"), to: at("2026-05-01T00:00:00Z"), wantField: "from"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.PlanAdvance(tc.clock, tc.from, tc.to)
			var ve *domainerr.ValidationError
			switch {
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
			case tc.wantField != "":
				if !errors.As(err, &ve) || len(ve.Violations) != 1 || ve.Violations[0].Field != tc.wantField {
					t.Fatalf("err = %v, want a violation of %s", err, tc.wantField)
				}
			case err != nil:
				t.Fatalf("err = %v", err)
			default:
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("ticks mismatch (-want, +got):\n%s", diff)
				}
			}
		})
	}
}

func TestLiveTick(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 10, 42, 0, 0, time.UTC)
	hour := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		clock  domain.Clock
		want   time.Time
		wantOK bool
	}{
		{name: "never ticked", want: hour, wantOK: true},
		{name: "live, an hour behind", clock: domain.Clock{LastTick: hour.Add(-time.Hour), Mode: domain.ClockLive}, want: hour, wantOK: true},
		{name: "live, already ticked this hour", clock: domain.Clock{LastTick: hour, Mode: domain.ClockLive}},
		{name: "external is never ticked live", clock: domain.Clock{LastTick: hour.Add(-48 * time.Hour), Mode: domain.ClockExternal}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := domain.LiveTick(tc.clock, now)
			if ok != tc.wantOK || !got.Equal(tc.want) {
				t.Errorf("LiveTick = %v, %v; want %v, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}
