package engine

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
)

// BenchmarkMixedHistory is the engine alone judging the history `holdfast
// bench` replays (riskhistory.go in the bench package), without NATS or
// decoding: 10 tenants of 1,000 employees in two branches, a book of
// customers each, 120 days of hourly ticks and, in working hours on
// weekdays, about 1M events of the same mix (interactions, reveals,
// check-ins, registrations, order steps, staff changes). An op is the
// whole history; ns/event is per event, ticks included. Its figures move
// far less with the machine's load than the replay's, so an engine change
// can be compared with benchstat:
//
//	go test -run X -bench MixedHistory -benchtime 1x -count 6
func BenchmarkMixedHistory(b *testing.B) {
	const tenants, employees, days, events = 10, 1000, 120, 1_000_000
	var total int
	for b.Loop() {
		total += replayMixed(b, tenants, employees, days, events)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(total), "ns/event")
}

// replayMixed judges one mixed history with a new engine and returns how
// many events it observed.
func replayMixed(b *testing.B, tenants, employees, days, events int) int {
	b.StopTimer()
	e := New(lexicon.Default(), DefaultSensitiveWords())
	h := newMixedHistory(func(int) *Engine { return e }, tenants, employees, days, events)
	b.StartTimer()
	h.run()
	return h.seq
}

// newMixedHistory is a mixed history of days over tenants judged by
// engines, its tenants set up (org tree, staff, customers).
func newMixedHistory(engines func(int) *Engine, tenants, employees, days, events int) *mixedHistory {
	h := &mixedHistory{engines: engines, rng: rand.New(rand.NewPCG(1, 2)), employees: employees, days: days, start: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)}
	h.perHour = max(events/(days*5/7*9*tenants), 1)
	h.names = make([]string, employees)
	for i := range h.names {
		h.names[i] = "e" + strconv.Itoa(i)
	}
	h.tenants = make([]mixedTenant, tenants)
	for t := range h.tenants {
		h.setUp(t)
	}
	return h
}

// run observes the history's hours: each tenant's tick, then in working
// hours on weekdays its events.
func (h *mixedHistory) run() { h.runHours(0, h.days*24) }

// runHours observes the hours [from, to) of the history.
func (h *mixedHistory) runHours(from, to int) {
	for hour := from; hour < to; hour++ {
		at := h.start.Add(time.Duration(hour) * time.Hour)
		for t := range h.tenants {
			h.seq++
			h.keep(h.engines(t).ObserveTick(Tick{Tenant: h.tenants[t].name, At: at, OccurredAt: at, Evidence: h.evidence("holdfast.tick.v1.ClockTicked", at)}))
			if wd := at.Weekday(); wd == time.Saturday || wd == time.Sunday || at.Hour() < 1 || at.Hour() >= 10 {
				continue
			}
			for i := range h.perHour {
				h.event(t, at.Add(time.Duration(i)*time.Hour/time.Duration(h.perHour)))
			}
		}
	}
}

// keep keeps changes when the history is asked to (changes not nil).
func (h *mixedHistory) keep(changes []Change) {
	if h.changes != nil {
		h.changes = append(h.changes, changes...)
	}
}

type mixedHistory struct {
	// engines judge the tenants, each its own by index (one engine for
	// all, or several that Absorb merges).
	engines   func(tenant int) *Engine
	changes   []Change
	rng       *rand.Rand
	employees int
	days      int
	perHour   int
	start     time.Time
	names     []string
	tenants   []mixedTenant
	seq, ids  int
	pending   []mixedOrder
}

type mixedTenant struct {
	name      string
	customers int
	departed  map[int]bool
}

type mixedOrder struct {
	tenant, seller, customer int
	id                       string
	amount                   int64
	step                     int
}

func (h *mixedHistory) evidence(typ string, at time.Time) domain.Evidence {
	return domain.Evidence{EventID: "evt-" + strconv.Itoa(h.seq), Stream: "RISK_IN", Sequence: uint64(h.seq), EventType: typ, OccurredAt: at}
}

