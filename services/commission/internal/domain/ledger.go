package domain

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Payout is one recorded payroll export of the period [From, To).
type Payout struct {
	From, To     time.Time
	Lines        []PayoutLine
	AsOfSequence uint64
}

// Label names the period as FROM..TO (UTC dates).
func (p Payout) Label() string { return PeriodLabel(p.From, p.To) }

// PeriodLabel names the payout period [from, to) as FROM..TO.
func PeriodLabel(from, to time.Time) string {
	return from.Format(DateLayout) + ".." + to.Format(DateLayout)
}

// PayoutLine is what one payout owes one employee in one currency.
type PayoutLine struct {
	EmployeeID, Currency                                   string
	AccruedMinor, ClawedBackMinor, PayableMinor, HeldMinor int64
	OrderIDs                                               []string
	ClawbackSequences                                      []uint64
}

// hold is one alert's hold as the ledger has read it so far.
type hold struct {
	alertID, employeeID string
	scope               HoldScope
	open                bool
}

func (h *hold) covers(acc Entry) bool {
	return h.open && ((h.scope.SellerWide && h.employeeID == acc.EmployeeID) || slices.Contains(h.scope.OrderIDs, acc.OrderID))
}

// Ledger folds a tenant's COMMISSION entries, in sequence order, into what
// each accrual stands at: held by open alerts, forfeited by a confirmed
// diversion, paid by a payout; and each clawback: deducted by a payout or
// not yet. It is rebuilt from the entries on every read, so what it says
// follows the order of COMMISSION and nothing else.
type Ledger struct {
	entries   []Entry
	accrualOf map[string]int // order id → index of its accrual in entries
	holds     map[string]*hold
	holdOrder []string
	paidIn    map[uint64]string // accrual or clawback sequence → payout period
	forfeited map[uint64]string // accrual sequence → alert id
	clawed    map[string]int64  // order id → clawed back so far
}

// NewLedger folds entries (any order; they are sorted by sequence).
func NewLedger(entries []Entry) *Ledger {
	l := &Ledger{accrualOf: map[string]int{}, holds: map[string]*hold{}, paidIn: map[uint64]string{}, forfeited: map[uint64]string{}, clawed: map[string]int64{}}
	sorted := slices.SortedStableFunc(slices.Values(entries), func(a, b Entry) int { return cmp.Compare(a.Sequence, b.Sequence) })
	for _, e := range sorted {
		l.apply(e)
	}
	return l
}

func (l *Ledger) apply(e Entry) {
	switch e.Kind {
	case EntryAccrual:
		l.accrualOf[e.OrderID] = len(l.entries)
	case EntryClawback:
		l.clawed[e.OrderID] += e.AmountMinor
	case EntryHold:
		h, ok := l.holds[e.AlertID]
		if !ok {
			h = &hold{alertID: e.AlertID, employeeID: e.EmployeeID, open: true}
			l.holds[e.AlertID] = h
			l.holdOrder = append(l.holdOrder, e.AlertID)
		}
		h.scope = h.scope.Union(HoldScope{SellerWide: e.SellerWide, OrderIDs: e.HeldOrderIDs})
	case EntryRelease:
		h, ok := l.holds[e.AlertID]
		if !ok || !h.open {
			break
		}
		if e.ReleaseCause == ReleaseDiversionConfirmed {
			for _, i := range l.accrualOf {
				acc := l.entries[i]
				if l.unsettled(acc) && h.covers(acc) {
					l.forfeited[acc.Sequence] = h.alertID
				}
			}
		}
		h.open = false
	case EntryPayout:
		if e.Payout == nil {
			return
		}
		label := e.Payout.Label()
		for _, line := range e.Payout.Lines {
			for _, id := range line.OrderIDs {
				if i, ok := l.accrualOf[id]; ok {
					l.paidIn[l.entries[i].Sequence] = label
				}
			}
			for _, seq := range line.ClawbackSequences {
				l.paidIn[seq] = label
			}
		}
		return
	}
	l.entries = append(l.entries, e)
}

// unsettled reports whether an accrual is neither paid nor forfeited.
func (l *Ledger) unsettled(acc Entry) bool {
	_, paid := l.paidIn[acc.Sequence]
	_, lost := l.forfeited[acc.Sequence]
	return !paid && !lost
}

// heldBy lists the open alerts holding an unsettled accrual.
func (l *Ledger) heldBy(acc Entry) []string {
	if !l.unsettled(acc) {
		return nil
	}
	var out []string
	for _, id := range l.holdOrder {
		if l.holds[id].covers(acc) {
			out = append(out, id)
		}
	}
	return out
}

// accrualFor returns the accrual of a clawback's order.
func (l *Ledger) accrualFor(e Entry) (Entry, bool) {
	i, ok := l.accrualOf[e.OrderID]
	if !ok {
		return Entry{}, false
	}
	return l.entries[i], true
}

// clawedBack sums the clawbacks on an order.
func (l *Ledger) clawedBack(orderID string) int64 { return l.clawed[orderID] }

// soldBy reports whether employeeID sold any of orderIDs (per its accrual).
func (l *Ledger) soldBy(employeeID string, orderIDs []string) bool {
	return slices.ContainsFunc(orderIDs, func(id string) bool {
		acc, ok := l.accrualFor(Entry{OrderID: id})
		return ok && acc.EmployeeID == employeeID
	})
}

