package engine_test

import (
	"strings"
	"testing"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
)

func checkIn(seq int, at time.Time, change func(*engine.CheckIn)) engine.CheckIn {
	c := engine.CheckIn{
		Tenant: "acme", EmployeeID: "e5", Visit: true, CustomerID: "c1", CustomerLocated: true, DistanceToCustomerM: 80,
		HasPrevious: true, SecondsSincePrevious: 3600, SpeedFromPreviousKmh: 30, OccurredAt: at,
		Evidence: domain.Evidence{EventID: "k", Stream: "ATTENDANCE", Sequence: uint64(seq), EventType: "holdfast.attendance.v1.CheckedIn", OccurredAt: at}, //nolint:gosec // small test sequence
	}
	if change != nil {
		change(&c)
	}
	return c
}

func TestFieldVisitRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		change   func(*engine.CheckIn)
		wantRule string // "" = no alert
		wantSev  domain.Severity
		wantText string
	}{
		{"an honest visit at the customer", nil, "", 0, ""},
		{"an office check-in with no customer", func(c *engine.CheckIn) { c.Visit, c.CustomerID, c.CustomerLocated = false, "", false }, "", 0, ""},
		{"a visit with no customer", func(c *engine.CheckIn) { c.CustomerID, c.CustomerLocated = "", false }, engine.RuleUnregisteredVisit, domain.SeverityMedium, "named no customer"},
		{"a visit 1.9 km from the customer", func(c *engine.CheckIn) { c.DistanceToCustomerM = 1882.4 }, engine.RuleUnregisteredVisit, domain.SeverityMedium, "1882 m from the customer's registered address"},
		{"500 m is still at the customer", func(c *engine.CheckIn) { c.DistanceToCustomerM = 500.4 }, "", 0, ""},
		{"a customer without a location is not judged by distance", func(c *engine.CheckIn) { c.CustomerLocated, c.DistanceToCustomerM = false, 9000 }, "", 0, ""},
		{"a replayed GPS fix", func(c *engine.CheckIn) { c.RepeatsFix = true }, engine.RuleUnregisteredVisit, domain.SeverityHigh, "repeats the exact GPS fix"},
		{"Shanghai to Beijing in three minutes", func(c *engine.CheckIn) { c.SecondsSincePrevious, c.SpeedFromPreviousKmh = 180, 21340 }, engine.RuleImpossibleTravel, domain.SeverityHigh, "at least 21340 km/h"},
		{"a fast train is possible", func(c *engine.CheckIn) { c.SpeedFromPreviousKmh = 149.6 }, "", 0, ""},
		{"the first check-in has no speed to judge", func(c *engine.CheckIn) { c.HasPrevious, c.SpeedFromPreviousKmh = false, 9999 }, "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := newEngine().ObserveCheckIn(checkIn(1, day0, tt.change))
			if tt.wantRule == "" {
				if len(got) != 0 {
					t.Fatalf("raised %s, want nothing", got[0].Alert.RuleID)
				}
				return
			}
			if len(got) != 1 || got[0].Alert.RuleID != tt.wantRule || got[0].Alert.Severity != tt.wantSev {
				t.Fatalf("changes %+v, want one %s at %v", got, tt.wantRule, tt.wantSev)
			}
			if !strings.Contains(got[0].Alert.ExplanationEN, tt.wantText) {
				t.Errorf("explanation %q lacks %q", got[0].Alert.ExplanationEN, tt.wantText)
			}
		})
	}
}

// Three off-customer visits within a week make the alert high; they are
// one alert, growing.
func TestUnregisteredVisitsAccumulate(t *testing.T) {
	t.Parallel()
	e := newEngine()
	var last []engine.Change
	for i := range 3 {
		at := day0.Add(time.Duration(i) * 24 * time.Hour)
		last = e.ObserveCheckIn(checkIn(i+1, at, func(c *engine.CheckIn) { c.CustomerID, c.CustomerLocated = "", false }))
	}
	if len(last) != 1 || last[0].Version != 3 || len(last[0].Alert.Evidence) != 3 || last[0].Alert.Severity != domain.SeverityHigh {
		t.Fatalf("after three visits: %+v; want one alert at version 3, three pieces of evidence, HIGH", last)
	}
}
