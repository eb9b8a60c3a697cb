package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/eventlog"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	tickv1 "github.com/holdfast/holdfast/proto/holdfast/tick/v1"
)

// history writes a realistic mixed history for the risk engine straight
// into the domain streams RISK_IN sources, with eventlog.AppendBatch: per
// tenant an org tree and its hired staff, then hour by hour (event time,
// never the wall clock) an hourly tick and, in working hours on weekdays,
// interactions in Chinese and English (a few with a sensitive phrase),
// contact reveals, visit check-ins, customer registrations, orders going
// through approval, payment, shipment and win, and a trickle of leave,
// resignations and departures. A seeded generator makes every run write the
// same history. It continues where it stopped, so the memory figure can
// append more of the same history once the engine's windows are full.
type history struct {
	log       *eventlog.Log
	batchSize int
	tenants   int
	employees int // per tenant
	perHour   int // domain events per tenant per working hour
	rng       *rand.Rand

	hour      time.Time // the next hour to write
	started   bool
	written   int
	customers []int // customers registered per tenant
	departed  []map[int]bool
	pending   []pendingOrder
	// positions holds the last position of the aggregates written more
	// than once (employees, orders, clocks), by subject.
	positions map[string]eventlog.Position
	finished  map[string]bool // orders whose position is no longer needed

	batch   []eventlog.AppendRequest
	inBatch map[string]bool
	nextID  int
}

// unknownPayerOdds is one in how many payments come from a payer account
// registered on no customer.
const unknownPayerOdds = 100

// pendingOrder is an order whose next lifecycle step is still to come.
type pendingOrder struct {
	tenant, seller, customer int
	id                       string
	amount                   int64
	step                     int // 0 created, 1 approved, 2 paid, 3 shipped
}

// historyStart is a Monday; the history runs from it in event time.
var historyStart = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

// Texts of everyday sales talk, and the rare one with a phrase of the
// default lexicon, so sensitive_words has matching to do on every message.
var (
	plainTexts = []string{
		"王总您好，上次说的报价单我已经发到您邮箱了，交期可以压到三周，您看周四下午方便来工厂看一下样品吗？",
		"李经理，样品已经寄出，顺丰单号稍后发您，收到后麻烦确认一下颜色和尺寸。",
		"Hi Mr. Chen, attached is the revised quotation with the volume discount we discussed; delivery in four weeks.",
		"Following up on yesterday's call: the installation team can be on site next Tuesday morning.",
		"张姐，合同盖章版已经扫描发您了，原件今天寄出，发票随货一起。",
		"Thanks for the visit today. I will send the technical sheet and the warranty terms by Friday.",
	}
	sensitiveTexts = []string{
		"这单你直接打到我卡上，别走公司，价格还能再低一点。",
		"If you pay me directly we can skip the paperwork, off the books is faster.",
		"加我私人微信吧，后面的事私下交易更方便。",
	}
)

func newHistory(log *eventlog.Log, batchSize, tenants, employees, events, days int, seed uint64) *history {
	workingHours := max(days*5/7*9, 1)
	h := &history{
		log: log, batchSize: batchSize, tenants: tenants, employees: max(employees/tenants, 1),
		perHour: max(events/(tenants*workingHours), 1), rng: rand.New(rand.NewPCG(seed, seed^0x5eed)), //nolint:gosec // a seeded history must repeat, not be secret
		hour: historyStart, customers: make([]int, tenants), departed: make([]map[int]bool, tenants),
		positions: map[string]eventlog.Position{}, finished: map[string]bool{}, inBatch: map[string]bool{},
	}
	for t := range h.departed {
		h.departed[t] = map[int]bool{}
	}
	return h
}

func tenantName(t int) string   { return "rt" + strconv.Itoa(t) }
func employeeName(e int) string { return "e" + strconv.Itoa(e) }
func customerName(c int) string { return "c" + strconv.Itoa(c) }

// writeAtLeast appends whole hours of history until at least n more
// events are written, and returns how many were.
func (h *history) writeAtLeast(ctx context.Context, n int) (int, error) {
	from := h.written
	if !h.started {
		h.started = true
		for t := range h.tenants {
			if err := h.setUpTenant(ctx, t); err != nil {
				return 0, err
			}
		}
	}
	for h.written-from+len(h.batch) < n {
		if err := h.writeHour(ctx); err != nil {
			return 0, err
		}
	}
	if err := h.flush(ctx); err != nil {
		return 0, err
	}
	return h.written - from, nil
}

