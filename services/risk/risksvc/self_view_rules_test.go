package risksvc_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// TestSensitiveHitsWhateverTheRules: an employee's self-view lists the
// phrases in their records even when no rule acted on them — the
// sensitive_words rule disabled for the tenant, or suppressed for the
// employee — so the list tells nobody whether they are being looked at.
// No alert exists; nobody else sees the hits; a deleted interaction keeps
// them; and after a restart a wait on a position read before it needs no
// new record (the PostgreSQL view saves its progress).
func TestSensitiveHitsWhateverTheRules(t *testing.T) {
	t.Parallel()
	inEachStore(t, testSensitiveHitsWhateverTheRules)
}

func testSensitiveHitsWhateverTheRules(t *testing.T, pool *pgxpool.Pool) {
	env := newEnv(t)
	stack := env.start(t, stackOptions{riskPool: pool})

	// Tenant "off" disables the rule; in tenant "quiet", hr suppresses it
	// for one salesperson only.
	off, err := env.riskAs(t, stack, principal("off", "admin-1", auth.RoleAdmin)).DisableRule(t.Context(), &riskv1.DisableRuleRequest{
		RequestId: "off-1", RuleId: "sensitive_words", Reason: "lexicon under review",
	})
	if err != nil {
		t.Fatalf("disable sensitive_words: %v", err)
	}
	quietHR := env.riskAs(t, stack, principal("quiet", "hr-1", auth.RoleHR))
	hush, err := quietHR.SuppressRule(t.Context(), &riskv1.SuppressRuleRequest{
		RequestId: "hush-1", RuleId: "sensitive_words", EmployeeId: "s-quiet", Until: timestamppb.New(time.Now().Add(24 * time.Hour)),
		Reason: "investigating quietly",
	})
	if err != nil {
		t.Fatalf("suppress sensitive_words: %v", err)
	}
	offHR := env.riskAs(t, stack, principal("off", "hr-1", auth.RoleHR))
	// The engine has applied both before the chats are logged.
	getRule(t, offHR, "sensitive_words", off.GetSequence())
	getRule(t, quietHR, "sensitive_words", hush.GetSequence())

	type writer struct{ tenant, employee string }
	writers := []writer{{"off", "s-off"}, {"quiet", "s-quiet"}}
	chats := map[writer]*clientv1.LogInteractionResponse{}
	var last uint64
	for _, w := range writers {
		cc := env.clientAs(t, stack, principal(w.tenant, w.employee, auth.RoleSales))
		resp, err := cc.LogInteraction(t.Context(), &clientv1.LogInteractionRequest{
			RequestId: "chat-1", CustomerId: registerCustomer(t, cc, "reg-1"), Kind: clientv1.InteractionKind_INTERACTION_KIND_CHAT,
			Direction: clientv1.Direction_DIRECTION_OUTBOUND, Text: privateDeal,
		})
		if err != nil {
			t.Fatalf("log %s's chat: %v", w.employee, err)
		}
		chats[w], last = resp, resp.GetSequence()
	}
	consistent := []*riskv1.StreamPosition{{Stream: eventlog.StreamClient, Sequence: last}}
	hitsOf := func(t *testing.T, st *runningStack, tenant, employee string) []*riskv1.SensitiveHit {
		t.Helper()
		rc := env.riskAs(t, st, principal(tenant, employee, auth.RoleSales))
		resp, err := rc.ListMySensitiveHits(t.Context(), &riskv1.ListMySensitiveHitsRequest{ConsistentWith: consistent})
		if err != nil {
			t.Fatalf("ListMySensitiveHits as %s/%s: %v", tenant, employee, err)
		}
		return resp.GetHits()
	}
	// wantHits is privateDeal's ("加我私人微信，这单我们走私单") two
	// phrases, in the employee's own words, in the text's order.
	wantHits := func(t *testing.T, got []*riskv1.SensitiveHit) {
		t.Helper()
		eventID := ""
		if len(got) > 0 {
			eventID = got[0].GetEventId()
		}
		want := []*riskv1.SensitiveHit{
			{EventId: eventID, Phrase: "加我私人微信", MatchedText: "加我私人微信"},
			{EventId: eventID, Phrase: "私单", MatchedText: "私单"},
		}
		if diff := cmp.Diff(want, got, protocmp.Transform(), protocmp.IgnoreFields(&riskv1.SensitiveHit{}, "occurred_at")); diff != "" {
			t.Errorf("hits mismatch (-want, +got):\n%s", diff)
		}
		for _, h := range got {
			if h.GetEventId() == "" || h.GetOccurredAt() == nil {
				t.Errorf("hit %v lacks its event id or time", h)
			}
		}
	}

	for _, w := range writers {
		t.Run(w.tenant+": the writer reads their hits, no alert exists, nobody else sees them", func(t *testing.T) {
			wantHits(t, hitsOf(t, stack, w.tenant, w.employee))
			hrc := env.riskAs(t, stack, principal(w.tenant, "hr-1", auth.RoleHR))
			if alerts := alertsAfter(t, hrc, last); len(alerts) != 0 {
				t.Errorf("alerts in tenant %s: %v; the rule raised none", w.tenant, alerts)
			}
			for _, other := range []writer{{w.tenant, "s-colleague"}, {w.tenant, "hr-1"}, {"elsewhere", w.employee}} {
				if got := hitsOf(t, stack, other.tenant, other.employee); len(got) != 0 {
					t.Errorf("%s/%s reads hits %v", other.tenant, other.employee, got)
				}
			}
		})
	}

	// A restart: the PostgreSQL view resumes from its saved progress, past
	// the last chat, so nothing new is read to reach that position; or,
	// found with another lexicon, it is filled again from the start.
	stack.stop()
	if pool != nil {
		// Meanwhile the view is made to look as if an older lexicon had
		// filled it, with a phrase the current one does not have: the
		// restart finds it with other phrases and fills it again.
		w := writers[0]
		for _, q := range []string{
			`INSERT INTO risk.sensitive_hits (tenant, event_id, idx, employee_id, stream, sequence, occurred_at, occurred_ns,
				phrase, start_byte, end_byte, matched_text, quoted)
				VALUES ('` + w.tenant + `', 'stale-evt', 0, '` + w.employee + `', 'CLIENT', 1, now(), 0, '旧词', 0, 6, '旧词', false)`,
			`UPDATE risk.sensitive_hit_lexicon SET fingerprint = 'an-older-lexicon'`,
		} {
			if _, err := pool.Exec(t.Context(), q); err != nil {
				t.Fatal(err)
			}
		}
	}
	stack = env.start(t, stackOptions{riskPool: pool})
	t.Run("after a restart, the positions read before it are read", func(t *testing.T) {
		for _, w := range writers {
			wantHits(t, hitsOf(t, stack, w.tenant, w.employee))
		}
	})

	t.Run("a deleted interaction keeps its hits", func(t *testing.T) {
		w := writers[0]
		cc := env.clientAs(t, stack, principal(w.tenant, w.employee, auth.RoleSales))
		del, err := cc.DeleteInteraction(t.Context(), &clientv1.DeleteInteractionRequest{
			RequestId: "del-1", InteractionId: chats[w].GetInteractionId(), Reason: "typo",
		})
		if err != nil {
			t.Fatalf("delete interaction: %v", err)
		}
		consistent = []*riskv1.StreamPosition{{Stream: eventlog.StreamClient, Sequence: del.GetSequence()}}
		wantHits(t, hitsOf(t, stack, w.tenant, w.employee))
	})
}
