package domain

import (
	"slices"
	"time"
)

// OrderTrack is what the commission service knows of an order from ORDER:
// the facts that decide whether it earns commission, and at what rate.
type OrderTrack struct {
	Tenant         string
	OrderID        string
	SellerID       string
	CustomerID     string
	Currency       string
	AmountMinor    int64
	ClaimedSource  SourceChannel
	CustomerSource SourceChannel
	// SourceContradiction is the order service's finding at creation.
	SourceContradiction     bool
	Approved                bool
	PaidToCompanyTotalMinor int64
	PaidTotalMinor          int64
	// RefundedTotalMinor is what the company has paid back (refunds are
	// only ever of money paid into company accounts).
	RefundedTotalMinor int64
	Shipped            bool
	// Closed is set when the order was rejected, lost, cancelled or
	// refunded in full: it can no longer qualify.
	Closed bool
}

// Qualifies reports whether the order earns commission now: approved, paid
// in full into company accounts (payments in the order's currency only,
// less refunds) and shipped, and not closed before that.
func (o OrderTrack) Qualifies() bool {
	return !o.Closed && o.Approved && o.Shipped && o.AmountMinor > 0 && o.PaidToCompanyTotalMinor-o.RefundedTotalMinor >= o.AmountMinor
}

// Accrual is the commission an order earned its seller.
type Accrual struct {
	OrderID, EmployeeID, CustomerID, Currency string
	BaseAmountMinor                           int64
	RateBP                                    int32
	CommissionMinor                           int64
	CustomerSource, ClaimedSource             SourceChannel
	Contradiction                             bool
	PlanVersion                               uint64
	PlanEffectiveFrom                         time.Time
	PaidToCompanyTotalMinor                   int64
}

// DecideAccrual is the accrual a qualifying order earns under plan. The
// rate always comes from the customer's recorded source: a personal claim
// on a company customer earns the company rate and is recorded as a
// contradiction, whether or not the order service flagged it.
func DecideAccrual(o OrderTrack, plan Plan) (Accrual, error) {
	rate := plan.RateFor(o.CustomerSource)
	amount, err := Commission(o.AmountMinor, rate)
	if err != nil {
		return Accrual{}, err
	}
	return Accrual{
		OrderID: o.OrderID, EmployeeID: o.SellerID, CustomerID: o.CustomerID, Currency: o.Currency,
		BaseAmountMinor: o.AmountMinor, RateBP: rate, CommissionMinor: amount,
		CustomerSource: o.CustomerSource, ClaimedSource: o.ClaimedSource,
		Contradiction: o.SourceContradiction || (o.ClaimedSource.Personal() && !o.CustomerSource.Personal()),
		PlanVersion:   plan.Version, PlanEffectiveFrom: plan.EffectiveFrom,
		PaidToCompanyTotalMinor: o.PaidToCompanyTotalMinor,
	}, nil
}

// ClawbackCause says why commission is taken back.
type ClawbackCause int

// Clawback causes, numbered as holdfast.commission.v1.ClawbackCause.
const (
	CauseUnspecified ClawbackCause = iota
	CauseCancelled
	CauseRefunded
)

// ClawbackTrigger is a cancellation or refund of an order.
type ClawbackTrigger struct {
	Cause ClawbackCause
	// For a refund: the order's amount, what it has received into company
	// accounts and what has been refunded so far (this refund included).
	AmountMinor, PaidToCompanyTotalMinor, RefundedTotalMinor int64
}

// DecideClawback is how much of accrued (of which clawedBack has already
// been taken back) a trigger takes back; 0 means nothing is left to take.
//
// A cancellation takes back everything still accrued. A refund takes back
// commission in proportion to the part of the order amount the company no
// longer keeps: shortfall = amount − (paid into company − refunded),
// between 0 and amount; the clawed-back total becomes
// accrued × shortfall ÷ amount, rounded half up on the minor unit, and this
// clawback is that less what earlier ones took. So a refund of a quarter of
// an exactly paid order takes a quarter back, a refund of an overpayment
// takes nothing, and refunds add up without rounding drift.
func DecideClawback(accrued, clawedBack int64, t ClawbackTrigger) (int64, error) {
	target := accrued
	if t.Cause == CauseRefunded {
		kept := t.PaidToCompanyTotalMinor - t.RefundedTotalMinor
		shortfall := min(max(t.AmountMinor-kept, 0), t.AmountMinor)
		var err error
		if target, err = Proportion(accrued, shortfall, t.AmountMinor); err != nil {
			return 0, err
		}
	}
	return max(0, min(target, accrued)-clawedBack), nil
}

// EntryKind says what a statement entry is.
type EntryKind int

// Statement entry kinds, numbered as holdfast.commission.v1.EntryKind.
const (
	EntryUnspecified EntryKind = iota
	EntryAccrual
	EntryClawback
	EntryHold
	EntryRelease
	// EntryPayout is a recorded payroll export; it is never a statement
	// line, it marks what the lines of other entries were paid in.
	EntryPayout
)

// Entry is one line of an employee's statement.
type Entry struct {
	Tenant, EmployeeID string
	Kind               EntryKind
	OrderID            string
	CustomerID         string
	Currency           string
	AmountMinor        int64
	BaseAmountMinor    int64
	RateBP             int32
	CustomerSource     SourceChannel
	ClaimedSource      SourceChannel
	Contradiction      bool
	PlanVersion        uint64
	Cause              ClawbackCause
	OccurredAt         time.Time
	Sequence           uint64
	OrderSequence      uint64
	// AlertID, RuleID, SellerWide, HeldOrderIDs and RiskSequence describe
	// a hold (and AlertID, ReleaseCause a release).
	AlertID      string   `json:",omitempty"`
	RuleID       string   `json:",omitempty"`
	SellerWide   bool     `json:",omitempty"`
	HeldOrderIDs []string `json:",omitempty"`
	ReleaseCause ReleaseCause
	RiskSequence uint64 `json:",omitempty"`
	// Payout is a payout entry's record.
	Payout *Payout `json:",omitempty"`

	// HeldBy, ForfeitedBy and PaidIn are the Ledger's reading of the
	// entry at the time of asking; they are never stored.
	HeldBy      []string `json:"-"`
	ForfeitedBy string   `json:"-"`
	PaidIn      string   `json:"-"`
}

// Total sums a statement's entries in one currency.
type Total struct {
	Currency                                string
	AccruedMinor, ClawedBackMinor, NetMinor int64
	// HeldMinor and ForfeitedMinor are the part of NetMinor held now and
	// forfeited (set by Ledger.Statement).
	HeldMinor, ForfeitedMinor int64
}

// Totals sums the accruals and clawbacks among entries per currency,
// currencies in alphabetical order.
func Totals(entries []Entry) []Total {
	by := map[string]*Total{}
	var order []string
	for _, e := range entries {
		if e.Kind != EntryAccrual && e.Kind != EntryClawback {
			continue
		}
		t, ok := by[e.Currency]
		if !ok {
			t = &Total{Currency: e.Currency}
			by[e.Currency] = t
			order = append(order, e.Currency)
		}
		switch e.Kind {
		case EntryAccrual:
			t.AccruedMinor += e.AmountMinor
		case EntryClawback:
			t.ClawedBackMinor += e.AmountMinor
		}
		t.NetMinor = t.AccruedMinor - t.ClawedBackMinor
	}
	slices.Sort(order)
	out := make([]Total, 0, len(order))
	for _, c := range order {
		out = append(out, *by[c])
	}
	return out
}
