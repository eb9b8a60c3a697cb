package engine_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
)

const (
	twoPhrases = "加我私人微信，这单我们走私单"
	onePhrase  = "这单走私单吧，价格好商量"
	another    = "钱直接打到我卡上就行"
	quotedOnly = "客户说“他们让我打到我卡上”，我已经拒绝并提醒走公司账户"
	honest     = "王总您好，报价单已发邮箱，请查收，合同走公司流程"
)

var day0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// feeder numbers interactions like a CLIENT stream would, so every piece of
// evidence is distinct and traceable.
type feeder struct{ seq uint64 }

func (f *feeder) in(tenant, employee, text string, at time.Time) engine.Interaction {
	f.seq++
	return engine.Interaction{
		Tenant:     tenant,
		EmployeeID: employee,
		Text:       text,
		OccurredAt: at,
		Evidence: domain.Evidence{
			EventID:    fmt.Sprintf("evt-%d", f.seq),
			Stream:     "CLIENT",
			Sequence:   f.seq,
			EventType:  "holdfast.client.v1.InteractionLogged",
			OccurredAt: at,
		},
	}
}

// observeAll feeds ins in order and returns each interaction's changes.
func observeAll(e *engine.Engine, ins []engine.Interaction) [][]engine.Change {
	out := make([][]engine.Change, 0, len(ins))
	for _, in := range ins {
		out = append(out, e.ObserveInteraction(in))
	}
	return out
}

// only returns the single change an interaction produced, failing otherwise.
func only(t *testing.T, chs []engine.Change) engine.Change {
	t.Helper()
	if len(chs) != 1 {
		t.Fatalf("got %d changes, want 1: %+v", len(chs), chs)
	}
	return chs[0]
}

// checkSpans verifies every match's [Start, End) slices the interaction's text
// to the matched text and that the phrase is what the lexicon reports.
func checkSpans(t *testing.T, text string, ev domain.Evidence, wantPhrases ...string) {
	t.Helper()
	var phrases []string
	for _, m := range ev.Matches {
		phrases = append(phrases, m.Phrase)
		if m.Start < 0 || m.End > len(text) || m.Start >= m.End {
			t.Errorf("match %q span [%d,%d) outside text of %d bytes", m.Phrase, m.Start, m.End, len(text))
			continue
		}
		if got := text[m.Start:m.End]; got != m.MatchedText || got != m.Phrase {
			t.Errorf("text[%d:%d] = %q, matched text %q, want phrase %q", m.Start, m.End, got, m.MatchedText, m.Phrase)
		}
	}
	if diff := cmp.Diff(wantPhrases, phrases); diff != "" {
		t.Errorf("matched phrases mismatch (-want, +got):\n%s", diff)
	}
}