func (h *mixedHistory) setUp(t int) {
	tn := &h.tenants[t]
	tn.name, tn.departed = "tenant-"+strconv.Itoa(t), map[int]bool{}
	h.engines(t).RecordOrgUnit(OrgUnit{Tenant: tn.name, ID: "co", TimeZone: "Asia/Shanghai", WorkingWeekdays: []int{1, 2, 3, 4, 5}})
	h.engines(t).RecordOrgUnit(OrgUnit{Tenant: tn.name, ID: "sh", ParentID: "co", TimeZone: "Asia/Shanghai", WorkingWeekdays: []int{1, 2, 3, 4, 5}})
	h.engines(t).RecordOrgUnit(OrgUnit{Tenant: tn.name, ID: "gz", ParentID: "co", TimeZone: "Asia/Shanghai", WorkingWeekdays: []int{1, 2, 3, 4, 5}})
	for i := range h.employees {
		unit, role := "sh", "sales"
		if i%2 == 1 {
			unit = "gz"
		}
		if i%25 == 0 {
			role = "manager"
		}
		h.seq++
		h.engines(t).RecordStaff(StaffEvent{
			Tenant: tn.name, EmployeeID: h.names[i], Kind: StaffHired, OrgUnitID: unit, Role: role, Date: "2025-06-02",
			OccurredAt: h.start, Evidence: h.evidence("holdfast.attendance.v1.EmployeeHired", h.start),
		})
	}
	for range h.employees {
		h.register(t, h.start)
	}
}

func (h *mixedHistory) register(t int, at time.Time) {
	tn := &h.tenants[t]
	c := tn.customers
	tn.customers++
	h.seq++
	h.keep(h.engines(t).ObserveRegistration(Registration{
		Tenant: tn.name, CustomerID: "c" + strconv.Itoa(c), OwnerID: h.names[c%h.employees], Source: "website",
		Phones: []string{"+86138" + strconv.Itoa(10_000_000+t*100_000+c)}, OccurredAt: at, Evidence: h.evidence("holdfast.client.v1.CustomerRegistered", at),
	}))
}

// event observes one event of the mix, as riskhistory.go's domainEvent
// writes it.
func (h *mixedHistory) event(t int, at time.Time) {
	tn := &h.tenants[t]
	emp := h.rng.IntN(h.employees)
	for tn.departed[emp] {
		emp = h.rng.IntN(h.employees)
	}
	employee, customer := h.names[emp], "c"+strconv.Itoa(h.rng.IntN(tn.customers))
	h.seq++
	switch r := h.rng.IntN(1000); {
	case r < 520:
		text := "Following up on yesterday's call: the installation team can be on site next Tuesday morning."
		if h.rng.IntN(400) == 0 {
			text = "我们私下交易吧，转账到我个人账户，便宜一点。"
		}
		in := Interaction{Tenant: tn.name, EmployeeID: employee, Text: text, CustomerID: customer, Kind: "chat", OccurredAt: at}
		if r%4 == 0 {
			in.Kind, in.Duration = "call", time.Duration(30+h.rng.IntN(600))*time.Second
		}
		in.Evidence = h.evidence("holdfast.client.v1.InteractionLogged", at)
		h.keep(h.engines(t).ObserveInteraction(in))
	case r < 640:
		h.keep(h.engines(t).ObserveReveal(Reveal{Tenant: tn.name, EmployeeID: employee, Assigned: r%3 != 0, OccurredAt: at, Evidence: h.evidence("holdfast.client.v1.ContactRevealed", at)}))
	case r < 760:
		h.keep(h.engines(t).ObserveCheckIn(CheckIn{
			Tenant: tn.name, EmployeeID: employee, Visit: true, CustomerID: customer, CustomerLocated: true,
			DistanceToCustomerM: float64(h.rng.IntN(400)), OccurredAt: at, Evidence: h.evidence("holdfast.attendance.v1.CheckedIn", at),
		}))
	case r < 790:
		h.seq--
		h.register(t, at)
	case r < 996:
		h.orderStep(t, emp, at)
	default:
		h.staffChange(t, emp, at)
	}
}

