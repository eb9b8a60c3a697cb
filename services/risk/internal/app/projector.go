package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/holdfast/holdfast/pkg/eventlog"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// ProjectAlerts keeps the alert read model in step with RISK, resuming
// after its checkpoint, until ctx ends.
func (a *App) ProjectAlerts(ctx context.Context) error {
	cp, err := a.store.Checkpoint(ctx)
	if err != nil {
		return fmt.Errorf("project alerts: %w", err)
	}
	a.projected.Advance(cp)
	return a.log.Follow(ctx, eventlog.StreamRisk, a.applyAlert, eventlog.FollowOptions{
		From:       cp + 1,
		OnCaughtUp: func() { close(a.projectorCaughtUp) },
		OnPoison:   a.park,
		Subjects:   riskSubjects(a.partition),
	})
}

func (a *App) park(ctx context.Context, rec eventlog.Record, reason error) error {
	if err := a.store.Park(ctx, rec.Sequence, rec.Subject, reason.Error(), rec.Data); err != nil {
		return err
	}
	a.projected.Advance(rec.Sequence)
	return nil
}

func (a *App) applyAlert(ctx context.Context, rec eventlog.Record) error {
	alert, changed, err := a.alertAfter(ctx, rec)
	if errors.Is(err, eventlog.ErrDecode) {
		return a.park(ctx, rec, err)
	}
	if err != nil {
		return err
	}
	if changed {
		err = a.store.Apply(ctx, rec.Sequence, alert)
	} else {
		err = a.store.Apply(ctx, rec.Sequence)
	}
	if err != nil {
		return err
	}
	a.projected.Advance(rec.Sequence)
	return nil
}

// alertAfter is the alert as it stands after rec.
func (a *App) alertAfter(ctx context.Context, rec eventlog.Record) (domain.Alert, bool, error) {
	msg, err := rec.Payload()
	if errors.Is(err, eventlog.ErrUnknownType) {
		a.logger.WarnContext(ctx, "skipping unknown event type", "type", eventlog.TypeName(rec.Envelope), "sequence", rec.Sequence)
		return domain.Alert{}, false, nil
	}
	if err != nil {
		return domain.Alert{}, false, err
	}
	tenant := rec.Envelope.GetTenantId()
	at := rec.Envelope.GetOccurredAt().AsTime()
	if step, _, outcome, ok := caseStepOf(msg); ok {
		return a.alertHandled(ctx, rec, step, outcome)
	}
	switch ev := msg.(type) {
	case *riskv1.AlertRaised:
		return domain.Alert{
			Tenant:         tenant,
			ID:             ev.GetAlertId(),
			RuleID:         ev.GetRuleId(),
			RuleVersion:    ev.GetRuleVersion(),
			EmployeeID:     ev.GetEmployeeId(),
			Severity:       domain.Severity(ev.GetSeverity()),
			Status:         domain.StatusRaised,
			ExplanationEN:  ev.GetExplanationEn(),
			ExplanationZH:  ev.GetExplanationZh(),
			WindowStart:    ev.GetWindowStart().AsTime(),
			WindowEnd:      ev.GetWindowEnd().AsTime(),
			RaisedAt:       at,
			UpdatedAt:      at,
			Evidence:       evidenceFromProto(ev.GetEvidence()),
			RaisedSequence: rec.Sequence,
		}, true, nil
	case *riskv1.AlertEvidenceAdded:
		al, err := a.store.GetAlert(ctx, tenant, ev.GetAlertId())
		if errors.Is(err, domain.ErrNotFound) {
			a.logger.WarnContext(ctx, "evidence for an alert the view lacks", "sequence", rec.Sequence)
			return domain.Alert{}, false, nil
		}
		if err != nil {
			return domain.Alert{}, false, err
		}
		al.Severity = domain.Severity(ev.GetSeverity())
		al.ExplanationEN, al.ExplanationZH = ev.GetExplanationEn(), ev.GetExplanationZh()
		al.Evidence = append(al.Evidence, evidenceFromProto(ev.GetEvidence())...)
		al.UpdatedAt = at
		return al, true, nil
	}
	return domain.Alert{}, false, nil
}

// alertHandled is the alert after a step of HR's handling: its status,
// and the case's opening, resolution and outcome, which ListCases reads.
func (a *App) alertHandled(ctx context.Context, rec eventlog.Record, step domain.CaseStep, outcome domain.Outcome) (domain.Alert, bool, error) {
	al, err := a.store.GetAlert(ctx, rec.Envelope.GetTenantId(), rec.Envelope.GetAggregateId())
	if errors.Is(err, domain.ErrNotFound) {
		a.logger.WarnContext(ctx, "handling of an alert the view lacks", "sequence", rec.Sequence)
		return domain.Alert{}, false, nil
	}
	if err != nil {
		return domain.Alert{}, false, err
	}
	c := domain.Case{Status: al.Status}.Apply(domain.CaseNote{Kind: step}, outcome)
	if c.Status == al.Status {
		return domain.Alert{}, false, nil
	}
	al.Status = c.Status
	at := rec.Envelope.GetOccurredAt().AsTime()
	switch c.Status {
	case domain.StatusConfirmed:
		al.CaseOpenedAt, al.CaseSequence = at, rec.Sequence
	case domain.StatusResolved:
		al.CaseResolvedAt, al.Outcome = at, c.Outcome
	}
	return al, true, nil
}
