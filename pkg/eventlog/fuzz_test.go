package eventlog

import (
	"strconv"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

func TestParseSourceHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header string
		want   SourcePosition
		ok     bool
	}{
		{"full form", "CLIENT 42 > > client.acme.customer.c1", SourcePosition{"CLIENT", 42}, true},
		{"external with hash", "ORDER:a1b2c3 7 > > order.acme.order.o1", SourcePosition{"ORDER", 7}, true},
		{"short form", "TICK 1", SourcePosition{"TICK", 1}, true},
		{"empty", "", SourcePosition{}, false},
		{"no sequence", "CLIENT", SourcePosition{}, false},
		{"bad sequence", "CLIENT x1", SourcePosition{}, false},
		{"negative", "CLIENT -3", SourcePosition{}, false},
		{"empty name", ":hash 3", SourcePosition{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := parseSourceHeader(tt.header)
			if ok != tt.ok || got != tt.want {
				t.Errorf("parseSourceHeader(%q) = %+v, %v; want %+v, %v", tt.header, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func FuzzParseSourceHeader(f *testing.F) {
	f.Add("CLIENT 42 > > client.acme.customer.c1")
	f.Add("ORDER:abc 7")
	f.Add("")
	f.Add("\u2003CLIENT\t\t9\u00a0x")
	f.Fuzz(func(t *testing.T, h string) {
		got, ok := parseSourceHeader(h)
		// It splits fields exactly as strings.Fields does.
		var want SourcePosition
		wantOK := false
		if fields := strings.Fields(h); len(fields) >= 2 {
			name, _, _ := strings.Cut(fields[0], ":")
			seq, err := strconv.ParseUint(fields[1], 10, 64)
			want, wantOK = SourcePosition{Stream: name, Sequence: seq}, err == nil && name != ""
			if !wantOK {
				want = SourcePosition{}
			}
		}
		if got != want || ok != wantOK {
			t.Errorf("parseSourceHeader(%q) = %+v, %v; strings.Fields gives %+v, %v", h, got, ok, want, wantOK)
		}
		if !ok {
			return
		}
		if got.Stream == "" || strings.ContainsAny(got.Stream, " :") {
			t.Errorf("parseSourceHeader(%q) stream = %q", h, got.Stream)
		}
		if !strings.Contains(h, strconv.FormatUint(got.Sequence, 10)) {
			t.Errorf("parseSourceHeader(%q) sequence %d not in header", h, got.Sequence)
		}
	})
}

func FuzzParseSubject(f *testing.F) {
	f.Add("client.acme.customer.c1")
	f.Add("client.acme.customer")
	f.Add("order.ac me.order.o1")
	f.Fuzz(func(t *testing.T, subject string) {
		ref, err := ParseSubject(subject)
		if err != nil {
			return
		}
		if ref.Subject() != subject {
			t.Errorf("ParseSubject(%q).Subject() = %q", subject, ref.Subject())
		}
		if ref.Validate() != nil {
			t.Errorf("ParseSubject(%q) accepted an invalid reference", subject)
		}
	})
}

// FuzzUnmarshal: stored bytes are outside input to every reader. Decoding
// must never panic, and what decodes must re-encode to a decodable envelope
// with the same identity.
func FuzzUnmarshal(f *testing.F) {
	l := New(nil)
	env, err := l.envelope(AppendRequest{
		Ref:       AggregateRef{Context: "client", Tenant: "acme", Type: "customer", ID: "c1"},
		RequestID: "r1",
		Payload:   &clientv1.InteractionLogged{Text: "加我私人微信"},
	})
	if err != nil {
		f.Fatal(err)
	}
	good, err := Marshal(env)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte("not an envelope"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := Unmarshal(data)
		if err != nil {
			return
		}
		again, err := Marshal(env)
		if err != nil {
			t.Fatalf("re-marshal: %v", err)
		}
		back, err := Unmarshal(again)
		if err != nil {
			t.Fatalf("re-unmarshal: %v", err)
		}
		if !proto.Equal(env, back) {
			t.Error("envelope changed across a marshal round trip")
		}
		_, _ = Payload(env) // must not panic on any payload
	})
}
