package engine

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
)

// TestSnapshotMirrorsEveryField fails when a projection gains a field
// that the snapshot does not carry: each field of the engine's state types
// must have a namesake (case aside) in its mirror, or be listed here as
// derived from others.
func TestSnapshotMirrorsEveryField(t *testing.T) {
	t.Parallel()
	derived := map[string]string{
		"Engine.lexicon": "configuration", "Engine.compiler": "configuration", "Engine.builtin": "configuration",
		"Engine.inForceCache": "cache of tenants", "Engine.judging": "the evaluation in progress", "Engine.scratch": "reused maps", "Engine.tenants": "snapshot.Rules", "Engine.staff": "staffProjection",
		"Engine.book": "bookProjection", "Engine.sellerOrder": "sales", "bookProjection.held": "customers' owners",
		"orgUnit.parent": "source", "orgUnit.branch": "source", "orgUnit.calendar": "source", "orgUnit.location": "source",
		"tenantRule.program": "snapRule.Definition", "revealSeen.piece": "snapPiece",
		"salesActivity.sums": "days", "salesActivity.sumsDay": "days", "salesActivity.sumsValid": "days",
		"Engine.orderQueues": "orders", "orderState.due": "orderQueue", "orderState.slot": "orderQueue",
		"staffProjection.prunable": "members",
	}
	pairs := []struct{ state, mirror any }{
		{Engine{}, snapshot{}},
		{staffProjection{}, snapshot{}},
		{bookProjection{}, snapshot{}},
		{openAlert{}, snapOpen{}},
		{tally{}, snapTally{}},
		{piece{}, snapPiece{}},
		{revealSeen{}, snapPiece{}},
		{dayActivity{}, snapDayActivity{}},
		{pendingExport{}, snapExport{}},
		{orderState{}, snapOrder{}},
		{dayCounts{}, snapDayCounts{}},
		{salesActivity{}, snapSales{}},
		{callHistory{}, snapCalls{}},
		{longCall{}, snapLongCall{}},
		{churnRecord{}, snapChurn{}},
		{staffMember{}, snapMember{}},
		{bookEntry{}, snapCustomer{}},
		{offBookTouch{}, snapTouch{}},
		{orgUnit{}, snapshot{}},
		{tenantRule{}, snapRule{}},
	}
	aliases := map[string]string{
		"Engine.evalErrors": "EvalErrors", "staffProjection.units": "Units", "orgUnit.source": "Units",
		"bookEntry.owner": "Owner",
	}
	for _, p := range pairs {
		st, mt := reflect.TypeOf(p.state), reflect.TypeOf(p.mirror)
		for i := range st.NumField() {
			f := st.Field(i)
			name := st.Name() + "." + f.Name
			if _, ok := derived[name]; ok {
				continue
			}
			want := f.Name
			if a, ok := aliases[name]; ok {
				want = a
			}
			if _, ok := mt.FieldByNameFunc(func(n string) bool { return strings.EqualFold(n, want) }); !ok {
				t.Errorf("%s has no counterpart in %s: a snapshot would lose it (add it to the mirror, or list it as derived)", name, mt.Name())
			}
		}
	}
}

