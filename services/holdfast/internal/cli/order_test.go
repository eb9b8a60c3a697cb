package cli

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
)

func TestParseLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, currency string
		want         *orderv1.LineItem
	}{
		{"液压泵 HP-200:2:12500.00", "CNY", &orderv1.LineItem{Product: "液压泵 HP-200", Quantity: 2, UnitPriceMinor: 1_250_000}},
		{"Adapter 1:2 ratio:10:1,000.5", "CNY", &orderv1.LineItem{Product: "Adapter 1:2 ratio", Quantity: 10, UnitPriceMinor: 100_050}},
		{"ボルト:3:150", "JPY", &orderv1.LineItem{Product: "ボルト", Quantity: 3, UnitPriceMinor: 150}},
	}
	for _, tt := range tests {
		got, err := parseLine(tt.in, tt.currency)
		if err != nil {
			t.Errorf("parseLine(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, protocmp.Transform()); diff != "" {
			t.Errorf("parseLine(%q) mismatch (-want, +got):\n%s", tt.in, diff)
		}
	}
	for _, bad := range []string{"pump", "pump:2", ":2:1.00", "pump:0:1.00", "pump:two:1.00", "pump:2:1.001", "pump:2:-1"} {
		if _, err := parseLine(bad, "CNY"); !errors.Is(err, ErrUsage) {
			t.Errorf("parseLine(%q) = %v, want a usage error", bad, err)
		}
	}
}

func TestParseTime(t *testing.T) {
	t.Parallel()
	got, err := parseTime("from", "2026-03-01")
	if err != nil || !got.AsTime().Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("parseTime(date) = %v, %v", got, err)
	}
	got, err = parseTime("at", "2026-03-01T09:30:00+08:00")
	if err != nil || !got.AsTime().Equal(time.Date(2026, 3, 1, 1, 30, 0, 0, time.UTC)) {
		t.Errorf("parseTime(RFC 3339) = %v, %v", got, err)
	}
	if got, err := parseTime("at", ""); got != nil || err != nil {
		t.Errorf("parseTime(empty) = %v, %v; want nil, nil", got, err)
	}
	if _, err := parseTime("at", "yesterday"); !errors.Is(err, ErrUsage) {
		t.Errorf("parseTime(yesterday) = %v, want a usage error", err)
	}
}

// TestOrderUsageErrors: every malformed command line is refused before
// anything is dialled.
func TestOrderUsageErrors(t *testing.T) {
	t.Parallel()
	env := Env{Stdout: io.Discard, Stderr: io.Discard, Lookup: func(string) (string, bool) { return "", false }}
	tests := []struct {
		name     string
		cmd, sub string
		args     []string
	}{
		{"unknown subcommand", "order", "frobnicate", nil},
		{"unknown account subcommand", "account", "delete", nil},
		{"create without source", "order", "create", []string{"--as", "e1", "--customer", "c1", "--line", "x:1:1"}},
		{"create without lines", "order", "create", []string{"--as", "e1", "--customer", "c1", "--source", "website"}},
		{"create with a bad line", "order", "create", []string{"--as", "e1", "--customer", "c1", "--source", "website", "--line", "x"}},
		{"step without order", "order", "submit", []string{"--as", "e1"}},
		{"refund without amount", "order", "refund", []string{"--as", "a1", "--order", "o1"}},
		{"won at a bad time", "order", "won", []string{"--as", "e1", "--order", "o1", "--at", "soon"}},
		{"pay with a float-ish amount", "order", "pay", []string{"--as", "f", "--order", "o1", "--amount", "1e3"}},
		{"list with a bad status", "order", "list", []string{"--as", "h", "--status", "paid"}},
		{"get without order", "order", "get", []string{"--as", "h"}},
		{"funnel without period", "order", "funnel", []string{"--as", "h"}},
		{"payer with a bad relation", "account", "add-payer", []string{"--as", "a", "--account", "1234", "--customer", "c1", "--relation", "cousin"}},
		{"account without number", "account", "add-company", []string{"--as", "a"}},
	}
	for _, tt := range tests {
		var errOut bytes.Buffer
		env := env
		env.Stderr = &errOut
		if err := Order(t.Context(), env, tt.cmd, tt.sub, tt.args); !errors.Is(err, ErrUsage) {
			t.Errorf("%s: err = %v, want a usage error", tt.name, err)
		}
	}
}

func FuzzParseLine(f *testing.F) {
	for _, s := range []string{"液压泵 HP-200:2:12500.00", "a:b:c", "::", "x:1:1,000.5", ":1:1", "x:9223372036854775807:1"} {
		f.Add(s, "CNY")
	}
	f.Fuzz(func(t *testing.T, s, currency string) {
		item, err := parseLine(s, currency)
		if err != nil {
			if !errors.Is(err, ErrUsage) {
				t.Fatalf("parseLine(%q) error %v is not a usage error", s, err)
			}
			return
		}
		if item.GetProduct() == "" || item.GetQuantity() <= 0 || item.GetUnitPriceMinor() < 0 {
			t.Fatalf("parseLine(%q) = %v", s, item)
		}
	})
}
