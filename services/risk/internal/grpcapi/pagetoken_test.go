package grpcapi

import "testing"

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