// TestSnapshotAndTailDecideAsOneEngine: an engine that judges a history
// from its first event, and one restored from a snapshot taken at a
// random point of it that judges only the events after that point, make
// the same decisions after the point, byte for byte; and a snapshot of the
// restored engine is the snapshot it was restored from.
func TestSnapshotAndTailDecideAsOneEngine(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	events := randomHistory(rand.New(rand.NewPCG(seed, 7)))
	rng := rand.New(rand.NewPCG(seed, 8))
	snaps := map[int][]byte{} // by cut: taken before events[cut]
	for range 3 {
		snaps[1+rng.IntN(len(events)-1)] = nil
	}
	whole := snapEngine()
	want := make([][]Change, len(events))
	raised := 0
	for i, ev := range events {
		if _, ok := snaps[i]; ok {
			b, err := whole.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			snaps[i] = b
		}
		want[i] = ev(whole)
		raised += len(want[i])
	}
	if raised < 20 {
		t.Fatalf("the history decides only %d times; it must exercise the rules", raised)
	}
	for cut, snap := range snaps {
		after := snapEngine()
		if err := after.Restore(snap); err != nil {
			t.Fatal(err)
		}
		again, err := after.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		if string(again) != string(snap) {
			t.Fatalf("cut %d: a restored engine's snapshot differs from the one it was restored from", cut)
		}
		for i, ev := range events[cut:] {
			if diff := cmp.Diff(want[cut+i], ev(after)); diff != "" {
				t.Fatalf("cut %d of %d, event %d after it: restored engine decides differently (-whole, +restored):\n%s", cut, len(events), i, diff)
			}
		}
	}
}

func TestRestoreRefusesAnotherFormat(t *testing.T) {
	t.Parallel()
	e := snapEngine()
	e.ObserveReveal(Reveal{Tenant: "t", EmployeeID: "a", OccurredAt: time.Unix(0, 0).UTC()})
	for _, bad := range [][]byte{nil, []byte("not gob"), func() []byte {
		s := snapshot{Format: SnapshotFormat + 1}
		b, _ := encodeForTest(s)
		return b
	}()} {
		if err := e.Restore(bad); err == nil {
			t.Errorf("Restore(%q) = nil, want ErrSnapshotFormat", bad)
		}
	}
	if got, _ := e.reveals.get(employeeKey{"t", "a"}); len(got) != 1 {
		t.Error("a refused snapshot changed the engine")
	}
}

// A day's counts are held in 32 bits: a snapshot of this build whose
// counts do not fit (written by nothing but a corrupted file) is refused
// whole, not cut down to other counts.
func TestRestoreRefusesDayCountsBeyondADay(t *testing.T) {
	t.Parallel()
	src := snapEngine()
	fp, err := src.fingerprint()
	if err != nil {
		t.Fatal(err)
	}
	good := snapshot{Format: SnapshotFormat, Fingerprint: fp, Sales: []snapSales{{
		Tenant: "t", Employee: "a", FoldedThrough: -1,
		Days: []snapDayCounts{{Day: 20514, Won: 1, Decided: 1, Created: 1}},
	}}}
	b, err := encodeForTest(good)
	if err != nil {
		t.Fatal(err)
	}
	if err := snapEngine().Restore(b); err != nil {
		t.Fatalf("a snapshot of counts that fit: %v", err)
	}
	for _, bad := range []snapDayCounts{
		{Day: 1 << 31, Won: 1},
		{Day: 20514, Won: 1 << 32},
		{Day: 20514, Decided: -1 << 40},
		{Day: 20514, Interactions: 1 << 31},
		{Day: 20514, Created: 1 << 33},
	} {
		s := good
		s.Sales = []snapSales{{Tenant: "t", Employee: "a", FoldedThrough: -1, Days: []snapDayCounts{bad}}}
		b, err := encodeForTest(s)
		if err != nil {
			t.Fatal(err)
		}
		e := snapEngine()
		if err := e.Restore(b); !errors.Is(err, ErrSnapshotFormat) {
			t.Errorf("Restore of day counts %+v: %v, want ErrSnapshotFormat", bad, err)
		}
		if _, ok := e.sales.get(employeeKey{"t", "a"}); ok {
			t.Errorf("a refused snapshot (%+v) left sales behind", bad)
		}
	}
}

func snapEngine() *Engine { return New(lexicon.Default(), DefaultSensitiveWords()) }