func (h *mixedHistory) orderStep(t, seller int, at time.Time) {
	if len(h.pending) < 4*len(h.tenants) || h.rng.IntN(5) == 0 {
		h.ids++
		o := mixedOrder{tenant: t, seller: seller, customer: h.rng.IntN(h.tenants[t].customers), id: "x" + strconv.Itoa(h.ids), amount: int64(50_000 + h.rng.IntN(5_000_000))}
		h.pending = append(h.pending, o)
		h.keep(h.engines(t).ObserveOrderCreated(OrderCreated{
			Tenant: h.tenants[t].name, OrderID: o.id, SellerID: h.names[seller], CustomerID: "c" + strconv.Itoa(o.customer),
			AmountMinor: o.amount, Currency: "CNY", ClaimedSource: "website", CustomerSource: "website",
			OccurredAt: at, Evidence: h.evidence("holdfast.order.v1.OrderCreated", at),
		}))
		return
	}
	o := h.pending[0]
	tenant, sellerID, customer := h.tenants[o.tenant].name, h.names[o.seller], "c"+strconv.Itoa(o.customer)
	switch o.step {
	case 0:
		h.keep(h.engines(o.tenant).ObserveOrderStep(OrderStep{Tenant: tenant, OrderID: o.id, SellerID: sellerID, Step: OrderStepApproved, OccurredAt: at, Evidence: h.evidence("holdfast.order.v1.OrderApproved", at)}))
	case 1:
		relation := "own"
		if h.rng.IntN(100) == 0 { // as riskhistory.go's unknownPayerOdds
			relation = "unknown"
		}
		h.keep(h.engines(o.tenant).ObservePayment(Payment{
			Tenant: tenant, OrderID: o.id, SellerID: sellerID, CustomerID: customer, AmountMinor: o.amount, Currency: "CNY",
			PayeeIsCompanyAccount: true, PayerRelation: relation, OrderAmountMinor: o.amount, PaidTotalMinor: o.amount,
			PaidToCompanyTotalMinor: o.amount, OccurredAt: at, Evidence: h.evidence("holdfast.order.v1.PaymentRecorded", at),
		}))
	case 2:
		h.keep(h.engines(o.tenant).ObserveOrderStep(OrderStep{Tenant: tenant, OrderID: o.id, SellerID: sellerID, Step: OrderStepShipped, OccurredAt: at, Evidence: h.evidence("holdfast.order.v1.ShipmentRecorded", at)}))
	default:
		h.keep(h.engines(o.tenant).ObserveOrderStep(OrderStep{
			Tenant: tenant, OrderID: o.id, SellerID: sellerID, Step: OrderStepWon, AmountMinor: o.amount, Currency: "CNY",
			OccurredAt: at, Evidence: h.evidence("holdfast.order.v1.OrderWon", at),
		}))
	}
	o.step++
	if o.step == 4 {
		h.pending = h.pending[1:]
	} else {
		h.pending = append(h.pending[1:], o)
	}
}

func (h *mixedHistory) staffChange(t, emp int, at time.Time) {
	tn := &h.tenants[t]
	day := at.Format(time.DateOnly)
	if h.rng.IntN(3) != 0 {
		h.engines(t).RecordStaff(StaffEvent{
			Tenant: tn.name, EmployeeID: h.names[emp], Kind: StaffLeave, Date: day, EndDate: at.AddDate(0, 0, 1).Format(time.DateOnly),
			OccurredAt: at, Evidence: h.evidence("holdfast.attendance.v1.LeaveRecorded", at),
		})
		return
	}
	h.engines(t).RecordStaff(StaffEvent{Tenant: tn.name, EmployeeID: h.names[emp], Kind: StaffNotice, Date: day, OccurredAt: at, Evidence: h.evidence("holdfast.attendance.v1.ResignationNoticed", at)})
	if len(tn.departed) < h.employees/10 {
		tn.departed[emp] = true
		h.seq++
		later := at.Add(time.Minute)
		h.engines(t).RecordStaff(StaffEvent{Tenant: tn.name, EmployeeID: h.names[emp], Kind: StaffDeparted, Date: day, OccurredAt: later, Evidence: h.evidence("holdfast.attendance.v1.EmployeeDeparted", later)})
	}
}
