// Package evidence builds and verifies evidence bundles: the events behind
// a case exactly as the log stored them, a Merkle tree over them in the
// RFC 6962 style (golang.org/x/mod/sumdb/tlog), a checkpoint signed with the
// tenant's Ed25519 key (a signed note, golang.org/x/mod/sumdb/note) and
// human-readable documents explaining the case.
//
// A bundle is one ZIP archive (stored, not compressed, written
// deterministically) that HR can open with any tool and take to labour
// arbitration. Verify checks it offline: every event's bytes, their order,
// the documents, the manifest and the archive itself; any changed, dropped,
// reordered or added byte fails with a message saying what.
package evidence

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// Format names the bundle layout; Verify refuses any other.
const Format = "holdfast-evidence/1"

// Names of the fixed members of the archive.
const (
	fileReadme     = "README.txt"
	fileCheckpoint = "checkpoint.txt"
	fileManifest   = "manifest.json"
	fileVerifier   = "verifier-key.txt"
	dirEvents      = "events/"
	dirDocuments   = "documents/"
)

// Limits keep Verify's work bounded on hostile input.
const (
	MaxEvents       = 100_000
	MaxDocuments    = 16
	MaxEventBytes   = 1 << 20
	MaxDocBytes     = 16 << 20
	MaxBundleBytes  = 512 << 20
	maxManifestSize = 64 << 20
)

// Event is one stored event: its stream, its sequence there, its subject
// and the message data exactly as stored (the marshalled envelope).
type Event struct {
	Stream   string
	Sequence uint64
	Subject  string
	Data     []byte
	// EventID, EventType and OccurredAt describe the event for readers of
	// the manifest; they are not trusted by Verify, which hashes Data.
	EventID    string
	EventType  string
	OccurredAt time.Time
}

// Document is a human-readable file shipped with the events, e.g. the
// case report as HTML in one language.
type Document struct {
	// Name is the file name inside documents/ (letters, digits, '.', '-', '_').
	Name      string
	MediaType string
	Data      []byte
}

// Bundle is what Write signs and packs.
type Bundle struct {
	Tenant    string
	CaseID    string
	Title     string
	CreatedAt time.Time
	Events    []Event
	Documents []Document
}

// manifest is manifest.json: everything in the archive but the checkpoint,
// described and hashed. The checkpoint signs the manifest's hash.
type manifest struct {
	Format    string          `json:"format"`
	Tenant    string          `json:"tenant"`
	CaseID    string          `json:"case_id"`
	Title     string          `json:"title"`
	CreatedAt time.Time       `json:"created_at"`
	Events    []manifestEvent `json:"events"`
	Documents []manifestDoc   `json:"documents"`
	Tree      manifestTree    `json:"tree"`
	// Readme and Verifier are the SHA-256 of README.txt and verifier-key.txt.
	Readme   string `json:"readme_sha256"`
	Verifier string `json:"verifier_key_sha256"`
}

type manifestEvent struct {
	Index      int       `json:"index"`
	File       string    `json:"file"`
	Stream     string    `json:"stream"`
	Sequence   uint64    `json:"sequence"`
	Subject    string    `json:"subject"`
	EventID    string    `json:"event_id,omitempty"`
	EventType  string    `json:"event_type,omitempty"`
	OccurredAt time.Time `json:"occurred_at"`
	SHA256     string    `json:"sha256"`
	// LeafHash is the RFC 6962 leaf hash of (stream, sequence, subject, data).
	LeafHash string `json:"leaf_hash"`
}

type manifestDoc struct {
	File      string `json:"file"`
	MediaType string `json:"media_type"`
	SHA256    string `json:"sha256"`
}

type manifestTree struct {
	Size int64  `json:"size"`
	Root string `json:"root"` // base64, as in the checkpoint
}

