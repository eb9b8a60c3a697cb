package eventlog

import (
	"strconv"
	"strings"
	"testing"
)

func TestParseAckReply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		reply string
		want  position
		ok    bool
	}{
		{"first form", "$JS.ACK.RISK_IN.c1.1.42.41.1700000000000000000.7", position{42, 7}, true},
		{"second form", "$JS.ACK._.8Uzd3Y.RISK_IN.c1.1.42.41.1700000000000000000.7.Xq9", position{42, 7}, true},
		{"second form, no last token", "$JS.ACK.hub.8Uzd3Y.RISK_IN.c1.2.42.41.1700000000000000000.0", position{42, 0}, true},
		{"largest numbers", "$JS.ACK.S.c.1.18446744073709551615.1.1.18446744073709551615", position{1<<64 - 1, 1<<64 - 1}, true},
		{"sequence overflows", "$JS.ACK.S.c.1.18446744073709551616.1.1.0", position{}, false},
		{"pending overflows", "$JS.ACK.S.c.1.5.1.1.99999999999999999999", position{}, false},
		{"sign", "$JS.ACK.S.c.1.+5.1.1.0", position{}, false},
		{"empty sequence", "$JS.ACK.S.c.1..1.1.0", position{}, false},
		{"letters", "$JS.ACK.S.c.1.4a.1.1.0", position{}, false},
		{"8 tokens", "$JS.ACK.S.c.1.5.1.1", position{}, false},
		{"10 tokens", "$JS.ACK.S.c.1.5.1.1.0.9", position{}, false},
		{"13 tokens", "$JS.ACK.d.h.S.c.1.5.1.1.0.t.u", position{}, false},
		{"not an ack", "$JS.NAK.S.c.1.5.1.1.0", position{}, false},
		{"inbox", "_INBOX.abc", position{}, false},
		{"empty", "", position{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := parseAckReply(tt.reply)
			if ok != tt.ok || got != tt.want {
				t.Errorf("parseAckReply(%q) = %+v, %v; want %+v, %v", tt.reply, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// FuzzParseAckReply holds parseAckReply to a plain reading of the two
// forms: split on dots, count the tokens, take the two numbers with
// strconv.
func FuzzParseAckReply(f *testing.F) {
	f.Add("$JS.ACK.RISK_IN.c1.1.42.41.1700000000000000000.7")
	f.Add("$JS.ACK._.8Uzd3Y.RISK_IN.c1.1.42.41.1700000000000000000.7.Xq9")
	f.Add("$JS.ACK.hub.8Uzd3Y.RISK_IN.c1.2.42.41.1700000000000000000.0")
	f.Add("$JS.ACK.S.c.1.18446744073709551616.1.1.0")
	f.Fuzz(func(t *testing.T, reply string) {
		got, ok := parseAckReply(reply)
		want, wantOK := plainAckReply(reply)
		if ok != wantOK || got != want {
			t.Errorf("parseAckReply(%q) = %+v, %v; the plain reading gives %+v, %v", reply, got, ok, want, wantOK)
		}
	})
}

func plainAckReply(reply string) (position, bool) {
	tokens := strings.Split(reply, ".")
	if len(tokens) < 2 || tokens[0] != "$JS" || tokens[1] != "ACK" {
		return position{}, false
	}
	var seq, pending string
	switch len(tokens) {
	case 9:
		seq, pending = tokens[5], tokens[8]
	case 11, 12:
		seq, pending = tokens[7], tokens[10]
	default:
		return position{}, false
	}
	digits := func(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }
	if !digits(seq) || !digits(pending) {
		return position{}, false
	}
	s, err1 := strconv.ParseUint(seq, 10, 64)
	p, err2 := strconv.ParseUint(pending, 10, 64)
	if err1 != nil || err2 != nil {
		return position{}, false
	}
	return position{s, p}, true
}

func BenchmarkParseAckReply(b *testing.B) {
	reply := "$JS.ACK.RISK_IN.hf_follow_7Xq2.1.104221.104220.1763951234567890123.897779"
	for b.Loop() {
		if _, ok := parseAckReply(reply); !ok {
			b.Fatal("not parsed")
		}
	}
}
