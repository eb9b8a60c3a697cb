package auth

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLoadOrCreateDevKey(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "keys")

	first, err := LoadOrCreateDevKey(dir)
	if err != nil {
		t.Fatalf("first LoadOrCreateDevKey: %v", err)
	}
	assertMode(t, dir, fs.ModeDir|0o700)
	assertMode(t, filepath.Join(dir, devKeyFile), 0o600)
	if diff := cmp.Diff([]string{devKeyFile}, dirNames(t, dir)); diff != "" {
		t.Errorf("directory contents mismatch (-want, +got):\n%s", diff)
	}

	second, err := LoadOrCreateDevKey(dir)
	if err != nil {
		t.Fatalf("second LoadOrCreateDevKey: %v", err)
	}
	if !first.Equal(second) {
		t.Error("second call returned a different key")
	}

	// The reloaded key must sign tokens the original key's public half
	// accepts, not merely compare equal.
	token, err := NewIssuer(second).Issue(Principal{Tenant: "dev", Subject: "e-1", Roles: []Role{RoleAdmin}}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewVerifier(first.Public().(ed25519.PublicKey)).Verify(token); err != nil {
		t.Errorf("token signed with the reloaded key does not verify: %v", err)
	}
}

func TestLoadOrCreateDevKeyConcurrentCallersShareOneKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()

	const callers = 4
	keys := make([]ed25519.PrivateKey, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() { keys[i], errs[i] = LoadOrCreateDevKey(dir) })
	}
	wg.Wait()

	for i := range callers {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if !keys[i].Equal(keys[0]) {
			t.Errorf("caller %d got a different key than caller 0", i)
		}
	}
	if diff := cmp.Diff([]string{devKeyFile}, dirNames(t, dir)); diff != "" {
		t.Errorf("directory contents mismatch (-want, +got):\n%s", diff)
	}
}

func TestLoadOrCreateDevKeyRefusesUnusableFile(t *testing.T) {
	t.Parallel()

	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name     string
		contents []byte
	}{
		{name: "garbage", contents: []byte("this is not a key\n")},
		{name: "empty", contents: nil},
		{name: "wrong PEM type", contents: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2, 3}})},
		{name: "corrupt PKCS#8", contents: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{0x30, 0x01}})},
		{name: "not Ed25519", contents: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, devKeyFile)
			if err := os.WriteFile(path, tc.contents, 0o600); err != nil {
				t.Fatal(err)
			}

			if key, err := LoadOrCreateDevKey(dir); err == nil {
				t.Fatalf("LoadOrCreateDevKey = %d-byte key, want an error", len(key))
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.contents) {
				t.Error("unusable key file was overwritten")
			}
		})
	}
}

func assertMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode(); got != want {
		t.Errorf("mode of %s = %v, want %v", path, got, want)
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names
}
