package app

import (
	"context"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/eventlog"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	"github.com/holdfast/holdfast/services/order/internal/domain"
)

// policy reads the tenant's order policy from the log, the authority for
// decisions; set says whether an admin ever set one.
func (a *App) policy(ctx context.Context, tenant string) (domain.Policy, bool, error) {
	agg, err := a.log.Load(ctx, ref(tenant, typePolicy, policyID))
	if err != nil || len(agg.Records) == 0 {
		return domain.Policy{}, false, err
	}
	msg, err := eventlog.Payload(agg.Records[len(agg.Records)-1].Envelope)
	if err != nil {
		return domain.Policy{}, false, err
	}
	ev, ok := msg.(*orderv1.OrderPolicyUpdated)
	if !ok {
		return domain.Policy{}, false, fmt.Errorf("%w: %T in the order policy", ErrCorruptHistory, msg)
	}
	return PolicyFromProto(ev.GetPolicy()), true, nil
}

// GetOrderPolicy returns the tenant's order policy (any role); set is false
// for the default.
func (a *App) GetOrderPolicy(ctx context.Context, actor domain.Actor) (domain.Policy, bool, error) {
	return a.policy(ctx, actor.Tenant)
}

// SetOrderPolicy replaces the tenant's approval thresholds (admin). It
// applies to orders submitted from now on.
func (a *App) SetOrderPolicy(ctx context.Context, actor domain.Actor, requestID string, p domain.Policy, reason string) (domain.Policy, uint64, error) {
	if !actor.CanManageTenant() {
		return domain.Policy{}, 0, fmt.Errorf("set order policy: %w: requires admin", domain.ErrPermissionDenied)
	}
	if err := joinViolations(checkRequestID(requestID), domain.CheckPolicy(p), domain.CheckReason("reason", reason, false)); err != nil {
		return domain.Policy{}, 0, err
	}
	_, rec, err := a.appendOnce(ctx, actor, "policy", ref(actor.Tenant, typePolicy, policyID), requestID, func(eventlog.Aggregate) (proto.Message, error) {
		return &orderv1.OrderPolicyUpdated{Policy: policyToProto(p), Reason: reason}, nil
	})
	if err != nil {
		return domain.Policy{}, 0, fmt.Errorf("set order policy: %w", err)
	}
	msg, err := rec.Payload()
	if err != nil {
		return domain.Policy{}, 0, err
	}
	ev, ok := msg.(*orderv1.OrderPolicyUpdated)
	if !ok {
		return domain.Policy{}, 0, fmt.Errorf("%w: %T in the order policy", ErrCorruptHistory, msg)
	}
	return PolicyFromProto(ev.GetPolicy()), rec.Sequence, nil
}

// companyAccounts is the tenant's registry of collection accounts.
func (a *App) companyAccounts(ctx context.Context, tenant string) (map[string]bool, error) {
	agg, err := a.log.Load(ctx, ref(tenant, typeAccounts, companyAccountsID))
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, rec := range agg.Records {
		msg, err := rec.Payload()
		if err != nil {
			return nil, err
		}
		if ev, ok := msg.(*orderv1.CompanyAccountAdded); ok {
			out[ev.GetAccount()] = true
		}
	}
	return out, nil
}

// payers is the customer's registered payer accounts and their relations.
func (a *App) payers(ctx context.Context, tenant, customerID string) (map[string]domain.PayerRelation, error) {
	agg, err := a.log.Load(ctx, ref(tenant, typePayers, customerID))
	if err != nil {
		return nil, err
	}
	out := map[string]domain.PayerRelation{}
	for _, rec := range agg.Records {
		msg, err := rec.Payload()
		if err != nil {
			return nil, err
		}
		if ev, ok := msg.(*orderv1.PayerAccountRegistered); ok {
			out[ev.GetAccount()] = domain.PayerRelation(ev.GetRelation())
		}
	}
	return out, nil
}

func accountViolation(field string) error {
	return &domain.ValidationError{Violations: []domain.FieldViolation{{Field: field, Description: "4-64 letters and digits (spaces and dashes ignored)"}}}
}

// AddCompanyAccount adds a collection account to the tenant's registry
// (admin). Adding one the registry has is AlreadyExists.
func (a *App) AddCompanyAccount(ctx context.Context, actor domain.Actor, requestID, account, label string) (string, uint64, error) {
	if !actor.CanManageTenant() {
		return "", 0, fmt.Errorf("add company account: %w: requires admin", domain.ErrPermissionDenied)
	}
	norm, ok := domain.NormalizeAccount(account)
	var accErr error
	if !ok {
		accErr = accountViolation("account")
	}
	if err := joinViolations(checkRequestID(requestID), accErr, domain.CheckAccountLabel(label)); err != nil {
		return "", 0, err
	}
	_, rec, err := a.appendOnce(ctx, actor, "company-account", ref(actor.Tenant, typeAccounts, companyAccountsID), requestID, func(agg eventlog.Aggregate) (proto.Message, error) {
		for _, rec := range agg.Records {
			if msg, err := rec.Payload(); err == nil {
				if ev, ok := msg.(*orderv1.CompanyAccountAdded); ok && ev.GetAccount() == norm {
					return nil, fmt.Errorf("%w: account %s is registered already", domain.ErrAlreadyExists, norm)
				}
			}
		}
		return &orderv1.CompanyAccountAdded{Account: norm, Label: label}, nil
	})
	if err != nil {
		return "", 0, fmt.Errorf("add company account: %w", err)
	}
	return norm, rec.Sequence, nil
}

// RegisterPayerAccount registers an account paying for a customer, with
// its relation (admin, service). The customer must exist.
func (a *App) RegisterPayerAccount(ctx context.Context, actor domain.Actor, requestID, customerID, account string, relation domain.PayerRelation, label string) (string, uint64, error) {
	if !actor.CanRecordMoneyAndGoods() {
		return "", 0, fmt.Errorf("register payer account: %w: requires admin or service", domain.ErrPermissionDenied)
	}
	norm, ok := domain.NormalizeAccount(account)
	var accErr, relErr error
	if !ok {
		accErr = accountViolation("account")
	}
	if !relation.Registrable() {
		relErr = &domain.ValidationError{Violations: []domain.FieldViolation{{Field: "relation", Description: "own, parent_company or related"}}}
	}
	if err := joinViolations(checkRequestID(requestID), checkID("customer_id", customerID), accErr, relErr, domain.CheckAccountLabel(label)); err != nil {
		return "", 0, err
	}
	if _, found, err := a.customer(ctx, actor.Tenant, customerID); err != nil {
		return "", 0, fmt.Errorf("register payer account: %w", err)
	} else if !found {
		return "", 0, fmt.Errorf("register payer account: %w: customer %s does not exist", domain.ErrPrecondition, customerID)
	}
	_, rec, err := a.appendOnce(ctx, actor, "payer-account", ref(actor.Tenant, typePayers, customerID), requestID, func(agg eventlog.Aggregate) (proto.Message, error) {
		for _, rec := range agg.Records {
			if msg, err := rec.Payload(); err == nil {
				if ev, ok := msg.(*orderv1.PayerAccountRegistered); ok && ev.GetAccount() == norm {
					return nil, fmt.Errorf("%w: account %s is registered on the customer already", domain.ErrAlreadyExists, norm)
				}
			}
		}
		return &orderv1.PayerAccountRegistered{CustomerId: customerID, Account: norm, Relation: orderv1.PayerRelation(relation), Label: label}, nil
	})
	if err != nil {
		return "", 0, fmt.Errorf("register payer account: %w", err)
	}
	return norm, rec.Sequence, nil
}
