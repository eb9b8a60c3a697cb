package evidence

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Report is what a bundle that verifies proves.
type Report struct {
	Tenant    string
	CaseID    string
	Title     string
	CreatedAt time.Time
	Root      string
	Events    []EventSummary
	Documents []string
	// VerifierKey is the key that verified the checkpoint.
	VerifierKey string
	// KeyTrusted is true when that key was given by the caller (the
	// tenant's published key), false when it came from the bundle itself:
	// then the bundle is intact but who signed it is not established.
	KeyTrusted bool
}

// EventSummary describes one verified event.
type EventSummary struct {
	Index      int
	Stream     string
	Sequence   uint64
	Subject    string
	EventID    string
	EventType  string
	OccurredAt time.Time
	SHA256     string
	// Data is the event's stored bytes.
	Data []byte
}

// Failure is a bundle that does not verify; Problems says what, one finding
// per line, most fundamental first.
type Failure struct{ Problems []string }

func (f *Failure) Error() string {
	return "evidence bundle does not verify:\n  - " + strings.Join(f.Problems, "\n  - ")
}

// ErrNotVerified is what every *Failure matches with errors.Is.
var ErrNotVerified = errors.New("evidence bundle does not verify")

// Is makes errors.Is(err, ErrNotVerified) true for a Failure.
func (f *Failure) Is(target error) bool { return target == ErrNotVerified }

// Verify checks a bundle offline. trustedKeys are verifier keys the caller
// trusts (the tenant's published key); with none, the key shipped in the
// bundle is used and Report.KeyTrusted is false.
func Verify(bundle []byte, trustedKeys ...string) (Report, error) {
	v := verification{bundle: bundle}
	rep := v.run(trustedKeys)
	if len(v.problems) > 0 {
		return Report{}, &Failure{Problems: v.problems}
	}
	return rep, nil
}

type verification struct {
	bundle   []byte
	problems []string
	members  map[string][]byte
	order    []string
}

func (v *verification) fail(format string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
}

func (v *verification) run(trustedKeys []string) Report {
	if len(v.bundle) > MaxBundleBytes {
		v.fail("the bundle is %d bytes, more than the %d a bundle may have", len(v.bundle), MaxBundleBytes)
		return Report{}
	}
	if !v.readArchive() {
		return Report{}
	}
	for _, name := range []string{fileCheckpoint, fileManifest, fileVerifier, fileReadme} {
		if _, ok := v.members[name]; !ok {
			v.fail("%s is missing from the bundle", name)
		}
	}
	if len(v.problems) > 0 {
		return Report{}
	}
	embedded := strings.TrimSuffix(string(v.members[fileVerifier]), "\n")
	cp, vkey, trusted, ok := v.openCheckpoint(trustedKeys, embedded)
	if !ok {
		return Report{}
	}
	m, ok := v.readManifest(cp)
	if !ok {
		return Report{}
	}
	rep := Report{
		Tenant: m.Tenant, CaseID: m.CaseID, Title: m.Title, CreatedAt: m.CreatedAt, Root: cp.Root.String(),
		VerifierKey: vkey, KeyTrusted: trusted,
	}
	covered := map[string]bool{fileCheckpoint: true, fileManifest: true, fileVerifier: true, fileReadme: true}
	if sha256Hex(v.members[fileReadme]) != m.Readme {
		v.fail("%s changed after signing", fileReadme)
	}
	if sha256Hex(v.members[fileVerifier]) != m.Verifier {
		v.fail("%s changed after signing", fileVerifier)
	}
	rep.Events = v.checkEvents(m, cp, covered)
	for _, d := range m.Documents {
		covered[d.File] = true
		data, ok := v.members[d.File]
		switch {
		case !ok:
			v.fail("document %s was dropped", d.File)
		case sha256Hex(data) != d.SHA256:
			v.fail("document %s changed after signing", d.File)
		default:
			rep.Documents = append(rep.Documents, d.File)
		}
	}
	for _, name := range v.order {
		if !covered[name] {
			v.fail("%s was added: no signature covers it", name)
		}
	}
	if len(v.problems) == 0 {
		v.checkContainer(m)
	}
	return rep
}

