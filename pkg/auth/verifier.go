package auth

import (
	"crypto/ed25519"
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ErrInvalidToken is wrapped by every error Verify returns; the message says
// why the token was refused.
var ErrInvalidToken = errors.New("invalid token")

// maxTokenLen bounds the work an unauthenticated caller can make Verify do;
// real tokens are a few hundred bytes.
const maxTokenLen = 8 << 10

// Verifier checks tokens minted by an Issuer holding the matching private key.
// It is safe for concurrent use.
type Verifier struct {
	pub     ed25519.PublicKey
	now     func() time.Time
	revoked func(tenant, subject string) bool
	parser  *jwt.Parser
	// backfill: the event-time header is honoured (WithBackfill).
	backfill bool
}

// VerifierOption configures a Verifier.
type VerifierOption func(*Verifier)

// WithClock makes the Verifier read the time from now; tests use it to check
// expiry without sleeping.
func WithClock(now func() time.Time) VerifierOption {
	return func(v *Verifier) { v.now = now }
}

// WithRevocationCheck makes Verify refuse any otherwise valid token for which
// refused(tenant, subject) returns true, e.g. for employees who have left
// before their tokens expire. By default, and when refused is nil, nothing is
// revoked.
func WithRevocationCheck(refused func(tenant, subject string) bool) VerifierOption {
	return func(v *Verifier) {
		if refused != nil {
			v.revoked = refused
		}
	}
}

// WithBackfill makes the interceptors honour the event-time header of
// tokens with the backfill grant. Off by default: a deployment accepts
// backdated events only when its operator turns this on for an import or
// a simulation (HOLDFAST_ALLOW_BACKFILL); `holdfast dev` does.
func WithBackfill(allowed bool) VerifierOption {
	return func(v *Verifier) { v.backfill = allowed }
}

// NewVerifier returns a Verifier accepting tokens signed by the private half
// of pub.
func NewVerifier(pub ed25519.PublicKey, opts ...VerifierOption) *Verifier {
	v := &Verifier{
		pub:     pub,
		now:     time.Now,
		revoked: func(string, string) bool { return false },
	}
	for _, opt := range opts {
		opt(v)
	}
	v.parser = jwt.NewParser(
		// Pinning the algorithm is what defeats "alg: none" and the
		// HMAC-keyed-with-the-public-key confusion.
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(tokenIssuer),
		jwt.WithAudience(tokenAudience),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(clockLeeway),
		jwt.WithTimeFunc(func() time.Time { return v.now() }),
		// Lenient base64 accepts several spellings of one signature;
		// strict decoding keeps exactly one accepted string per token.
		jwt.WithStrictDecoding(),
	)
	return v
}

// Verify checks token's signature, algorithm, validity window, issuer,
// audience and principal, and returns the Principal it names. Every error
// wraps ErrInvalidToken; its message never contains the token.
func (v *Verifier) Verify(token string) (Principal, error) {
	if token == "" {
		return Principal{}, invalid("token is empty", nil)
	}
	if len(token) > maxTokenLen {
		return Principal{}, invalid("token is too long", nil)
	}
	// The base64 decoder skips CR and LF, which would let one token be
	// spelled many ways; a compact JWT never contains anything but these.
	for i := 0; i < len(token); i++ {
		if c := token[i]; !isIdentifierByte(c) && c != '.' {
			return Principal{}, invalid("malformed", nil)
		}
	}

	var claims tokenClaims
	parsed, err := v.parser.ParseWithClaims(token, &claims, func(t *jwt.Token) (any, error) {
		// WithValidMethods already guarantees this; checking again keeps
		// the public key from ever reaching another algorithm's verifier.
		if _, ok := t.Method.(*jwt.SigningMethodEd25519); !ok {
			return nil, errors.New("unexpected signing method")
		}
		return v.pub, nil
	})
	if err != nil {
		return Principal{}, invalid(rejectionReason(err, parsed, &claims), err)
	}

	p := claims.principal()
	if err := p.validate(); err != nil {
		return Principal{}, invalid(err.Error(), err)
	}
	if v.revoked(p.Tenant, p.Subject) {
		return Principal{}, invalid("principal has been revoked", nil)
	}
	return p, nil
}

// rejectionReason turns a jwt error into a short reason built only from
// fixed words, because the library's own messages may quote decoded input.
func rejectionReason(err error, parsed *jwt.Token, claims *tokenClaims) string {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "malformed"
	case parsed == nil || parsed.Method == nil || parsed.Method.Alg() != jwt.SigningMethodEdDSA.Alg():
		return "signing algorithm is not EdDSA"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "bad signature"
	case claims.ExpiresAt == nil:
		return "exp is missing"
	case claims.Issuer == "":
		return "iss is missing"
	case len(claims.Audience) == 0:
		return "aud is missing"
	case errors.Is(err, jwt.ErrTokenExpired):
		return "expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "not valid yet"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "wrong issuer"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "wrong audience"
	default:
		return "invalid claims"
	}
}

// verificationError keeps the client-safe reason apart from the cause: the
// reason is what Error reports, the cause stays reachable with errors.Is.
type verificationError struct {
	reason string
	cause  error
}

func invalid(reason string, cause error) *verificationError {
	return &verificationError{reason: reason, cause: cause}
}

func (e *verificationError) Error() string {
	return "auth: " + ErrInvalidToken.Error() + ": " + e.reason
}

func (e *verificationError) Unwrap() []error {
	if e.cause == nil {
		return []error{ErrInvalidToken}
	}
	return []error{ErrInvalidToken, e.cause}
}
