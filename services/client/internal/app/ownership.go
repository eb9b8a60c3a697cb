package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// OwnershipResult is a customer after an ownership command.
type OwnershipResult struct {
	Customer domain.Customer
	Sequence uint64
	// ClaimsLeftToday is set by ClaimCustomer.
	ClaimsLeftToday int
}

func (a *App) checkOwnershipInput(requestID, customerID string, employee *string) error {
	var errs []error
	errs = append(errs, checkRequestID(requestID))
	if !eventlog.ValidToken(customerID) {
		errs = append(errs, invalidID("customer_id"))
	}
	if employee != nil && !eventlog.ValidToken(*employee) {
		errs = append(errs, invalidID("employee_id"))
	}
	return joinViolations(errs...)
}

// changeOwner loads the customer, lets decide produce the change, and
// appends it as CustomerOwnerChanged.
func (a *App) changeOwner(ctx context.Context, actor domain.Actor, requestID, customerID string,
	decide func(domain.Actor, domain.Customer) (domain.OwnerChange, error),
) (domain.Customer, uint64, error) {
	actor, err := a.withVisibility(ctx, actor)
	if err != nil {
		return domain.Customer{}, 0, err
	}
	return a.decideOnCustomer(ctx, actor, customerID, requestID, func(c domain.Customer) (eventlog.AppendRequest, error) {
		ch, err := decide(actor, c)
		if err != nil {
			return eventlog.AppendRequest{}, err
		}
		// Stamped by the service's clock, as registrations are: idle time
		// and the daily claim quota compare it with a.now(ctx).
		return eventlog.AppendRequest{Payload: ownerChangedEvent(ch), OccurredAt: a.now(ctx)}, nil
	})
}

// checkCap refuses to give employee more customers than the policy allows.
func (a *App) checkCap(ctx context.Context, tenant, employee string, policy domain.ClientPolicy) error {
	if err := a.catchUp(ctx); err != nil {
		return err
	}
	held, err := a.store.CountHeld(ctx, tenant, employee)
	if err != nil {
		return err
	}
	if held >= policy.MaxCustomersHeld {
		return fmt.Errorf("%w: %s holds %d customers, the most allowed is %d", domain.ErrPrecondition, employee, held, policy.MaxCustomersHeld)
	}
	return nil
}

// AssignCustomer gives a pooled customer to an employee.
func (a *App) AssignCustomer(ctx context.Context, actor domain.Actor, requestID, customerID, employee, reason string) (OwnershipResult, error) {
	res, err := a.giveTo(ctx, actor, requestID, customerID, employee, reason, domain.Assign)
	return res, wrap("assign customer", err)
}

// ReassignCustomer moves a held customer to another employee.
func (a *App) ReassignCustomer(ctx context.Context, actor domain.Actor, requestID, customerID, employee, reason string) (OwnershipResult, error) {
	res, err := a.giveTo(ctx, actor, requestID, customerID, employee, reason, domain.Reassign)
	return res, wrap("reassign customer", err)
}

// giveTo makes employee the holder as decide (Assign or Reassign) allows,
// within the tenant's cap on customers held.
func (a *App) giveTo(ctx context.Context, actor domain.Actor, requestID, customerID, employee, reason string,
	decide func(domain.Actor, domain.Customer, string, string) (domain.OwnerChange, error),
) (OwnershipResult, error) {
	if err := a.checkOwnershipInput(requestID, customerID, &employee); err != nil {
		return OwnershipResult{}, err
	}
	policy, _, err := a.Policy(ctx, actor.Tenant)
	if err != nil {
		return OwnershipResult{}, err
	}
	c, seq, err := a.changeOwner(ctx, actor, requestID, customerID, func(actor domain.Actor, c domain.Customer) (domain.OwnerChange, error) {
		ch, err := decide(actor, c, employee, reason)
		if err != nil {
			return ch, err
		}
		return ch, a.checkCap(ctx, actor.Tenant, employee, policy)
	})
	return OwnershipResult{Customer: c, Sequence: seq}, err
}

// ReleaseCustomer puts a customer back in the shared pool.
func (a *App) ReleaseCustomer(ctx context.Context, actor domain.Actor, requestID, customerID, reason string) (OwnershipResult, error) {
	if err := a.checkOwnershipInput(requestID, customerID, nil); err != nil {
		return OwnershipResult{}, err
	}
	c, seq, err := a.changeOwner(ctx, actor, requestID, customerID, func(actor domain.Actor, c domain.Customer) (domain.OwnerChange, error) {
		return domain.Release(actor, c, reason)
	})
	return OwnershipResult{Customer: c, Sequence: seq}, wrap("release customer", err)
}

