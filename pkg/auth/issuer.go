package auth

import (
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Issuer mints tokens signed with an Ed25519 private key. It is safe for
// concurrent use.
type Issuer struct {
	priv ed25519.PrivateKey
	now  func() time.Time
}

// NewIssuer returns an Issuer signing with priv.
func NewIssuer(priv ed25519.PrivateKey) *Issuer {
	return &Issuer{priv: priv, now: time.Now}
}

// Issue returns a signed token for p valid for ttl from now. It refuses, with
// an error wrapping ErrInvalidToken, a principal that Verify would refuse, so
// a bad token is caught where it is made rather than where it is used.
func (i *Issuer) Issue(p Principal, ttl time.Duration) (string, error) {
	if err := p.validate(); err != nil {
		return "", fmt.Errorf("auth: issue: %w: %w", ErrInvalidToken, err)
	}
	if ttl <= 0 {
		return "", fmt.Errorf("auth: issue: ttl %v is not positive", ttl)
	}
	now := i.now()
	roles := make([]string, len(p.Roles))
	for k, r := range p.Roles {
		roles[k] = string(r)
	}
	claims := tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    tokenIssuer,
			Subject:   p.Subject,
			Audience:  jwt.ClaimStrings{tokenAudience},
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
		},
		Tenant:   p.Tenant,
		Roles:    roles,
		Backfill: p.Backfill,
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims).SignedString(i.priv)
	if err != nil {
		return "", fmt.Errorf("auth: issue: sign: %w", err)
	}
	return signed, nil
}
