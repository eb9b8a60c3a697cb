package evidence

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// KeyName is the signed-note key name of a tenant's evidence key.
func KeyName(tenant string) string { return "holdfast-evidence/" + tenant }

// Key is a tenant's evidence signing key.
type Key struct {
	Signer note.Signer
	// VerifierKey is the public key in note form ("name+hash+keydata"): what
	// the company publishes so anyone can check its bundles.
	VerifierKey string
}

// ParseKey reads an encoded note signer key ("PRIVATE+KEY+name+hash+data").
func ParseKey(skey string) (Key, error) {
	skey = strings.TrimSpace(skey)
	signer, err := note.NewSigner(skey)
	if err != nil {
		return Key{}, fmt.Errorf("evidence: signing key: %w", err)
	}
	// note cannot derive the verifier key from a signer key; the key data
	// is the algorithm byte followed by the Ed25519 seed.
	// Base64 key data may itself hold '+': split off only the first four fields.
	parts := strings.SplitN(skey, "+", 5)
	raw, err := base64.StdEncoding.DecodeString(parts[len(parts)-1])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return Key{}, errors.New("evidence: signing key: not an Ed25519 note key")
	}
	pub, ok := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	if !ok {
		return Key{}, errors.New("evidence: signing key: no Ed25519 public key")
	}
	vkey, err := note.NewEd25519VerifierKey(signer.Name(), pub)
	if err != nil {
		return Key{}, fmt.Errorf("evidence: verifier key: %w", err)
	}
	return Key{Signer: signer, VerifierKey: vkey}, nil
}

// LoadOrCreateKey returns the tenant's evidence key kept in dir as
// <tenant>.evidence-key (mode 0600), creating it on first use.
//
// WARNING: a key file that exists but cannot be read is an error, never
// replaced: every bundle already handed out was signed with it.
func LoadOrCreateKey(dir, tenant string) (Key, error) {
	if !validName(tenant) || strings.HasPrefix(tenant, ".") {
		return Key{}, fmt.Errorf("evidence: tenant %q cannot name a key", tenant)
	}
	path := filepath.Join(dir, tenant+".evidence-key")
	key, err := loadKey(path, tenant)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Key{}, fmt.Errorf("evidence: key dir: %w", err)
	}
	skey, _, err := note.GenerateKey(rand.Reader, KeyName(tenant))
	if err != nil {
		return Key{}, fmt.Errorf("evidence: generate key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+tenant+".evidence-key.*.tmp") // mode 0600
	if err != nil {
		return Key{}, fmt.Errorf("evidence: create key: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once linked
	if _, err := tmp.WriteString(skey + "\n"); err != nil {
		return Key{}, errors.Join(err, tmp.Close())
	}
	if err := tmp.Close(); err != nil {
		return Key{}, fmt.Errorf("evidence: create key: %w", err)
	}
	// Link never replaces: if another process created the key first, its
	// key is the tenant's key. There is no fallback to rename, which would
	// replace a key another process just made and signed with.
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return Key{}, fmt.Errorf("evidence: create key %s (the key directory must support hard links): %w", path, err)
	}
	return loadKey(path, tenant)
}

func loadKey(path, tenant string) (Key, error) {
	data, err := os.ReadFile(path) //nolint:gosec // the path is under the operator's own key directory
	if err != nil {
		return Key{}, fmt.Errorf("evidence: load key: %w", err)
	}
	key, err := ParseKey(string(data))
	if err != nil {
		return Key{}, fmt.Errorf("evidence: load key %s: %w", path, err)
	}
	if key.Signer.Name() != KeyName(tenant) {
		return Key{}, fmt.Errorf("evidence: load key %s: it is %q, not the key of tenant %q", path, key.Signer.Name(), tenant)
	}
	return key, nil
}
