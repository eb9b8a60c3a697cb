package consolesvc

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// MinPseudonymKeyLen is the shortest pseudonym key the console accepts.
const MinPseudonymKeyLen = 32

// pseudonymAlphabet is Crockford's base32: no I, L, O or U to misread.
var pseudonymAlphabet = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// pseudonymLen is the code's length: 40 bits, so a tenant of 10 000
// employees has two with the same code about once in 20,000 such tenants;
// the code is a label for reading, and links carry the full reference.
const pseudonymLen = 8

// pseudonyms names employees without naming them. Each tenant gets its own
// secret, derived from the console's key, so codes are stable per tenant
// (the same employee is the same code on every page and after a restart)
// and say nothing across tenants. Links name employees by an opaque
// reference the console alone can read back, so the id is not in the page
// either.
type pseudonyms struct {
	key []byte
}

func newPseudonyms(key []byte) (*pseudonyms, error) {
	if len(key) < MinPseudonymKeyLen {
		return nil, errors.New("console: the pseudonym key must be at least 32 bytes")
	}
	return &pseudonyms{key: key}, nil
}

// derive is the tenant's secret for one purpose.
func (p *pseudonyms) derive(purpose, tenant string) []byte {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte("holdfast-console/" + purpose + "\x00" + tenant))
	return m.Sum(nil)
}

// code is the employee's pseudonym in their tenant, e.g. "K7Q2MX".
func (p *pseudonyms) code(tenant, employeeID string) string {
	m := hmac.New(sha256.New, p.derive("pseudonym", tenant))
	m.Write([]byte(employeeID))
	return pseudonymAlphabet.EncodeToString(m.Sum(nil))[:pseudonymLen]
}

// aead seals references with the tenant's own key.
func (p *pseudonyms) aead(tenant string) cipher.AEAD {
	block, err := aes.NewCipher(p.derive("reference", tenant))
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	g, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return g
}

// ref is the employee's reference for links: the id sealed with a nonce
// derived from it, so one employee has one stable reference (a link can
// be bookmarked) and nobody without the key can read or forge one.
func (p *pseudonyms) ref(tenant, employeeID string) string {
	m := hmac.New(sha256.New, p.derive("nonce", tenant))
	m.Write([]byte(employeeID))
	g := p.aead(tenant)
	nonce := m.Sum(nil)[:g.NonceSize()]
	return base64.RawURLEncoding.EncodeToString(g.Seal(nonce, nonce, []byte(employeeID), nil))
}

// resolve reads a reference back; false for anything the console did not
// make for this tenant.
func (p *pseudonyms) resolve(tenant, ref string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(ref)
	g := p.aead(tenant)
	if err != nil || len(b) < g.NonceSize()+g.Overhead() {
		return "", false
	}
	id, err := g.Open(nil, b[:g.NonceSize()], b[g.NonceSize():], nil)
	if err != nil {
		return "", false
	}
	return string(id), true
}

// PseudonymOf is the code the console shows for an employee of tenant
// under key (e.g. "K7Q2MXAB"), for tools and tests that must recognise it.
func PseudonymOf(key []byte, tenant, employeeID string) (string, error) {
	p, err := newPseudonyms(key)
	if err != nil {
		return "", err
	}
	return p.code(tenant, employeeID), nil
}

// EmployeeReference is the reference the console's links use for an
// employee of tenant under key: /employees/<reference> is their page. Who
// holds the key can link ids and pseudonyms; keep it like a signing key.
func EmployeeReference(key []byte, tenant, employeeID string) (string, error) {
	p, err := newPseudonyms(key)
	if err != nil {
		return "", err
	}
	return p.ref(tenant, employeeID), nil
}

// ReadPseudonymKey reads the pseudonym key a deployment keeps in a file
// (HOLDFAST_CONSOLE_PSEUDONYM_KEY_FILE): at least 32 bytes, used as they
// are. Losing or changing it changes every pseudonym.
func ReadPseudonymKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path) //nolint:gosec // the operator's own configuration
	if err != nil {
		return nil, fmt.Errorf("console: pseudonym key: %w", err)
	}
	if len(b) < MinPseudonymKeyLen {
		return nil, fmt.Errorf("console: pseudonym key %s: %d bytes, want at least %d", path, len(b), MinPseudonymKeyLen)
	}
	return b, nil
}

// LoadOrCreatePseudonymKey reads the key at path, creating it (32 random
// bytes, mode 0600) if it does not exist: the dev stack keeps it in its
// data directory, so pseudonyms survive restarts until the data is wiped.
func LoadOrCreatePseudonymKey(path string) ([]byte, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("console: pseudonym key: %w", err)
		}
		key := make([]byte, MinPseudonymKeyLen)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) //nolint:gosec // a path in the dev stack's data dir
		if errors.Is(err, fs.ErrExist) {
			return ReadPseudonymKey(path) // another process created it first
		}
		if err != nil {
			return nil, fmt.Errorf("console: pseudonym key: %w", err)
		}
		if _, err := f.Write(key); err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("console: pseudonym key: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("console: pseudonym key: %w", err)
		}
		return key, nil
	}
	return ReadPseudonymKey(path)
}
