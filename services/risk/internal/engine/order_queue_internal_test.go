package engine

import (
	"bytes"
	"cmp"
	"encoding/gob"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// TestOrderQueueDecidesAsTheScan: the order check that takes due orders
// from a queue decides exactly as the check that walked every order at
// every tick did. Random histories of order events (late and early ones,
// orders never started, ids that come back after their order ended), rule
// changes that move the deadlines, suppressions and ticks with gaps are
// fed to an engine with the queue, restored from its own snapshot now and
// then, and to two engines running the walk: one that skips ticks before
// ordersNext as the code before the queue did, whose snapshots must be the
// queued engine's byte for byte, and one that walks every order at every
// tick, which trusts no due time at all. After every input the queue must
// hold exactly the tenant's orders, each at its due time.
func TestOrderQueueDecidesAsTheScan(t *testing.T) {
	t.Parallel()
	seeds := []uint64{1, 2, 3, uint64(time.Now().UnixNano())}
	for _, seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			history := randomOrderHistory(rand.New(rand.NewPCG(seed, 11)))
			rng := rand.New(rand.NewPCG(seed, 12))
			restoreAt := map[int]bool{}
			for range 6 {
				restoreAt[rng.IntN(len(history))] = true
			}
			queued, scanned, everyTick := snapEngine(), snapEngine(), snapEngine()
			var decisions, restored int
			for i, in := range history {
				if restoreAt[i] {
					queued = restoredCopy(t, queued)
					restored++
					if diff := snapshotDiff(t, scanned, queued); diff != "" {
						t.Fatalf("input %d: the restored engine's state differs from the scan's:\n%s", i, diff)
					}
				}
				var want, ungated, got []Change
				if in.apply != nil {
					want, ungated, got = in.apply(scanned), in.apply(everyTick), in.apply(queued)
				} else {
					want = observeTickWith(scanned, in.tick, func(t Tick) []Change { return scanned.unbackedOrderCheckByScan(t, true) })
					ungated = observeTickWith(everyTick, in.tick, func(t Tick) []Change { return everyTick.unbackedOrderCheckByScan(t, false) })
					got = queued.ObserveTick(in.tick)
				}
				// DeepEqual first, for speed; cmp.Diff decides and explains.
				if !reflect.DeepEqual(want, got) || !reflect.DeepEqual(ungated, got) {
					if diff, ungatedDiff := gocmp.Diff(want, got), gocmp.Diff(ungated, got); diff != "" || ungatedDiff != "" {
						t.Fatalf("input %d (%s): the queue decides otherwise than the scan (-scan, +queue):\n%s\nthan a scan at every tick (-scan, +queue):\n%s",
							i, in, diff, ungatedDiff)
					}
				}
				for _, c := range got {
					if c.Alert.RuleID == RuleUnbackedOrder {
						decisions++
					}
				}
				checkOrderQueues(t, queued)
			}
			if diff := snapshotDiff(t, scanned, queued); diff != "" {
				t.Fatalf("at the end the queued engine's state differs from the scan's:\n%s", diff)
			}
			t.Logf("%d inputs, %d unbacked_order decisions, %d restores", len(history), decisions, restored)
			if decisions < 50 {
				t.Fatalf("the history made %d unbacked_order decisions; it must exercise the check", decisions)
			}
		})
	}
}

