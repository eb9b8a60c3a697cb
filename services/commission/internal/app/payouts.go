package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/holdfast/holdfast/pkg/eventlog"
	commissionv1 "github.com/holdfast/holdfast/proto/holdfast/commission/v1"
	"github.com/holdfast/holdfast/services/commission/internal/domain"
)

// typePayout is the tenant's payout ledger on COMMISSION: one aggregate,
// so that every export is checked against every earlier one.
const (
	typePayout = "payout"
	payoutID   = "ledger"
)

// PayoutResult is one recorded payroll export.
type PayoutResult struct {
	Payout domain.Payout
	// Sequence is the PayoutExported event's COMMISSION sequence.
	Sequence uint64
	// AlreadyExported is true when an earlier call recorded it.
	AlreadyExported bool
}

// ExportPayouts records and returns what the payroll period [from, to)
// (UTC dates, YYYY-MM-DD) pays each employee per currency (hr, admin,
// service). Exporting a period again returns the recorded payout, never a
// new computation, so payroll can retry safely; a period starting before
// the end of an exported one is ErrPrecondition. Whatever changes after an
// export (a release, a refund of paid-out commission) lands in the next.
func (a *App) ExportPayouts(ctx context.Context, actor domain.Actor, fromDate, toDate string) (PayoutResult, error) {
	from, to, err := checkPeriod(fromDate, toDate, a.now())
	if err != nil {
		return PayoutResult{}, err
	}
	if !actor.CanExportPayouts() {
		return PayoutResult{}, fmt.Errorf("export payouts: %w: requires hr, admin or service", domain.ErrPermissionDenied)
	}
	r := ref(actor.Tenant, typePayout, payoutID)
	requestID := eventlog.DeriveID(boundedContext, actor.Tenant, typePayout, domain.PeriodLabel(from, to))
	for attempt := 1; ; attempt++ {
		agg, err := a.log.Load(ctx, r)
		if err != nil {
			return PayoutResult{}, fmt.Errorf("export payouts: %w", err)
		}
		exported, seqs, err := foldPayouts(agg)
		if err != nil {
			return PayoutResult{}, fmt.Errorf("export payouts: %w", err)
		}
		i, err := domain.CheckPayoutPeriod(exported, from, to)
		if err != nil {
			return PayoutResult{}, fmt.Errorf("export payouts: %w", err)
		}
		if i >= 0 {
			return PayoutResult{Payout: exported[i], Sequence: seqs[i], AlreadyExported: true}, nil
		}
		// Judge ORDER and RISK to their ends, so that no alert raised or
		// refund made before this call is missed, then read every accrual,
		// hold and earlier payout on COMMISSION.
		if err := a.catchUpWorkers(ctx); err != nil {
			return PayoutResult{}, fmt.Errorf("export payouts: %w", err)
		}
		if err := a.catchUpEntries(ctx); err != nil {
			return PayoutResult{}, fmt.Errorf("export payouts: %w", err)
		}
		asOf := a.entries.Applied()
		ledger, err := a.ledger(ctx, actor.Tenant)
		if err != nil {
			return PayoutResult{}, fmt.Errorf("export payouts: %w", err)
		}
		p := domain.Payout{From: from, To: to, Lines: ledger.Payout(to), AsOfSequence: asOf}
		res, err := a.log.Append(ctx, eventlog.AppendRequest{
			Ref: r, After: agg.Position, RequestID: requestID, ActorID: actor.EmployeeID,
			OccurredAt: a.now().UTC(), Payload: PayoutToProto(p),
		})
		if errors.Is(err, eventlog.ErrConflict) && attempt < maxConflictRetries {
			continue
		}
		if err != nil {
			return PayoutResult{}, fmt.Errorf("export payouts: %w", err)
		}
		if res.Duplicate && attempt < maxConflictRetries {
			continue // an export of this period raced ours: answer the recorded one
		}
		return PayoutResult{Payout: p, Sequence: res.Sequence}, nil
	}
}

// catchUpWorkers waits for the accrual and hold workers to judge ORDER
// and RISK as they stand now.
func (a *App) catchUpWorkers(ctx context.Context) error {
	for stream, p := range map[string]*eventlog.Progress{eventlog.StreamOrder: a.orders, eventlog.StreamRisk: a.risks} {
		last, err := a.log.LastSequence(ctx, stream)
		if err != nil {
			return err
		}
		if err := wait(ctx, p, last); err != nil {
			return err
		}
	}
	return nil
}

