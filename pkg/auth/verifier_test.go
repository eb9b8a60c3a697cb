package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
)

// testTime is the verifier's "now" in these tests; a fixed instant keeps
// validity-window cases exact.
var testTime = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

type testKeys struct {
	pub   ed25519.PublicKey
	priv  ed25519.PrivateKey
	other ed25519.PrivateKey
}

func newTestKeys(t testing.TB) testKeys {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, other, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return testKeys{pub: pub, priv: priv, other: other}
}

// newTestIssuer returns an Issuer whose clock is stopped at at.
func newTestIssuer(priv ed25519.PrivateKey, at time.Time) *Issuer {
	i := NewIssuer(priv)
	i.now = func() time.Time { return at }
	return i
}

func fixedClock(at time.Time) VerifierOption {
	return WithClock(func() time.Time { return at })
}

// validClaims are the claims Issue would produce at testTime, as a map so
// cases can break them one field at a time.
func validClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"iss":    "holdfast",
		"aud":    "holdfast",
		"sub":    "e-42",
		"tenant": "acme",
		"roles":  []string{"sales"},
		"iat":    testTime.Unix(),
		"nbf":    testTime.Unix(),
		"exp":    testTime.Add(time.Hour).Unix(),
	}
}

func claimsWith(mutate func(c jwt.MapClaims)) jwt.MapClaims {
	c := validClaims()
	mutate(c)
	return c
}

func sign(t testing.TB, method jwt.SigningMethod, key any, claims jwt.Claims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

// unsignedToken builds an "alg: none" token by hand: the library refuses to
// produce one without an explicit opt-in.
func unsignedToken(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc.EncodeToString(payload) + "."
}

// withPayload swaps the payload of token for claims, keeping the original
// header and signature.
func withPayload(t testing.TB, token string, claims jwt.MapClaims) string {
	t.Helper()
	parts := strings.Split(token, ".")
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	return strings.Join(parts, ".")
}

// withPaddingBitsSet respells token's signature so it decodes to the same
// bytes: a 64-byte signature leaves 4 unused bits in its last base64
// character, which lenient decoders ignore.
func withPaddingBitsSet(t testing.TB, token string) string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, token[len(token)-1])
	if last < 0 {
		t.Fatalf("token does not end in a base64url character")
	}
	return token[:len(token)-1] + string(alphabet[last|1])
}

func TestIssueVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	keys := newTestKeys(t)
	issuer := newTestIssuer(keys.priv, testTime)
	verifier := NewVerifier(keys.pub, fixedClock(testTime.Add(time.Minute)))

	cases := []struct {
		name string
		p    Principal
	}{
		{name: "one role", p: Principal{Tenant: "acme", Subject: "e-42", Roles: []Role{RoleSales}}},
		{name: "every role", p: Principal{Tenant: "t_1", Subject: "E-9", Roles: []Role{
			RoleSales, RoleSeniorSales, RoleManager, RoleHR, RoleAuditor, RoleAdmin, RoleService,
		}}},
		{name: "longest identifiers", p: Principal{
			Tenant: strings.Repeat("t", 64), Subject: strings.Repeat("s", 64), Roles: []Role{RoleService},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			token, err := issuer.Issue(tc.p, time.Hour)
			if err != nil {
				t.Fatalf("Issue: %v", err)
			}
			got, err := verifier.Verify(token)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if diff := cmp.Diff(tc.p, got); diff != "" {
				t.Errorf("principal mismatch (-want, +got):\n%s", diff)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	keys := newTestKeys(t)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	valid := sign(t, jwt.SigningMethodEdDSA, keys.priv, validClaims())
	defaultPrincipal := Principal{Tenant: "acme", Subject: "e-42", Roles: []Role{RoleSales}}

	cases := []struct {
		name  string
		token string
		// wantReason is a substring of the error; empty means the token
		// must be accepted as want.
		wantReason string
		wantIs     error
		want       Principal
	}{
		{name: "valid", token: valid, want: defaultPrincipal},
		{
			name: "expired within leeway",
			token: sign(t, jwt.SigningMethodEdDSA, keys.priv, claimsWith(func(c jwt.MapClaims) {
				c["exp"] = testTime.Add(-29 * time.Second).Unix()
			})),
			want: defaultPrincipal,
		},
		{
			name: "expired beyond leeway",
			token: sign(t, jwt.SigningMethodEdDSA, keys.priv, claimsWith(func(c jwt.MapClaims) {
				c["exp"] = testTime.Add(-31 * time.Second).Unix()
			})),
			wantReason: "expired",
			wantIs:     jwt.ErrTokenExpired,
		},
		{
			name: "not yet valid within leeway",
			token: sign(t, jwt.SigningMethodEdDSA, keys.priv, claimsWith(func(c jwt.MapClaims) {
				c["nbf"] = testTime.Add(29 * time.Second).Unix()
			})),
			want: defaultPrincipal,
		},
		{
			name: "not yet valid beyond leeway",
			token: sign(t, jwt.SigningMethodEdDSA, keys.priv, claimsWith(func(c jwt.MapClaims) {
				c["nbf"] = testTime.Add(31 * time.Second).Unix()
			})),
			wantReason: "not valid yet",
			wantIs:     jwt.ErrTokenNotValidYet,
		},
		{
			name: "issued in the future",
			token: sign(t, jwt.SigningMethodEdDSA, keys.priv, claimsWith(func(c jwt.MapClaims) {
				c["iat"] = testTime.Add(10 * time.Minute).Unix()
			})),
			wantReason: "not valid yet",
		},
		{
			name:       "signed with another key",
			token:      sign(t, jwt.SigningMethodEdDSA, keys.other, validClaims()),
			wantReason: "bad signature",
			wantIs:     jwt.ErrTokenSignatureInvalid,
		},
		{
			name:       "alg none",
			token:      unsignedToken(t, validClaims()),
			wantReason: "signing algorithm is not EdDSA",
		},
		{
			name:       "HS256 keyed with the public key",
			token:      sign(t, jwt.SigningMethodHS256, []byte(keys.pub), validClaims()),
			wantReason: "signing algorithm is not EdDSA",
		},
		{
			name:       "ES256",
			token:      sign(t, jwt.SigningMethodES256, ecKey, validClaims()),
			wantReason: "signing algorithm is not EdDSA",
		},
		{
			name:       "tampered payload",
			token:      withPayload(t, valid, claimsWith(func(c jwt.MapClaims) { c["roles"] = []string{"admin"} })),
			wantReason: "bad signature",
		},
		{
			name:       "signature spelled with a line break",
			token:      valid[:len(valid)-4] + "\n" + valid[len(valid)-4:],
			wantReason: "malformed",
		},
		{
			name:       "signature with non-zero base64 padding bits",
			token:      withPaddingBitsSet(t, valid),
			wantReason: "malformed",
		},
		{
			name:       "trailing segment",
			token:      valid + ".",
			wantReason: "malformed",
		},
		{
			name: "missing tenant",
			token: sign(t, jwt.SigningMethodEdDSA, keys.priv, claimsWith(func(c jwt.MapClaims) {
				delete(c, "tenant")
			})),
			wantReason: "tenant is missing",
		},
		{
			name: "tenant with a dot",
			token: sign(t, jwt.SigningMethodEdDSA, keys.priv, claimsWith(func(c jwt.MapClaims) {
				c["tenant"] = "acme.evil"
			})),
			wantReason: "tenant must contain only [A-Za-z0-9_-]",
		},
		{
			name: "tenant with a space",
			token: sign(t, jwt.SigningMethodEdDSA, keys.priv, claimsWith(func(c jwt.MapClaims) {
				c["tenant"] = "acme corp"
			})),
			wantReason: "tenant must contain only [A-Za-z0-9_-]",
		},
		{
			name: "tenant is a NATS wildcard",
			token: sign(t, jwt.SigningMethodEdDSA, keys.priv, claimsWith(func(c jwt.MapClaims) {
				c["tenant"] = ">"
			})),
			wantReason: "tenant must contain only [A-Za-z0-9_-]",
		},
		{
			name: "tenant too long",
			token: sign(t, jwt.SigningMethodEdDSA, keys.priv, claimsWith(func(c jwt.MapClaims) {
				c["tenant"] = strings.Repeat("a", 65)
			})),
			wantReason: "tenant is longer than 64 characters",
		},
		{
			name: "tenant not a string",
			token: sign(t, jwt.SigningMethodEdDSA, keys.priv, claimsWith(func(c jwt.MapClaims) {
				c["tenant"] = 7
			})),
			wantReason: "malformed",
		},
		{
			name: "missing subject",
			token: sign(t, jwt.SigningMethodEdDSA, keys.priv, claimsWith(func(c jwt.MapClaims) {
				delete(c, "sub")
			})),
			wantReason: "subject is missing",
		},
		{
			name: "subject with a dot",
			token: sign(t, jwt.SigningMethodEdDSA, keys.priv, claimsWith(func(c jwt.MapClaims) {
				c["sub"] = "e.42"
			})),
			wantReason: "subject must contain only [A-Za-z0-9_-]",
		},
		{
			name: "unknown role",
			token: sign(t, jwt.SigningMethodEdDSA, keys.priv, claimsWith(func(c jwt.MapClaims) {
				c["roles"] = []string{"sales", "superuser"}
			})),
			wantReason: "roles[1]: unknown role",
			wantIs:     ErrUnknownRole,
		},
		{
			name: "empty roles",
			token: sign(t, jwt.SigningMethodEdDSA, keys.priv, claimsWith(func(c jwt.MapClaims) {
				c["roles"] = []string{}
			})),
			wantReason: "roles are missing",
		},
		{
			name: "missing roles",
			token: sign(t, jwt.SigningMethodEdDSA, keys.priv, claimsWith(func(c jwt.MapClaims) {
				delete(c, "roles")
			})),
			wantReason: "roles are missing",
		},
		{
			name: "roles not a list",
			token: sign(t, jwt.SigningMethodEdDSA, keys.priv, claimsWith(func(c jwt.MapClaims) {
				c["roles"] = "admin"
			})),
			wantReason: "malformed",
		},
		{
			name: "missing exp",
			token: sign(t, jwt.SigningMethodEdDSA, keys.priv, claimsWith(func(c jwt.MapClaims) {
				delete(c, "exp")
			})),
			wantReason: "exp is missing",
			wantIs:     jwt.ErrTokenRequiredClaimMissing,
		},
		{
			name: "missing iss",
			token: sign(t, jwt.SigningMethodEdDSA, keys.priv, claimsWith(func(c jwt.MapClaims) {
				delete(c, "iss")
			})),
			wantReason: "iss is missing",
		},
		{
			name: "wrong iss",
			token: sign(t, jwt.SigningMethodEdDSA, keys.priv, claimsWith(func(c jwt.MapClaims) {
				c["iss"] = "someone-else"
			})),
			wantReason: "wrong issuer",
		},
		{
			name: "missing aud",
			token: sign(t, jwt.SigningMethodEdDSA, keys.priv, claimsWith(func(c jwt.MapClaims) {
				delete(c, "aud")
			})),
			wantReason: "aud is missing",
		},
		{
			name: "wrong aud",
			token: sign(t, jwt.SigningMethodEdDSA, keys.priv, claimsWith(func(c jwt.MapClaims) {
				c["aud"] = []string{"billing"}
			})),
			wantReason: "wrong audience",
		},
		{name: "empty string", token: "", wantReason: "token is empty"},
		{name: "one word", token: "not-a-jwt", wantReason: "malformed"},
		{name: "dots only", token: "..", wantReason: "malformed"},
		{name: "three junk segments", token: "abc.def.ghi", wantReason: "malformed"},
		{name: "bearer prefix left on", token: "Bearer " + valid, wantReason: "malformed"},
		{name: "binary junk", token: "\x00\xff\x01.\xfe.\x80", wantReason: "malformed"},
		{name: "huge", token: strings.Repeat("a", maxTokenLen+1), wantReason: "token is too long"},
	}

	verifier := NewVerifier(keys.pub, fixedClock(testTime))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := verifier.Verify(tc.token)
			if tc.wantReason == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("principal mismatch (-want, +got):\n%s", diff)
				}
				return
			}
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("Verify error = %v, want one wrapping ErrInvalidToken", err)
			}
			if !strings.Contains(err.Error(), tc.wantReason) {
				t.Errorf("Verify error = %q, want it to contain %q", err, tc.wantReason)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("Verify error = %v, want one wrapping %v", err, tc.wantIs)
			}
			if len(tc.token) > 8 && strings.Contains(err.Error(), tc.token) {
				t.Errorf("Verify error echoes the token: %q", err)
			}
			if diff := cmp.Diff(Principal{}, got); diff != "" {
				t.Errorf("refused token still yielded a principal (-want, +got):\n%s", diff)
			}
		})
	}
}

