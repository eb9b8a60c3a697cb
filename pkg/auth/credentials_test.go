package auth

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBearerToken(t *testing.T) {
	t.Parallel()

	creds := BearerToken("abc.def.ghi")
	got, err := creds.GetRequestMetadata(context.Background(), "/holdfast.v1.Leads/Get")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"authorization": "Bearer abc.def.ghi"}, got); diff != "" {
		t.Errorf("metadata mismatch (-want, +got):\n%s", diff)
	}
	if creds.RequireTransportSecurity() {
		t.Error("RequireTransportSecurity() = true; the plaintext loopback dev stack could not use it")
	}
}
