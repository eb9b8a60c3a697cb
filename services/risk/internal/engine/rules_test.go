package engine_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
)

func newEngine() *engine.Engine {
	return engine.New(lexicon.Default(), engine.DefaultSensitiveWords())
}

func evidence(seq int, typ string, at time.Time) domain.Evidence {
	return domain.Evidence{EventID: fmt.Sprintf("evt-%d", seq), Stream: "CLIENT", Sequence: uint64(seq), EventType: typ, OccurredAt: at}
}

// reveals feeds n reveals by employee, one every step from start, and
// returns the changes of the last one and how many reveals raised anything.
func reveals(e *engine.Engine, employee string, n int, assigned func(i int) bool, start time.Time, step time.Duration) (last []engine.Change, raising int) {
	for i := range n {
		at := start.Add(time.Duration(i) * step)
		last = e.ObserveReveal(engine.Reveal{
			Tenant: "acme", EmployeeID: employee, Assigned: assigned(i), OccurredAt: at,
			Evidence: evidence(i+1, "holdfast.client.v1.ContactRevealed", at),
		})
		if len(last) > 0 {
			raising++
		}
	}
	return last, raising
}

func TestRevealSpike(t *testing.T) {
	t.Parallel()
	never := func(int) bool { return false }
	always := func(int) bool { return true }
	tests := []struct {
		name        string
		n           int
		step        time.Duration
		assigned    func(int) bool
		wantRaising int
		wantSev     domain.Severity
		wantEvid    int
	}{
		{"twenty in a day is the threshold, not over it", 20, time.Minute, never, 0, 0, 0},
		{"twenty-one of others' customers in a day is high", 21, time.Minute, never, 1, domain.SeverityHigh, 21},
		{"twenty-five extends the same alert", 25, time.Minute, never, 5, domain.SeverityHigh, 25},
		{"own book only stays medium (H1)", 21, time.Minute, always, 1, domain.SeverityMedium, 21},
		{"spread over days never crosses", 60, 2 * time.Hour, never, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			last, raising := reveals(newEngine(), "e7", tt.n, tt.assigned, day0, tt.step)
			if raising != tt.wantRaising {
				t.Fatalf("%d reveals raised or extended an alert, want %d", raising, tt.wantRaising)
			}
			if tt.wantRaising == 0 {
				return
			}
			ch := only(t, last)
			if ch.Alert.RuleID != engine.RuleRevealSpike || ch.Alert.Severity != tt.wantSev || len(ch.Alert.Evidence) != tt.wantEvid {
				t.Errorf("alert = rule %s severity %s with %d evidence; want %s %s %d",
					ch.Alert.RuleID, ch.Alert.Severity, len(ch.Alert.Evidence), engine.RuleRevealSpike, tt.wantSev, tt.wantEvid)
			}
			if ch.Version != uint64(tt.wantRaising) {
				t.Errorf("alert version = %d, want %d", ch.Version, tt.wantRaising)
			}
			if !strings.Contains(ch.Alert.ExplanationEN, fmt.Sprintf("revealed %d customer contacts", tt.wantEvid)) {
				t.Errorf("explanation %q does not count the reveals", ch.Alert.ExplanationEN)
			}
		})
	}
}

func TestRevealSpikeSeparatesEmployeesAndKeepsOtherRules(t *testing.T) {
	t.Parallel()
	e := newEngine()
	never := func(int) bool { return false }
	reveals(e, "e1", 15, never, day0, time.Minute)
	last, _ := reveals(e, "e2", 15, never, day0, time.Minute)
	if len(last) != 0 {
		t.Errorf("15 reveals each by two employees raised %d changes; counts must not mix", len(last))
	}
	// A sensitive-words alert of the same employee is a separate alert.
	sw := only(t, e.ObserveInteraction(engine.Interaction{Tenant: "acme", EmployeeID: "e1", Text: twoPhrases, OccurredAt: day0, Evidence: evidence(99, "x", day0)}))
	// e1's 15 earlier reveals and these 10 are 25 within a day: reveals 21-25
	// raise and extend one reveal_spike alert, versions 1 to 5.
	last, _ = reveals(e, "e1", 10, never, day0.Add(time.Hour), time.Minute)
	rs := only(t, last)
	if rs.Alert.ID == sw.Alert.ID || rs.Version != 5 {
		t.Errorf("reveal_spike alert %s v%d shares state with sensitive_words alert %s", rs.Alert.ID, rs.Version, sw.Alert.ID)
	}
}

func TestDuplicateCustomer(t *testing.T) {
	t.Parallel()
	attempt := func(e *engine.Engine, seq int, holder string, at time.Time) []engine.Change {
		return e.ObserveDuplicateAttempt(engine.DuplicateAttempt{
			Tenant: "acme", EmployeeID: "e2", HolderID: holder, MatchedOn: []string{"phone"}, OccurredAt: at,
			Evidence: evidence(seq, "holdfast.client.v1.DuplicateRegistrationAttempted", at),
		})
	}
	t.Run("pool and own customers raise nothing", func(t *testing.T) {
		t.Parallel()
		e := newEngine()
		if chs := attempt(e, 1, "", day0); len(chs) != 0 {
			t.Errorf("an attempt on a pooled customer raised %v", chs)
		}
		if chs := attempt(e, 2, "e2", day0); len(chs) != 0 {
			t.Errorf("an attempt on the employee's own customer raised %v", chs)
		}
	})
	t.Run("another's customer is medium, twice is high, a month later is new", func(t *testing.T) {
		t.Parallel()
		e := newEngine()
		first := only(t, attempt(e, 1, "e1", day0))
		if first.Alert.RuleID != engine.RuleDuplicateCustomer || first.Alert.Severity != domain.SeverityMedium || first.Alert.EmployeeID != "e2" {
			t.Errorf("first attempt = %s %s for %s; want duplicate_customer medium for e2", first.Alert.RuleID, first.Alert.Severity, first.Alert.EmployeeID)
		}
		second := only(t, attempt(e, 2, "e9", day0.Add(48*time.Hour)))
		if second.Alert.ID != first.Alert.ID || second.Alert.Severity != domain.SeverityHigh || second.Version != 2 {
			t.Errorf("second attempt = %s %s v%d; want the same alert, high, v2", second.Alert.ID, second.Alert.Severity, second.Version)
		}
		later := only(t, attempt(e, 3, "e1", day0.Add(31*24*time.Hour)))
		if later.Alert.ID == first.Alert.ID || later.Version != 1 {
			t.Errorf("an attempt after the window extended the old alert (v%d)", later.Version)
		}
		if !strings.Contains(first.Alert.ExplanationZH, "他人名下") || !strings.Contains(first.Alert.ExplanationEN, "phone") {
			t.Errorf("explanations lack the facts: %q / %q", first.Alert.ExplanationEN, first.Alert.ExplanationZH)
		}
	})
}
