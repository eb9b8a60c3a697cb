package auth

import (
	"errors"
	"fmt"
	"slices"
)

// maxIdentifierLen bounds tenant and subject so they stay usable as NATS
// subject tokens and database keys without surprises.
const maxIdentifierLen = 64

// Principal is an authenticated caller: an employee (or service) acting
// within one tenant.
type Principal struct {
	// Tenant scopes every read and write the caller makes.
	Tenant string
	// Subject is the employee id (or service name) of the caller.
	Subject string
	// Roles are the permissions granted to the caller; never empty for a
	// verified principal.
	Roles []Role
	// Backfill lets the caller date its commands in the past with the
	// holdfast-event-time header: importers of history and the simulator
	// need it; people at a keyboard never do, so tokens carry it only when
	// minted for that purpose.
	Backfill bool
}

// HasAny reports whether p holds at least one of roles.
func (p Principal) HasAny(roles ...Role) bool {
	for _, r := range roles {
		if slices.Contains(p.Roles, r) {
			return true
		}
	}
	return false
}

// validate enforces the invariants shared by Issuer and Verifier, so a token
// that Issue produces is one that Verify accepts. Its messages never contain
// the offending values: they end up in client-visible status messages.
func (p Principal) validate() error {
	if err := validateIdentifier("tenant", p.Tenant); err != nil {
		return err
	}
	if err := validateIdentifier("subject", p.Subject); err != nil {
		return err
	}
	if len(p.Roles) == 0 {
		return errors.New("roles are missing")
	}
	for i, r := range p.Roles {
		if !r.known() {
			return fmt.Errorf("roles[%d]: %w", i, ErrUnknownRole)
		}
	}
	return nil
}

// validateIdentifier accepts 1–64 characters of [A-Za-z0-9_-]: dots,
// wildcards and whitespace would change the meaning of a NATS subject built
// from the value.
func validateIdentifier(field, s string) error {
	if s == "" {
		return fmt.Errorf("%s is missing", field)
	}
	if len(s) > maxIdentifierLen {
		return fmt.Errorf("%s is longer than %d characters", field, maxIdentifierLen)
	}
	for i := 0; i < len(s); i++ {
		if !isIdentifierByte(s[i]) {
			return fmt.Errorf("%s must contain only [A-Za-z0-9_-]", field)
		}
	}
	return nil
}

func isIdentifierByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// RoleNames returns the roles as plain strings, for layers that must not
// import this package (a service's pure domain).
func (p Principal) RoleNames() []string {
	names := make([]string, 0, len(p.Roles))
	for _, r := range p.Roles {
		names = append(names, string(r))
	}
	return names
}