// readArchive reads every member, refusing what Write never produces.
func (v *verification) readArchive() bool {
	zr, err := zip.NewReader(bytes.NewReader(v.bundle), int64(len(v.bundle)))
	if err != nil {
		v.fail("not a readable ZIP archive: %v", err)
		return false
	}
	if len(zr.File) > 4+MaxDocuments+MaxEvents {
		v.fail("the archive has %d members, more than a bundle may have", len(zr.File))
		return false
	}
	v.members = make(map[string][]byte, len(zr.File))
	for _, f := range zr.File {
		if _, dup := v.members[f.Name]; dup {
			v.fail("%s appears twice in the archive", f.Name)
			continue
		}
		if f.Method != zip.Store {
			v.fail("%s is compressed; a bundle's members are stored as is", f.Name)
			continue
		}
		limit := uint64(MaxEventBytes)
		switch {
		case f.Name == fileManifest:
			limit = maxManifestSize
		case strings.HasPrefix(f.Name, dirDocuments):
			limit = MaxDocBytes
		}
		if f.UncompressedSize64 > limit {
			v.fail("%s is %d bytes, more than %d", f.Name, f.UncompressedSize64, limit)
			continue
		}
		data, err := readMember(f, int64(limit))
		if err != nil {
			v.fail("%s cannot be read (%v): its bytes were changed", f.Name, err)
			continue
		}
		v.members[f.Name] = data
		v.order = append(v.order, f.Name)
	}
	return len(v.problems) == 0
}

func readMember(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err == nil && int64(len(data)) > limit {
		err = errors.New("larger than declared")
	}
	return data, err
}

// openCheckpoint verifies the checkpoint's signature and parses its text.
func (v *verification) openCheckpoint(trustedKeys []string, embedded string) (checkpoint, string, bool, bool) {
	keys, trusted := trustedKeys, true
	if len(keys) == 0 {
		keys, trusted = []string{embedded}, false
	}
	verifiers := make([]note.Verifier, 0, len(keys))
	for _, k := range keys {
		vf, err := note.NewVerifier(strings.TrimSpace(k))
		if err != nil {
			if trusted {
				v.fail("the key %q is not a verifier key: %v", k, err)
			} else {
				v.fail("%s does not hold a verifier key: %v", fileVerifier, err)
			}
			return checkpoint{}, "", false, false
		}
		verifiers = append(verifiers, vf)
	}
	n, err := note.Open(v.members[fileCheckpoint], note.VerifierList(verifiers...))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var unknown *note.UnknownVerifierError
		var invalid *note.InvalidSignatureError
		switch {
		case errors.As(err, &unverified) || errors.As(err, &unknown) || errors.As(err, &invalid):
			v.fail("the checkpoint is not signed by %s: it was signed with another key or changed after signing", strings.Join(keys, ", "))
		default:
			v.fail("%s was changed after signing: %v", fileCheckpoint, err)
		}
		return checkpoint{}, "", false, false
	}
	cp, err := parseCheckpoint(n.Text)
	if err != nil {
		v.fail("%v", err)
		return checkpoint{}, "", false, false
	}
	signedBy := ""
	for _, s := range n.Sigs {
		signedBy = s.Name
	}
	if signedBy != KeyName(cp.Tenant) {
		v.fail("the checkpoint of tenant %s is signed by %q, not by the tenant's key %q", cp.Tenant, signedBy, KeyName(cp.Tenant))
		return checkpoint{}, "", false, false
	}
	for _, k := range keys {
		if vf, err := note.NewVerifier(strings.TrimSpace(k)); err == nil && vf.Name() == signedBy {
			return cp, strings.TrimSpace(k), trusted, true
		}
	}
	return cp, keys[0], trusted, true
}

