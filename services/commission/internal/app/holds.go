package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/eventlog"
	commissionv1 "github.com/holdfast/holdfast/proto/holdfast/commission/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/commission/internal/domain"
)

// Aggregate types the hold worker reads on RISK (the risk service writes them).
const (
	riskAlert     = "alert"
	riskAlertCase = "alertcase"
	// typeHold is one alert's hold on COMMISSION (id = alert id).
	typeHold = "hold"
)

// ProjectRisk is the hold worker: it follows RISK from its own checkpoint
// and appends CommissionHeld when an alert is raised (or widened) in terms
// that hold commission, and CommissionReleased when HR dismisses the alert
// or resolves its case. A confirmed alert keeps its hold until the case is
// resolved.
//
// Its decisions read only RISK, the alert's own aggregates and the ORDER
// events the evidence names, so they follow the order of RISK whatever
// the accrual worker is doing; the statement and payouts judge accruals
// against the holds in COMMISSION order. Like the accrual worker it
// appends before it checkpoints, with request ids derived from the RISK
// event, checked against the hold aggregate first: restarts and replays
// never hold or release twice.
func (a *App) ProjectRisk(ctx context.Context) error {
	cp, err := a.store.RiskCheckpoint(ctx)
	if err != nil {
		return fmt.Errorf("project risk: %w", err)
	}
	a.risks.Advance(cp)
	return a.log.Follow(ctx, eventlog.StreamRisk, a.applyRisk, eventlog.FollowOptions{
		From:       cp + 1,
		OnCaughtUp: func() { close(a.risksUp) },
		OnPoison: func(ctx context.Context, rec eventlog.Record, reason error) error {
			if err := a.store.ParkRisk(ctx, rec.Sequence, rec.Subject, reason.Error(), rec.Data); err != nil {
				return err
			}
			a.risks.Advance(rec.Sequence)
			return nil
		},
	})
}

func (a *App) applyRisk(ctx context.Context, rec eventlog.Record) error {
	err := a.judgeAlert(ctx, rec)
	if errors.Is(err, eventlog.ErrDecode) || errors.Is(err, ErrCorruptHistory) {
		if err := a.store.ParkRisk(ctx, rec.Sequence, rec.Subject, err.Error(), rec.Data); err != nil {
			return err
		}
		a.risks.Advance(rec.Sequence)
		return nil
	}
	if err != nil {
		return err
	}
	if err := a.store.ApplyRisk(ctx, rec.Sequence); err != nil {
		return err
	}
	a.risks.Advance(rec.Sequence)
	return nil
}

// judgeAlert appends what one RISK event calls for, if anything.
func (a *App) judgeAlert(ctx context.Context, rec eventlog.Record) error {
	r, err := eventlog.ParseSubject(rec.Subject)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCorruptHistory, err)
	}
	if r.Type != riskAlert && r.Type != riskAlertCase {
		return nil
	}
	msg, err := rec.Payload()
	if errors.Is(err, eventlog.ErrUnknownType) {
		a.logger.WarnContext(ctx, "skipping unknown event type", "type", eventlog.TypeName(rec.Envelope), "sequence", rec.Sequence)
		return nil
	}
	if err != nil {
		return err
	}
	tenant := rec.Envelope.GetTenantId()
	switch ev := msg.(type) {
	case *riskv1.AlertRaised:
		return a.hold(ctx, tenant, ev, domain.Severity(ev.GetSeverity()), ev.GetEvidence(), rec)
	case *riskv1.AlertEvidenceAdded:
		raised, err := a.raisedAlert(ctx, tenant, ev.GetAlertId())
		if err != nil || raised == nil {
			return err
		}
		return a.hold(ctx, tenant, raised, domain.Severity(ev.GetSeverity()), ev.GetEvidence(), rec)
	case *riskv1.AlertDismissed:
		return a.release(ctx, tenant, ev.GetAlertId(), domain.ReleaseDismissed, rec)
	case *riskv1.CaseResolved:
		cause, ok := domain.ReleaseCauseOf(domain.CaseOutcome(ev.GetOutcome()))
		if !ok {
			a.logger.WarnContext(ctx, "case resolved with an outcome the hold cannot follow; the hold stays", "sequence", rec.Sequence)
			return nil
		}
		return a.release(ctx, tenant, ev.GetAlertId(), cause, rec)
	}
	return nil
}

// raisedAlert is the AlertRaised that opened an alert (nil if RISK holds none).
func (a *App) raisedAlert(ctx context.Context, tenant, alertID string) (*riskv1.AlertRaised, error) {
	if !eventlog.ValidToken(alertID) {
		return nil, fmt.Errorf("%w: alert id %q", ErrCorruptHistory, alertID)
	}
	first, found, err := a.log.First(ctx, eventlog.AggregateRef{Context: "risk", Tenant: tenant, Type: riskAlert, ID: alertID})
	if err != nil || !found {
		return nil, err
	}
	msg, err := eventlog.Payload(first.Envelope)
	if err != nil {
		return nil, err
	}
	raised, ok := msg.(*riskv1.AlertRaised)
	if !ok {
		return nil, fmt.Errorf("%w: alert %s opens with %T", ErrCorruptHistory, alertID, msg)
	}
	return raised, nil
}

// evidencedOrders maps the ORDER events among evidence to their orders,
// with a direct get per event: a sequence's event never changes, so the
// answer is the same on every replay. An event the stream no longer holds
// (retention) names no order.
func (a *App) evidencedOrders(ctx context.Context, tenant string, evidence []*riskv1.Evidence) ([]string, error) {
	var ids []string
	for _, ev := range evidence {
		if ev.GetStream() != eventlog.StreamOrder {
			continue
		}
		rec, err := a.log.Get(ctx, eventlog.StreamOrder, ev.GetSequence())
		if errors.Is(err, eventlog.ErrNoEvent) {
			continue
		}
		if err != nil {
			return nil, err
		}
		r, err := eventlog.ParseSubject(rec.Subject)
		if err != nil || r.Type != "order" || r.Tenant != tenant {
			continue
		}
		ids = append(ids, r.ID)
	}
	return ids, nil
}

