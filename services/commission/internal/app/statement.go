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

// ProjectStatement keeps the statement entries in step with COMMISSION,
// resuming after its checkpoint, until ctx ends.
func (a *App) ProjectStatement(ctx context.Context) error {
	cp, err := a.store.EntryCheckpoint(ctx)
	if err != nil {
		return fmt.Errorf("project statement: %w", err)
	}
	a.entries.Advance(cp)
	return a.log.Follow(ctx, eventlog.StreamCommission, a.applyEntry, eventlog.FollowOptions{
		From:       cp + 1,
		OnCaughtUp: func() { close(a.entriesUp) },
		OnPoison: func(ctx context.Context, rec eventlog.Record, reason error) error {
			if err := a.store.ParkEntry(ctx, rec.Sequence, rec.Subject, reason.Error(), rec.Data); err != nil {
				return err
			}
			a.entries.Advance(rec.Sequence)
			return nil
		},
	})
}

func (a *App) applyEntry(ctx context.Context, rec eventlog.Record) error {
	e, err := entryOf(rec)
	if errors.Is(err, eventlog.ErrUnknownType) {
		a.logger.WarnContext(ctx, "skipping unknown event type", "type", eventlog.TypeName(rec.Envelope), "sequence", rec.Sequence)
		e, err = nil, nil
	}
	if err != nil {
		if err := a.store.ParkEntry(ctx, rec.Sequence, rec.Subject, err.Error(), rec.Data); err != nil {
			return err
		}
		a.entries.Advance(rec.Sequence)
		return nil
	}
	if err := a.store.ApplyEntry(ctx, rec.Sequence, e); err != nil {
		return err
	}
	a.entries.Advance(rec.Sequence)
	return nil
}

// entryOf is the read-model entry a COMMISSION event makes (nil for a plan).
func entryOf(rec eventlog.Record) (*domain.Entry, error) {
	msg, err := rec.Payload()
	if err != nil {
		return nil, err
	}
	e := &domain.Entry{Tenant: rec.Envelope.GetTenantId(), OccurredAt: eventTime(rec), Sequence: rec.Sequence}
	switch ev := msg.(type) {
	case *commissionv1.CommissionAccrued:
		e.Kind, e.EmployeeID, e.OrderID, e.CustomerID, e.Currency = domain.EntryAccrual, ev.GetEmployeeId(), ev.GetOrderId(), ev.GetCustomerId(), ev.GetCurrency()
		e.AmountMinor, e.BaseAmountMinor, e.RateBP = ev.GetCommissionMinor(), ev.GetBaseAmountMinor(), ev.GetRateBp()
		e.CustomerSource, e.ClaimedSource = domain.SourceChannel(ev.GetCustomerSource()), domain.SourceChannel(ev.GetClaimedSource())
		e.Contradiction, e.PlanVersion, e.OrderSequence = ev.GetSourceContradiction() != nil, ev.GetPlanVersion(), ev.GetOrderSequence()
	case *commissionv1.CommissionClawedBack:
		e.Kind, e.EmployeeID, e.OrderID, e.CustomerID, e.Currency = domain.EntryClawback, ev.GetEmployeeId(), ev.GetOrderId(), ev.GetCustomerId(), ev.GetCurrency()
		e.AmountMinor, e.Cause, e.OrderSequence = ev.GetAmountMinor(), domain.ClawbackCause(ev.GetCause()), ev.GetOrderSequence()
	case *commissionv1.CommissionHeld:
		e.Kind, e.EmployeeID, e.AlertID, e.RuleID = domain.EntryHold, ev.GetEmployeeId(), ev.GetAlertId(), ev.GetRuleId()
		e.SellerWide, e.HeldOrderIDs, e.RiskSequence = ev.GetSellerWide(), ev.GetOrderIds(), ev.GetRiskSequence()
	case *commissionv1.CommissionReleased:
		e.Kind, e.EmployeeID, e.AlertID = domain.EntryRelease, ev.GetEmployeeId(), ev.GetAlertId()
		e.ReleaseCause, e.RiskSequence = domain.ReleaseCause(ev.GetCause()), ev.GetRiskSequence()
	case *commissionv1.PayoutExported:
		p, err := PayoutFromProto(ev)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCorruptHistory, err)
		}
		e.Kind, e.Payout = domain.EntryPayout, &p
	case *commissionv1.CommissionPlanSet:
		return nil, nil
	default:
		return nil, fmt.Errorf("%w: unexpected %T in COMMISSION", ErrCorruptHistory, msg)
	}
	return e, nil
}

// StatementQuery selects an employee's statement.
type StatementQuery struct {
	EmployeeID string
	// From and To bound OccurredAt as [From, To); zero is open.
	From, To time.Time
	// MinSequence waits for this COMMISSION sequence; MinOrderSequence for
	// the accrual worker to have judged ORDER up to it (and for the
	// statement to hold whatever that appended); MinRiskSequence the same
	// for the hold worker and RISK.
	MinSequence, MinOrderSequence, MinRiskSequence uint64
}

// Statement is an employee's entries with totals per currency.
type Statement struct {
	Entries []domain.Entry
	Totals  []domain.Total
}

// GetStatement lists an employee's accruals, clawbacks, holds and releases
// in a period, each accrual read as it stands now (held, forfeited, paid)
// (the employee themselves, manager, hr, auditor, admin).
func (a *App) GetStatement(ctx context.Context, actor domain.Actor, q StatementQuery) (Statement, error) {
	var v []domain.FieldViolation
	if !eventlog.ValidToken(q.EmployeeID) {
		v = append(v, domain.FieldViolation{Field: "employee_id", Description: "required, a valid id"})
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		v = append(v, domain.FieldViolation{Field: "to", Description: "after from"})
	}
	if len(v) > 0 {
		return Statement{}, &domain.ValidationError{Violations: v}
	}
	if !actor.CanReadStatement(q.EmployeeID) {
		return Statement{}, fmt.Errorf("get statement: %w: your own, or manager, hr, auditor, admin", domain.ErrPermissionDenied)
	}
	if err := wait(ctx, a.orders, q.MinOrderSequence); err != nil {
		return Statement{}, err
	}
	if err := wait(ctx, a.risks, q.MinRiskSequence); err != nil {
		return Statement{}, err
	}
	if q.MinOrderSequence > 0 || q.MinRiskSequence > 0 {
		if err := a.catchUpEntries(ctx); err != nil {
			return Statement{}, fmt.Errorf("get statement: %w", err)
		}
	}
	if err := wait(ctx, a.entries, q.MinSequence); err != nil {
		return Statement{}, err
	}
	ledger, err := a.ledger(ctx, actor.Tenant)
	if err != nil {
		return Statement{}, fmt.Errorf("get statement: %w", err)
	}
	entries, totals := ledger.Statement(q.EmployeeID, q.From, q.To)
	return Statement{Entries: entries, Totals: totals}, nil
}

// catchUpEntries waits for the statement to apply everything on
// COMMISSION now.
func (a *App) catchUpEntries(ctx context.Context) error {
	last, err := a.log.LastSequence(ctx, eventlog.StreamCommission)
	if err != nil {
		return err
	}
	return wait(ctx, a.entries, last)
}

// ledger reads the tenant's entries into what each accrual stands at.
func (a *App) ledger(ctx context.Context, tenant string) (*domain.Ledger, error) {
	entries, err := a.store.TenantEntries(ctx, tenant)
	if err != nil {
		return nil, err
	}
	return domain.NewLedger(entries), nil
}
