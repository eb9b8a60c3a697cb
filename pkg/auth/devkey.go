package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// devKeyFile is the name of the development signing key inside its directory.
const devKeyFile = "dev-ed25519.pem"

// LoadOrCreateDevKey returns the Ed25519 key stored as a PKCS#8 PEM file
// named dev-ed25519.pem in dir, creating dir (mode 0700) and the key (mode
// 0600) if they do not exist.
//
// WARNING: a file that exists but cannot be read as an Ed25519 key is an
// error, never replaced: replacing it would silently invalidate every token
// already issued with it and hide whatever damaged it.
func LoadOrCreateDevKey(dir string) (ed25519.PrivateKey, error) {
	path := filepath.Join(dir, devKeyFile)
	key, err := loadDevKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("auth: create dev key dir: %w", err)
	}
	return createDevKey(path)
}

func loadDevKey(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path) //nolint:gosec // the path is under the operator's own data directory
	if err != nil {
		return nil, fmt.Errorf("auth: load dev key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("auth: load dev key %s: no PRIVATE KEY PEM block", path)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("auth: load dev key %s: %w", path, err)
	}
	key, ok := parsed.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("auth: load dev key %s: key is %T, not Ed25519", path, parsed)
	}
	return key, nil
}

// createDevKey writes a fresh key to a temporary file and only then gives it
// its final name, so a reader never sees a half-written key and two
// processes starting together end up sharing one key.
func createDevKey(path string) (ed25519.PrivateKey, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("auth: create dev key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("auth: create dev key: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+devKeyFile+".*.tmp") // mode 0600
	if err != nil {
		return nil, fmt.Errorf("auth: create dev key: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once the key has its final name

	if err := writeAndClose(tmp, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
		return nil, fmt.Errorf("auth: create dev key: %w", err)
	}

	// Link, unlike Rename, never replaces an existing file: if another
	// process won the race, its key is the one everybody must use.
	err = os.Link(tmp.Name(), path)
	switch {
	case err == nil:
		return key, nil
	case errors.Is(err, fs.ErrExist):
		return loadDevKey(path)
	}
	// Some filesystems cannot hard-link; a rename is still atomic.
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, fmt.Errorf("auth: create dev key: %w", err)
	}
	return key, nil
}

func writeAndClose(f *os.File, data []byte) error {
	if _, err := f.Write(data); err != nil {
		return errors.Join(err, f.Close())
	}
	if err := f.Sync(); err != nil {
		return errors.Join(err, f.Close())
	}
	return f.Close()
}