func TestVerifyRevocation(t *testing.T) {
	t.Parallel()
	keys := newTestKeys(t)
	issuer := newTestIssuer(keys.priv, testTime)

	type call struct{ Tenant, Subject string }
	cases := []struct {
		name       string
		subject    string
		wantRefuse bool
	}{
		{name: "departed employee refused", subject: "e-gone", wantRefuse: true},
		{name: "current employee accepted", subject: "e-here"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var calls []call
			verifier := NewVerifier(keys.pub, fixedClock(testTime), WithRevocationCheck(func(tenant, subject string) bool {
				calls = append(calls, call{tenant, subject})
				return subject == "e-gone"
			}))
			token, err := issuer.Issue(Principal{Tenant: "acme", Subject: tc.subject, Roles: []Role{RoleSales}}, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			_, err = verifier.Verify(token)
			if refused := errors.Is(err, ErrInvalidToken); refused != tc.wantRefuse {
				t.Errorf("Verify error = %v, want refused = %v", err, tc.wantRefuse)
			}
			if diff := cmp.Diff([]call{{"acme", tc.subject}}, calls); diff != "" {
				t.Errorf("revocation check calls mismatch (-want, +got):\n%s", diff)
			}
		})
	}
}

func TestIssueRefusesWhatVerifyWould(t *testing.T) {
	t.Parallel()
	keys := newTestKeys(t)
	issuer := newTestIssuer(keys.priv, testTime)

	cases := []struct {
		name   string
		p      Principal
		ttl    time.Duration
		wantIs error
	}{
		{name: "missing tenant", p: Principal{Subject: "e-1", Roles: []Role{RoleHR}}, ttl: time.Hour, wantIs: ErrInvalidToken},
		{name: "tenant with dot", p: Principal{Tenant: "a.b", Subject: "e-1", Roles: []Role{RoleHR}}, ttl: time.Hour, wantIs: ErrInvalidToken},
		{name: "missing subject", p: Principal{Tenant: "acme", Roles: []Role{RoleHR}}, ttl: time.Hour, wantIs: ErrInvalidToken},
		{name: "no roles", p: Principal{Tenant: "acme", Subject: "e-1"}, ttl: time.Hour, wantIs: ErrInvalidToken},
		{name: "unknown role", p: Principal{Tenant: "acme", Subject: "e-1", Roles: []Role{"root"}}, ttl: time.Hour, wantIs: ErrUnknownRole},
		{name: "zero ttl", p: Principal{Tenant: "acme", Subject: "e-1", Roles: []Role{RoleHR}}},
		{name: "negative ttl", p: Principal{Tenant: "acme", Subject: "e-1", Roles: []Role{RoleHR}}, ttl: -time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			token, err := issuer.Issue(tc.p, tc.ttl)
			if err == nil {
				t.Fatalf("Issue(%+v, %v) = %q, want an error", tc.p, tc.ttl, token)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("Issue error = %v, want one wrapping %v", err, tc.wantIs)
			}
		})
	}
}
