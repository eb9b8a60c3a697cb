package grpcapi

import (
	"testing"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// FuzzDecodeToken feeds page tokens from outside: decoding never panics,
// never yields sequence 0 (the first page), refuses an alert list's token
// for a case list, and every issued token decodes back to its sequence.
func FuzzDecodeToken(f *testing.F) {
	f.Add(encodeToken(alertPages, 42), uint64(42))
	f.Add(encodeToken(casePages, 7), uint64(7))
	f.Add("", uint64(1))
	f.Add("YTE6", uint64(1))
	f.Add("!!", uint64(1<<63))
	f.Fuzz(func(t *testing.T, tok string, seq uint64) {
		if n, err := decodeToken(alertPages, tok); err == nil && tok != "" {
			// Non-canonical spellings ("a1:007", spare base64 bits) may
			// decode too; they name the same page. Zero never does.
			if n == 0 {
				t.Errorf("decodeToken(%q) = 0 without an error", tok)
			}
			if _, err := decodeToken(casePages, tok); err == nil {
				t.Errorf("an alert page token %q passes as a case page token", tok)
			}
		}
		if seq == 0 {
			return
		}
		got, err := decodeToken(casePages, encodeToken(casePages, seq))
		if err != nil || got != seq {
			t.Errorf("round trip of %d = %d, %v", seq, got, err)
		}
	})
}

// FuzzDecodeSeverityToken: a highest-risk-first token decodes to a
// severity of low to high and a sequence above 0, or is refused; a
// newest-first token is refused; every issued token round-trips.
func FuzzDecodeSeverityToken(f *testing.F) {
	f.Add(encodeSeverityToken(42, domain.SeverityHigh), uint64(42), 3)
	f.Add(encodeToken(alertPages, 7), uint64(7), 1)
	f.Add("", uint64(1), 2)
	f.Add("czE6OTo1", uint64(1<<63), 9)
	f.Fuzz(func(t *testing.T, tok string, seq uint64, sev int) {
		if n, s, err := decodeSeverityToken(tok); err == nil && tok != "" {
			if n == 0 || s < domain.SeverityLow || s > domain.SeverityHigh {
				t.Errorf("decodeSeverityToken(%q) = %d, %v without an error", tok, n, s)
			}
		}
		if _, _, err := decodeSeverityToken(encodeToken(alertPages, max(seq, 1))); err == nil {
			t.Error("a newest-first token passes as a highest-risk-first one")
		}
		if seq == 0 || sev < int(domain.SeverityLow) || sev > int(domain.SeverityHigh) {
			return
		}
		gotSeq, gotSev, err := decodeSeverityToken(encodeSeverityToken(seq, domain.Severity(sev)))
		if err != nil || gotSeq != seq || gotSev != domain.Severity(sev) {
			t.Errorf("round trip of (%d, %d) = (%d, %v), %v", seq, sev, gotSeq, gotSev, err)
		}
	})
}
