package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	commissionv1 "github.com/holdfast/holdfast/proto/holdfast/commission/v1"
	"github.com/holdfast/holdfast/services/commission/internal/domain"
)

// PlanToProto is a plan in the wire's terms.
func PlanToProto(p domain.Plan) *commissionv1.CommissionPlan {
	out := &commissionv1.CommissionPlan{
		CompanyRateBp: p.CompanyRateBP, PersonalRateBp: p.PersonalRateBP, Version: p.Version, Reason: p.Reason,
	}
	if !p.EffectiveFrom.IsZero() {
		out.EffectiveFrom = p.EffectiveFrom.Format(domain.DateLayout)
	}
	for s := domain.SourceWebsite; s <= domain.SourcePersonal; s++ {
		if r, ok := p.ChannelRates[s]; ok {
			out.ChannelRates = append(out.ChannelRates, &commissionv1.ChannelRate{Source: clientv1.SourceChannel(s), RateBp: r})
		}
	}
	return out
}

// PlanFromProto is the domain's view of a wire plan; the effective date is
// parsed leniently (zero when bad): CheckPlan reports it.
func PlanFromProto(p *commissionv1.CommissionPlan) domain.Plan {
	out := domain.Plan{CompanyRateBP: p.GetCompanyRateBp(), PersonalRateBP: p.GetPersonalRateBp(), Version: p.GetVersion(), Reason: p.GetReason()}
	out.EffectiveFrom, _ = domain.ParseDate(p.GetEffectiveFrom())
	for _, cr := range p.GetChannelRates() {
		if out.ChannelRates == nil {
			out.ChannelRates = map[domain.SourceChannel]int32{}
		}
		out.ChannelRates[domain.SourceChannel(cr.GetSource())] = cr.GetRateBp()
	}
	return out
}

// ErrDuplicateChannel is reported for a plan naming one channel twice.
var ErrDuplicateChannel = errors.New("each source channel at most once")

// planHistory reads every plan version set for the tenant, oldest first;
// the log is the authority, so a decision never waits on a projection.
func (a *App) planHistory(ctx context.Context, tenant string) ([]domain.Plan, eventlog.Aggregate, error) {
	agg, err := a.log.Load(ctx, ref(tenant, typePlan, planID))
	if err != nil {
		return nil, agg, err
	}
	out := make([]domain.Plan, 0, len(agg.Records))
	for _, rec := range agg.Records {
		msg, err := rec.Payload()
		if err != nil {
			return nil, agg, err
		}
		ev, ok := msg.(*commissionv1.CommissionPlanSet)
		if !ok {
			return nil, agg, fmt.Errorf("%w: %T in the commission plan", ErrCorruptHistory, msg)
		}
		p := PlanFromProto(ev.GetPlan())
		p.Version = rec.Sequence
		out = append(out, p)
	}
	return out, agg, nil
}

// SetCommissionPlan adds a plan version (admin). It is in force from its
// effective date for orders that qualify from then on; accruals already
// made keep the rate they were made at.
func (a *App) SetCommissionPlan(ctx context.Context, actor domain.Actor, requestID string, p *commissionv1.CommissionPlan) (domain.Plan, uint64, error) {
	if !actor.CanSetPlan() {
		return domain.Plan{}, 0, fmt.Errorf("set commission plan: %w: requires admin", domain.ErrPermissionDenied)
	}
	var v []domain.FieldViolation
	if !eventlog.ValidToken(requestID) {
		v = append(v, domain.FieldViolation{Field: "request_id", Description: "required, 1-128 characters of [A-Za-z0-9_-]"})
	}
	if p == nil {
		v = append(v, domain.FieldViolation{Field: "plan", Description: "required"})
	} else {
		seen := map[clientv1.SourceChannel]bool{}
		for _, cr := range p.GetChannelRates() {
			if seen[cr.GetSource()] {
				v = append(v, domain.FieldViolation{Field: "plan.channel_rates.source", Description: ErrDuplicateChannel.Error()})
			}
			seen[cr.GetSource()] = true
		}
		var ve *domain.ValidationError
		if err := domain.CheckPlan(PlanFromProto(p), p.GetEffectiveFrom()); errors.As(err, &ve) {
			v = append(v, ve.Violations...)
		}
	}
	if len(v) > 0 {
		return domain.Plan{}, 0, &domain.ValidationError{Violations: v}
	}
	plan := PlanFromProto(p)
	plan.Version = 0
	scoped := callerScopedID(actor, "plan", requestID)
	for attempt := 1; ; attempt++ {
		history, agg, err := a.planHistory(ctx, actor.Tenant)
		if err != nil {
			return domain.Plan{}, 0, fmt.Errorf("set commission plan: %w", err)
		}
		for i, rec := range agg.Records {
			if rec.Envelope.GetRequestId() == scoped {
				return history[i], rec.Sequence, nil // a retry: the first result stands
			}
		}
		res, err := a.log.Append(ctx, eventlog.AppendRequest{
			Ref: ref(actor.Tenant, typePlan, planID), After: agg.Position, RequestID: scoped, ActorID: actor.EmployeeID,
			OccurredAt: a.now().UTC(), Payload: &commissionv1.CommissionPlanSet{Plan: PlanToProto(plan)},
		})
		if errors.Is(err, eventlog.ErrConflict) && attempt < maxConflictRetries {
			continue
		}
		if err != nil {
			return domain.Plan{}, 0, fmt.Errorf("set commission plan: %w", err)
		}
		plan.Version = res.Sequence
		return plan, res.Sequence, nil
	}
}

// GetCommissionPlan returns the plan in force on date (today when zero)
// and every version set (hr, auditor, admin, manager).
func (a *App) GetCommissionPlan(ctx context.Context, actor domain.Actor, date time.Time) (domain.Plan, []domain.Plan, error) {
	if !actor.CanReadPlan() {
		return domain.Plan{}, nil, fmt.Errorf("get commission plan: %w: requires hr, auditor, admin or manager", domain.ErrPermissionDenied)
	}
	if date.IsZero() {
		date = a.now().UTC()
	}
	history, _, err := a.planHistory(ctx, actor.Tenant)
	if err != nil {
		return domain.Plan{}, nil, fmt.Errorf("get commission plan: %w", err)
	}
	return domain.PlanInForce(history, date), history, nil
}
