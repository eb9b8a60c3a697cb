package cli

import (
	"bytes"
	"errors"
	"io"
	"testing"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	commissionv1 "github.com/holdfast/holdfast/proto/holdfast/commission/v1"
)

func TestParseChannelRate(t *testing.T) {
	t.Parallel()
	good, err := parseChannelRate("trade_show=450")
	if err != nil || good.GetSource() != clientv1.SourceChannel_SOURCE_CHANNEL_TRADE_SHOW || good.GetRateBp() != 450 {
		t.Errorf("trade_show=450: %v, %v", good, err)
	}
	for _, bad := range []string{"", "trade_show", "=450", "unspecified=1", "nowhere=5", "website=5.5", "website=99999999999"} {
		if _, err := parseChannelRate(bad); !errors.Is(err, ErrUsage) {
			t.Errorf("%q: err = %v, want ErrUsage", bad, err)
		}
	}
}

// FuzzParseChannelRate: any --channel text is either a usage error or a
// specified channel with the rate written.
func FuzzParseChannelRate(f *testing.F) {
	for _, s := range []string{"trade_show=450", "personal=800", "website=-1", "=", "website==1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cr, err := parseChannelRate(s)
		if err != nil {
			if !errors.Is(err, ErrUsage) {
				t.Fatalf("%q: err = %v, want ErrUsage", s, err)
			}
			return
		}
		if cr.GetSource() == clientv1.SourceChannel_SOURCE_CHANNEL_UNSPECIFIED {
			t.Fatalf("%q: accepted the unspecified channel", s)
		}
	})
}

func TestCommissionUsageErrors(t *testing.T) {
	t.Parallel()
	env := Env{Stdout: io.Discard, Stderr: io.Discard, Lookup: func(string) (string, bool) { return "", false }}
	tests := []struct {
		name string
		sub  string
		args []string
	}{
		{"unknown subcommand", "pay", nil},
		{"payouts without a period", "payouts", []string{"--as", "hr1"}},
		{"payouts without to", "payouts", []string{"--as", "hr1", "--from", "2026-03-01"}},
		{"payouts with an unknown flag", "payouts", []string{"--as", "hr1", "--month", "3"}},
		{"statement with a bad risk sequence", "statement", []string{"--as", "e1", "--min-risk-sequence", "-1"}},
	}
	for _, tt := range tests {
		if err := Commission(t.Context(), env, tt.sub, tt.args); !errors.Is(err, ErrUsage) {
			t.Errorf("%s: err = %v, want a usage error", tt.name, err)
		}
	}
}

func TestWritePayoutCSV(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := writePayoutCSV(Env{Stdout: &out}, []*commissionv1.PayoutLine{
		{EmployeeId: "e1", Currency: "CNY", AccruedMinor: 100000, ClawedBackMinor: 25000, PayableMinor: 75000, OrderIds: []string{"o1", "o2"}},
		{EmployeeId: "e,2", Currency: "JPY", ClawedBackMinor: 300, PayableMinor: -300, HeldMinor: 5},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "employee_id,currency,accrued,clawed_back,payable,held,payable_minor,order_ids\n" +
		"e1,CNY,1000.00,250.00,750.00,0.00,75000,o1;o2\n" +
		"\"e,2\",JPY,0,300,-300,5,-300,\n"
	if got := out.String(); got != want {
		t.Errorf("CSV:\n%s\nwant\n%s", got, want)
	}
}