// Write signs b with signer and writes the bundle to w. signer's name must
// be KeyName(b.Tenant); verifierKey is its public verifier key, shipped in
// the bundle so a reader can compare it with the tenant's published key.
func Write(w io.Writer, b Bundle, signer note.Signer, verifierKey string) error {
	if err := b.validate(); err != nil {
		return err
	}
	if signer.Name() != KeyName(b.Tenant) {
		return fmt.Errorf("evidence: signer %q is not the key of tenant %q (%q)", signer.Name(), b.Tenant, KeyName(b.Tenant))
	}
	files, err := b.members(signer, verifierKey)
	if err != nil {
		return err
	}
	_, err = w.Write(files.archive(b.CreatedAt))
	return err
}

// Bytes is Write into memory.
func Bytes(b Bundle, signer note.Signer, verifierKey string) ([]byte, error) {
	var buf bytes.Buffer
	if err := Write(&buf, b, signer, verifierKey); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (b Bundle) validate() error {
	var problems []string
	if !validName(b.Tenant) {
		problems = append(problems, "tenant must be a non-empty token without spaces or '+'")
	}
	if b.CaseID == "" || !utf8.ValidString(b.CaseID) || strings.ContainsAny(b.CaseID, "\n\r") {
		problems = append(problems, "case id must be one non-empty line")
	}
	if b.CreatedAt.IsZero() {
		problems = append(problems, "created_at is required")
	}
	if len(b.Events) == 0 || len(b.Events) > MaxEvents {
		problems = append(problems, fmt.Sprintf("a bundle holds 1 to %d events", MaxEvents))
	}
	for i, e := range b.Events {
		if err := checkEventMeta(e.Stream, e.Subject); err != nil {
			problems = append(problems, fmt.Sprintf("events[%d]: %v", i, err))
		}
		if len(e.Data) == 0 || len(e.Data) > MaxEventBytes {
			problems = append(problems, fmt.Sprintf("events[%d]: data must be 1 to %d bytes", i, MaxEventBytes))
		}
	}
	if len(b.Documents) > MaxDocuments {
		problems = append(problems, fmt.Sprintf("at most %d documents", MaxDocuments))
	}
	seen := map[string]bool{}
	for i, d := range b.Documents {
		if !validDocName(d.Name) || seen[d.Name] {
			problems = append(problems, fmt.Sprintf("documents[%d]: name %q must be unique and use only letters, digits, '.', '-', '_'", i, d.Name))
		}
		seen[d.Name] = true
		if len(d.Data) > MaxDocBytes {
			problems = append(problems, fmt.Sprintf("documents[%d]: more than %d bytes", i, MaxDocBytes))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("evidence: invalid bundle: %s", strings.Join(problems, "; "))
	}
	return nil
}

// member is one file of the archive.
type member struct {
	name string
	data []byte
}

type memberList []member

// members builds every file of the archive, in archive order.
func (b Bundle) members(signer note.Signer, verifierKey string) (memberList, error) {
	leaves := make([]leafInput, len(b.Events))
	for i, e := range b.Events {
		leaves[i] = leafInput{stream: e.Stream, sequence: e.Sequence, subject: e.Subject, data: e.Data}
	}
	root, leafHashes, err := treeRoot(leaves)
	if err != nil {
		return nil, err
	}
	readme := []byte(readmeText)
	verifier := []byte(verifierKey + "\n")
	m := manifest{
		Format: Format, Tenant: b.Tenant, CaseID: b.CaseID, Title: b.Title, CreatedAt: b.CreatedAt.UTC(),
		Tree:   manifestTree{Size: int64(len(b.Events)), Root: root.String()},
		Readme: sha256Hex(readme), Verifier: sha256Hex(verifier),
		Events: make([]manifestEvent, len(b.Events)), Documents: make([]manifestDoc, len(b.Documents)),
	}
	for i, e := range b.Events {
		m.Events[i] = manifestEvent{
			Index: i, File: eventFile(i), Stream: e.Stream, Sequence: e.Sequence, Subject: e.Subject,
			EventID: e.EventID, EventType: e.EventType, OccurredAt: e.OccurredAt.UTC(),
			SHA256: sha256Hex(e.Data), LeafHash: leafHashes[i].String(),
		}
	}
	for i, d := range b.Documents {
		m.Documents[i] = manifestDoc{File: dirDocuments + d.Name, MediaType: d.MediaType, SHA256: sha256Hex(d.Data)}
	}
	mjson, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("evidence: manifest: %w", err)
	}
	mjson = append(mjson, '\n')
	cp := checkpoint{Tenant: b.Tenant, CaseID: b.CaseID, Size: int64(len(b.Events)), Root: root, Manifest: sha256Hex(mjson)}
	signed, err := note.Sign(&note.Note{Text: cp.text()}, signer)
	if err != nil {
		return nil, fmt.Errorf("evidence: sign checkpoint: %w", err)
	}
	out := memberList{
		{fileReadme, readme},
		{fileCheckpoint, signed},
		{fileManifest, mjson},
		{fileVerifier, verifier},
	}
	for _, d := range b.Documents {
		out = append(out, member{dirDocuments + d.Name, d.Data})
	}
	for i, e := range b.Events {
		out = append(out, member{eventFile(i), e.Data})
	}
	return out, nil
}

// archive writes the members as a ZIP with stored entries and fixed
// timestamps: the same members always give the same bytes, which is what
// lets Verify detect a change to the container itself.
func (ms memberList) archive(created time.Time) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range ms {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: m.name, Method: zip.Store, Modified: created.UTC().Truncate(time.Second)})
		if err != nil {
			panic(err) // writing to memory cannot fail; names are validated
		}
		if _, err := fw.Write(m.data); err != nil {
			panic(err)
		}
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func eventFile(i int) string { return fmt.Sprintf("%s%06d.evt", dirEvents, i) }

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// checkEventMeta refuses a stream or subject that could be confused in the
// leaf encoding (which separates fields by newlines).
func checkEventMeta(stream, subject string) error {
	if stream == "" || strings.ContainsAny(stream, " \t\r\n.*>") || !utf8.ValidString(stream) {
		return errors.New("stream must be a non-empty NATS stream name")
	}
	if subject == "" || strings.ContainsAny(subject, " \t\r\n") || !utf8.ValidString(subject) {
		return errors.New("subject must be a non-empty NATS subject")
	}
	return nil
}