// holdLine is how a hold or release reads on employeeID's statement, and
// whether it belongs there at all. An alert naming the employee shows as
// it is. An alert about someone else shows only where it holds orders the
// employee sold, and only those orders: whom HR is looking at, and their
// other orders, are not the employee's business.
func (l *Ledger) holdLine(e Entry, employeeID string) (Entry, bool) {
	if e.EmployeeID == employeeID {
		return e, true
	}
	orders := e.HeldOrderIDs
	if e.Kind == EntryRelease {
		if h, ok := l.holds[e.AlertID]; ok {
			orders = h.scope.OrderIDs
		}
	}
	if !l.soldBy(employeeID, orders) {
		return e, false
	}
	e.EmployeeID, e.SellerWide = "", false
	e.HeldOrderIDs = slices.DeleteFunc(slices.Clone(e.HeldOrderIDs), func(id string) bool { return !l.soldBy(employeeID, []string{id}) })
	return e, true
}

// Statement is employeeID's entries with OccurredAt in [from, to) (a zero
// bound is open), oldest first, each read as it stands now, with totals
// per currency.
func (l *Ledger) Statement(employeeID string, from, to time.Time) ([]Entry, []Total) {
	var out []Entry
	for _, e := range l.entries {
		if !inPeriod(e.OccurredAt, from, to) {
			continue
		}
		switch e.Kind {
		case EntryAccrual:
			if e.EmployeeID != employeeID {
				continue
			}
			e.HeldBy, e.ForfeitedBy, e.PaidIn = l.heldBy(e), l.forfeited[e.Sequence], l.paidIn[e.Sequence]
		case EntryClawback:
			if e.EmployeeID != employeeID {
				continue
			}
			e.PaidIn = l.paidIn[e.Sequence]
		case EntryHold, EntryRelease:
			var ok bool
			if e, ok = l.holdLine(e, employeeID); !ok {
				continue
			}
		default:
			continue
		}
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b Entry) int {
		return cmp.Or(a.OccurredAt.Compare(b.OccurredAt), cmp.Compare(a.Sequence, b.Sequence))
	})
	totals := Totals(out)
	for _, e := range out {
		if e.Kind != EntryAccrual || (len(e.HeldBy) == 0 && e.ForfeitedBy == "") {
			continue
		}
		i := slices.IndexFunc(totals, func(t Total) bool { return t.Currency == e.Currency })
		net := max(0, e.AmountMinor-l.clawedBack(e.OrderID))
		if len(e.HeldBy) > 0 {
			totals[i].HeldMinor += net
		} else {
			totals[i].ForfeitedMinor += net
		}
	}
	return out, totals
}

// Payout is what a payroll export of [from, to) pays now, per employee and
// currency (sorted): every accrual that qualified before to and is
// neither paid, held nor forfeited, less its clawbacks made before to;
// less the clawbacks made before to on accruals an earlier payout paid
// (the refund or cancellation came after the money went out). Held
// accruals are reported, not paid; they are paid by the first export
// after their release. from only names the period: anything payable that
// an earlier export could not pay is caught up.
func (l *Ledger) Payout(to time.Time) []PayoutLine {
	type key struct{ employee, currency string }
	lines := map[key]*PayoutLine{}
	line := func(e Entry) *PayoutLine {
		k := key{e.EmployeeID, e.Currency}
		if lines[k] == nil {
			lines[k] = &PayoutLine{EmployeeID: e.EmployeeID, Currency: e.Currency}
		}
		return lines[k]
	}
	payingNow := map[string]bool{}
	for _, acc := range l.entries {
		if acc.Kind != EntryAccrual || !acc.OccurredAt.Before(to) || !l.unsettled(acc) {
			continue
		}
		if len(l.heldBy(acc)) > 0 {
			line(acc).HeldMinor += max(0, acc.AmountMinor-l.clawedBack(acc.OrderID))
			continue
		}
		pl := line(acc)
		pl.AccruedMinor += acc.AmountMinor
		pl.OrderIDs = append(pl.OrderIDs, acc.OrderID)
		payingNow[acc.OrderID] = true
	}
	for _, cb := range l.entries {
		if cb.Kind != EntryClawback || !cb.OccurredAt.Before(to) || l.paidIn[cb.Sequence] != "" {
			continue
		}
		acc, ok := l.accrualFor(cb)
		if !ok {
			continue
		}
		_, paidBefore := l.paidIn[acc.Sequence]
		if !payingNow[cb.OrderID] && !paidBefore {
			continue // it goes with its accrual, when that is paid
		}
		pl := line(cb)
		pl.ClawedBackMinor += cb.AmountMinor
		pl.ClawbackSequences = append(pl.ClawbackSequences, cb.Sequence)
	}
	out := make([]PayoutLine, 0, len(lines))
	for _, pl := range lines {
		pl.PayableMinor = pl.AccruedMinor - pl.ClawedBackMinor
		out = append(out, *pl)
	}
	slices.SortFunc(out, func(a, b PayoutLine) int {
		return cmp.Or(cmp.Compare(a.EmployeeID, b.EmployeeID), cmp.Compare(a.Currency, b.Currency))
	})
	return out
}

func inPeriod(t, from, to time.Time) bool {
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || t.Before(to))
}

// CheckPayoutPeriod checks [from, to) against the periods already
// exported: it returns the index of an identical period (exporting it
// again answers the recorded payout), or -1 when the period is new. A new
// period must start at or after the end of every exported one, else
// ErrPrecondition: a recorded payout is never rewritten, and since each
// export catches up everything payable before its end, an earlier period
// would have nothing of its own to pay.
func CheckPayoutPeriod(exported []Payout, from, to time.Time) (int, error) {
	for i, p := range exported {
		if p.From.Equal(from) && p.To.Equal(to) {
			return i, nil
		}
	}
	for _, p := range exported {
		if from.Before(p.To) {
			return -1, fmt.Errorf("%w: period %s starts before the end of the exported period %s",
				ErrPrecondition, PeriodLabel(from, to), p.Label())
		}
	}
	return -1, nil
}
