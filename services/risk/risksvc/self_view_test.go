package risksvc_test

import (
	stdcmp "cmp"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/risk/internal/store"
)

// quotedOnly reports a customer's words inside quotation marks.
const quotedOnly = "客户说“他们让我打到我卡上”，我已经拒绝并提醒走公司账户"

// TestListMySensitiveHits has two salespeople write flagged chats and
// checks each reads the matches in their own interactions, with the memory
// and the PostgreSQL views. With the sensitive_words rule in force, every
// chat here raises an alert, so the hits must equal the matches HR's
// evidence holds: the view and the engine share one lexicon. (That the
// view does not depend on alerts is TestSensitiveHitsWhateverTheRules.)
func TestListMySensitiveHits(t *testing.T) {
	t.Parallel()
	inEachStore(t, testListMySensitiveHits)
}

// inEachStore runs test against the risk service with its in-memory
// views (pool nil) and with its PostgreSQL views, in parallel.
func inEachStore(t *testing.T, test func(t *testing.T, pool *pgxpool.Pool)) {
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		test(t, nil)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		test(t, testkit.NewDatabase(t, "risk", func(ctx context.Context, pool *pgxpool.Pool) error {
			return store.Migrate(ctx, pool)
		}))
	})
}

func testListMySensitiveHits(t *testing.T, pool *pgxpool.Pool) {
	env := newEnv(t)
	stack := env.start(t, stackOptions{riskPool: pool})
	const tenant = "self"
	start := time.Now().Add(-time.Minute)
	me := env.clientAs(t, stack, principal(tenant, "s-me", auth.RoleSales))
	other := env.clientAs(t, stack, principal(tenant, "s-other", auth.RoleSales))
	mine := registerCustomer(t, me, "reg-me")
	logChat(t, me, "chat-deal", mine, privateDeal)
	logChat(t, me, "chat-quoted", mine, quotedOnly)
	last := logChat(t, other, "chat-other", registerCustomer(t, other, "reg-other"), privateDeal)
	consistent := []*riskv1.StreamPosition{{Stream: eventlog.StreamClient, Sequence: last}}

	// What HR's alerts hold about an employee, as the self-view should
	// show it here (the rule judged every chat): each interaction once,
	// newest first, matches in text order.
	hrc := env.riskAs(t, stack, principal(tenant, "hr-1", auth.RoleHR))
	evidenceOf := func(employee string) []*riskv1.SensitiveHit {
		t.Helper()
		resp, err := hrc.ListAlerts(t.Context(), &riskv1.ListAlertsRequest{EmployeeId: employee, ConsistentWith: consistent})
		if err != nil {
			t.Fatalf("ListAlerts of %s: %v", employee, err)
		}
		seen := map[string]bool{}
		var evs []*riskv1.Evidence
		for _, a := range resp.GetAlerts() {
			for _, ev := range a.GetEvidence() {
				if len(ev.GetMatches()) > 0 && !seen[ev.GetEventId()] {
					seen[ev.GetEventId()] = true
					evs = append(evs, ev)
				}
			}
		}
		slices.SortFunc(evs, func(a, b *riskv1.Evidence) int { return stdcmp.Compare(b.GetSequence(), a.GetSequence()) })
		var out []*riskv1.SensitiveHit
		for _, ev := range evs {
			for _, m := range ev.GetMatches() {
				out = append(out, &riskv1.SensitiveHit{
					EventId: ev.GetEventId(), OccurredAt: ev.GetOccurredAt(), Phrase: m.GetPhrase(), MatchedText: m.GetMatchedText(), Quoted: m.GetQuoted(),
				})
			}
		}
		return out
	}
	hits := func(t *testing.T, rc riskv1.RiskServiceClient, req *riskv1.ListMySensitiveHitsRequest) *riskv1.ListMySensitiveHitsResponse {
		t.Helper()
		req.ConsistentWith = consistent
		resp, err := rc.ListMySensitiveHits(t.Context(), req)
		if err != nil {
			t.Fatalf("ListMySensitiveHits(%v): %v", req, err)
		}
		return resp
	}
	meRisk := env.riskAs(t, stack, principal(tenant, "s-me", auth.RoleSales))
	otherRisk := env.riskAs(t, stack, principal(tenant, "s-other", auth.RoleSales))
	myEvidence := evidenceOf("s-me")

	t.Run("an employee reads the hits in their own records and no one else's", func(t *testing.T) {
		got := hits(t, meRisk, &riskv1.ListMySensitiveHitsRequest{}).GetHits()
		if diff := cmp.Diff(myEvidence, got, protocmp.Transform()); diff != "" {
			t.Errorf("s-me's hits mismatch (-HR's evidence, +self-view):\n%s", diff)
		}
		var quoted, deal bool
		for _, h := range got {
			quoted = quoted || h.GetQuoted()
			deal = deal || (h.GetPhrase() == "加我私人微信" && !h.GetQuoted())
		}
		if !quoted || !deal {
			t.Errorf("s-me's hits %v: want the private-WeChat phrase unquoted and the reported speech quoted", got)
		}
		otherGot := hits(t, otherRisk, &riskv1.ListMySensitiveHitsRequest{}).GetHits()
		if diff := cmp.Diff(evidenceOf("s-other"), otherGot, protocmp.Transform()); diff != "" {
			t.Errorf("s-other's hits mismatch (-HR's evidence, +self-view):\n%s", diff)
		}
		for _, h := range otherGot {
			for _, m := range got {
				if h.GetEventId() == m.GetEventId() {
					t.Errorf("event %s shows in both employees' hits", h.GetEventId())
				}
			}
		}
		if got := hits(t, hrc, &riskv1.ListMySensitiveHitsRequest{}).GetHits(); len(got) != 0 {
			t.Errorf("hr, who wrote nothing, reads hits %v", got)
		}
	})

	t.Run("pages of one hit add up to the whole list", func(t *testing.T) {
		var got []*riskv1.SensitiveHit
		req := &riskv1.ListMySensitiveHitsRequest{PageSize: 1}
		for range len(myEvidence) + 1 {
			resp := hits(t, meRisk, req)
			got = append(got, resp.GetHits()...)
			if resp.GetNextPageToken() == "" {
				break
			}
			req = &riskv1.ListMySensitiveHitsRequest{PageSize: 1, PageToken: resp.GetNextPageToken()}
		}
		if diff := cmp.Diff(myEvidence, got, protocmp.Transform()); diff != "" {
			t.Errorf("paged hits mismatch (-want, +got):\n%s", diff)
		}
	})

	t.Run("a period keeps the hits that occurred in it", func(t *testing.T) {
		if got := hits(t, meRisk, &riskv1.ListMySensitiveHitsRequest{OccurredAfter: timestamppb.New(start)}).GetHits(); len(got) != len(myEvidence) {
			t.Errorf("%d hits since the test began, want all %d", len(got), len(myEvidence))
		}
		if got := hits(t, meRisk, &riskv1.ListMySensitiveHitsRequest{OccurredBefore: timestamppb.New(start)}).GetHits(); len(got) != 0 {
			t.Errorf("hits before the test began: %v", got)
		}
	})

	t.Run("bad values are InvalidArgument naming the fields", func(t *testing.T) {
		alertToken, err := hrc.ListAlerts(t.Context(), &riskv1.ListAlertsRequest{PageSize: 1})
		if err != nil || alertToken.GetNextPageToken() == "" {
			t.Fatalf("ListAlerts for a page token: %v, %v", alertToken, err)
		}
		now := time.Now()
		tests := []struct {
			name string
			req  *riskv1.ListMySensitiveHitsRequest
			want []string
		}{
			{"negative page size", &riskv1.ListMySensitiveHitsRequest{PageSize: -1}, []string{"page_size"}},
			{"page size over the cap", &riskv1.ListMySensitiveHitsRequest{PageSize: 501}, []string{"page_size"}},
			{"garbage token", &riskv1.ListMySensitiveHitsRequest{PageToken: "not-a-token"}, []string{"page_token"}},
			{"an alert list's token", &riskv1.ListMySensitiveHitsRequest{PageToken: alertToken.GetNextPageToken()}, []string{"page_token"}},
			{"period backwards", &riskv1.ListMySensitiveHitsRequest{
				OccurredAfter: timestamppb.New(now), OccurredBefore: timestamppb.New(now.Add(-time.Hour)),
			}, []string{"occurred_before"}},
			{"invalid timestamp", &riskv1.ListMySensitiveHitsRequest{OccurredAfter: &timestamppb.Timestamp{Seconds: 1 << 62}}, []string{"occurred_after"}},
			{"unknown stream and zero sequence", &riskv1.ListMySensitiveHitsRequest{ConsistentWith: []*riskv1.StreamPosition{
				{Stream: eventlog.StreamRisk, Sequence: 1}, {Stream: eventlog.StreamClient},
			}}, []string{"consistent_with[0]", "consistent_with[1]"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := meRisk.ListMySensitiveHits(t.Context(), tc.req)
				if diff := cmp.Diff(tc.want, violatedFields(t, err)); diff != "" {
					t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
				}
			})
		}
	})

	t.Run("no token", func(t *testing.T) {
		_, err := riskv1.NewRiskServiceClient(dial(t, stack.riskAddr)).ListMySensitiveHits(t.Context(), &riskv1.ListMySensitiveHitsRequest{})
		wantCode(t, err, codes.Unauthenticated)
	})
}