// unbackedOrderCheckByScan is unbackedOrderCheck as it was before the
// queue, which walks every order of the tenant to find the due ones. Gated
// it skips ticks before ordersNext as that code did; ungated it walks at
// every tick, so it needs neither orderDueAt nor orderChanged to be right.
func (e *Engine) unbackedOrderCheckByScan(t Tick, gated bool) []Change {
	byID := e.orders[t.Tenant]
	if len(byID) == 0 {
		return nil
	}
	if next, ok := e.ordersNext[t.Tenant]; gated && ok && t.At.Before(next) {
		return nil
	}
	payment, shipment := e.unbackedDeadlines(t.Tenant)
	first, last := min(payment, shipment), max(payment, shipment)
	var due []*orderState
	for id, o := range byID {
		switch {
		case o.started.IsZero():
			if t.At.Sub(o.lastSeen) > orderIdleHorizon {
				delete(byID, id)
			}
		case !t.At.Before(o.started):
			if days := int64(t.At.Sub(o.started) / (24 * time.Hour)); days > o.judgedDays && days >= first {
				due = append(due, o)
			}
		}
	}
	slices.SortFunc(due, func(a, b *orderState) int {
		return cmp.Or(a.started.Compare(b.started), cmp.Compare(a.id, b.id))
	})
	var out []Change
	for _, o := range due {
		days := int64(t.At.Sub(o.started) / (24 * time.Hour))
		o.judgedDays = days
		facts := e.facts(factOrderDeadline, o.seller)
		facts.set("order_id", o.id)
		facts.set("customer_id", o.customer)
		facts.set("amount_minor", o.amount)
		facts.set("currency", o.currency)
		facts.set("paid_total_minor", o.paidTotal)
		facts.set("paid_to_company_minor", o.paidToCompany)
		facts.set("shipped", o.shipped)
		facts.set("started_by", o.startedBy)
		facts.set("days_since_start", days)
		changes := e.observe(observation{
			tenant: t.Tenant, employee: o.seller, at: t.At,
			typed:   facts,
			this:    evidenceOnly(o.startEvidence),
			context: func() []piece { return o.contextPieces(o.startEvidence.EventID) },
		})
		out = append(out, changes...)
		reported := slices.ContainsFunc(changes, func(c Change) bool { return c.Alert.RuleID == RuleUnbackedOrder })
		until, muted := e.suppressed[alertKey{RuleUnbackedOrder, employeeKey{t.Tenant, o.seller}}]
		muted = muted && t.At.Before(until) && days < last+suppressedKeepDays
		if reported || (days >= last && !muted) {
			delete(byID, o.id)
		}
	}
	if len(byID) == 0 {
		delete(e.orders, t.Tenant)
		delete(e.ordersNext, t.Tenant)
		return out
	}
	var next time.Time
	for _, o := range byID {
		if at := orderDueAt(o, first); next.IsZero() || at.Before(next) {
			next = at
		}
	}
	e.ordersNext[t.Tenant] = next
	return out
}

// observeTickWith is ObserveTick with orderCheck in place of
// unbackedOrderCheck (the checks in tickChecks' order).
func observeTickWith(e *Engine, t Tick, orderCheck func(Tick) []Change) []Change {
	var out []Change
	for _, check := range []func(Tick) []Change{e.pruneProjections, e.pruneExports, e.judgeNeglect, orderCheck, e.conversionCheck, e.churnCheck} {
		out = append(out, check(t)...)
	}
	return out
}

// checkOrderQueues fails unless every queue of e holds exactly its
// tenant's orders, each at its due time for the queue's first deadline,
// in heap order with its slot and due time right.
func checkOrderQueues(t *testing.T, e *Engine) {
	t.Helper()
	for tenant, q := range e.orderQueues {
		byID := e.orders[tenant]
		if len(q.orders) != len(byID) {
			t.Fatalf("tenant %s: the queue holds %d orders, the projection %d", tenant, len(q.orders), len(byID))
		}
		for i, qo := range q.orders {
			o := qo.o
			switch {
			case qo != queued(o):
				t.Fatalf("tenant %s: order %s is queued at %d.%09d, due at %v", tenant, o.id, qo.sec, qo.nsec, o.due)
			case byID[o.id] != o:
				t.Fatalf("tenant %s: the queue holds order %s, which the projection dropped", tenant, o.id)
			case o.slot != i:
				t.Fatalf("tenant %s: order %s is at %d, its slot says %d", tenant, o.id, i, o.slot)
			case !o.due.Equal(orderDueAt(o, q.first)):
				t.Fatalf("tenant %s: order %s is queued at %v, due at %v", tenant, o.id, o.due, orderDueAt(o, q.first))
			case i > 0 && q.Less(i, (i-1)/2):
				t.Fatalf("tenant %s: order %s is due before its parent in the heap", tenant, o.id)
			}
		}
	}
}

// restoredCopy is a fresh engine restored from a snapshot of e.
func restoredCopy(t *testing.T, e *Engine) *Engine {
	t.Helper()
	b, err := e.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	out := snapEngine()
	if err := out.Restore(b); err != nil {
		t.Fatal(err)
	}
	return out
}