func TestObserveInteraction(t *testing.T) {
	t.Parallel()

	type result struct {
		ins []engine.Interaction
		got [][]engine.Change
	}
	cases := []struct {
		name   string
		params engine.SensitiveWordsParams
		feed   func(f *feeder) []engine.Interaction
		check  func(t *testing.T, r result)
	}{
		{
			name: "honest interaction changes nothing",
			feed: func(f *feeder) []engine.Interaction {
				return []engine.Interaction{f.in("acme", "e1", honest, day0)}
			},
			check: func(t *testing.T, r result) {
				if len(r.got[0]) != 0 {
					t.Errorf("honest interaction produced %+v, want no change", r.got[0])
				}
			},
		},
		{
			name: "two distinct phrases in one interaction raise a high alert",
			feed: func(f *feeder) []engine.Interaction {
				return []engine.Interaction{f.in("acme", "e1", twoPhrases, day0)}
			},
			check: func(t *testing.T, r result) {
				ch := only(t, r.got[0])
				a := ch.Alert
				if ch.Version != 1 {
					t.Errorf("version = %d, want 1", ch.Version)
				}
				want := domain.Alert{
					Tenant: "acme", ID: a.ID, RuleID: engine.RuleSensitiveWords, RuleVersion: engine.RuleSensitiveWordsVersion,
					EmployeeID: "e1", Severity: domain.SeverityHigh, Status: domain.StatusRaised,
					ExplanationEN: a.ExplanationEN, ExplanationZH: a.ExplanationZH,
					WindowStart: day0, WindowEnd: day0.Add(7 * 24 * time.Hour), RaisedAt: day0, UpdatedAt: day0,
					Evidence: a.Evidence,
				}
				if diff := cmp.Diff(want, a); diff != "" {
					t.Errorf("alert mismatch (-want, +got):\n%s", diff)
				}
				if a.ID == "" {
					t.Error("alert id is empty")
				}
				if len(a.Evidence) != 1 || len(ch.NewEvidence) != 1 {
					t.Fatalf("evidence %d, new evidence %d; want 1 and 1", len(a.Evidence), len(ch.NewEvidence))
				}
				if diff := cmp.Diff(a.Evidence, ch.NewEvidence); diff != "" {
					t.Errorf("new evidence differs from the alert's (-alert, +new):\n%s", diff)
				}
				ev := a.Evidence[0]
				if ev.EventID != r.ins[0].Evidence.EventID || ev.Stream != "CLIENT" || ev.Sequence != 1 {
					t.Errorf("evidence locates %s %s %d, want %s CLIENT 1", ev.EventID, ev.Stream, ev.Sequence, r.ins[0].Evidence.EventID)
				}
				checkSpans(t, twoPhrases, ev, "加我私人微信", "私单")
				for _, p := range []string{"加我私人微信", "私单"} {
					if !strings.Contains(a.ExplanationEN, p) {
						t.Errorf("explanation_en %q does not mention %q", a.ExplanationEN, p)
					}
					if !strings.Contains(a.ExplanationZH, p) {
						t.Errorf("explanation_zh %q does not mention %q", a.ExplanationZH, p)
					}
				}
			},
		},
		{
			name: "a second hit within the window extends the alert to high",
			feed: func(f *feeder) []engine.Interaction {
				return []engine.Interaction{
					f.in("acme", "e1", onePhrase, day0),
					f.in("acme", "e1", another, day0.Add(3*24*time.Hour)),
				}
			},
			check: func(t *testing.T, r result) {
				first, second := only(t, r.got[0]), only(t, r.got[1])
				if first.Version != 1 || first.Alert.Severity != domain.SeverityMedium {
					t.Errorf("first: version %d severity %s, want 1 medium", first.Version, first.Alert.Severity)
				}
				if second.Alert.ID != first.Alert.ID {
					t.Errorf("second hit opened alert %s, want the first one %s", second.Alert.ID, first.Alert.ID)
				}
				if second.Version != 2 || second.Alert.Severity != domain.SeverityHigh {
					t.Errorf("second: version %d severity %s, want 2 high", second.Version, second.Alert.Severity)
				}
				if got := evidenceSequences(second.Alert.Evidence); !cmp.Equal(got, []uint64{1, 2}) {
					t.Errorf("evidence sequences = %v, want [1 2]", got)
				}
				if got := evidenceSequences(second.NewEvidence); !cmp.Equal(got, []uint64{2}) {
					t.Errorf("new evidence sequences = %v, want [2]", got)
				}
				if !second.Alert.RaisedAt.Equal(day0) || !second.Alert.UpdatedAt.Equal(r.ins[1].OccurredAt) {
					t.Errorf("raised %v updated %v, want %v and %v", second.Alert.RaisedAt, second.Alert.UpdatedAt, day0, r.ins[1].OccurredAt)
				}
				// The first change is a snapshot: extending the alert must
				// not rewrite what was already decided.
				if len(first.Alert.Evidence) != 1 {
					t.Errorf("first change's evidence grew to %d entries after the second hit", len(first.Alert.Evidence))
				}
				checkSpans(t, onePhrase, second.Alert.Evidence[0], "私单")
				checkSpans(t, another, second.Alert.Evidence[1], "打到我卡上")
			},
		},
		{
			name: "a hit after the window closed opens a new alert",
			feed: func(f *feeder) []engine.Interaction {
				return []engine.Interaction{
					f.in("acme", "e1", onePhrase, day0),
					f.in("acme", "e1", another, day0.Add(8*24*time.Hour)),
				}
			},
			check: func(t *testing.T, r result) {
				first, second := only(t, r.got[0]), only(t, r.got[1])
				if second.Alert.ID == first.Alert.ID {
					t.Fatalf("hit 8 days later extended alert %s, want a new one", first.Alert.ID)
				}
				if second.Version != 1 || second.Alert.Severity != domain.SeverityMedium || len(second.Alert.Evidence) != 1 {
					t.Errorf("new alert: version %d severity %s evidence %d, want 1 medium 1",
						second.Version, second.Alert.Severity, len(second.Alert.Evidence))
				}
				if want := r.ins[1].OccurredAt; !second.Alert.WindowStart.Equal(want) {
					t.Errorf("new window starts %v, want %v", second.Alert.WindowStart, want)
				}
			},
		},
		{
			name: "a quoted-only hit is low and says it is reported speech",
			feed: func(f *feeder) []engine.Interaction {
				return []engine.Interaction{f.in("acme", "e1", quotedOnly, day0)}
			},
			check: func(t *testing.T, r result) {
				a := only(t, r.got[0]).Alert
				if a.Severity != domain.SeverityLow {
					t.Errorf("severity = %s, want low", a.Severity)
				}
				if len(a.Evidence) != 1 || len(a.Evidence[0].Matches) != 1 || !a.Evidence[0].Matches[0].Quoted {
					t.Fatalf("evidence = %+v, want one quoted match", a.Evidence)
				}
				checkSpans(t, quotedOnly, a.Evidence[0], "打到我卡上")
				if !strings.Contains(a.ExplanationEN, "quot") {
					t.Errorf("explanation_en %q does not say the phrase was quoted", a.ExplanationEN)
				}
				if !strings.Contains(a.ExplanationZH, "转述") {
					t.Errorf("explanation_zh %q does not say 转述", a.ExplanationZH)
				}
			},
		},
		{
			name: "another employee's hits do not mix",
			feed: func(f *feeder) []engine.Interaction {
				return []engine.Interaction{
					f.in("acme", "e1", onePhrase, day0),
					f.in("acme", "e2", another, day0.Add(time.Hour)),
				}
			},
			check: func(t *testing.T, r result) {
				checkSeparate(t, r.got, "e1", "e2")
			},
		},
		{
			name: "the same employee id in another tenant is another person",
			feed: func(f *feeder) []engine.Interaction {
				return []engine.Interaction{
					f.in("acme", "e1", onePhrase, day0),
					f.in("globex", "e1", another, day0),
				}
			},
			check: func(t *testing.T, r result) {
				checkSeparate(t, r.got, "e1", "e1")
				if r.got[0][0].Alert.Tenant != "acme" || r.got[1][0].Alert.Tenant != "globex" {
					t.Errorf("tenants = %s, %s; want acme, globex", r.got[0][0].Alert.Tenant, r.got[1][0].Alert.Tenant)
				}
			},
		},
		{
			name:   "HighAt 3 needs a third hit",
			params: engine.SensitiveWordsParams{Window: 7 * 24 * time.Hour, HighAt: 3},
			feed: func(f *feeder) []engine.Interaction {
				return []engine.Interaction{
					f.in("acme", "e1", twoPhrases, day0),
					f.in("acme", "e1", another, day0.Add(24*time.Hour)),
				}
			},
			check: func(t *testing.T, r result) {
				first, second := only(t, r.got[0]), only(t, r.got[1])
				if first.Alert.Severity != domain.SeverityMedium {
					t.Errorf("two hits with HighAt 3: severity %s, want medium", first.Alert.Severity)
				}
				if second.Version != 2 || second.Alert.Severity != domain.SeverityHigh {
					t.Errorf("three hits with HighAt 3: version %d severity %s, want 2 high", second.Version, second.Alert.Severity)
				}
				if !strings.Contains(second.Alert.ExplanationEN, "3 or more") {
					t.Errorf("explanation_en %q does not state the threshold 3", second.Alert.ExplanationEN)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			params := tc.params
			if params == (engine.SensitiveWordsParams{}) {
				params = engine.DefaultSensitiveWords()
			}
			ins := tc.feed(&feeder{})
			got := observeAll(engine.New(lexicon.Default(), params), ins)
			tc.check(t, result{ins: ins, got: got})
		})
	}
}

func evidenceSequences(evs []domain.Evidence) []uint64 {
	out := make([]uint64, 0, len(evs))
	for _, e := range evs {
		out = append(out, e.Sequence)
	}
	return out
}

// checkSeparate asserts two interactions each raised an alert of its own.
func checkSeparate(t *testing.T, got [][]engine.Change, emp1, emp2 string) {
	t.Helper()
	a, b := only(t, got[0]), only(t, got[1])
	if a.Alert.ID == b.Alert.ID {
		t.Fatalf("both hits landed in alert %s", a.Alert.ID)
	}
	for i, ch := range []engine.Change{a, b} {
		if ch.Version != 1 || ch.Alert.Severity != domain.SeverityMedium || len(ch.Alert.Evidence) != 1 {
			t.Errorf("alert %d: version %d severity %s evidence %d, want 1 medium 1",
				i, ch.Version, ch.Alert.Severity, len(ch.Alert.Evidence))
		}
	}
	if a.Alert.EmployeeID != emp1 || b.Alert.EmployeeID != emp2 {
		t.Errorf("employees = %s, %s; want %s, %s", a.Alert.EmployeeID, b.Alert.EmployeeID, emp1, emp2)
	}
}

// TestObserveInteractionDeterministic is the engine's determinism property:
// the same RISK_IN prefix fed to two fresh engines yields identical
// decisions, alert ids included.
func TestObserveInteractionDeterministic(t *testing.T) {
	t.Parallel()
	sequence := func() []engine.Interaction {
		f := &feeder{}
		return []engine.Interaction{
			f.in("acme", "e1", onePhrase, day0),
			f.in("acme", "e2", honest, day0.Add(time.Hour)),
			f.in("acme", "e2", quotedOnly, day0.Add(2*time.Hour)),
			f.in("globex", "e1", twoPhrases, day0.Add(3*time.Hour)),
			f.in("acme", "e1", another, day0.Add(2*24*time.Hour)),
			f.in("acme", "e2", twoPhrases, day0.Add(3*24*time.Hour)),
			f.in("acme", "e1", onePhrase, day0.Add(9*24*time.Hour)),
		}
	}
	first := observeAll(engine.New(lexicon.Default(), engine.DefaultSensitiveWords()), sequence())
	second := observeAll(engine.New(lexicon.Default(), engine.DefaultSensitiveWords()), sequence())
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("replay decided differently (-first, +second):\n%s", diff)
	}
	ids := map[string]bool{}
	changes := 0
	for _, chs := range first {
		for _, ch := range chs {
			ids[ch.Alert.ID] = true
			changes++
		}
	}
	// e1@acme twice (window closed before day 9), e2@acme once, e1@globex once.
	if len(ids) != 4 || changes != 6 {
		t.Errorf("%d alerts from %d changes, want 4 alerts from 6 changes", len(ids), changes)
	}
}