func validName(s string) bool {
	if s == "" || len(s) > 128 || !utf8.ValidString(s) {
		return false
	}
	return !strings.ContainsAny(s, " \t\r\n+/")
}

func validDocName(s string) bool {
	if s == "" || len(s) > 100 || s[0] == '.' {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_'
		if !ok {
			return false
		}
	}
	return true
}

const readmeText = `Holdfast evidence bundle
========================

This archive holds the events behind one case exactly as Holdfast's event
log stored them (events/*.evt, each the stored message bytes), a manifest
describing each event (manifest.json: stream, sequence, subject, SHA-256),
a Merkle tree over them (RFC 6962 style) whose root is in checkpoint.txt,
signed with the tenant's Ed25519 key (a signed note), the public key that
signed it (verifier-key.txt) and human-readable reports (documents/).

To verify, offline:

    holdfast evidence verify BUNDLE.zip --key "<the tenant's published key>"

Any changed, dropped, reordered or added byte makes verification fail and
says what. Compare verifier-key.txt with the key the company publishes for
this tenant: a bundle signed by another key proves nothing.

本压缩包包含案件所依据的原始事件（与 Holdfast 事件日志中存储的字节完全一致）、
事件清单、基于事件的默克尔树及以租户 Ed25519 密钥签名的检查点，以及可读报告。
使用 "holdfast evidence verify" 离线校验：任何字节被修改、删除、调换或添加都会导致校验失败并指出问题所在。
`