// snapshotDiff compares the snapshots of two engines: "" when their
// bytes are equal, else the difference of the states they hold.
func snapshotDiff(t *testing.T, want, got *Engine) string {
	t.Helper()
	var raw [2][]byte
	for i, e := range []*Engine{want, got} {
		b, err := e.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		raw[i] = b
	}
	if bytes.Equal(raw[0], raw[1]) {
		return ""
	}
	var snaps [2]snapshot
	for i, b := range raw {
		if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&snaps[i]); err != nil {
			t.Fatal(err)
		}
	}
	if diff := gocmp.Diff(snaps[0], snaps[1]); diff != "" {
		return diff
	}
	return "snapshots of equal states differ in their bytes"
}

// orderInput is one input of a random order history: an event or a rule
// change (apply), or else a tick.
type orderInput struct {
	name  string
	apply func(*Engine) []Change
	tick  Tick
}

func (in orderInput) String() string {
	if in.apply == nil {
		return fmt.Sprintf("tick of %s at %v", in.tick.Tenant, in.tick.At)
	}
	return in.name
}

// randomOrderHistory is a seeded history of order events, rule changes of
// unbacked_order and ticks over 200 days, for two busy tenants and one
// whose orders often run out. Most events go to a few orders whose ids
// come back after they end; the others open an order that sees no other
// event, so some sit unstarted until orderIdleHorizon. Some events arrive
// late (up to 130 days: an order idle at once, a start whose deadlines
// have passed) or early, some fall exactly on a tick; rule changes fall
// between a tick and the events after it. Now and then the clock jumps
// days without ticks, or a tick of an earlier hour comes again. Every
// random choice is made while building the list, never inside an
// element: elements run once per engine.
func randomOrderHistory(rng *rand.Rand) []orderInput {
	var out []orderInput
	add := func(name string, apply func(*Engine) []Change) {
		out = append(out, orderInput{name: name, apply: apply})
	}
	seq := uint64(0)
	ev := func(kind string, at time.Time) domain.Evidence {
		seq++
		return domain.Evidence{EventID: fmt.Sprintf("ev-%d", seq), Stream: "RISK_IN", Sequence: seq, EventType: kind, OccurredAt: at}
	}
	ruleChange := func(tn string, change RuleChange) {
		change.Tenant = tn
		add(fmt.Sprintf("rule change %+v", change), func(e *Engine) []Change {
			if err := e.ApplyRuleChange(change); err != nil {
				panic(err)
			}
			return nil
		})
	}
	deadlines := func(tn string, payment, shipment int64) {
		add(fmt.Sprintf("%s: payment_days %d, shipment_days %d", tn, payment, shipment), func(e *Engine) []Change {
			r, _ := e.Rule(tn, RuleUnbackedOrder)
			r.Version++
			for i, p := range r.Definition.Params {
				switch p.Name {
				case "payment_days":
					r.Definition.Params[i].Int = payment
				case "shipment_days":
					r.Definition.Params[i].Int = shipment
				}
			}
			if err := e.ApplyRuleChange(RuleChange{Tenant: tn, Upserted: &r}); err != nil {
				panic(err)
			}
			return nil
		})
	}
	days := []int64{-1, 0, 1, 2, 3, 7, 15, 20, 400}
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	tenants := []struct {
		name string
		// An hour brings rng.IntN(events) order events, one hour in quiet.
		events, quiet int
		// startsAndEnds: no other events, so the orders run out.
		startsAndEnds bool
	}{{"acme", 3, 1, false}, {"brio", 3, 1, false}, {"cito", 4, 100, true}}
	deadlines("acme", 2, 3) // judged within days: many judgements
	deadlines("cito", 1, 1)
	fresh := 0
	for clock := start; clock.Before(start.AddDate(0, 0, 200)); {
		if rng.IntN(300) == 0 {
			clock = clock.Add(time.Duration(1+rng.IntN(10*24)) * time.Hour)
		} else {
			clock = clock.Add(time.Hour)
		}
		for _, tenant := range tenants {
			tn := tenant.name
			out = append(out, orderInput{tick: Tick{Tenant: tn, At: clock, OccurredAt: clock, Evidence: ev("ClockTicked", clock)}})
			if rng.IntN(500) == 0 {
				late := clock.Add(-time.Duration(1+rng.IntN(48)) * time.Hour)
				out = append(out, orderInput{tick: Tick{Tenant: tn, At: late, OccurredAt: late, Evidence: ev("ClockTicked", late)}})
			}
			if rng.IntN(240) == 0 {
				switch rng.IntN(5) {
				case 0, 1:
					deadlines(tn, days[rng.IntN(len(days))], days[rng.IntN(len(days))])
				case 2:
					ruleChange(tn, RuleChange{RuleID: RuleUnbackedOrder, Enabled: rng.IntN(3) != 0})
				case 3:
					until := clock.Add(time.Duration(rng.IntN(40*24)) * time.Hour)
					ruleChange(tn, RuleChange{RuleID: RuleUnbackedOrder, Suppress: &Suppression{EmployeeID: fmt.Sprintf("e%d", rng.IntN(3)), Until: until}})
				case 4: // moves no deadline, but forgets ordersNext
					ruleChange(tn, RuleChange{RuleID: RuleSensitiveWords, Enabled: true})
				}
			}
			if rng.IntN(tenant.quiet) != 0 {
				continue
			}
			for range rng.IntN(tenant.events) {
				n := rng.IntN(30)
				id := fmt.Sprintf("o%d", n)
				if rng.IntN(10) < 3 {
					fresh++
					n, id = fresh, fmt.Sprintf("n%d", fresh)
				}
				seller := fmt.Sprintf("e%d", n%3)
				when := clock.Add(-time.Duration(rng.IntN(3600)) * time.Second)
				switch rng.IntN(30) {
				case 0, 1, 2:
					when = clock.Add(-time.Duration(rng.IntN(130*24)) * time.Hour)
				case 3:
					when = clock.Add(time.Duration(rng.IntN(48)) * time.Hour)
				case 4, 5, 6, 7, 8:
					when = clock
				}
				evd := ev("Order", when)
				amount := int64(1000 * (1 + rng.IntN(5)))
				name := fmt.Sprintf("%s %s at %v", tn, id, when)
				k := rng.IntN(13)
				if tenant.startsAndEnds {
					k = []int{3, 4, 5, 11}[rng.IntN(4)]
				}
				switch k {
				case 0, 1, 2:
					add("create "+name, func(e *Engine) []Change {
						return e.ObserveOrderCreated(OrderCreated{Tenant: tn, OrderID: id, SellerID: seller, CustomerID: "c-" + id, AmountMinor: amount, Currency: "CNY", OccurredAt: when, Evidence: evd})
					})
				case 3, 4, 5:
					step := OrderStepWon
					if k == 5 {
						step = OrderStepApproved
					}
					add("start "+name, func(e *Engine) []Change {
						return e.ObserveOrderStep(OrderStep{Tenant: tn, OrderID: id, SellerID: seller, Step: step, AmountMinor: amount, Currency: "CNY", OccurredAt: when, Evidence: evd})
					})
				case 6, 7, 8:
					paid, toCompany := amount, amount
					switch k {
					case 7:
						paid, toCompany = amount/2, amount/2
					case 8:
						toCompany = 0
					}
					add("payment "+name, func(e *Engine) []Change {
						return e.ObservePayment(Payment{
							Tenant: tn, OrderID: id, SellerID: seller, CustomerID: "c-" + id, AmountMinor: paid, Currency: "CNY",
							PayeeIsCompanyAccount: toCompany > 0, PayerRelation: "own", OrderAmountMinor: amount,
							PaidTotalMinor: paid, PaidToCompanyTotalMinor: toCompany, OccurredAt: when, Evidence: evd,
						})
					})
				case 9:
					add("ship "+name, func(e *Engine) []Change {
						return e.ObserveOrderStep(OrderStep{Tenant: tn, OrderID: id, SellerID: seller, Step: OrderStepShipped, OccurredAt: when, Evidence: evd})
					})
				case 10:
					add("accrue "+name, func(e *Engine) []Change {
						return e.ObserveCommissionAccrual(CommissionAccrual{Tenant: tn, OrderID: id, EmployeeID: seller, CustomerID: "c-" + id, CommissionMinor: 10, Currency: "CNY", OccurredAt: when, Evidence: evd})
					})
				case 11, 12:
					step := []OrderStepKind{OrderStepLost, OrderStepCancelled, OrderStepRefunded, OrderStepRejected}[rng.IntN(4)]
					add("end "+name, func(e *Engine) []Change {
						return e.ObserveOrderStep(OrderStep{Tenant: tn, OrderID: id, SellerID: seller, Step: step, OccurredAt: when, Evidence: evd})
					})
				}
			}
		}
	}
	return out
}