// A change's evidence is the engine's own, shared: a later extension of
// the alert must not show through an earlier change, nor what a caller
// appends to a change's evidence through the engine's next change.
func TestChangesKeepTheEvidenceTheyWereGiven(t *testing.T) {
	t.Parallel()
	e := newEngine()
	f := &feeder{}
	var changes []engine.Change
	var appended [][]domain.Evidence
	for i, text := range []string{onePhrase, another, onePhrase, another} {
		ch := only(t, e.ObserveInteraction(f.in("acme", "e1", text, day0.Add(time.Duration(i)*time.Hour))))
		changes = append(changes, ch)
		appended = append(appended, append(ch.Alert.Evidence, domain.Evidence{EventID: "appended by a caller"}))
	}
	ids := func(evs []domain.Evidence) []string {
		var out []string
		for _, ev := range evs {
			out = append(out, ev.EventID)
		}
		return out
	}
	var all []string
	for i, ch := range changes {
		id := fmt.Sprintf("evt-%d", i+1)
		all = append(all, id)
		if diff := cmp.Diff(all, ids(ch.Alert.Evidence)); diff != "" {
			t.Errorf("change %d: alert evidence (-want, +got):\n%s", i+1, diff)
		}
		if diff := cmp.Diff([]string{id}, ids(ch.NewEvidence)); diff != "" {
			t.Errorf("change %d: new evidence (-want, +got):\n%s", i+1, diff)
		}
		if diff := cmp.Diff(append(slices.Clone(all), "appended by a caller"), ids(appended[i])); diff != "" {
			t.Errorf("change %d: the caller's appended evidence (-want, +got):\n%s", i+1, diff)
		}
		if ch.Alert.ID != changes[0].Alert.ID || ch.Version != uint64(i+1) {
			t.Fatalf("change %d is not version %d of one alert: %s v%d", i+1, i+1, ch.Alert.ID, ch.Version)
		}
	}
}

