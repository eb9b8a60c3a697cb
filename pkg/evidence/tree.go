package evidence

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// leafInput is what one leaf of the tree commits to: where the event was
// stored as well as its bytes, so moving an event to another stream or
// sequence changes the root as surely as changing its data.
type leafInput struct {
	stream   string
	sequence uint64
	subject  string
	data     []byte
}

// record is the leaf's record: "stream\nsequence\nsubject\n" then the data.
// Stream and subject never contain a newline (checkEventMeta).
func (l leafInput) record() []byte {
	head := l.stream + "\n" + strconv.FormatUint(l.sequence, 10) + "\n" + l.subject + "\n"
	out := make([]byte, 0, len(head)+len(l.data))
	return append(append(out, head...), l.data...)
}

// treeRoot returns the RFC 6962 root over the leaves, in order, and each
// leaf's hash.
func treeRoot(leaves []leafInput) (tlog.Hash, []tlog.Hash, error) {
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			if x < 0 || x >= int64(len(stored)) {
				return nil, fmt.Errorf("evidence: tree index %d out of range", x)
			}
			out[i] = stored[x]
		}
		return out, nil
	})
	hashes := make([]tlog.Hash, len(leaves))
	for i, l := range leaves {
		rec := l.record()
		hashes[i] = tlog.RecordHash(rec)
		add, err := tlog.StoredHashes(int64(i), rec, reader)
		if err != nil {
			return tlog.Hash{}, nil, fmt.Errorf("evidence: tree: %w", err)
		}
		stored = append(stored, add...)
	}
	root, err := tlog.TreeHash(int64(len(leaves)), reader)
	if err != nil {
		return tlog.Hash{}, nil, fmt.Errorf("evidence: tree: %w", err)
	}
	return root, hashes, nil
}

// checkpoint is the signed text: what a verifier needs to trust the rest.
type checkpoint struct {
	Tenant   string
	CaseID   string
	Size     int64
	Root     tlog.Hash
	Manifest string // SHA-256 hex of manifest.json
}

func (c checkpoint) text() string {
	return fmt.Sprintf("%s\ntenant %s\ncase %s\nevents %d\nroot %s\nmanifest sha256:%s\n",
		Format, c.Tenant, c.CaseID, c.Size, c.Root, c.Manifest)
}

// parseCheckpoint reads the text text() writes, and nothing else.
func parseCheckpoint(text string) (checkpoint, error) {
	lines := strings.Split(text, "\n")
	if len(lines) != 7 || lines[6] != "" {
		return checkpoint{}, errors.New("checkpoint: not six lines")
	}
	if lines[0] != Format {
		return checkpoint{}, fmt.Errorf("checkpoint: format %q, want %q", lines[0], Format)
	}
	field := func(i int, key string) (string, error) {
		v, ok := strings.CutPrefix(lines[i], key+" ")
		if !ok || v == "" {
			return "", fmt.Errorf("checkpoint: line %d is not %q", i+1, key)
		}
		return v, nil
	}
	var c checkpoint
	var err error
	if c.Tenant, err = field(1, "tenant"); err != nil {
		return c, err
	}
	if c.CaseID, err = field(2, "case"); err != nil {
		return c, err
	}
	size, err := field(3, "events")
	if err != nil {
		return c, err
	}
	if c.Size, err = strconv.ParseInt(size, 10, 64); err != nil || c.Size < 1 || c.Size > MaxEvents || strconv.FormatInt(c.Size, 10) != size {
		return c, fmt.Errorf("checkpoint: events %q is not a count from 1 to %d", size, MaxEvents)
	}
	root, err := field(4, "root")
	if err != nil {
		return c, err
	}
	if c.Root, err = parseHash(root); err != nil {
		return c, fmt.Errorf("checkpoint: root: %w", err)
	}
	m, err := field(5, "manifest")
	if err != nil {
		return c, err
	}
	hexSum, ok := strings.CutPrefix(m, "sha256:")
	if !ok || len(hexSum) != 64 || strings.ToLower(hexSum) != hexSum {
		return c, errors.New("checkpoint: manifest is not sha256:<64 lowercase hex digits>")
	}
	c.Manifest = hexSum
	if c.text() != text {
		return c, errors.New("checkpoint: not in canonical form")
	}
	return c, nil
}

func parseHash(s string) (tlog.Hash, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		return tlog.Hash{}, fmt.Errorf("%q is not a base64 SHA-256 hash", s)
	}
	var h tlog.Hash
	copy(h[:], b)
	return h, nil
}
