package domain

import (
	"fmt"
	"slices"
	"strings"
)

// Transfer moves an employee to another org unit and/or manager from a day
// on. An empty ManagerID means the employee reports to no one afterwards.
type Transfer struct {
	OrgUnitID, ManagerID, EffectiveDate string
}

// CheckTransfer reports the transfer's bad fields (ids are checked by the
// caller, which knows which are subject tokens).
func CheckTransfer(t Transfer) error {
	var v violations
	if !ValidDate(t.EffectiveDate) {
		v.Add("effective_date", "required, YYYY-MM-DD")
	}
	return v.Err()
}

// TransferEmployee decides a transfer: the employee has not departed, the
// day is not before they started, and the move changes something. Whether
// the unit exists and the new reporting line is sound is the caller's
// check (CheckManager), because it needs other aggregates.
func TransferEmployee(e Employee, t Transfer) (Employee, error) {
	if err := CheckTransfer(t); err != nil {
		return e, err
	}
	if e.Status == StatusDeparted {
		return e, fmt.Errorf("%w: employee %s has departed", ErrPrecondition, e.ID)
	}
	if t.EffectiveDate < e.StartDate {
		return e, fmt.Errorf("%w: the transfer takes effect before the start date %s", ErrPrecondition, e.StartDate)
	}
	if t.OrgUnitID == e.OrgUnitID && t.ManagerID == e.ManagerID {
		return e, fmt.Errorf("%w: employee %s is already in org unit %s with that manager", ErrPrecondition, e.ID, e.OrgUnitID)
	}
	e.OrgUnitID, e.ManagerID = t.OrgUnitID, t.ManagerID
	return e, nil
}

// CheckRoleChange reports a role change's bad fields.
func CheckRoleChange(role, effectiveDate string) error {
	var v violations
	if !slices.Contains(Roles, role) {
		v.Add("role", "must be one of %s", strings.Join(Roles, ", "))
	}
	if !ValidDate(effectiveDate) {
		v.Add("effective_date", "required, YYYY-MM-DD")
	}
	return v.Err()
}

// ChangeRole decides a role change: a known role that differs from the
// current one, for an employee who has not departed, not before the start.
func ChangeRole(e Employee, role, effectiveDate string) (Employee, error) {
	if err := CheckRoleChange(role, effectiveDate); err != nil {
		return e, err
	}
	if e.Status == StatusDeparted {
		return e, fmt.Errorf("%w: employee %s has departed", ErrPrecondition, e.ID)
	}
	if effectiveDate < e.StartDate {
		return e, fmt.Errorf("%w: the role change takes effect before the start date %s", ErrPrecondition, e.StartDate)
	}
	if role == e.Role {
		return e, fmt.Errorf("%w: employee %s is already %s", ErrPrecondition, e.ID, role)
	}
	e.Role = role
	return e, nil
}
