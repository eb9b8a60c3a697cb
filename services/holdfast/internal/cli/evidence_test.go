package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/evidence"
	"github.com/holdfast/holdfast/pkg/platform"
	eventv1 "github.com/holdfast/holdfast/proto/holdfast/event/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
)

func envelopeBytes(t *testing.T, tenant, id string) []byte {
	t.Helper()
	payload, err := anypb.New(&orderv1.PaymentRecorded{OrderId: "o1", PaymentId: id, AmountMinor: 120000, Currency: "CNY", PayeeAccount: "6222-personal"})
	if err != nil {
		t.Fatal(err)
	}
	data, err := eventlog.Marshal(&eventv1.Envelope{
		EventId: id, TenantId: tenant, AggregateType: "order", AggregateId: "o1", AggregateVersion: 3,
		ActorId: "e1", OccurredAt: timestamppb.New(time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)), Payload: payload,
	})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// testEnv is a command environment writing to out, with HOLDFAST_DATA_DIR set.
func testEnv(dataDir string) (Env, *bytes.Buffer) {
	out := &bytes.Buffer{}
	return Env{Stdout: out, Stderr: &bytes.Buffer{}, Lookup: platform.MapLookuper(map[string]string{"HOLDFAST_DATA_DIR": dataDir})}, out
}

func TestEvidenceVerifyCommand(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	env, out := testEnv(dataDir)
	ctx := context.Background()
	if err := Evidence(ctx, env, "key", []string{"--tenant", "acme", "--data", dataDir}); err != nil {
		t.Fatal(err)
	}
	published := strings.TrimSpace(out.String())
	key, err := evidence.LoadOrCreateKey(EvidenceKeyDir(dataDir), "acme")
	if err != nil || key.VerifierKey != published {
		t.Fatalf("evidence key printed %q, the key file holds %q (%v)", published, key.VerifierKey, err)
	}

	write := func(name, eventTenant string) string {
		b := evidence.Bundle{Tenant: "acme", CaseID: "c1", CreatedAt: time.Now().UTC(), Events: []evidence.Event{{
			Stream: "ORDER", Sequence: 7, Subject: "order.acme.order.o1", Data: envelopeBytes(t, eventTenant, "ev-1"), EventID: "ev-1",
			EventType: "holdfast.order.v1.PaymentRecorded",
		}}}
		data, err := evidence.Bytes(b, key.Signer, key.VerifierKey)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dataDir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("good.zip", "acme")

	out.Reset()
	if err := Evidence(ctx, env, "verify", []string{good, "--key", published}); err != nil {
		t.Fatalf("verify a good bundle: %v\n%s", err, out)
	}
	if !strings.Contains(out.String(), "OK: ") || !strings.Contains(out.String(), "signed by the key you gave") || !strings.Contains(out.String(), "ORDER") {
		t.Errorf("verify output:\n%s", out)
	}

	out.Reset()
	if err := Evidence(ctx, env, "verify", []string{good}); err == nil || !strings.Contains(out.String(), "SIGNER NOT ESTABLISHED") {
		t.Errorf("verify without --key = %v, output:\n%s\nwant a failure: intact, signer not established", err, out)
	}
	out.Reset()
	if err := Evidence(ctx, env, "verify", []string{good, "--trust-embedded-key"}); err != nil || !strings.Contains(out.String(), "WARNING") {
		t.Errorf("verify --trust-embedded-key = %v, output:\n%s\nwant OK with a warning about the embedded key", err, out)
	}

	other, err := evidence.LoadOrCreateKey(t.TempDir(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if err := Evidence(ctx, env, "verify", []string{good, "--key", other.VerifierKey}); err == nil {
		t.Error("a bundle verified against another company's key")
	}

	// A bundle correctly signed, but over an event of another tenant.
	foreign := write("foreign.zip", "globex")
	err = Evidence(ctx, env, "verify", []string{foreign, "--key", published})
	if err == nil || !strings.Contains(err.Error(), `belongs to tenant "globex"`) {
		t.Errorf("verify a bundle holding another tenant's event = %v", err)
	}

	// One changed byte in the middle of the event.
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(data, []byte("6222-personal"))
	data[at] = '7'
	tampered := filepath.Join(dataDir, "tampered.zip")
	if err := os.WriteFile(tampered, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = Evidence(ctx, env, "verify", []string{tampered, "--key", published})
	if err == nil || !strings.Contains(out.String(), "FAILED") {
		t.Fatalf("verify a tampered bundle = %v, output %s", err, out)
	}

	if err := Evidence(ctx, env, "verify", nil); err == nil {
		t.Error("verify without a bundle did not fail")
	}
	if err := Evidence(ctx, env, "verify", []string{filepath.Join(dataDir, "missing.zip")}); err == nil {
		t.Error("verify of a missing file did not fail")
	}
}
