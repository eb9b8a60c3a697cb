package engine

import (
	"cmp"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// The order projection: what the engine remembers of each open order so
// that absence rules (unbacked_order) can be judged on ticks and a
// commission accrual can carry its order's events as evidence. An order
// leaves it when it ends (lost, cancelled, refunded, rejected), when
// unbacked_order has reported it, when its deadlines are past, or when it
// sits unstarted for orderIdleHorizon — so memory follows recent order
// volume, not history.
const (
	// orderIdleHorizon drops an order that was never won nor approved and
	// has seen no event for this long.
	orderIdleHorizon = 90 * 24 * time.Hour
	// orderEvidenceCap bounds the events kept per order: enough to show
	// what backs it, bounded for an order paid in many instalments.
	orderEvidenceCap = 16
	// orderEvidenceUsual is how many events an order usually has.
	orderEvidenceUsual = 5
)

// Event types of the order projection as rules see them in event.type.
const (
	factOrderCreated      = "order_created"
	factPayment           = "payment"
	factOrderDeadline     = "order_deadline"
	factCommissionAccrued = "commission_accrued"
)

// orderState is one open order as the engine sees it.
type orderState struct {
	id, seller, customer, currency string
	amount                         int64
	lastSeen                       time.Time
	// started is when the order was first won or finally approved; zero
	// before. startedBy says which ("won" or "approved").
	started   time.Time
	startedBy string
	// startEvidence is the event that started the deadlines.
	startEvidence domain.Evidence
	paidTotal     int64
	paidToCompany int64
	shipped       bool
	// contradiction: OrderCreated already reported a source contradiction.
	contradiction bool
	// judgedDays is the last whole day after started that unbacked_order
	// judged (-1: none), so each day is judged once.
	judgedDays int64
	evidence   []domain.Evidence
	// due and slot are the order's due time and position in its tenant's
	// orderQueue, derived state the queue keeps (order_queue.go).
	due  time.Time
	slot int
}

// remember adds an event to the order's evidence, keeping the first one
// (the creation) and the latest others within orderEvidenceCap.
func (o *orderState) remember(ev domain.Evidence, at time.Time) {
	if at.After(o.lastSeen) {
		o.lastSeen = at // a late event does not make the order look idle longer
	}
	if o.evidence == nil {
		// Room for an order's usual life (created, approved, paid,
		// shipped, won) at once, instead of growing it four times.
		o.evidence = make([]domain.Evidence, 0, orderEvidenceUsual)
	}
	o.evidence = append(o.evidence, ev)
	if len(o.evidence) > orderEvidenceCap {
		o.evidence = append(o.evidence[:1], o.evidence[len(o.evidence)-orderEvidenceCap+1:]...)
	}
}

// contextPieces is the order's events as evidence that does not count.
func (o *orderState) contextPieces(except string) []piece {
	out := make([]piece, 0, len(o.evidence))
	for _, ev := range o.evidence {
		if ev.EventID != except {
			out = append(out, piece{evidence: ev})
		}
	}
	return out
}

// order returns the tenant's order id, creating it on first sight (the
// projection may start in the middle of an order's history).
func (e *Engine) order(tenant, id, seller, customer string) *orderState {
	byID := e.orders[tenant]
	if byID == nil {
		byID = map[string]*orderState{}
		e.orders[tenant] = byID
	}
	o := byID[id]
	if o == nil {
		o = &orderState{id: id, judgedDays: -1}
		byID[id] = o
	}
	if seller != "" {
		o.seller = seller
	}
	if customer != "" {
		o.customer = customer
	}
	return o
}

func (e *Engine) dropOrder(tenant, id string) {
	if o, q := e.orders[tenant][id], e.orderQueues[tenant]; o != nil && q != nil {
		q.remove(o)
	}
	delete(e.orders[tenant], id)
	if len(e.orders[tenant]) == 0 {
		delete(e.orders, tenant)
		delete(e.ordersNext, tenant)
		delete(e.orderQueues, tenant)
	}
}

// OrderCreated is the part of an OrderCreated event the rules read.
type OrderCreated struct {
	Tenant, OrderID, SellerID, CustomerID string
	AmountMinor                           int64
	Currency                              string
	// ClaimedSource and CustomerSource are source channel names
	// ("personal", "trade_show", …).
	ClaimedSource, CustomerSource string
	SourceContradiction           bool
	OccurredAt                    time.Time
	Evidence                      domain.Evidence
}

// ObserveOrderCreated starts an order in the projection and judges it. Its
// facts: event.type "order_created", event.order_id, event.customer_id,
// event.amount_minor, event.currency, event.claimed_source,
// event.customer_source and event.source_contradiction.
func (e *Engine) ObserveOrderCreated(c OrderCreated) []Change {
	o := e.order(c.Tenant, c.OrderID, c.SellerID, c.CustomerID)
	defer e.orderChanged(c.Tenant, o)
	o.amount, o.currency = c.AmountMinor, c.Currency
	o.contradiction = o.contradiction || c.SourceContradiction
	o.remember(c.Evidence, c.OccurredAt)
	e.recordSale(c.Tenant, c.SellerID, c.OccurredAt, 0, true, c.Evidence)
	facts := e.facts(factOrderCreated, c.SellerID)
	facts.set("order_id", c.OrderID)
	facts.set("customer_id", c.CustomerID)
	facts.set("amount_minor", c.AmountMinor)
	facts.set("currency", c.Currency)
	facts.set("claimed_source", c.ClaimedSource)
	facts.set("customer_source", c.CustomerSource)
	facts.set("source_contradiction", c.SourceContradiction)
	return e.observe(observation{
		tenant: c.Tenant, employee: c.SellerID, at: c.OccurredAt,
		typed: facts,
		this:  evidenceOnly(c.Evidence),
	})
}

// OrderStepKind is a step of an order the projection follows.
type OrderStepKind int

// Order steps. Approved is a final approval only; the last four end the order.
const (
	OrderStepApproved OrderStepKind = iota + 1
	OrderStepWon
	OrderStepShipped
	OrderStepLost
	OrderStepCancelled
	OrderStepRefunded
	OrderStepRejected
)

// OrderStep is an order event that moves the projection: a final
// approval, a win, a shipment, or the order's end.
type OrderStep struct {
	Tenant, OrderID, SellerID, CustomerID string
	Step                                  OrderStepKind
	// AmountMinor and Currency are set by a win (the order's amount).
	AmountMinor int64
	Currency    string
	OccurredAt  time.Time
	Evidence    domain.Evidence
}

// ObserveOrderStep updates the projections. A win or a final approval
// starts the order's deadlines (the first of them counts); an end drops
// the order. A win or a loss counts towards conversion (S9); a
// cancellation after an unusually long call with the customer is judged
// as a churn (S10), the only step that can change an alert.
func (e *Engine) ObserveOrderStep(s OrderStep) []Change {
	e.recordSale(s.Tenant, s.SellerID, s.OccurredAt, s.Step, false, s.Evidence)
	switch s.Step {
	case OrderStepLost, OrderStepCancelled, OrderStepRefunded, OrderStepRejected:
		customer, seller := s.CustomerID, s.SellerID
		if o := e.orders[s.Tenant][s.OrderID]; o != nil {
			customer, seller = cmp.Or(customer, o.customer), cmp.Or(seller, o.seller)
		}
		e.dropOrder(s.Tenant, s.OrderID)
		if s.Step == OrderStepCancelled {
			return e.churnOnCancel(s.Tenant, seller, customer, s.OccurredAt, s.Evidence)
		}
		return nil
	}
	o := e.order(s.Tenant, s.OrderID, s.SellerID, s.CustomerID)
	o.remember(s.Evidence, s.OccurredAt)
	defer e.orderChanged(s.Tenant, o)
	switch s.Step {
	case OrderStepWon, OrderStepApproved:
		if s.AmountMinor > 0 {
			o.amount, o.currency = s.AmountMinor, s.Currency
		}
		if o.started.IsZero() {
			o.started, o.startEvidence = s.OccurredAt, s.Evidence
			o.startedBy = "won"
			if s.Step == OrderStepApproved {
				o.startedBy = "approved"
			}
		}
	case OrderStepShipped:
		o.shipped = true
	}
	return nil
}

// Payment is the part of a PaymentRecorded event the rules read.
type Payment struct {
	Tenant, OrderID, SellerID, CustomerID string
	AmountMinor                           int64
	Currency                              string
	PayeeIsCompanyAccount                 bool
	// PayerRelation is "own", "parent_company", "related", "unknown" or
	// "unspecified": how the payer account is registered on the customer.
	PayerRelation           string
	OrderAmountMinor        int64
	PaidTotalMinor          int64
	PaidToCompanyTotalMinor int64
	OccurredAt              time.Time
	Evidence                domain.Evidence
}

// ObservePayment updates the order's paid totals and judges the payment.
// Its facts: event.type "payment", event.order_id, event.customer_id,
// event.amount_minor, event.currency, event.payee_company,
// event.payer_relation, event.order_amount_minor, event.paid_total_minor
// and event.paid_to_company_total_minor. A payment into an account that
// is not the company's counts in alert.personal.
func (e *Engine) ObservePayment(p Payment) []Change {
	o := e.order(p.Tenant, p.OrderID, p.SellerID, p.CustomerID)
	defer e.orderChanged(p.Tenant, o)
	o.paidTotal, o.paidToCompany = p.PaidTotalMinor, p.PaidToCompanyTotalMinor
	if o.amount == 0 {
		o.amount, o.currency = p.OrderAmountMinor, p.Currency
	}
	o.remember(p.Evidence, p.OccurredAt)
	t := tally{count: 1}
	if !p.PayeeIsCompanyAccount {
		t.personal = 1
	}
	facts := e.facts(factPayment, p.SellerID)
	facts.set("order_id", p.OrderID)
	facts.set("customer_id", p.CustomerID)
	facts.set("amount_minor", p.AmountMinor)
	facts.set("currency", p.Currency)
	facts.set("payee_company", p.PayeeIsCompanyAccount)
	facts.set("payer_relation", p.PayerRelation)
	facts.set("order_amount_minor", p.OrderAmountMinor)
	facts.set("paid_total_minor", p.PaidTotalMinor)
	facts.set("paid_to_company_total_minor", p.PaidToCompanyTotalMinor)
	return e.observe(observation{
		tenant: p.Tenant, employee: p.SellerID, at: p.OccurredAt,
		typed: facts,
		this:  piece{evidence: p.Evidence, tally: t},
	})
}

// CommissionAccrual is the part of a CommissionAccrued event the rules read.
type CommissionAccrual struct {
	Tenant, OrderID, EmployeeID, CustomerID string
	CommissionMinor                         int64
	Currency                                string
	// SourceContradiction is set when commission recorded one; the
	// sources are channel names as in OrderCreated.
	SourceContradiction           bool
	ClaimedSource, CustomerSource string
	OccurredAt                    time.Time
	Evidence                      domain.Evidence
}

// ObserveCommissionAccrual judges an accrual, with its order's events as
// evidence when the projection still holds the order. Its facts:
// event.type "commission_accrued", event.order_id, event.customer_id,
// event.commission_minor, event.currency, event.source_contradiction,
// event.claimed_source, event.customer_source and
// event.order_contradiction_seen (the order's creation already reported
// the contradiction, so the accrual adds nothing new).
func (e *Engine) ObserveCommissionAccrual(c CommissionAccrual) []Change {
	var seen bool
	var context []piece
	if o := e.orders[c.Tenant][c.OrderID]; o != nil {
		seen = o.contradiction
		context = o.contextPieces("")
		o.remember(c.Evidence, c.OccurredAt)
		e.orderChanged(c.Tenant, o)
	}
	facts := e.facts(factCommissionAccrued, c.EmployeeID)
	facts.set("order_id", c.OrderID)
	facts.set("customer_id", c.CustomerID)
	facts.set("commission_minor", c.CommissionMinor)
	facts.set("currency", c.Currency)
	facts.set("source_contradiction", c.SourceContradiction)
	facts.set("claimed_source", c.ClaimedSource)
	facts.set("customer_source", c.CustomerSource)
	facts.set("order_contradiction_seen", seen)
	return e.observe(observation{
		tenant: c.Tenant, employee: c.EmployeeID, at: c.OccurredAt,
		typed:   facts,
		this:    evidenceOnly(c.Evidence),
		context: func() []piece { return context },
	})
}

// RuleSourceContradiction is the built-in rule of scenario S7.
const RuleSourceContradiction = "source_contradiction"
