package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/domainerr"
	"github.com/holdfast/holdfast/pkg/eventlog"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// typeAlertCase is HR's handling of one alert, on risk.<tenant>.alertcase.<alert id>.
// It is a separate aggregate so that the engine, the only writer of the
// alert aggregate, keeps counting that aggregate's versions itself.
const typeAlertCase = "alertcase"

// maxNoteRunes bounds a case note or reason.
const maxNoteRunes = 2000

func (a Actor) canHandleCases() bool { return a.has("hr") }

// CaseCommand is one step of HR's handling of an alert.
type CaseCommand struct {
	RequestID string
	AlertID   string
	Step      domain.CaseStep
	// Text is the note, or the reason of a dismissal.
	Text    string
	Outcome domain.Outcome
}

// HandleAlert records one step of HR's handling (hr only): acknowledge,
// dismiss (reason required), confirm (opens the case), resolve (outcome
// required) or note (text required). A retried request returns the first
// result; a step that may not follow the case's state is FailedPrecondition.
func (a *App) HandleAlert(ctx context.Context, actor Actor, cmd CaseCommand) (domain.Case, uint64, error) {
	op := string(cmd.Step) + " alert"
	if !actor.canHandleCases() {
		return domain.Case{}, 0, fmt.Errorf("%s: %w: requires hr", op, domain.ErrPermissionDenied)
	}
	if err := checkCaseCommand(cmd); err != nil {
		return domain.Case{}, 0, err
	}
	al, err := a.store.GetAlert(ctx, actor.Tenant, cmd.AlertID)
	if err != nil {
		return domain.Case{}, 0, fmt.Errorf("%s: %w", op, err)
	}
	if al.EmployeeID == actor.EmployeeID {
		// Dismissing an alert releases the commission it holds: nobody
		// handles an alert about themselves.
		return domain.Case{}, 0, fmt.Errorf("%s: %w: the alert is about you; another HR user must handle it", op, domain.ErrPermissionDenied)
	}
	ref := eventlog.AggregateRef{Context: boundedContext, Tenant: actor.Tenant, Type: typeAlertCase, ID: cmd.AlertID}
	scoped := eventlog.DeriveID(boundedContext, actor.Tenant, "case-request", actor.EmployeeID+"/"+cmd.RequestID)
	payload := casePayload(cmd)
	for attempt := 1; ; attempt++ {
		agg, err := a.log.Load(ctx, ref)
		if err != nil {
			return domain.Case{}, 0, fmt.Errorf("%s: %w", op, err)
		}
		for i, rec := range agg.Records {
			if rec.Envelope.GetRequestId() != scoped {
				continue
			}
			stored, err := rec.Payload()
			if err != nil || !proto.Equal(stored, payload) {
				return domain.Case{}, 0, fmt.Errorf("%s: %w: request_id was already used for a different step", op, domain.ErrPrecondition)
			}
			c, err := foldCase(cmd.AlertID, agg.Records[:i+1])
			return c, rec.Sequence, err
		}
		c, err := foldCase(cmd.AlertID, agg.Records)
		if err != nil {
			return domain.Case{}, 0, fmt.Errorf("%s: %w", op, err)
		}
		if err := domain.DecideCaseStep(c, cmd.Step); err != nil {
			return domain.Case{}, 0, fmt.Errorf("%s: %w", op, err)
		}
		res, err := a.log.Append(ctx, eventlog.AppendRequest{
			Ref: ref, After: agg.Position, RequestID: scoped, ActorID: actor.EmployeeID, Payload: payload,
		})
		if (errors.Is(err, eventlog.ErrConflict) && attempt < maxRuleConflictRetries) || (err == nil && res.Duplicate) {
			continue
		}
		if err != nil {
			return domain.Case{}, 0, fmt.Errorf("%s: %w", op, err)
		}
		c, err = foldCase(cmd.AlertID, append(agg.Records, eventlog.Record{Envelope: res.Envelope}))
		return c, res.Sequence, err
	}
}

func checkCaseCommand(cmd CaseCommand) error {
	var v domainerr.Violations
	if !eventlog.ValidToken(cmd.RequestID) {
		v.Add("request_id", "required, 1-128 characters of [A-Za-z0-9_-]")
	}
	if !eventlog.ValidToken(cmd.AlertID) {
		v.Add("alert_id", "required, a valid id")
	}
	field := "note"
	if cmd.Step == domain.StepDismiss {
		field = "reason"
	}
	required := cmd.Step == domain.StepDismiss || cmd.Step == domain.StepNote
	switch {
	case required && strings.TrimSpace(cmd.Text) == "":
		v.Add(field, "required")
	case !utf8.ValidString(cmd.Text) || utf8.RuneCountInString(cmd.Text) > maxNoteRunes:
		v.Add(field, "at most %d characters of UTF-8", maxNoteRunes)
	}
	if cmd.Step == domain.StepResolve && (cmd.Outcome <= domain.OutcomeUnspecified || cmd.Outcome > domain.OutcomeInconclusive) {
		v.Add("outcome", "required: DIVERSION_CONFIRMED, NO_DIVERSION or INCONCLUSIVE")
	}
	return v.Err()
}

