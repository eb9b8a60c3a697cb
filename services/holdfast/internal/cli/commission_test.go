package cli

import (
	"errors"
	"testing"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
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