// randomHistory is a seeded mix of every kind of input the engine takes,
// hour by hour over a few months for two tenants, with rule changes and a
// suppression on the way; each element applies one input to an engine and
// returns its decisions. Every random choice is made while building the
// list, never inside an element: elements run once per engine.
func randomHistory(rng *rand.Rand) []func(*Engine) []Change {
	var out []func(*Engine) []Change
	add := func(f func(*Engine) []Change) { out = append(out, f) }
	seq := uint64(0)
	ev := func(kind string, at time.Time) domain.Evidence {
		seq++
		return domain.Evidence{EventID: fmt.Sprintf("ev-%d", seq), Stream: "RISK_IN", Sequence: seq, EventType: kind, OccurredAt: at}
	}
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	tenants := []string{"acme", "brio"}
	const employees, customers = 6, 30
	emp := func(i int) string { return fmt.Sprintf("e%d", i) }
	cust := func(t string, i int) string { return fmt.Sprintf("%s-c%d", t, i) }
	texts := []string{"跟进一下报价", "Following up on the quote", "加我私人微信，这单我们走私单", "钱直接打到我卡上就行", "he said \"pay me privately\" and I refused"}
	for _, tn := range tenants {
		add(func(e *Engine) []Change {
			e.RecordOrgUnit(OrgUnit{Tenant: tn, ID: "branch", TimeZone: "Asia/Shanghai", WorkingWeekdays: []int{1, 2, 3, 4, 5}, Holidays: []string{"2026-02-17"}})
			return nil
		})
		for i := range employees {
			add(func(e *Engine) []Change {
				e.RecordStaff(StaffEvent{Tenant: tn, EmployeeID: emp(i), Kind: StaffHired, OrgUnitID: "branch", Role: "sales", Date: "2025-06-01", OccurredAt: start})
				return nil
			})
		}
		for c := range customers {
			owner := emp(c % employees)
			at := start.Add(time.Duration(c) * time.Minute)
			evd := ev("CustomerRegistered", at)
			add(func(e *Engine) []Change {
				return e.ObserveRegistration(Registration{Tenant: tn, CustomerID: cust(tn, c), OwnerID: owner, RegisteredBy: owner, Source: "assignment", Phones: []string{fmt.Sprintf("+86138%08d", c)}, OccurredAt: at, Evidence: evd})
			})
		}
	}
	orders := 0
	for h := range 24 * 75 {
		at := start.Add(time.Duration(h) * time.Hour)
		for _, tn := range tenants {
			tick := ev("ClockTicked", at)
			add(func(e *Engine) []Change {
				return e.ObserveTick(Tick{Tenant: tn, At: at, OccurredAt: at, Evidence: tick})
			})
			if at.Weekday() == time.Saturday || at.Weekday() == time.Sunday || at.Hour() < 1 || at.Hour() > 10 {
				continue
			}
			for range rng.IntN(4) {
				e := emp(rng.IntN(employees))
				c := cust(tn, rng.IntN(customers))
				when := at.Add(time.Duration(rng.IntN(3600)) * time.Second)
				switch k := rng.IntN(14); k {
				case 0, 1, 2:
					text, dur := texts[rng.IntN(len(texts))], time.Duration(60+rng.IntN(600))*time.Second
					if rng.IntN(20) == 0 {
						dur = 2 * time.Hour
					}
					counterparty := ""
					if rng.IntN(4) == 0 {
						c, counterparty = "", fmt.Sprintf("+86139%08d", rng.IntN(50))
					}
					evd := ev("InteractionLogged", when)
					add(func(en *Engine) []Change {
						return en.ObserveInteraction(Interaction{Tenant: tn, EmployeeID: e, Text: text, CustomerID: c, Counterparty: counterparty, Kind: "call", Duration: dur, OccurredAt: when, Evidence: evd})
					})
				case 3, 4:
					n := 1 + rng.IntN(30)
					for range n {
						evd := ev("ContactRevealed", when)
						assigned := rng.IntN(3) == 0
						add(func(en *Engine) []Change {
							return en.ObserveReveal(Reveal{Tenant: tn, EmployeeID: e, Assigned: assigned, OccurredAt: when, Evidence: evd})
						})
					}
				case 5:
					evd := ev("CheckedIn", when)
					far := rng.Float64() * 5000
					add(func(en *Engine) []Change {
						return en.ObserveCheckIn(CheckIn{Tenant: tn, EmployeeID: e, Visit: true, CustomerID: c, CustomerLocated: true, DistanceToCustomerM: far, HasPrevious: true, SecondsSincePrevious: 600, SpeedFromPreviousKmh: far / 10, OccurredAt: when, Evidence: evd})
					})
				case 6:
					id := fmt.Sprintf("x%d", seq)
					evd, dec := ev("ExportRequested", when), ev("ExportRejected", when.Add(time.Hour))
					count := rng.IntN(400)
					add(func(en *Engine) []Change {
						return en.ObserveExportRequest(ExportRequest{Tenant: tn, EmployeeID: e, ExportID: id, CustomerCount: count, IncludeContacts: count > 200, OccurredAt: when, Evidence: evd})
					})
					add(func(en *Engine) []Change {
						return en.ObserveExportDecision(ExportDecision{Tenant: tn, ExportID: id, Approved: count < 100, DecidedBy: "m1", OccurredAt: when.Add(time.Hour), Evidence: dec})
					})
				case 7, 8:
					orders++
					id := fmt.Sprintf("o%d", orders)
					amount := int64(1000 + rng.IntN(100000))
					created := ev("OrderCreated", when)
					contradiction := rng.IntN(10) == 0
					add(func(en *Engine) []Change {
						return en.ObserveOrderCreated(OrderCreated{Tenant: tn, OrderID: id, SellerID: e, CustomerID: c, AmountMinor: amount, Currency: "CNY", ClaimedSource: "personal", CustomerSource: "assignment", SourceContradiction: contradiction, OccurredAt: when, Evidence: created})
					})
					step := []OrderStepKind{OrderStepWon, OrderStepLost, OrderStepCancelled, OrderStepWon}[rng.IntN(4)]
					stepAt := when.Add(time.Duration(1+rng.IntN(72)) * time.Hour)
					stepEv := ev("OrderStep", stepAt)
					add(func(en *Engine) []Change {
						return en.ObserveOrderStep(OrderStep{Tenant: tn, OrderID: id, SellerID: e, CustomerID: c, Step: step, AmountMinor: amount, Currency: "CNY", OccurredAt: stepAt, Evidence: stepEv})
					})
					if step == OrderStepWon && rng.IntN(2) == 0 {
						payAt := stepAt.Add(24 * time.Hour)
						payEv := ev("PaymentRecorded", payAt)
						company := rng.IntN(4) != 0
						add(func(en *Engine) []Change {
							paid := amount
							toCompany := int64(0)
							if company {
								toCompany = amount
							}
							return en.ObservePayment(Payment{Tenant: tn, OrderID: id, SellerID: e, CustomerID: c, AmountMinor: amount, Currency: "CNY", PayeeIsCompanyAccount: company, PayerRelation: "own", OrderAmountMinor: amount, PaidTotalMinor: paid, PaidToCompanyTotalMinor: toCompany, OccurredAt: payAt, Evidence: payEv})
						})
					}
				case 9:
					evd := ev("InteractionDeleted", when)
					add(func(en *Engine) []Change {
						return en.ObserveInteractionDeletion(InteractionDeletion{Tenant: tn, EmployeeID: e, InteractionID: "i", CustomerID: c, OccurredAt: when, Evidence: evd})
					})
				case 10:
					evd := ev("DuplicateRegistrationAttempted", when)
					holder := emp(rng.IntN(employees))
					add(func(en *Engine) []Change {
						return en.ObserveDuplicateAttempt(DuplicateAttempt{Tenant: tn, EmployeeID: e, HolderID: holder, MatchedOn: []string{"phone"}, OccurredAt: when, Evidence: evd})
					})
				case 11:
					to := emp(rng.IntN(employees))
					add(func(en *Engine) []Change {
						en.RecordOwnerChange(OwnerChange{Tenant: tn, CustomerID: c, NewOwnerID: to, OccurredAt: when})
						return nil
					})
				case 12:
					kind := []StaffEventKind{StaffLeave, StaffNotice, StaffNoticeWithdrawn, StaffTransferred}[rng.IntN(4)]
					day := when.Format(time.DateOnly)
					evd := ev("Staff", when)
					add(func(en *Engine) []Change {
						en.RecordStaff(StaffEvent{Tenant: tn, EmployeeID: e, Kind: kind, OrgUnitID: "branch", Date: day, EndDate: when.AddDate(0, 0, 2).Format(time.DateOnly), OccurredAt: when, Evidence: evd})
						return nil
					})
				case 13:
					evd := ev("CommissionAccrued", when)
					order := fmt.Sprintf("o%d", max(orders, 1))
					add(func(en *Engine) []Change {
						return en.ObserveCommissionAccrual(CommissionAccrual{Tenant: tn, OrderID: order, EmployeeID: e, CustomerID: c, CommissionMinor: 100, Currency: "CNY", SourceContradiction: true, ClaimedSource: "personal", CustomerSource: "assignment", OccurredAt: when, Evidence: evd})
					})
				}
			}
		}
		switch h {
		case 24 * 20: // HR tunes a rule: a new version of a built-in
			add(func(e *Engine) []Change {
				r, _ := e.Rule("acme", RuleRevealSpike)
				r.Version++
				for i := range r.Definition.Params {
					if r.Definition.Params[i].Kind == domain.ParamInt {
						r.Definition.Params[i].Int++
					}
				}
				if err := e.ApplyRuleChange(RuleChange{Tenant: "acme", Upserted: &r}); err != nil {
					panic(err)
				}
				return nil
			})
		case 24 * 30:
			add(func(e *Engine) []Change {
				_ = e.ApplyRuleChange(RuleChange{Tenant: "brio", RuleID: RuleSensitiveWords, Enabled: false})
				_ = e.ApplyRuleChange(RuleChange{Tenant: "acme", RuleID: RuleSensitiveWords, Suppress: &Suppression{EmployeeID: "e1", Until: start.AddDate(0, 0, 60)}})
				return nil
			})
		case 24 * 50:
			add(func(e *Engine) []Change {
				_ = e.ApplyRuleChange(RuleChange{Tenant: "brio", RuleID: RuleSensitiveWords, Enabled: true})
				return nil
			})
		case 24 * 70:
			add(func(e *Engine) []Change {
				e.RecordStaff(StaffEvent{Tenant: "acme", EmployeeID: "e2", Kind: StaffDeparted, Date: "2026-03-16", OccurredAt: start.AddDate(0, 0, 70)})
				return nil
			})
		}
	}
	return out
}

// TestFingerprintIsStableAndSeesTheRules: two engines built alike share a
// fingerprint (else no snapshot would ever be restored); other deployment
// parameters make another one.
func TestFingerprintIsStableAndSeesTheRules(t *testing.T) {
	t.Parallel()
	a, err := snapEngine().fingerprint()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := snapEngine().fingerprint()
	if a != b {
		t.Fatalf("fingerprints of two engines built alike differ: %s, %s", a, b)
	}
	params := DefaultSensitiveWords()
	params.HighAt++
	c, _ := New(lexicon.Default(), params).fingerprint()
	if c == a {
		t.Error("an engine with other sensitive_words parameters has the same fingerprint")
	}
	snap, err := New(lexicon.Default(), params).Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if err := snapEngine().Restore(snap); err == nil {
		t.Error("an engine restored a snapshot taken with other built-in parameters")
	}
}