// setUpTenant writes the org tree (a company and two branches in their
// own time zones), hires every employee and registers a first book of
// customers, all on the first day.
func (h *history) setUpTenant(ctx context.Context, t int) error {
	tenant := tenantName(t)
	units := []struct{ id, parent, tz string }{{"co", "", "Asia/Shanghai"}, {"sh", "co", "Asia/Shanghai"}, {"gz", "co", "Asia/Shanghai"}}
	for _, u := range units {
		kind := attendancev1.OrgUnitKind_ORG_UNIT_KIND_BRANCH
		if u.parent == "" {
			kind = attendancev1.OrgUnitKind_ORG_UNIT_KIND_COMPANY
		}
		if err := h.add(ctx, tenant, "attendance", "org_unit", u.id, historyStart, &attendancev1.OrgUnitCreated{
			OrgUnitId: u.id, ParentId: u.parent, Kind: kind, Name: u.id, TimeZone: u.tz, WorkingWeekdays: []int32{1, 2, 3, 4, 5},
		}); err != nil {
			return err
		}
	}
	for e := range h.employees {
		unit, role := "sh", "sales"
		if e%2 == 1 {
			unit = "gz"
		}
		if e%25 == 0 {
			role = "manager"
		}
		if err := h.add(ctx, tenant, "attendance", "employee", employeeName(e), historyStart, &attendancev1.EmployeeHired{
			EmployeeId: employeeName(e), Name: "员工" + strconv.Itoa(e), OrgUnitId: unit, Role: role, StartDate: "2025-06-02",
		}); err != nil {
			return err
		}
	}
	for range h.employees {
		if err := h.registerCustomer(ctx, t, historyStart); err != nil {
			return err
		}
	}
	return nil
}

func (h *history) registerCustomer(ctx context.Context, t int, at time.Time) error {
	c := h.customers[t]
	h.customers[t]++
	owner := c % h.employees
	return h.add(ctx, tenantName(t), "client", "customer", customerName(c), at, &clientv1.CustomerRegistered{
		CustomerId: customerName(c), CompanyName: "客户" + strconv.Itoa(c), OwnerEmployeeId: employeeName(owner),
		Phones: []string{fmt.Sprintf("+86138%08d", t*10_000_000+c)}, SourceChannel: clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE,
	})
}

// writeHour writes one hour of every tenant: its tick, then, in working
// hours on weekdays, perHour domain events spread over the hour.
func (h *history) writeHour(ctx context.Context) error {
	at := h.hour
	h.hour = h.hour.Add(time.Hour)
	for t := range h.tenants {
		tenant := tenantName(t)
		ref := eventlog.AggregateRef{Context: "tick", Tenant: tenant, Type: "clock", ID: tenant}
		if err := h.addAt(ctx, ref, at, &tickv1.ClockTicked{At: timestamppb.New(at), Mode: tickv1.ClockMode_CLOCK_MODE_EXTERNAL}); err != nil {
			return err
		}
		// Shanghai working hours 09:00–18:00 are 01:00–10:00 UTC.
		if wd := at.Weekday(); wd == time.Saturday || wd == time.Sunday || at.Hour() < 1 || at.Hour() >= 10 {
			continue
		}
		for i := range h.perHour {
			if err := h.domainEvent(ctx, t, at.Add(time.Duration(i)*time.Hour/time.Duration(h.perHour))); err != nil {
				return err
			}
		}
	}
	return nil
}

