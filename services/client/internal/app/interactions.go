package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/domain"
	"github.com/holdfast/holdfast/services/client/internal/store"
)

// ErrInteractionNotFound is returned for an interaction the tenant does not
// have; it wraps domain.ErrNotFound.
var ErrInteractionNotFound = fmt.Errorf("interaction %w", domain.ErrNotFound)

// LogInteractionFor logs an interaction employee had, sent by actor. A feed
// (role service) or an admin logs for any employee; anyone else only for
// themselves, with employee empty or their own id. A feed's record is a
// fact about what happened, so it is not refused because the employee
// does not hold the customer: that is what the trail must show.
func (a *App) LogInteractionFor(ctx context.Context, actor domain.Actor, employee, requestID string, in domain.Interaction) (string, uint64, error) {
	if employee == "" {
		employee = actor.EmployeeID
	}
	return a.logInteraction(ctx, actor, employee, requestID, in)
}

// logInteraction records an interaction of employee with a customer the
// log knows, or with a counterparty: a phone or WeChat id that is not a
// registered customer's. The customer is read from its own events, not
// the read model, so an interaction logged right after registration is
// never refused. The interaction id is derived from the caller and the
// request id, so a retry returns the first result and writes nothing.
//
// The text is kept as the tenant's policy and the request's text consent
// allow (ClientPolicy.RecordText); a withheld text is still required in
// the request for chats, e-mails and visit notes, so logging cannot be
// dodged, but the event records it empty with text_withheld. Being the
// one path for LogInteraction and IngestInteractions, this holds for
// feeds too, and the risk service's sensitive-words rule sees no text for
// a withheld interaction.
func (a *App) logInteraction(ctx context.Context, actor domain.Actor, employee, requestID string, in domain.Interaction) (string, uint64, error) {
	if !actor.CanLogFor(employee) {
		return "", 0, fmt.Errorf("log interaction: %w: only a feed (role service) or an admin logs for another employee", domain.ErrPermissionDenied)
	}
	errs := []error{checkRequestID(requestID)}
	if in.CustomerID != "" && !eventlog.ValidToken(in.CustomerID) {
		// An empty id is the domain's "required" violation.
		errs = append(errs, invalidID("customer_id"))
	}
	if !eventlog.ValidToken(employee) {
		errs = append(errs, invalidID("employee_id"))
	}
	in, err := domain.NormalizeInteraction(in, a.now(ctx))
	if err := joinViolations(append(errs, err)...); err != nil {
		return "", 0, err
	}
	if actor, err = a.withVisibility(ctx, actor); err != nil {
		return "", 0, err
	}
	forSelf := employee == actor.EmployeeID
	if in.CustomerID != "" {
		if err := a.checkInteractionCustomer(ctx, actor, forSelf, in.CustomerID); err != nil {
			return "", 0, err
		}
	} else if forSelf && !actor.CanLogCounterparty() {
		return "", 0, fmt.Errorf("log interaction: %w: requires sales, senior_sales or manager", domain.ErrPermissionDenied)
	}
	id := callerScopedID(actor, typeInteraction, requestID)
	prior, err := a.log.Load(ctx, ref(actor.Tenant, typeInteraction, id))
	if err != nil {
		return "", 0, fmt.Errorf("log interaction: %w", err)
	}
	if len(prior.Records) > 0 {
		// A retry answers as the first time, even if the counterparty has
		// been registered as a customer since.
		if !sameInteraction(prior.Records[0], employee, in) {
			return "", 0, fmt.Errorf("log interaction: %w: request_id was already used for a different interaction", domain.ErrPrecondition)
		}
		return id, prior.Records[0].Sequence, nil
	}
	if in.Counterparty != "" {
		if err := a.refuseRegisteredCounterparty(ctx, actor, employee, in.Counterparty); err != nil {
			return "", 0, err
		}
	}
	policy, _, err := a.Policy(ctx, actor.Tenant)
	if err != nil {
		return "", 0, fmt.Errorf("log interaction: %w", err)
	}
	in = policy.RecordText(in)
	res, err := a.log.Append(ctx, eventlog.AppendRequest{
		Ref:        ref(actor.Tenant, typeInteraction, id),
		RequestID:  requestID,
		ActorID:    actor.EmployeeID,
		OccurredAt: in.OccurredAt,
		Payload:    interactionLoggedEvent(id, employee, in),
	})
	if err != nil {
		return "", 0, fmt.Errorf("log interaction: %w", err)
	}
	return id, res.Sequence, nil
}