// A scan made ahead (Engine.Scan, off the engine's goroutine) decides as
// the engine's own; one made of another text is not used.
func TestScannedAheadDecidesAsScannedByTheEngine(t *testing.T) {
	t.Parallel()
	texts := []string{twoPhrases, honest, onePhrase, quotedOnly, another}
	judge := func(scan func(e *engine.Engine, in engine.Interaction) *engine.Scanned) []engine.Change {
		e := newEngine()
		f := &feeder{}
		var out []engine.Change
		for i, text := range texts {
			in := f.in("acme", "e1", text, day0.Add(time.Duration(i)*time.Hour))
			in.Scanned = scan(e, in)
			out = append(out, e.ObserveInteraction(in)...)
		}
		return out
	}
	want := judge(func(*engine.Engine, engine.Interaction) *engine.Scanned { return nil })
	if len(want) < 3 {
		t.Fatalf("the texts made %d changes; the test needs several", len(want))
	}
	ahead := judge(func(e *engine.Engine, in engine.Interaction) *engine.Scanned { return e.Scan(in.Text) })
	if diff := cmp.Diff(want, ahead); diff != "" {
		t.Errorf("scanned ahead (-engine's own, +ahead):\n%s", diff)
	}
	// A scan of another text (a caller's mistake) must not be taken for
	// this one's: an honest scan on a sensitive text, and the reverse.
	mixed := judge(func(e *engine.Engine, in engine.Interaction) *engine.Scanned {
		if in.Text == honest {
			return e.Scan(twoPhrases)
		}
		return e.Scan(honest)
	})
	if diff := cmp.Diff(want, mixed); diff != "" {
		t.Errorf("scans of other texts (-engine's own, +with them):\n%s", diff)
	}
}

