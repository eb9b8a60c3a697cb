package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/holdfast/holdfast/pkg/eventlog"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	"github.com/holdfast/holdfast/services/attendance/internal/domain"
)

// typeReveal is the aggregate of one employee's identity reveals. It is
// apart from the employee aggregate so a reveal neither bumps the
// employee's version (and conflicts with lifecycle commands) nor reaches
// the lifecycle fold that every service shares.
const typeReveal = "reveal"

// MaxRevealReason bounds a reveal's reason, in characters.
const MaxRevealReason = 500

// Reveal is the outcome of RevealIdentity.
type Reveal struct {
	EmployeeID, Name string
	Sequence         uint64
}

// RevealIdentity returns an employee's name to someone who reads them
// under a pseudonym, and records who asked and why. Only hr, auditors,
// admins and managers whose subtree holds the employee may: an employee
// cannot reveal colleagues, and naming oneself is not a reveal. A retry with
// the same request id returns the first result and writes nothing.
func (a *App) RevealIdentity(ctx context.Context, actor domain.Actor, requestID, employeeID, reason string) (Reveal, error) {
	if !actor.ReadsEveryone() && !actor.ManagesATeam() {
		return Reveal{}, fmt.Errorf("reveal identity: %w: requires hr, auditor, admin, or the employee's manager", domain.ErrPermissionDenied)
	}
	reason = strings.TrimSpace(reason)
	var reasonErr error
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		reasonErr = &domain.ValidationError{Violations: []domain.FieldViolation{{Field: "reason", Description: "required: say why you need the name"}}}
	case n > MaxRevealReason || !utf8.ValidString(reason):
		reasonErr = &domain.ValidationError{Violations: []domain.FieldViolation{{Field: "reason", Description: fmt.Sprintf("at most %d characters of valid UTF-8", MaxRevealReason)}}}
	}
	if err := joinViolations(checkRequestID(requestID), checkID("employee_id", employeeID), reasonErr); err != nil {
		return Reveal{}, err
	}
	// The scope check reads the read model, as every read does; the name
	// comes from the log, the authority.
	if !actor.ReadsEveryone() {
		if _, err := a.readableEmployee(ctx, actor, employeeID, "reveal identity"); err != nil {
			return Reveal{}, err
		}
	}
	e, ok, err := a.loadEmployee(ctx, actor.Tenant, employeeID)
	if err != nil {
		return Reveal{}, fmt.Errorf("reveal identity: %w", err)
	}
	if !ok {
		return Reveal{}, fmt.Errorf("employee %s: %w", employeeID, domain.ErrNotFound)
	}
	scoped := callerScopedID(actor, "request", requestID)
	r := ref(actor.Tenant, typeReveal, employeeID)
	for attempt := 1; ; attempt++ {
		agg, err := a.log.Load(ctx, r)
		if err != nil {
			return Reveal{}, fmt.Errorf("reveal identity: %w", err)
		}
		for _, rec := range agg.Records {
			if rec.Envelope.GetRequestId() == scoped {
				return Reveal{EmployeeID: employeeID, Name: e.Name, Sequence: rec.Sequence}, nil // a retry
			}
		}
		res, err := a.log.Append(ctx, eventlog.AppendRequest{
			Ref: r, After: agg.Position, RequestID: scoped, ActorID: actor.EmployeeID, OccurredAt: a.now(ctx),
			Payload: &attendancev1.EmployeeIdentityRevealed{EmployeeId: employeeID, Reason: reason, ActorId: actor.EmployeeID},
		})
		if errors.Is(err, eventlog.ErrConflict) && attempt < maxConflictRetries {
			continue
		}
		if err != nil {
			return Reveal{}, fmt.Errorf("reveal identity: %w", err)
		}
		return Reveal{EmployeeID: employeeID, Name: e.Name, Sequence: res.Sequence}, nil
	}
}

// revealEntries are the employee's identity reveals as timeline entries.
func (a *App) revealEntries(ctx context.Context, tenant, employeeID string) ([]TimelineEntry, error) {
	agg, err := a.log.Load(ctx, ref(tenant, typeReveal, employeeID))
	if err != nil {
		return nil, fmt.Errorf("identity reveals: %w", err)
	}
	out := make([]TimelineEntry, 0, len(agg.Records))
	for _, rec := range agg.Records {
		msg, err := rec.Payload()
		if err != nil {
			return nil, err
		}
		out = append(out, TimelineEntry{
			Sequence: rec.Sequence, EventID: rec.Envelope.GetEventId(), EventType: eventlog.TypeName(rec.Envelope),
			OccurredAt: rec.Envelope.GetOccurredAt().AsTime(), ActorID: rec.Envelope.GetActorId(), Summary: summarize(msg), SummaryZH: summarizeZH(msg),
		})
	}
	return out, nil
}
