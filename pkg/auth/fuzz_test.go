package auth

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
)

// FuzzVerify checks that Verify never panics and accepts exactly the tokens
// the Issuer under test produced: any other string, however close, must be
// refused with ErrInvalidToken.
func FuzzVerify(f *testing.F) {
	keys := newTestKeys(f)
	issuer := newTestIssuer(keys.priv, testTime)
	verifier := NewVerifier(keys.pub, fixedClock(testTime))

	issued := map[string]Principal{}
	for _, p := range []Principal{
		{Tenant: "acme", Subject: "e-42", Roles: []Role{RoleSales}},
		{Tenant: "globex", Subject: "svc-risk", Roles: []Role{RoleService, RoleAuditor}},
	} {
		token, err := issuer.Issue(p, time.Hour)
		if err != nil {
			f.Fatal(err)
		}
		issued[token] = p
		f.Add(token)

		parts := strings.Split(token, ".")
		f.Add(token[:len(token)-1])
		f.Add(token + "A")
		f.Add(token + ".")
		f.Add(parts[0] + "." + parts[1] + ".")
		f.Add(parts[1] + "." + parts[0] + "." + parts[2])
		f.Add(strings.ToUpper(token))
		f.Add(parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])-1] + "B")
		f.Add(parts[0] + "." + parts[1] + "=." + parts[2])
		f.Add(parts[0] + "." + parts[1] + "." + parts[2] + "\n")
	}
	f.Add(unsignedToken(f, validClaims()))
	f.Add(sign(f, jwt.SigningMethodHS256, []byte(keys.pub), validClaims()))
	f.Add(sign(f, jwt.SigningMethodEdDSA, keys.other, validClaims()))
	f.Add("")
	f.Add("..")
	f.Add("e30.e30.")
	f.Add("eyJhbGciOiJFZERTQSJ9.e30.AAAA")

	f.Fuzz(func(t *testing.T, token string) {
		got, err := verifier.Verify(token)
		want, wasIssued := issued[token]
		if !wasIssued {
			if err == nil {
				t.Fatalf("Verify accepted a token the issuer never produced: %q → %+v", token, got)
			}
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("Verify error = %v, want one wrapping ErrInvalidToken", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Verify refused an issued token: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("principal mismatch (-want, +got):\n%s", diff)
		}
	})
}
