package auth

import (
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	// tokenIssuer and tokenAudience pin tokens to Holdfast, so a token minted
	// for another system with a shared key is still refused.
	tokenIssuer   = "holdfast"
	tokenAudience = "holdfast"

	// clockLeeway absorbs clock skew between the issuing and verifying hosts.
	clockLeeway = 30 * time.Second
)

// tokenClaims is the JWT payload: the registered claims plus the tenant and
// roles that make up a Principal (the subject is the registered sub claim).
type tokenClaims struct {
	jwt.RegisteredClaims
	Tenant string   `json:"tenant,omitempty"`
	Roles  []string `json:"roles,omitempty"`
	// Backfill grants the right to set a command's event time through the
	// holdfast-event-time metadata header (see EventTime).
	Backfill bool `json:"backfill,omitempty"`
}

func (c *tokenClaims) principal() Principal {
	roles := make([]Role, len(c.Roles))
	for i, r := range c.Roles {
		roles[i] = Role(r)
	}
	return Principal{Tenant: c.Tenant, Subject: c.Subject, Roles: roles, Backfill: c.Backfill}
}
