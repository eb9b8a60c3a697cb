package rules

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// screenRule is a rule with trigger and the parameters the screen tests
// use: n (int), s (string), b (bool) and d (double, which the screen
// does not read).
func screenRule(trigger string) domain.Rule {
	return domain.Rule{Version: 1, Definition: domain.RuleDefinition{
		ID: "screened", DescriptionEN: "x", DescriptionZH: "x", Severity: domain.SeverityLow,
		Trigger: trigger, Window: time.Hour, ExplanationEN: "x", ExplanationZH: "x",
		Params: []domain.Param{
			{Name: "n", Kind: domain.ParamInt, Int: 3},
			{Name: "s", Kind: domain.ParamString, String: "x"},
			{Name: "b", Kind: domain.ParamBool, Bool: true},
		},
	}}
}

func compileScreened(t testing.TB, c *Compiler, trigger string) *Program {
	t.Helper()
	p, err := c.Compile(screenRule(trigger))
	if err != nil {
		t.Fatalf("%s: %v", trigger, err)
	}
	return p
}

func newCompiler(t testing.TB) *Compiler {
	t.Helper()
	c, err := NewCompiler()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func builtinRules(t testing.TB) Pack {
	t.Helper()
	pack, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return pack
}

// builds counts the features and alert an evaluation built.
type builds struct {
	features, alert map[string]any
	n               int
}

func (b *builds) Features() map[string]any { b.n++; return b.features }
func (b *builds) Alert() map[string]any    { b.n++; return b.alert }

// screened is what p's screen decides on in and how many variables it
// built, and what CEL alone decides.
func screened(p *Program, in Input) (v verdict, built int, celFired bool, celErr error) {
	lazy, _ := in.Lazy.(*builds)
	if lazy != nil {
		lazy.n = 0
	}
	v = unknown
	if p.screen != nil {
		a := p.activation(in)
		v = p.screened(a)
		a.release()
	}
	if lazy != nil {
		built = lazy.n
	}
	a := p.activation(in)
	defer a.release()
	out, _, err := p.trigger.Eval(a)
	if err != nil {
		return v, built, false, err
	}
	b, ok := out.Value().(bool)
	if !ok {
		return v, built, false, fmt.Errorf("not a bool: %v", out.Value())
	}
	return v, built, b, nil
}

// TestScreenDecidesWhatItCan names what the screen decides for each
// expression, and how many of features and alert it built to decide it:
// a side that reads only the event goes first.
func TestScreenDecidesWhatItCan(t *testing.T) {
	t.Parallel()
	c := newCompiler(t)
	event := map[string]any{"type": "t", "a": int64(5), "c": int64(5), "s": "x", "ok": true, "no": false, "d": 1.5, "i": 7}
	tests := []struct {
		expr  string
		want  verdict
		built int
	}{
		{`event.a > 4`, isTrue, 0},
		{`event.a > 5`, isFalse, 0},
		{`event.a >= params.n`, isTrue, 0},
		{`params.n >= event.a`, isFalse, 0},
		{`event.a == event.c && event.a <= event.c`, isTrue, 0},
		{`event.a != event.c`, isFalse, 0},
		{`event.a < 5 || event.a > 5`, isFalse, 0},
		{`event.s == params.s`, isTrue, 0},
		{`event.s != "x"`, isFalse, 0},
		{`event.ok == params.b`, isTrue, 0},
		{`event.ok`, isTrue, 0},
		{`event.no`, isFalse, 0},
		{`!event.ok`, isFalse, 0},
		{`!(event.a > 9)`, isTrue, 0},
		{`false`, isFalse, 0},
		{`event.type == "t" && true`, isTrue, 0},
		// What it does not read is unknown: an arithmetic, a function,
		// a missing fact, a fact of another type than its other side
		// (a double, a Go int), an ordering of strings.
		{`event.a + 1 > 9`, unknown, 0},
		{`size(event.s) > 9`, unknown, 0},
		{`has(event.zz)`, unknown, 0},
		{`event.zz > 1`, unknown, 0},
		{`event.d > 9.0`, unknown, 0},
		{`event.i > 9`, unknown, 0},
		{`event.s < "a"`, unknown, 0},
		{`event.ok == 1`, unknown, 0},
		{`event.a > 1 && event.zz > 1`, unknown, 0},
		// ... and decides nothing on its own: false && anything is false,
		// true || anything true, whatever CEL makes of the other side.
		{`event.zz > 1 && event.a > 9`, isFalse, 0},
		{`event.a + 1 > 9 || event.a > 1`, isTrue, 0},
		{`event.a / 0 > 1 && event.a > 9`, isFalse, 0},
		// Features and alert are built when read, after the event's side.
		{`features.f > 1`, isTrue, 1},
		{`alert.new && event.a > 9`, isFalse, 0},
		{`features.f > 1 && alert.count > 9 && event.a > 9`, isFalse, 0},
		{`features.f > 1 && alert.count > 9 && event.a > 1`, isFalse, 2},
		{`features.f > 5 && alert.count > 9 && event.a > 1`, isFalse, 1},
		{`[1, 2].exists(x, x > 1) && event.a > 9`, isFalse, 0},
		{`!(features.f > 1) && event.a > 9`, isFalse, 0},
		{`1 < features.f && event.a > 9`, isFalse, 0},
		{`features.f > 1 && features.f < 9 && event.a > 1`, isTrue, 1},
		// Beside a part it cannot decide, a side that builds is not
		// read: CEL might not build it (here it does).
		{`event.d > 1.0 && features.f > 1`, unknown, 0},
		{`features.f > 1 || event.a + 1 > 0`, unknown, 0},
	}
	for _, tc := range tests {
		p := compileScreened(t, c, tc.expr)
		in := Input{Event: event, Lazy: &builds{features: map[string]any{"f": int64(2)}, alert: map[string]any{"count": int64(1), "new": true}}}
		v, built, fired, celErr := screened(p, in)
		if v != tc.want || built != tc.built {
			t.Errorf("%s: screen %v after %d builds, want %v after %d", tc.expr, v, built, tc.want, tc.built)
		}
		if v != unknown && (celErr != nil || fired != (v == isTrue)) {
			t.Errorf("%s: screen %v, CEL %v (error %v)", tc.expr, v, fired, celErr)
		}
	}
}

// TestScreenNeverContradictsCEL: over random expressions and random
// facts — missing, of every kind, given as a map or as Facts — whenever
// the screen decides, CEL decides the same, without an error, and a
// trigger the screen calls false is not triggered.
func TestScreenNeverContradictsCEL(t *testing.T) {
	t.Parallel()
	c := newCompiler(t)
	rng := rand.New(rand.NewPCG(7, 11))
	decided := map[verdict]int{}
	for range 400 {
		expr := randomTrigger(rng, 4)
		p, err := c.Compile(screenRule(expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		for range 25 {
			in := randomInput(rng)
			v, _, fired, celErr := screened(p, in)
			decided[v]++
			if v != unknown && (celErr != nil || fired != (v == isTrue)) {
				t.Fatalf("%s on %v: screen %v, CEL %v (error %v)", expr, facts(in), v, fired, celErr)
			}
			got, err := p.Triggered(in)
			if v == isFalse && (got || err != nil) {
				t.Fatalf("%s on %v: screened false, Triggered %v, %v", expr, facts(in), got, err)
			}
		}
	}
	// The screen must decide a fair share of these, or this test shows
	// nothing.
	if decided[isFalse] < 500 || decided[isTrue] < 500 {
		t.Fatalf("screen decided %v of 10000", decided)
	}
}

// randomTrigger is a random boolean expression of depth up to depth over
// facts a, c (ints), s (string), ok (bool), d (double), features.f and
// alert.new, with parts the screen reads and parts it does not.
func randomTrigger(rng *rand.Rand, depth int) string {
	if depth > 0 && rng.IntN(3) > 0 {
		switch rng.IntN(5) {
		case 0:
			return "!(" + randomTrigger(rng, depth-1) + ")"
		case 1, 2:
			return "(" + randomTrigger(rng, depth-1) + " && " + randomTrigger(rng, depth-1) + ")"
		default:
			return "(" + randomTrigger(rng, depth-1) + " || " + randomTrigger(rng, depth-1) + ")"
		}
	}
	ops := []string{"==", "!=", "<", "<=", ">", ">="}
	op := ops[rng.IntN(len(ops))]
	ints := []string{"event.a", "event.c", "features.f", "params.n", "1", "3", "-2"}
	leaves := []string{
		ints[rng.IntN(len(ints))] + " " + op + " " + ints[rng.IntN(len(ints))],
		`event.s ` + op + ` "x"`, `event.s == params.s`, `event.ok`, `event.ok == params.b`, `alert.new`,
		`event.d > 1.0`, `event.a + 1 > 3`, `event.a / event.c > 0`, `has(event.s)`, `size(event.s) > 0`,
		`event.zz == 1`, `true`, `false`, `event.ok != event.s`,
	}
	return leaves[rng.IntN(len(leaves))]
}

// facts is the event of in, for a message.
func facts(in Input) map[string]any {
	if in.Event == nil && in.Facts != nil {
		return in.Facts.Map()
	}
	return in.Event
}

// randomInput is random facts: each missing or of a random kind, the
// event given as a map or as Facts.
func randomInput(rng *rand.Rand) Input {
	value := func() (any, bool) {
		switch rng.IntN(9) {
		case 0:
			return nil, false
		case 1:
			return "x", true
		case 2:
			return rng.IntN(2) == 0, true
		case 3:
			return []float64{1.0, 1.5, -0.5, 3}[rng.IntN(4)], true
		case 4:
			return nil, true // a fact that is null
		default:
			return int64(rng.IntN(7) - 2), true
		}
	}
	event := map[string]any{}
	for _, k := range []string{"a", "c", "s", "ok", "d"} {
		if v, ok := value(); ok {
			event[k] = v
		}
	}
	features, alert := map[string]any{}, map[string]any{}
	if v, ok := value(); ok {
		features["f"] = v
	}
	if v, ok := value(); ok {
		alert["new"] = v
	}
	in := Input{Event: event, Lazy: &builds{features: features, alert: alert}}
	switch rng.IntN(3) {
	case 0:
		in = Input{Facts: mapFacts(event), Lazy: in.Lazy}
	case 1:
		// Both given: the event map is the variable, not these facts.
		other := mapFacts{"a": int64(rng.IntN(7) - 2), "s": "y", "ok": rng.IntN(2) == 0}
		in.Facts = other
	}
	return in
}

// mapFacts are Facts read from a map.
type mapFacts map[string]any

func (m mapFacts) Fact(name string) (any, bool) { v, ok := m[name]; return v, ok }
func (m mapFacts) Map() map[string]any          { return m }

// panicFacts are facts whose reading panics.
type panicFacts struct{}

func (panicFacts) Fact(string) (any, bool) { panic("facts boom") }
func (panicFacts) Map() map[string]any     { panic("facts boom") }

// TestScreenLeavesPanicsToCEL: a Facts or Lazy of the caller's that panics
// while the screen reads it, for a trigger or a severity's choice, is an
// evaluation error, as it is without the screen, not a panic.
func TestScreenLeavesPanicsToCEL(t *testing.T) {
	t.Parallel()
	c := newCompiler(t)
	boom := func() map[string]any { panic("features boom") }
	for _, tc := range []struct {
		trigger string
		in      Input
	}{
		{`event.a > 1`, Input{Facts: panicFacts{}}},
		{`features.f > 1`, Input{Event: map[string]any{}, Lazy: lazyFunc{features: boom, alert: boom}}},
		{`event.a > 1 && alert.new`, Input{Event: map[string]any{"a": int64(2)}, Lazy: lazyFunc{features: boom, alert: boom}}},
	} {
		p := compileScreened(t, c, tc.trigger)
		if p.screen == nil {
			t.Fatalf("%s: no screen", tc.trigger)
		}
		fired, err := p.Triggered(tc.in)
		if fired || !errors.Is(err, ErrEvaluation) {
			t.Errorf("%s: Triggered = %v, %v; want an evaluation error", tc.trigger, fired, err)
		}
		r := screenRule("true")
		r.Definition.SeverityExpr = tc.trigger + ` ? "high" : "low"`
		p, err = c.Compile(r)
		if err != nil {
			t.Fatal(err)
		}
		if p.choice == nil {
			t.Fatalf("%s: no choice", r.Definition.SeverityExpr)
		}
		if _, err := p.Severity(tc.in); !errors.Is(err, ErrEvaluation) {
			t.Errorf("%s: Severity error %v, want an evaluation error", r.Definition.SeverityExpr, err)
		}
	}
}

type lazyFunc struct{ features, alert func() map[string]any }

func (l lazyFunc) Features() map[string]any { return l.features() }
func (l lazyFunc) Alert() map[string]any    { return l.alert() }

// TestBuiltinRulesAreScreened: every built-in trigger has a screen, and
// one whose cost is tracked at run time has none.
func TestBuiltinRulesAreScreened(t *testing.T) {
	t.Parallel()
	c, pack := newCompiler(t), builtinRules(t)
	for _, r := range pack.Rules {
		p, err := c.Compile(r)
		if err != nil {
			t.Fatal(err)
		}
		if p.screen == nil {
			t.Errorf("%s: no screen", r.Definition.ID)
		}
	}
	costly := compileScreened(t, c, `event.a > 1 && event.items.all(a, event.items.all(b, event.items.all(c, a + b + c != "")))`)
	if costly.screen != nil {
		t.Error("a trigger with a run-time cost limit has a screen: CEL could have stopped it with an error")
	}
}

// FuzzScreen: whatever trigger compiles, its screen never contradicts
// CEL on a few fixed sets of facts.
func FuzzScreen(f *testing.F) {
	for _, s := range []string{
		`event.a > 1 && !(event.s == "x") || features.f <= params.n`,
		`(event.ok || event.zz > 1) && alert.new`,
		`!event.ok && event.a == event.c`, `event.a / 0 == 1 || false`,
	} {
		f.Add(s)
	}
	c := newCompiler(f)
	inputs := []map[string]any{
		{"a": int64(1), "c": int64(2), "s": "x", "ok": true},
		{"a": int64(-4), "s": "", "ok": false, "d": 2.5},
		{},
	}
	f.Fuzz(func(t *testing.T, trigger string) {
		if strings.Contains(trigger, "params.") && !strings.Contains(trigger, "params.n") {
			return // an undeclared parameter does not compile
		}
		p, err := c.Compile(screenRule(trigger))
		if err != nil {
			return
		}
		for _, ev := range inputs {
			for _, in := range []Input{
				{Event: ev, Lazy: &builds{features: ev, alert: ev}},
				{Facts: mapFacts(ev), Lazy: &builds{features: map[string]any{}, alert: ev}},
			} {
				v, _, fired, celErr := screened(p, in)
				if v != unknown && (celErr != nil || fired != (v == isTrue)) {
					t.Fatalf("%s on %v: screen %v, CEL %v (error %v)", trigger, ev, v, fired, celErr)
				}
			}
		}
	})
}

// TestChoiceNeverContradictsCEL: over random severity expressions —
// conditionals on random conditions, with literal, computed and invalid
// branches — and random facts, Severity with the screen's choice gives
// what CEL alone gives, error or not, and the choice does pick often.
func TestChoiceNeverContradictsCEL(t *testing.T) {
	t.Parallel()
	c := newCompiler(t)
	rng := rand.New(rand.NewPCG(3, 5))
	var branch func(depth int) string
	branch = func(depth int) string {
		if depth > 0 && rng.IntN(2) == 0 {
			return "(" + randomTrigger(rng, 2) + " ? " + branch(depth-1) + " : " + branch(depth-1) + ")"
		}
		return []string{`"low"`, `"medium"`, `"high"`, `"hi" + "gh"`, `"urgent"`, `event.s`}[rng.IntN(6)]
	}
	picked := 0
	for range 300 {
		r := screenRule("true")
		r.Definition.SeverityExpr = "(" + randomTrigger(rng, 2) + ") ? " + branch(2) + " : " + branch(2)
		p, err := c.Compile(r)
		if err != nil {
			t.Fatalf("%s: %v", r.Definition.SeverityExpr, err)
		}
		if p.choice == nil {
			continue
		}
		celOnly := *p
		celOnly.choice = nil
		for range 25 {
			in := randomInput(rng)
			a := p.activation(in)
			if _, ok := p.chosen(a); ok {
				picked++
			}
			a.release()
			got, gotErr := p.Severity(in)
			want, wantErr := celOnly.Severity(in)
			if got != want || (gotErr == nil) != (wantErr == nil) {
				t.Fatalf("%s on %v: %v (%v) with the choice, %v (%v) by CEL alone", r.Definition.SeverityExpr, facts(in), got, gotErr, want, wantErr)
			}
		}
	}
	if picked < 400 {
		t.Fatalf("the choice picked %d times of 7500; the test shows little", picked)
	}
}

// Every built-in rule's severity expression is chosen in Go but those
// whose condition is arithmetic.
func TestBuiltinSeveritiesAreChosen(t *testing.T) {
	t.Parallel()
	arithmetic := map[string]bool{"conversion_drop": true, "departing_exfiltration": true, "reveal_spike": true}
	c, pack := newCompiler(t), builtinRules(t)
	for _, r := range pack.Rules {
		p, err := c.Compile(r)
		if err != nil {
			t.Fatal(err)
		}
		if want := r.Definition.SeverityExpr != "" && !arithmetic[r.Definition.ID]; (p.choice != nil) != want {
			t.Errorf("%s: severity %q chosen in Go %v, want %v", r.Definition.ID, r.Definition.SeverityExpr, p.choice != nil, want)
		}
	}
}