// checkInteractionCustomer finds the customer an interaction names and,
// when the actor logs their own, checks they may.
func (a *App) checkInteractionCustomer(ctx context.Context, actor domain.Actor, forSelf bool, customerID string) error {
	agg, err := a.log.Load(ctx, ref(actor.Tenant, typeCustomer, customerID))
	if err != nil {
		return fmt.Errorf("log interaction: %w", err)
	}
	if len(agg.Records) == 0 {
		return fmt.Errorf("customer %s: %w", customerID, domain.ErrNotFound)
	}
	c, err := foldCustomer(agg)
	if err != nil {
		return fmt.Errorf("log interaction: %w", err)
	}
	if forSelf && !actor.CanLogInteraction(c) {
		return fmt.Errorf("log interaction: %w: only the customer's holder or a manager", domain.ErrPermissionDenied)
	}
	return nil
}

// refuseRegisteredCounterparty refuses a counterparty that is a registered
// customer's phone or WeChat id: talks with a customer belong on the
// customer. The customer's id is named only to those who may read it, or
// when it is in the pool (as registration does).
//
// Like refuseDuplicate, it reads the read model at the stream's end: a
// registration in the same instant can slip past.
func (a *App) refuseRegisteredCounterparty(ctx context.Context, actor domain.Actor, employee, counterparty string) error {
	if err := a.catchUp(ctx); err != nil {
		return fmt.Errorf("log interaction: %w", err)
	}
	keys := domain.CounterpartyKeys(counterparty)
	found, err := a.store.FindByIdentity(ctx, actor.Tenant, keys)
	if err != nil {
		return fmt.Errorf("log interaction: %w", err)
	}
	for _, c := range found {
		if keys.Matches(c) == nil {
			continue
		}
		switch {
		case c.OwnerID == "":
			return fmt.Errorf("log interaction: %w: this contact is customer %s in the shared pool; claim it, then log the interaction with its customer_id", domain.ErrPrecondition, c.ID)
		case c.OwnerID == employee || actor.CanRead(c):
			return fmt.Errorf("log interaction: %w: this contact is registered customer %s; log the interaction with customer_id %s", domain.ErrPrecondition, c.ID, c.ID)
		default:
			return fmt.Errorf("log interaction: %w: this contact is a registered customer held by another employee; log the interaction against that customer, not as a counterparty", domain.ErrPrecondition)
		}
	}
	return nil
}

// DeleteInteraction hides an interaction from reads by appending
// InteractionDeleted to it; the InteractionLogged stays in the log, and the
// deletion is itself evidence (SCENARIOS S3). A retry with the same request
// id returns the first deletion's sequence.
func (a *App) DeleteInteraction(ctx context.Context, actor domain.Actor, requestID, interactionID, reason string) (uint64, error) {
	errs := []error{checkRequestID(requestID), domain.CheckReason("reason", reason)}
	switch {
	case interactionID == "":
		errs = append(errs, &domain.ValidationError{Violations: []domain.FieldViolation{{Field: "interaction_id", Description: "required"}}})
	case !eventlog.ValidToken(interactionID):
		errs = append(errs, invalidID("interaction_id"))
	}
	if err := joinViolations(errs...); err != nil {
		return 0, err
	}
	actor, err := a.withVisibility(ctx, actor)
	if err != nil {
		return 0, err
	}
	scoped := callerScopedID(actor, "request", requestID)
	r := ref(actor.Tenant, typeInteraction, interactionID)
	for attempt := 1; ; attempt++ {
		agg, err := a.log.Load(ctx, r)
		if err != nil {
			return 0, fmt.Errorf("delete interaction: %w", err)
		}
		if len(agg.Records) == 0 {
			return 0, fmt.Errorf("delete interaction %s: %w", interactionID, ErrInteractionNotFound)
		}
		for _, rec := range agg.Records {
			if rec.Envelope.GetRequestId() == scoped {
				return rec.Sequence, nil // a retry: the first result stands
			}
		}
		li, err := foldInteraction(agg)
		if err != nil {
			return 0, fmt.Errorf("delete interaction: %w", err)
		}
		// Who sent the record, not whose interaction it is: an employee may
		// not hide what a call-centre feed logged about them.
		loggedBy := agg.Records[0].Envelope.GetActorId()
		if err := domain.CheckDeletion(actor, li, loggedBy); err != nil {
			return 0, err
		}
		res, err := a.log.Append(ctx, eventlog.AppendRequest{
			Ref:        r,
			After:      agg.Position,
			RequestID:  scoped,
			ActorID:    actor.EmployeeID,
			OccurredAt: a.now(ctx),
			Payload: &clientv1.InteractionDeleted{
				InteractionId: li.ID,
				CustomerId:    li.CustomerID,
				EmployeeId:    li.EmployeeID,
				Reason:        strings.TrimSpace(reason),
			},
		})
		if errors.Is(err, eventlog.ErrConflict) && attempt < maxConflictRetries {
			continue // decide again on what came first: a deletion, perhaps
		}
		if err != nil {
			return 0, fmt.Errorf("delete interaction: %w", err)
		}
		return res.Sequence, nil
	}
}