// Payout periods are bounded: a period ends at most maxPayoutLead after
// today and spans at most maxPayoutSpan, because an exported period is
// never rewritten and every later one must start after it — a typo such as
// 2062 for 2026 would otherwise lock payroll for decades.
const (
	maxPayoutLead = 31 * 24 * time.Hour
	maxPayoutSpan = 366 * 24 * time.Hour
)

// checkPeriod parses a payout period, reporting every bad field.
func checkPeriod(fromDate, toDate string, now time.Time) (from, to time.Time, err error) {
	var v []domain.FieldViolation
	from, ferr := domain.ParseDate(fromDate)
	if ferr != nil {
		v = append(v, domain.FieldViolation{Field: "from", Description: "required, a date as YYYY-MM-DD"})
	}
	to, terr := domain.ParseDate(toDate)
	if terr != nil {
		v = append(v, domain.FieldViolation{Field: "to", Description: "required, a date as YYYY-MM-DD"})
	}
	switch {
	case ferr == nil && terr == nil && !from.Before(to):
		v = append(v, domain.FieldViolation{Field: "to", Description: "after from"})
	case ferr == nil && terr == nil && to.Sub(from) > maxPayoutSpan:
		v = append(v, domain.FieldViolation{Field: "to", Description: "at most 366 days after from"})
	}
	if terr == nil && to.After(now.Add(maxPayoutLead)) {
		v = append(v, domain.FieldViolation{Field: "to", Description: "at most 31 days from today: an exported period is final"})
	}
	if len(v) > 0 {
		return from, to, &domain.ValidationError{Violations: v}
	}
	return from, to, nil
}

// foldPayouts reads the payout ledger: every export, oldest first, with
// its sequence.
func foldPayouts(agg eventlog.Aggregate) ([]domain.Payout, []uint64, error) {
	var out []domain.Payout
	var seqs []uint64
	for _, rec := range agg.Records {
		msg, err := rec.Payload()
		if err != nil {
			return nil, nil, err
		}
		ev, ok := msg.(*commissionv1.PayoutExported)
		if !ok {
			return nil, nil, fmt.Errorf("%w: %T in the payout ledger", ErrCorruptHistory, msg)
		}
		p, err := PayoutFromProto(ev)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %w", ErrCorruptHistory, err)
		}
		out, seqs = append(out, p), append(seqs, rec.Sequence)
	}
	return out, seqs, nil
}

// PayoutToProto is a payout as recorded on COMMISSION.
func PayoutToProto(p domain.Payout) *commissionv1.PayoutExported {
	out := &commissionv1.PayoutExported{From: p.From.Format(domain.DateLayout), To: p.To.Format(domain.DateLayout), AsOfSequence: p.AsOfSequence}
	for _, l := range p.Lines {
		out.Lines = append(out.Lines, PayoutLineToProto(l))
	}
	return out
}

// PayoutLineToProto is one payout line in the wire's terms.
func PayoutLineToProto(l domain.PayoutLine) *commissionv1.PayoutLine {
	return &commissionv1.PayoutLine{
		EmployeeId: l.EmployeeID, Currency: l.Currency, AccruedMinor: l.AccruedMinor, ClawedBackMinor: l.ClawedBackMinor,
		PayableMinor: l.PayableMinor, HeldMinor: l.HeldMinor, OrderIds: l.OrderIDs, ClawbackSequences: l.ClawbackSequences,
	}
}

// PayoutFromProto reads a recorded payout back.
func PayoutFromProto(ev *commissionv1.PayoutExported) (domain.Payout, error) {
	from, ferr := domain.ParseDate(ev.GetFrom())
	to, terr := domain.ParseDate(ev.GetTo())
	if err := errors.Join(ferr, terr); err != nil {
		return domain.Payout{}, fmt.Errorf("payout period: %w", err)
	}
	p := domain.Payout{From: from, To: to, AsOfSequence: ev.GetAsOfSequence()}
	for _, l := range ev.GetLines() {
		p.Lines = append(p.Lines, domain.PayoutLine{
			EmployeeID: l.GetEmployeeId(), Currency: l.GetCurrency(), AccruedMinor: l.GetAccruedMinor(),
			ClawedBackMinor: l.GetClawedBackMinor(), PayableMinor: l.GetPayableMinor(), HeldMinor: l.GetHeldMinor(),
			OrderIDs: l.GetOrderIds(), ClawbackSequences: l.GetClawbackSequences(),
		})
	}
	return p, nil
}