// alertClosedBefore reports whether HR dismissed the alert or resolved its
// case before the RISK sequence seq: the engine may still add evidence to
// such an alert, and that must not hold commission again with nothing
// left to release it. Only events before seq count, so a replay decides
// the same.
func (a *App) alertClosedBefore(ctx context.Context, tenant, alertID string, seq uint64) (bool, error) {
	agg, err := a.log.Load(ctx, eventlog.AggregateRef{Context: "risk", Tenant: tenant, Type: riskAlertCase, ID: alertID})
	if err != nil {
		return false, err
	}
	for _, rec := range agg.Records {
		if rec.Sequence >= seq {
			break
		}
		msg, err := rec.Payload()
		if errors.Is(err, eventlog.ErrUnknownType) {
			continue
		}
		if err != nil {
			return false, err
		}
		switch msg.(type) {
		case *riskv1.AlertDismissed, *riskv1.CaseResolved:
			return true, nil
		}
	}
	return false, nil
}

// holdState is what a hold aggregate holds so far.
type holdState struct {
	employeeID string
	scope      domain.HoldScope
	released   bool
	requestIDs map[string]bool
}

func foldHold(agg eventlog.Aggregate) (holdState, error) {
	st := holdState{requestIDs: map[string]bool{}}
	for _, rec := range agg.Records {
		st.requestIDs[rec.Envelope.GetRequestId()] = true
		msg, err := rec.Payload()
		if err != nil {
			return st, err
		}
		switch ev := msg.(type) {
		case *commissionv1.CommissionHeld:
			st.employeeID = ev.GetEmployeeId()
			st.scope = st.scope.Union(domain.HoldScope{SellerWide: ev.GetSellerWide(), OrderIDs: ev.GetOrderIds()})
		case *commissionv1.CommissionReleased:
			st.released = true
		default:
			return st, fmt.Errorf("%w: %T in a hold", ErrCorruptHistory, msg)
		}
	}
	return st, nil
}

// hold appends CommissionHeld when the alert, at severity and with this
// evidence, holds something its hold does not hold yet.
func (a *App) hold(ctx context.Context, tenant string, alert *riskv1.AlertRaised, sev domain.Severity, evidence []*riskv1.Evidence, rec eventlog.Record) error {
	orders, err := a.evidencedOrders(ctx, tenant, evidence)
	if err != nil {
		return err
	}
	scope := domain.DecideHoldScope(sev, orders)
	if scope.Empty() {
		return nil
	}
	closed, err := a.alertClosedBefore(ctx, tenant, alert.GetAlertId(), rec.Sequence)
	if err != nil || closed {
		return err
	}
	return a.appendToHold(ctx, tenant, alert.GetAlertId(), rec, func(st holdState) proto.Message {
		if st.released || st.scope.Covers(scope) {
			return nil
		}
		all := st.scope.Union(scope)
		return &commissionv1.CommissionHeld{
			AlertId: alert.GetAlertId(), RuleId: alert.GetRuleId(), EmployeeId: alert.GetEmployeeId(),
			Severity: riskv1.Severity(sev), SellerWide: all.SellerWide, OrderIds: all.OrderIDs, RiskSequence: rec.Sequence,
		}
	})
}

// release appends CommissionReleased to a hold still in force.
func (a *App) release(ctx context.Context, tenant, alertID string, cause domain.ReleaseCause, rec eventlog.Record) error {
	if !eventlog.ValidToken(alertID) {
		return fmt.Errorf("%w: alert id %q", ErrCorruptHistory, alertID)
	}
	return a.appendToHold(ctx, tenant, alertID, rec, func(st holdState) proto.Message {
		if st.released || st.scope.Empty() {
			return nil
		}
		return &commissionv1.CommissionReleased{AlertId: alertID, EmployeeId: st.employeeID, Cause: commissionv1.ReleaseCause(cause), RiskSequence: rec.Sequence}
	})
}

// appendToHold loads the alert's hold, lets decide choose an event (nil
// for none) and appends it under a request id derived from the RISK
// event, deciding again on a concurrent change.
func (a *App) appendToHold(ctx context.Context, tenant, alertID string, rec eventlog.Record,
	decide func(holdState) proto.Message,
) error {
	r := ref(tenant, typeHold, alertID)
	requestID := eventlog.DeriveID(boundedContext, tenant, typeHold, rec.Envelope.GetEventId())
	at := riskTime(rec)
	for attempt := 1; ; attempt++ {
		agg, err := a.log.Load(ctx, r)
		if err != nil {
			return err
		}
		st, err := foldHold(agg)
		if err != nil {
			return err
		}
		if st.requestIDs[requestID] {
			return nil
		}
		payload := decide(st)
		if payload == nil {
			return nil
		}
		_, err = a.log.Append(ctx, eventlog.AppendRequest{
			Ref: r, After: agg.Position, RequestID: requestID, ActorID: workerActor, OccurredAt: at, Payload: payload,
		})
		if errors.Is(err, eventlog.ErrConflict) && attempt < maxConflictRetries {
			continue
		}
		return err
	}
}

// riskTime is a RISK event's time at PostgreSQL's precision.
func riskTime(rec eventlog.Record) time.Time {
	return rec.Envelope.GetOccurredAt().AsTime().UTC().Truncate(time.Microsecond)
}
