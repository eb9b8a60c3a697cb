package consolesvc

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/timestamppb"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// The quota sentences read as plain language in both languages, with the
// reset in the tenant's own time, and say so when a role may not reveal.
func TestQuotaSentences(t *testing.T) {
	resets := timestamppb.New(time.Date(2026, 3, 10, 16, 0, 0, 0, time.UTC)) // midnight in Shanghai
	used := &clientv1.GetMyQuotasResponse{
		Day: "2026-03-10", TimeZone: "Asia/Shanghai", ResetsAt: resets,
		RevealsUsed: 12, RevealQuota: 30, RevealsRefused: 2, ClaimsUsed: 1, ClaimQuota: 5,
	}
	none := &clientv1.GetMyQuotasResponse{Day: "2026-03-10", TimeZone: "Asia/Shanghai", ResetsAt: resets, ClaimQuota: 5}
	tests := []struct {
		name string
		lang string
		q    *clientv1.GetMyQuotasResponse
		want []string
	}{
		{"en, used", langEN, used, []string{
			"You have revealed 12 of the 30 customer contacts you are allowed to see today.",
			"2 request(s) to reveal a contact were refused today because the limit was reached.",
			"You have taken 1 of the 5 customers you may claim from the shared pool today.",
			"The counts start again at 2026-03-11 00:00 (Asia/Shanghai).",
		}},
		{"zh, used", langZH, used, []string{
			"今天您已查看 12 个客户联系方式，每日上限 30 个。",
			"今天有 2 次查看请求因已达上限被拒绝。",
			"今天您已从公海领取 1 个客户，每日上限 5 个。",
			"计数将于 2026-03-11 00:00（Asia/Shanghai）重新开始。",
		}},
		{"en, no reveal quota", langEN, none, []string{
			"Your role is not allowed to reveal customer contacts.",
			"You have taken 0 of the 5 customers you may claim from the shared pool today.",
			"The counts start again at 2026-03-11 00:00 (Asia/Shanghai).",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := quotaSentences(tc.lang, tc.q)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("quota sentences mismatch (-want, +got):\n%s", diff)
			}
			for _, s := range got {
				if strings.Contains(s, "%!") {
					t.Errorf("badly formatted sentence %q", s)
				}
			}
		})
	}
}