// ListInteractions pages through the interactions of one customer (those
// who may read it) or of one employee (themselves, senior_sales of their
// team, managers above them, hr, auditors and admins), once the read model
// has applied minSeq. Deleted interactions are listed only for hr, auditors and admins.
func (a *App) ListInteractions(ctx context.Context, actor domain.Actor, f store.InteractionFilter, minSeq uint64) ([]domain.LoggedInteraction, error) {
	if err := CheckInteractionFilter(f); err != nil {
		return nil, err
	}
	actor, err := a.withVisibility(ctx, actor)
	if err != nil {
		return nil, err
	}
	if f.IncludeDeleted && !actor.CanSeeDeleted() {
		return nil, fmt.Errorf("list interactions: %w: only hr, auditors and admins see deleted interactions", domain.ErrPermissionDenied)
	}
	if f.EmployeeID != "" && !actor.CanListInteractionsOf(f.EmployeeID) {
		return nil, fmt.Errorf("list interactions: %w: that employee is outside what you may see (your %s)", domain.ErrPermissionDenied, actor.Visibility().Tier)
	}
	if err := a.waitFor(ctx, minSeq); err != nil {
		return nil, err
	}
	if f.CustomerID != "" {
		c, err := a.store.GetCustomer(ctx, actor.Tenant, f.CustomerID)
		if err != nil {
			return nil, fmt.Errorf("list interactions of customer %s: %w", f.CustomerID, err)
		}
		if !actor.CanRead(c) {
			return nil, fmt.Errorf("list interactions: %w: not your customer", domain.ErrPermissionDenied)
		}
	}
	return a.store.ListInteractions(ctx, actor.Tenant, f)
}

// CheckInteractionFilter wants exactly one of customer and employee, each
// a valid id.
func CheckInteractionFilter(f store.InteractionFilter) error {
	var v []domain.FieldViolation
	switch {
	case f.CustomerID != "" && f.EmployeeID != "":
		v = append(v, domain.FieldViolation{Field: "customer_id", Description: "give a customer_id or an employee_id, not both"},
			domain.FieldViolation{Field: "employee_id", Description: "give a customer_id or an employee_id, not both"})
	case f.CustomerID == "" && f.EmployeeID == "":
		v = append(v, domain.FieldViolation{Field: "customer_id", Description: "a customer_id or an employee_id is required"},
			domain.FieldViolation{Field: "employee_id", Description: "a customer_id or an employee_id is required"})
	}
	if f.CustomerID != "" && !eventlog.ValidToken(f.CustomerID) {
		v = append(v, domain.FieldViolation{Field: "customer_id", Description: "not a valid id"})
	}
	if f.EmployeeID != "" && !eventlog.ValidToken(f.EmployeeID) {
		v = append(v, domain.FieldViolation{Field: "employee_id", Description: "not a valid id"})
	}
	if len(v) > 0 {
		return &domain.ValidationError{Violations: v}
	}
	return nil
}