// domainEvent writes one event of a mix weighted like a sales floor's day.
func (h *history) domainEvent(ctx context.Context, t int, at time.Time) error {
	tenant := tenantName(t)
	e := h.rng.IntN(h.employees)
	for h.departed[t][e] {
		e = h.rng.IntN(h.employees)
	}
	c := h.rng.IntN(h.customers[t])
	h.nextID++
	id := "x" + strconv.Itoa(h.nextID)
	switch r := h.rng.IntN(1000); {
	case r < 520:
		text := plainTexts[h.rng.IntN(len(plainTexts))]
		if h.rng.IntN(400) == 0 {
			text = sensitiveTexts[h.rng.IntN(len(sensitiveTexts))]
		}
		kind := clientv1.InteractionKind_INTERACTION_KIND_CHAT
		var dur *durationpb.Duration
		if r%4 == 0 {
			kind, dur = clientv1.InteractionKind_INTERACTION_KIND_CALL, durationpb.New(time.Duration(30+h.rng.IntN(600))*time.Second)
		}
		return h.add(ctx, tenant, "client", "interaction", id, at, &clientv1.InteractionLogged{
			InteractionId: id, CustomerId: customerName(c), EmployeeId: employeeName(e), Kind: kind,
			Direction: clientv1.Direction_DIRECTION_OUTBOUND, Text: text, Duration: dur,
		})
	case r < 640:
		return h.add(ctx, tenant, "client", "reveal", id, at, &clientv1.ContactRevealed{
			CustomerId: customerName(c), EmployeeId: employeeName(e), Field: clientv1.ContactField_CONTACT_FIELD_PHONE,
			Reason: "跟进", Assigned: r%3 != 0,
		})
	case r < 760:
		return h.add(ctx, tenant, "attendance", "check_in", id, at, &attendancev1.CheckedIn{
			CheckInId: id, EmployeeId: employeeName(e), Kind: attendancev1.CheckInKind_CHECK_IN_KIND_VISIT,
			Latitude: 31.23, Longitude: 121.47, AccuracyM: 15, DeviceTime: timestamppb.New(at), CustomerId: customerName(c),
			Purpose: "拜访", CustomerLocated: true, DistanceToCustomerM: float64(h.rng.IntN(400)),
		})
	case r < 790:
		return h.registerCustomer(ctx, t, at)
	case r < 996:
		return h.orderStep(ctx, t, e, c, id, at)
	default:
		return h.staffChange(ctx, t, e, at)
	}
}

// orderStep either starts an order or moves the oldest pending one on:
// created → approved → paid → shipped → won.
func (h *history) orderStep(ctx context.Context, t, e, c int, id string, at time.Time) error {
	if len(h.pending) < 4*h.tenants || h.rng.IntN(5) == 0 {
		amount := int64(50_000 + h.rng.IntN(5_000_000))
		h.pending = append(h.pending, pendingOrder{tenant: t, seller: e, customer: c, id: id, amount: amount})
		return h.add(ctx, tenantName(t), "order", "order", id, at, &orderv1.OrderCreated{
			OrderId: id, CustomerId: customerName(c), SellerId: employeeName(e), Currency: "CNY", AmountMinor: amount,
			Lines:         []*orderv1.LineItem{{Product: "液压泵 HP-200", Quantity: 1, UnitPriceMinor: amount}},
			ClaimedSource: clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE, CustomerSource: clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE,
		})
	}
	o := &h.pending[0]
	tenant, seller, customer := tenantName(o.tenant), employeeName(o.seller), customerName(o.customer)
	var msg proto.Message
	switch o.step {
	case 0:
		msg = &orderv1.OrderApproved{OrderId: o.id, ApproverId: employeeName(0), Role: "manager", Step: 1, Final: true, SellerId: seller}
	case 1:
		// As the order service records a payment: the payer account's
		// relation to the customer and what reached company accounts
		// (money_goods.go). Customers pay from their own registered
		// account; one payment in unknownPayerOdds comes from an account
		// registered on nobody, which personal_collection calls low.
		payer, relation := "acct-"+customer, orderv1.PayerRelation_PAYER_RELATION_OWN
		if h.rng.IntN(unknownPayerOdds) == 0 {
			payer, relation = "acct-other-"+o.id, orderv1.PayerRelation_PAYER_RELATION_UNKNOWN
		}
		msg = &orderv1.PaymentRecorded{
			OrderId: o.id, PaymentId: "p" + o.id, SellerId: seller, CustomerId: customer, AmountMinor: o.amount, Currency: "CNY",
			PayerAccount: payer, PayeeAccount: "acct-company-" + tenant, PaidAt: timestamppb.New(at), PayeeIsCompanyAccount: true,
			PayerRelation: relation, CurrencyMatchesOrder: true, OrderAmountMinor: o.amount, PaidTotalMinor: o.amount,
			PaidToCompanyTotalMinor: o.amount, PaidInFull: true,
		}
	case 2:
		msg = &orderv1.ShipmentRecorded{
			OrderId: o.id, ShipmentId: "s" + o.id, SellerId: seller, CustomerId: customer, Carrier: "顺丰",
			ShippedAt: timestamppb.New(at), AddressMatchesCustomer: true, AddressMatchesOrder: true,
		}
	default:
		msg = &orderv1.OrderWon{
			OrderId: o.id, SellerId: seller, CustomerId: customer, AmountMinor: o.amount, Currency: "CNY",
			PaidTotalMinor: o.amount, Shipped: true, WonAt: timestamppb.New(at),
		}
	}
	ref := eventlog.AggregateRef{Context: "order", Tenant: tenant, Type: "order", ID: o.id}
	o.step++
	done := o.step == 4
	if done {
		h.pending = h.pending[1:]
	} else {
		// Next step of this order comes after the others waiting.
		h.pending = append(h.pending[1:], *o)
	}
	if err := h.addAt(ctx, ref, at, msg); err != nil {
		return err
	}
	// Marked only once queued: addAt may first flush the order's previous
	// step, which still needs its position recorded.
	if done {
		h.finished[ref.Subject()] = true
	}
	return nil
}

