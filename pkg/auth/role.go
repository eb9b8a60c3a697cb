package auth

import (
	"errors"
	"fmt"
)

// Role is a coarse permission granted to a principal. Roles are compared by
// exact string value, so they are case-sensitive.
type Role string

// Roles known to Holdfast. A token carrying any other role is refused, so a
// typo at issuance cannot silently grant or drop a permission.
const (
	RoleSales       Role = "sales"
	RoleSeniorSales Role = "senior_sales"
	RoleManager     Role = "manager"
	RoleHR          Role = "hr"
	RoleAuditor     Role = "auditor"
	RoleAdmin       Role = "admin"
	RoleService     Role = "service"
)

// ErrUnknownRole is wrapped by every error about a role that is not one of
// the Role constants.
var ErrUnknownRole = errors.New("unknown role")

// ParseRole returns the Role named by s, or an error wrapping ErrUnknownRole.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.known() {
		return "", fmt.Errorf("auth: parse role %q: %w", s, ErrUnknownRole)
	}
	return r, nil
}

func (r Role) known() bool {
	switch r {
	case RoleSales, RoleSeniorSales, RoleManager, RoleHR, RoleAuditor, RoleAdmin, RoleService:
		return true
	}
	return false
}
