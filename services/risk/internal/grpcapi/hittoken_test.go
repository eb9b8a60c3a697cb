package grpcapi

import (
	"testing"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/services/risk/internal/store"
)

// FuzzDecodeHitToken feeds sensitive-hit page tokens from outside:
// decoding never panics, never accepts another list's token, yields only
// positive sequences, valid stream names and small non-negative indexes,
// and every issued token decodes back to its cursor.
func FuzzDecodeHitToken(f *testing.F) {
	f.Add(encodeHitToken(store.HitCursor{Sequence: 42, Stream: "CLIENT", Index: 1}), uint64(42), "CLIENT", 1)
	f.Add(encodeToken(alertPages, 7), uint64(7), "ORDER", 0)
	f.Add("", uint64(1), "x", 0)
	f.Add("aDE6MDpDTElFTlQ6MA", uint64(0), "CLIENT", -1)
	f.Fuzz(func(t *testing.T, tok string, seq uint64, stream string, index int) {
		if c, err := decodeHitToken(tok); err == nil && c != nil {
			if c.Sequence == 0 || c.Sequence >= 1<<63 || !eventlog.ValidToken(c.Stream) || c.Index < 0 || c.Index > 1<<20 {
				t.Errorf("decodeHitToken(%q) = %+v", tok, *c)
			}
		}
		if _, err := decodeHitToken(encodeToken(alertPages, max(seq, 1))); err == nil {
			t.Error("an alert page token passes as a sensitive-hit token")
		}
		if seq == 0 || seq >= 1<<63 || !eventlog.ValidToken(stream) || index < 0 || index > 1<<20 {
			return
		}
		want := store.HitCursor{Sequence: seq, Stream: stream, Index: index}
		got, err := decodeHitToken(encodeHitToken(want))
		if err != nil || got == nil || *got != want {
			t.Errorf("round trip of %+v = %v, %v", want, got, err)
		}
	})
}