// staffChange is leave, or a resignation notice followed by departure.
func (h *history) staffChange(ctx context.Context, t, e int, at time.Time) error {
	day := at.Format(time.DateOnly)
	if h.rng.IntN(3) != 0 {
		return h.add(ctx, tenantName(t), "attendance", "employee", employeeName(e), at, &attendancev1.LeaveRecorded{
			EmployeeId: employeeName(e), StartDate: day, EndDate: at.AddDate(0, 0, 1).Format(time.DateOnly),
		})
	}
	if err := h.add(ctx, tenantName(t), "attendance", "employee", employeeName(e), at, &attendancev1.ResignationNoticed{
		EmployeeId: employeeName(e), NoticeDate: day, PlannedLastDay: at.AddDate(0, 0, 30).Format(time.DateOnly),
	}); err != nil {
		return err
	}
	if len(h.departed[t]) < h.employees/10 {
		h.departed[t][e] = true
		return h.add(ctx, tenantName(t), "attendance", "employee", employeeName(e), at.Add(time.Minute), &attendancev1.EmployeeDeparted{
			EmployeeId: employeeName(e), LastDay: day,
		})
	}
	return nil
}

func (h *history) add(ctx context.Context, tenant, boundedContext, typ, id string, at time.Time, msg proto.Message) error {
	return h.addAt(ctx, eventlog.AggregateRef{Context: boundedContext, Tenant: tenant, Type: typ, ID: id}, at, msg)
}

// addAt queues one event after the aggregate's last known position; an
// aggregate already in the batch flushes it first, because the batch's
// requests would otherwise expect the same position.
func (h *history) addAt(ctx context.Context, ref eventlog.AggregateRef, at time.Time, msg proto.Message) error {
	subject := ref.Subject()
	if h.inBatch[subject] || len(h.batch) >= h.batchSize {
		if err := h.flush(ctx); err != nil {
			return err
		}
	}
	h.inBatch[subject] = true
	h.batch = append(h.batch, eventlog.AppendRequest{
		Ref: ref, After: h.positions[subject], RequestID: "h" + strconv.Itoa(h.written+len(h.batch)), ActorID: "system",
		OccurredAt: at, Payload: msg,
	})
	return nil
}

// flush appends the batch and remembers the new positions of the
// aggregates that are written more than once.
func (h *history) flush(ctx context.Context) error {
	if len(h.batch) == 0 {
		return nil
	}
	results, err := h.log.AppendBatch(ctx, h.batch)
	if err != nil {
		return err
	}
	for i, r := range results {
		if r.Err != nil {
			return fmt.Errorf("history %s: %w", h.batch[i].Ref.Subject(), r.Err)
		}
		subject := h.batch[i].Ref.Subject()
		switch {
		case h.finished[subject]:
			delete(h.positions, subject)
			delete(h.finished, subject)
		case h.batch[i].Ref.Type == "employee" || h.batch[i].Ref.Type == "order" || h.batch[i].Ref.Type == "clock":
			h.positions[subject] = eventlog.Position{Version: r.Appended.Version, Sequence: r.Appended.Sequence}
		}
	}
	h.written += len(h.batch)
	h.batch = h.batch[:0]
	clear(h.inBatch)
	return nil
}
