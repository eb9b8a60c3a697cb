package domain

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// OwnershipCause says why a customer changed holder, numbered as in the proto.
type OwnershipCause int

// Ownership causes.
const (
	CauseUnspecified OwnershipCause = iota
	CauseAssigned
	CauseReassigned
	CauseReleased
	CauseClaimed
	CauseReturnedIdle
	// CauseHandover: the holder departed; the change names the departure
	// as its causation.
	CauseHandover
)

// OwnerChange is a decided change of holder ("" = the shared pool).
type OwnerChange struct {
	CustomerID string
	From, To   string
	Cause      OwnershipCause
	Reason     string
}

const maxReasonLen = 500

// CheckReason validates a free-text reason the actor must give.
func CheckReason(field, reason string) error {
	var v violations
	r := strings.TrimSpace(reason)
	switch {
	case r == "":
		v.Add(field, "required: say why")
	case !utf8.ValidString(r):
		v.Add(field, "not valid UTF-8")
	case utf8.RuneCountInString(r) > maxReasonLen:
		v.Add(field, "at most %d characters", maxReasonLen)
	}
	return v.Err()
}

// Assign gives a pooled customer to employee: managers (to someone in
// their subtree), hr and admins decide.
func Assign(actor Actor, c Customer, employee, reason string) (OwnerChange, error) {
	if !actor.has("manager", "hr", "admin") {
		return OwnerChange{}, fmt.Errorf("assign: %w: requires manager, hr or admin", ErrPermissionDenied)
	}
	if err := CheckReason("reason", reason); err != nil {
		return OwnerChange{}, err
	}
	if err := checkRecipient(actor, "assign", employee); err != nil {
		return OwnerChange{}, err
	}
	if c.OwnerID != "" {
		return OwnerChange{}, fmt.Errorf("assign: %w: the customer is held; use ReassignCustomer", ErrPrecondition)
	}
	return OwnerChange{CustomerID: c.ID, To: employee, Cause: CauseAssigned, Reason: strings.TrimSpace(reason)}, nil
}

// Reassign moves a held customer to another employee: a manager within
// their subtree, hr or an admin anywhere.
func Reassign(actor Actor, c Customer, employee, reason string) (OwnerChange, error) {
	if !actor.has("manager", "hr", "admin") {
		return OwnerChange{}, fmt.Errorf("reassign: %w: requires manager, hr or admin", ErrPermissionDenied)
	}
	if !actor.oversees(c) {
		return OwnerChange{}, fmt.Errorf("reassign: %w: the customer's holder is outside your org unit", ErrPermissionDenied)
	}
	if err := CheckReason("reason", reason); err != nil {
		return OwnerChange{}, err
	}
	if err := checkRecipient(actor, "reassign", employee); err != nil {
		return OwnerChange{}, err
	}
	switch c.OwnerID {
	case "":
		return OwnerChange{}, fmt.Errorf("reassign: %w: the customer is in the shared pool; use AssignCustomer", ErrPrecondition)
	case employee:
		return OwnerChange{}, fmt.Errorf("reassign: %w: the employee already holds the customer", ErrPrecondition)
	}
	return OwnerChange{CustomerID: c.ID, From: c.OwnerID, To: employee, Cause: CauseReassigned, Reason: strings.TrimSpace(reason)}, nil
}

// checkRecipient refuses a manager giving a customer to someone outside
// their subtree: the customer would leave their oversight, which is hr's or
// an admin's call.
func checkRecipient(actor Actor, op, employee string) error {
	if actor.has("hr", "admin") || actor.SeesHolder(employee) {
		return nil
	}
	return fmt.Errorf("%s: %w: %s is outside your org unit", op, ErrPermissionDenied, employee)
}

// Release puts a customer back in the pool: its holder, a manager whose
// subtree holds it, hr or an admin.
func Release(actor Actor, c Customer, reason string) (OwnerChange, error) {
	if (c.OwnerID == "" || c.OwnerID != actor.EmployeeID) && !actor.oversees(c) {
		return OwnerChange{}, fmt.Errorf("release: %w: only the holder, their manager or hr", ErrPermissionDenied)
	}
	if err := CheckReason("reason", reason); err != nil {
		return OwnerChange{}, err
	}
	if c.OwnerID == "" {
		return OwnerChange{}, fmt.Errorf("release: %w: the customer is already in the shared pool", ErrPrecondition)
	}
	return OwnerChange{CustomerID: c.ID, From: c.OwnerID, Cause: CauseReleased, Reason: strings.TrimSpace(reason)}, nil
}

// ClaimLimits are what a claim is checked against.
type ClaimLimits struct {
	ClaimsToday, ClaimQuota int
	Held, MaxHeld           int
}

// ErrQuotaExhausted is returned when a daily quota is spent.
var ErrQuotaExhausted = errors.New("daily quota exhausted")

// Claim takes a pooled customer for the actor, within the daily quota and
// the cap on customers held.
func Claim(actor Actor, c Customer, lim ClaimLimits) (OwnerChange, error) {
	if !actor.has("sales", "senior_sales", "manager") {
		return OwnerChange{}, fmt.Errorf("claim: %w: requires sales, senior_sales or manager", ErrPermissionDenied)
	}
	if c.OwnerID != "" {
		return OwnerChange{}, fmt.Errorf("claim: %w: the customer is not in the shared pool", ErrPrecondition)
	}
	if lim.ClaimsToday >= lim.ClaimQuota {
		return OwnerChange{}, fmt.Errorf("claim: %w: %d of %d claims used today", ErrQuotaExhausted, lim.ClaimsToday, lim.ClaimQuota)
	}
	if lim.Held >= lim.MaxHeld {
		return OwnerChange{}, fmt.Errorf("claim: %w: you hold %d customers, the most allowed is %d", ErrPrecondition, lim.Held, lim.MaxHeld)
	}
	return OwnerChange{CustomerID: c.ID, To: actor.EmployeeID, Cause: CauseClaimed}, nil
}

// ErrNotHeldBy is returned by Handover for a customer the departed
// employee no longer holds: there is nothing to hand over.
var ErrNotHeldBy = errors.New("the customer is not held by the departed employee")

// Handover moves a customer from a departed employee to successor ("" =
// the shared pool). It is the system's decision, not an actor's: a
// departure is not refusable, so no role or cap is checked.
func Handover(c Customer, departed, successor, reason string) (OwnerChange, error) {
	if departed == "" || c.OwnerID != departed {
		return OwnerChange{}, fmt.Errorf("handover: %w", ErrNotHeldBy)
	}
	if successor == departed {
		successor = ""
	}
	return OwnerChange{CustomerID: c.ID, From: departed, To: successor, Cause: CauseHandover, Reason: reason}, nil
}

// Apply returns the customer after the change.
func (ch OwnerChange) Apply(c Customer) Customer {
	c.OwnerID = ch.To
	return c
}