func casePayload(cmd CaseCommand) proto.Message {
	switch cmd.Step {
	case domain.StepAcknowledge:
		return &riskv1.AlertAcknowledged{AlertId: cmd.AlertID, Note: cmd.Text}
	case domain.StepDismiss:
		return &riskv1.AlertDismissed{AlertId: cmd.AlertID, Reason: cmd.Text}
	case domain.StepConfirm:
		return &riskv1.AlertConfirmed{AlertId: cmd.AlertID, Note: cmd.Text}
	case domain.StepResolve:
		return &riskv1.CaseResolved{AlertId: cmd.AlertID, Outcome: riskv1.CaseOutcome(cmd.Outcome), Note: cmd.Text}
	}
	return &riskv1.CaseNoteAdded{AlertId: cmd.AlertID, Note: cmd.Text}
}

// caseStepOf is the step a lifecycle event records; ok is false for any
// other event.
func caseStepOf(msg proto.Message) (step domain.CaseStep, text string, outcome domain.Outcome, ok bool) {
	switch ev := msg.(type) {
	case *riskv1.AlertAcknowledged:
		return domain.StepAcknowledge, ev.GetNote(), 0, true
	case *riskv1.AlertDismissed:
		return domain.StepDismiss, ev.GetReason(), 0, true
	case *riskv1.AlertConfirmed:
		return domain.StepConfirm, ev.GetNote(), 0, true
	case *riskv1.CaseResolved:
		return domain.StepResolve, ev.GetNote(), domain.Outcome(ev.GetOutcome()), true
	case *riskv1.CaseNoteAdded:
		return domain.StepNote, ev.GetNote(), 0, true
	case *riskv1.EvidenceExported:
		return domain.StepEvidenceExported, fmt.Sprintf("%s, %d events, Merkle root %s", ev.GetLanguage(), ev.GetEvents(), ev.GetMerkleRoot()), 0, true
	}
	return "", "", 0, false
}

func foldCase(alertID string, records []eventlog.Record) (domain.Case, error) {
	c := domain.Case{AlertID: alertID, Status: domain.StatusRaised}
	for _, rec := range records {
		msg, err := rec.Payload()
		if err != nil {
			return domain.Case{}, err
		}
		if step, text, outcome, ok := caseStepOf(msg); ok {
			c = c.Apply(domain.CaseNote{
				Kind: step, Author: rec.Envelope.GetActorId(), Text: text, At: rec.Envelope.GetOccurredAt().AsTime(),
			}, outcome)
		}
	}
	return c, nil
}

// GetCase is an alert's handling, read from its alertcase aggregate.
func (a *App) GetCase(ctx context.Context, actor Actor, alertID string) (domain.Case, error) {
	if !actor.canReadAlerts() {
		return domain.Case{}, fmt.Errorf("get case: %w: requires hr, auditor, manager or admin", domain.ErrPermissionDenied)
	}
	if !eventlog.ValidToken(alertID) {
		return domain.Case{}, domainerr.Violations{{Field: "alert_id", Description: "required, a valid id"}}.Err()
	}
	al, err := a.store.GetAlert(ctx, actor.Tenant, alertID)
	if err != nil {
		return domain.Case{}, fmt.Errorf("get case: %w", err)
	}
	if !actor.canReadAlertsOf(al.EmployeeID) {
		return domain.Case{}, fmt.Errorf("get case: %w: the employee is outside your part of the organisation", domain.ErrPermissionDenied)
	}
	agg, err := a.log.Load(ctx, eventlog.AggregateRef{Context: boundedContext, Tenant: actor.Tenant, Type: typeAlertCase, ID: alertID})
	if err != nil {
		return domain.Case{}, fmt.Errorf("get case: %w", err)
	}
	return foldCase(alertID, agg.Records)
}

// WaitAlertView waits until the alert view has applied RISK sequence seq.
func (a *App) WaitAlertView(ctx context.Context, seq uint64) error {
	if seq == 0 {
		return nil
	}
	// A sequence RISK has not reached yet may never come: answer at once
	// rather than hold the call for the whole wait.
	if last, err := a.log.LastSequence(ctx, eventlog.StreamRisk); err == nil && seq > last {
		return domainerr.Violations{{Field: "min_sequence", Description: fmt.Sprintf("beyond RISK's last sequence %d", last)}}.Err()
	}
	ctx, cancel := context.WithTimeout(ctx, maxConsistencyWait)
	defer cancel()
	if err := a.projected.Wait(ctx, seq); err != nil {
		return fmt.Errorf("%w: alert view at RISK %d, want %d", ErrNotCaughtUp, a.projected.Applied(), seq)
	}
	return nil
}