// ClaimCustomer takes a pooled customer for the caller, within the daily
// claim quota and the cap on customers held. Claims are counted from the
// read model at the stream's end; two claims by one employee in the same
// instant can exceed the quota by one.
func (a *App) ClaimCustomer(ctx context.Context, actor domain.Actor, requestID, customerID string) (OwnershipResult, error) {
	if err := a.checkOwnershipInput(requestID, customerID, nil); err != nil {
		return OwnershipResult{}, err
	}
	policy, _, err := a.Policy(ctx, actor.Tenant)
	if err != nil {
		return OwnershipResult{}, err
	}
	var claimsToday int
	decided := false
	c, seq, err := a.changeOwner(ctx, actor, requestID, customerID, func(_ domain.Actor, c domain.Customer) (domain.OwnerChange, error) {
		decided = true
		if err := a.catchUp(ctx); err != nil {
			return domain.OwnerChange{}, err
		}
		claimsToday, err = a.store.CountClaimsSince(ctx, actor.Tenant, actor.EmployeeID, policy.DayStart(a.now(ctx)))
		if err != nil {
			return domain.OwnerChange{}, err
		}
		held, err := a.store.CountHeld(ctx, actor.Tenant, actor.EmployeeID)
		if err != nil {
			return domain.OwnerChange{}, err
		}
		return domain.Claim(actor, c, domain.ClaimLimits{
			ClaimsToday: claimsToday, ClaimQuota: policy.ClaimQuotaPerDay, Held: held, MaxHeld: policy.MaxCustomersHeld,
		})
	})
	if err != nil {
		return OwnershipResult{}, wrap("claim customer", err)
	}
	used := claimsToday + 1
	if !decided {
		// A retry decided nothing: count today's claims, this one included.
		if err := a.waitFor(ctx, seq); err != nil {
			return OwnershipResult{}, wrap("claim customer", err)
		}
		if used, err = a.store.CountClaimsSince(ctx, actor.Tenant, actor.EmployeeID, policy.DayStart(a.now(ctx))); err != nil {
			return OwnershipResult{}, wrap("claim customer", err)
		}
	}
	return OwnershipResult{Customer: c, Sequence: seq, ClaimsLeftToday: max(policy.ClaimQuotaPerDay-used, 0)}, nil
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, err)
}

// idleSweepBatch bounds one sweep's work per tenant.
const idleSweepBatch = 200

// ReturnIdleCustomers returns to the pool every held customer without a
// follow-up for the tenant's pool_return_after_days, each as its own
// CustomerOwnerChanged (cause RETURNED_IDLE) by the system actor.
func (a *App) ReturnIdleCustomers(ctx context.Context) (int, error) {
	if err := a.catchUp(ctx); err != nil {
		return 0, err
	}
	tenants, err := a.store.Tenants(ctx)
	if err != nil {
		return 0, err
	}
	returned := 0
	for _, tenant := range tenants {
		policy, _, err := a.Policy(ctx, tenant)
		if err != nil {
			return returned, err
		}
		if policy.PoolReturnAfterDays == 0 {
			continue
		}
		limit := time.Duration(policy.PoolReturnAfterDays) * 24 * time.Hour
		idle, err := a.store.IdleHeld(ctx, tenant, a.now(ctx).Add(-limit), idleSweepBatch)
		if err != nil {
			return returned, err
		}
		system := domain.Actor{Tenant: tenant, EmployeeID: SystemActor, Roles: []string{"service"}}
		for _, c := range idle {
			// The request id names the holding period, so a repeated sweep
			// (or a crash mid-sweep) returns each customer once.
			requestID := fmt.Sprintf("idle-%s-%d", c.ID, c.HeldSince.Unix())
			_, _, err := a.changeOwner(ctx, system, requestID, c.ID, func(_ domain.Actor, cur domain.Customer) (domain.OwnerChange, error) {
				if cur.OwnerID == "" || !cur.IdleSince().Before(a.now(ctx).Add(-limit)) {
					return domain.OwnerChange{}, errNothingToDo
				}
				return domain.OwnerChange{
					CustomerID: cur.ID, From: cur.OwnerID, Cause: domain.CauseReturnedIdle,
					Reason: fmt.Sprintf("no follow-up for %d days", policy.PoolReturnAfterDays),
				}, nil
			})
			switch {
			case err == nil:
				returned++
			case errors.Is(err, errNothingToDo):
			default:
				return returned, err
			}
		}
	}
	return returned, nil
}

// SystemActor is the actor id of changes Holdfast makes by policy.
const SystemActor = "holdfast-system"

var errNothingToDo = errors.New("nothing to do")

// RunIdleSweeper sweeps every interval until ctx ends; the first sweep runs
// once the read model has caught up.
func (a *App) RunIdleSweeper(ctx context.Context, interval time.Duration) error {
	select {
	case <-a.caughtUp:
	case <-ctx.Done():
		return nil
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := a.ReturnIdleCustomers(ctx)
		if err != nil && ctx.Err() == nil {
			a.logger.ErrorContext(ctx, "idle sweep failed", "error", err)
		} else if n > 0 {
			a.logger.InfoContext(ctx, "returned idle customers to the pool", "count", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