// Two rules judge each interaction, each with its own alert: what one
// rule's alert holds must not carry over to the next rule judged on the
// same observation. "aaa_echo" (judged first, ids in order) reads its own
// alert and fires on every interaction; sensitive_words fires on the
// sensitive ones only, so their alerts differ from the second on.
func TestRulesOnOneObservationEachSeeTheirOwnAlert(t *testing.T) {
	t.Parallel()
	e := newEngine()
	echo, _ := e.Rule("acme", engine.RuleSensitiveWords)
	echo.Builtin, echo.Version = false, 1
	echo.Definition.ID = "aaa_echo"
	echo.Definition.SeverityExpr = ""
	echo.Definition.Trigger = `event.type == "interaction" && (alert.new || alert.count >= 2)`
	for _, c := range []engine.RuleChange{{Tenant: "acme", Upserted: &echo}, {Tenant: "acme", RuleID: "aaa_echo", Enabled: true}} {
		if err := e.ApplyRuleChange(c); err != nil {
			t.Fatal(err)
		}
	}
	f := &feeder{}
	counts := map[string][]int{}
	ids := map[string]map[string]bool{}
	for i, text := range []string{onePhrase, honest, another, honest, onePhrase} {
		for _, ch := range e.ObserveInteraction(f.in("acme", "e1", text, day0.Add(time.Duration(i)*time.Hour))) {
			counts[ch.Alert.RuleID] = append(counts[ch.Alert.RuleID], len(ch.Alert.Evidence))
			if ids[ch.Alert.RuleID] == nil {
				ids[ch.Alert.RuleID] = map[string]bool{}
			}
			ids[ch.Alert.RuleID][ch.Alert.ID] = true
			if ch.Alert.RuleID == "aaa_echo" && ch.Alert.ID == "" {
				t.Errorf("aaa_echo's change has no alert id")
			}
		}
	}
	want := map[string][]int{"aaa_echo": {1, 2, 3, 4, 5}, engine.RuleSensitiveWords: {1, 2, 3}}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("evidence per change, by rule (-want, +got):\n%s", diff)
	}
	if len(ids["aaa_echo"]) != 1 || len(ids[engine.RuleSensitiveWords]) != 1 {
		t.Errorf("alerts by rule: %v; want one each", ids)
	}
	for id := range ids["aaa_echo"] {
		if ids[engine.RuleSensitiveWords][id] {
			t.Errorf("both rules extended alert %s", id)
		}
	}
}