// readManifest parses manifest.json and checks it against the checkpoint.
// A manifest whose hash differs is still read, to say what else differs.
func (v *verification) readManifest(cp checkpoint) (manifest, bool) {
	data := v.members[fileManifest]
	if sha256Hex(data) != cp.Manifest {
		v.fail("%s changed after signing (its SHA-256 is not the one the checkpoint signs)", fileManifest)
	}
	var m manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		v.fail("%s is not a bundle manifest: %v", fileManifest, err)
		return m, false
	}
	switch {
	case m.Format != Format:
		v.fail("%s: format %q, want %q", fileManifest, m.Format, Format)
	case m.Tenant != cp.Tenant || m.CaseID != cp.CaseID:
		v.fail("%s names tenant %q case %q; the checkpoint signs tenant %q case %q", fileManifest, m.Tenant, m.CaseID, cp.Tenant, cp.CaseID)
	case m.Tree.Size != cp.Size || m.Tree.Root != cp.Root.String():
		v.fail("%s describes a tree of %d events, root %s; the checkpoint signs %d events, root %s", fileManifest, m.Tree.Size, m.Tree.Root, cp.Size, cp.Root)
	case int64(len(m.Events)) != cp.Size:
		v.fail("%s lists %d events; the checkpoint signs %d (events were dropped or added)", fileManifest, len(m.Events), cp.Size)
	case len(m.Documents) > MaxDocuments:
		v.fail("%s lists %d documents, more than %d", fileManifest, len(m.Documents), MaxDocuments)
	}
	for i, e := range m.Events {
		if e.Index != i || e.File != eventFile(i) {
			v.fail("%s: entry %d names index %d, file %q (entries were reordered or renamed)", fileManifest, i, e.Index, e.File)
			return m, false
		}
		if err := checkEventMeta(e.Stream, e.Subject); err != nil {
			v.fail("%s: event %d: %v", fileManifest, i, err)
			return m, false
		}
	}
	for i, d := range m.Documents {
		name, ok := strings.CutPrefix(d.File, dirDocuments)
		if !ok || !validDocName(name) {
			v.fail("%s: document %d has the file name %q", fileManifest, i, d.File)
			return m, false
		}
	}
	return m, len(v.problems) == 0 || int64(len(m.Events)) == cp.Size
}

// checkEvents compares every event's bytes with the manifest and the tree
// with the checkpoint's root.
func (v *verification) checkEvents(m manifest, cp checkpoint, covered map[string]bool) []EventSummary {
	bySum := map[string]int{}
	for i, e := range m.Events {
		bySum[e.SHA256] = i
	}
	out := make([]EventSummary, 0, len(m.Events))
	leaves := make([]leafInput, 0, len(m.Events))
	intact := true
	for i, e := range m.Events {
		covered[e.File] = true
		where := fmt.Sprintf("event %d (%s #%d)", i, e.Stream, e.Sequence)
		data, ok := v.members[e.File]
		if !ok {
			v.fail("%s was dropped: %s is missing", where, e.File)
			intact = false
			continue
		}
		sum := sha256Hex(data)
		if sum != e.SHA256 {
			if j, moved := bySum[sum]; moved && j != i {
				v.fail("%s holds the bytes signed as event %d: the events were reordered", where, j)
			} else {
				v.fail("%s changed after signing: its bytes hash to %s, the signed hash is %s", where, sum, e.SHA256)
			}
			intact = false
		}
		leaves = append(leaves, leafInput{stream: e.Stream, sequence: e.Sequence, subject: e.Subject, data: data})
		out = append(out, EventSummary{
			Index: i, Stream: e.Stream, Sequence: e.Sequence, Subject: e.Subject, EventID: e.EventID,
			EventType: e.EventType, OccurredAt: e.OccurredAt, SHA256: sum, Data: data,
		})
	}
	if !intact || int64(len(leaves)) != cp.Size {
		return out
	}
	root, _, err := treeRoot(leaves)
	if err != nil || root != cp.Root {
		v.fail("the events (with their streams, sequences and subjects) do not hash to the signed root %s", cp.Root)
	}
	return out
}

// checkContainer rebuilds the archive from its verified members and
// compares bytes, so even a change to ZIP metadata (a timestamp, a comment,
// member order) is found.
func (v *verification) checkContainer(m manifest) {
	ms := memberList{
		{fileReadme, v.members[fileReadme]},
		{fileCheckpoint, v.members[fileCheckpoint]},
		{fileManifest, v.members[fileManifest]},
		{fileVerifier, v.members[fileVerifier]},
	}
	for _, d := range m.Documents {
		ms = append(ms, member{d.File, v.members[d.File]})
	}
	for _, e := range m.Events {
		ms = append(ms, member{e.File, v.members[e.File]})
	}
	want := ms.archive(m.CreatedAt)
	if bytes.Equal(want, v.bundle) {
		return
	}
	at := 0
	for at < len(want) && at < len(v.bundle) && want[at] == v.bundle[at] {
		at++
	}
	v.fail("the archive's own bytes differ from the signed bundle's from byte %d on (ZIP metadata, member order or trailing data changed); the signed contents themselves are intact", at)
}
