package evidence

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var created = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

func testKey(t testing.TB, tenant string) Key {
	t.Helper()
	k, err := LoadOrCreateKey(t.TempDir(), tenant)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sampleBundle(n int) Bundle {
	b := Bundle{Tenant: "acme", CaseID: "case-7", Title: "Payments to a personal account", CreatedAt: created}
	for i := range n {
		b.Events = append(b.Events, Event{
			Stream: []string{"CLIENT", "ORDER", "ATTENDANCE"}[i%3], Sequence: uint64(10 + i*7),
			Subject:   fmt.Sprintf("order.acme.order.o%d", i),
			Data:      fmt.Appendf(nil, "\x0a\x24envelope-%d-\xff\x00bytes", i),
			EventID:   fmt.Sprintf("ev-%d", i),
			EventType: "holdfast.order.v1.PaymentRecorded", OccurredAt: created.Add(-time.Duration(n-i) * time.Hour),
		})
	}
	b.Documents = []Document{{Name: "report.en.html", MediaType: "text/html", Data: []byte("<h1>Case 7</h1>")}}
	return b
}

func build(t testing.TB, b Bundle, k Key) []byte {
	t.Helper()
	out, err := Bytes(b, k.Signer, k.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVerifyAcceptsWhatWriteProduces(t *testing.T) {
	t.Parallel()
	k := testKey(t, "acme")
	b := sampleBundle(5)
	data := build(t, b, k)

	rep, err := Verify(data, k.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.KeyTrusted || rep.Tenant != "acme" || rep.CaseID != "case-7" || len(rep.Events) != 5 {
		t.Fatalf("report = %+v", rep)
	}
	for i, e := range rep.Events {
		if !bytes.Equal(e.Data, b.Events[i].Data) || e.Stream != b.Events[i].Stream || e.Sequence != b.Events[i].Sequence {
			t.Errorf("event %d = %+v, want the stored bytes and position of %+v", i, e, b.Events[i])
		}
	}
	if diff := cmp.Diff([]string{"documents/report.en.html"}, rep.Documents); diff != "" {
		t.Errorf("documents mismatch (-want, +got):\n%s", diff)
	}

	// Without a trusted key the embedded one verifies, but is not trusted.
	rep, err = Verify(data)
	if err != nil || rep.KeyTrusted || rep.VerifierKey != k.VerifierKey {
		t.Fatalf("Verify without key = %+v, %v", rep, err)
	}

	// Writing is deterministic: the same bundle gives the same bytes.
	if again := build(t, b, k); !bytes.Equal(again, data) {
		t.Error("two writes of one bundle differ")
	}
}

func TestVerifyRefusesAnotherTenantsOrAnUntrustedKey(t *testing.T) {
	t.Parallel()
	k := testKey(t, "acme")
	other := testKey(t, "acme") // a different key with the same name
	data := build(t, sampleBundle(3), k)
	_, err := Verify(data, other.VerifierKey)
	wantProblem(t, err, "not signed by")

	if _, err := Bytes(sampleBundle(3), testKey(t, "globex").Signer, ""); err == nil {
		t.Error("Write signed acme's bundle with globex's key")
	}
}

// TestEveryChangedByteFails flips each byte of a bundle in turn: not one
// change may verify.
func TestEveryChangedByteFails(t *testing.T) {
	t.Parallel()
	k := testKey(t, "acme")
	data := build(t, sampleBundle(2), k)
	for i := range data {
		mutated := bytes.Clone(data)
		mutated[i] ^= 0x01
		if _, err := Verify(mutated, k.VerifierKey); !errors.Is(err, ErrNotVerified) {
			t.Fatalf("flipping byte %d of %d: Verify = %v, want a failure", i, len(data), err)
		}
	}
	if _, err := Verify(data[:len(data)-1], k.VerifierKey); err == nil {
		t.Error("a truncated bundle verified")
	}
	if _, err := Verify(append(bytes.Clone(data), 0), k.VerifierKey); err == nil {
		t.Error("a bundle with a trailing byte verified")
	}
}

// repack rewrites a bundle's members through edit, the way someone editing
// the archive with a ZIP tool would.
func repack(t *testing.T, data []byte, edit func(names []string, files map[string][]byte) []string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	var names []string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = b
		names = append(names, f.Name)
	}
	names = edit(names, files)
	ms := memberList{}
	for _, n := range names {
		ms = append(ms, member{n, files[n]})
	}
	return ms.archive(created)
}

func wantProblem(t *testing.T, err error, fragment string) {
	t.Helper()
	var f *Failure
	if !errors.As(err, &f) {
		t.Fatalf("Verify = %v, want a *Failure mentioning %q", err, fragment)
	}
	if !strings.Contains(f.Error(), fragment) {
		t.Fatalf("Verify failure:\n%v\nwant it to mention %q", f, fragment)
	}
}

func TestVerifySaysWhatChanged(t *testing.T) {
	t.Parallel()
	k := testKey(t, "acme")
	data := build(t, sampleBundle(4), k)
	tests := []struct {
		name string
		edit func(names []string, files map[string][]byte) []string
		want string
	}{
		{"changed event", func(n []string, f map[string][]byte) []string {
			f["events/000002.evt"] = append(bytes.Clone(f["events/000002.evt"]), 'x')
			return n
		}, "event 2 (ATTENDANCE #24) changed after signing"},
		{"dropped event", func(n []string, f map[string][]byte) []string {
			return remove(n, "events/000001.evt")
		}, "event 1 (ORDER #17) was dropped"},
		{"reordered events", func(n []string, f map[string][]byte) []string {
			f["events/000000.evt"], f["events/000003.evt"] = f["events/000003.evt"], f["events/000000.evt"]
			return n
		}, "event 0 (CLIENT #10) holds the bytes signed as event 3: the events were reordered"},
		{"added event", func(n []string, f map[string][]byte) []string {
			f["events/000004.evt"] = []byte("forged")
			return append(n, "events/000004.evt")
		}, "events/000004.evt was added"},
		{"changed report", func(n []string, f map[string][]byte) []string {
			f["documents/report.en.html"] = []byte("<h1>Case 8</h1>")
			return n
		}, "document documents/report.en.html changed after signing"},
		{"changed manifest", func(n []string, f map[string][]byte) []string {
			f["manifest.json"] = bytes.Replace(f["manifest.json"], []byte(`"sequence": 10`), []byte(`"sequence": 11`), 1)
			return n
		}, "manifest.json changed after signing"},
		{"changed checkpoint", func(n []string, f map[string][]byte) []string {
			f["checkpoint.txt"] = bytes.Replace(f["checkpoint.txt"], []byte("events 4"), []byte("events 3"), 1)
			return n
		}, "not signed by"},
		{"reordered members", func(n []string, f map[string][]byte) []string {
			last := len(n) - 1
			n[last], n[last-1] = n[last-1], n[last]
			return n
		}, "the archive's own bytes differ"},
		{"swapped verifier key", func(n []string, f map[string][]byte) []string {
			f["verifier-key.txt"] = []byte(testKey(t, "acme").VerifierKey + "\n")
			return n
		}, "verifier-key.txt changed after signing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Verify(repack(t, data, tt.edit), k.VerifierKey)
			wantProblem(t, err, tt.want)
		})
	}
}

func remove(names []string, name string) []string {
	out := names[:0:0]
	for _, n := range names {
		if n != name {
			out = append(out, n)
		}
	}
	return out
}

func TestWriteRefusesBadBundles(t *testing.T) {
	t.Parallel()
	k := testKey(t, "acme")
	tests := []struct {
		name string
		edit func(*Bundle)
		want string
	}{
		{"no events", func(b *Bundle) { b.Events = nil }, "1 to"},
		{"empty data", func(b *Bundle) { b.Events[0].Data = nil }, "events[0]: data"},
		{"subject with space", func(b *Bundle) { b.Events[1].Subject = "a b" }, "events[1]: subject"},
		{"stream with dot", func(b *Bundle) { b.Events[0].Stream = "A.B" }, "events[0]: stream"},
		{"case id with newline", func(b *Bundle) { b.CaseID = "a\nb" }, "case id"},
		{"no time", func(b *Bundle) { b.CreatedAt = time.Time{} }, "created_at"},
		{"document path", func(b *Bundle) { b.Documents[0].Name = "../x.html" }, "documents[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := sampleBundle(2)
			tt.edit(&b)
			_, err := Bytes(b, k.Signer, k.VerifierKey)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Bytes = %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestKeysPersistAndRefuseDamage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, err := LoadOrCreateKey(dir, "acme")
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadOrCreateKey(dir, "acme")
	if err != nil || again.VerifierKey != a.VerifierKey {
		t.Fatalf("second load = %v, %v; want the same key", again.VerifierKey, err)
	}
	info, err := os.Stat(filepath.Join(dir, "acme.evidence-key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", info, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "globex.evidence-key"), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(dir, "globex"); err == nil {
		t.Error("a damaged key file was accepted (or replaced)")
	}
	if _, err := LoadOrCreateKey(dir, "../etc"); err == nil {
		t.Error("a tenant with a path separator named a key file")
	}
}

func FuzzVerify(f *testing.F) {
	k := testKey(f, "acme")
	valid := build(f, sampleBundle(2), k)
	f.Add(valid)
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := Verify(data, k.VerifierKey)
		if err != nil {
			return
		}
		// Whatever verifies must be exactly what Write produces from it.
		if !bytes.Equal(data, valid) {
			t.Fatalf("a bundle other than the signed one verified: %+v", rep)
		}
	})
}
