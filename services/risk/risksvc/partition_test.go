package risksvc_test

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/risk/internal/app"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
)

// TestTwoPartitionsDecideWhatOneEngineDecides writes a history for three
// tenants while the risk service is down, then runs it as two partitions
// at once — one judging acme and initech, the other globex — each
// following RISK_IN through a consumer filtered to its tenants. RISK must
// then hold, byte for byte and each once, exactly what one engine replaying
// all of RISK_IN decides; and each partition serves only its own tenants,
// alerts and sensitive hits alike.
func TestTwoPartitionsDecideWhatOneEngineDecides(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	clientOnly := env.start(t, stackOptions{withoutRisk: true})
	last := map[string]uint64{}
	for _, tenant := range []string{"acme", "globex", "initech"} {
		for i := range 2 {
			cc := env.clientAs(t, clientOnly, principal(tenant, fmt.Sprintf("sales-%d", i), auth.RoleSales))
			customer := registerCustomer(t, cc, fmt.Sprintf("reg-%d", i))
			for j, text := range []string{privateDeal, cardTalk} {
				last[tenant] = logChat(t, cc, fmt.Sprintf("chat-%d-%d", i, j), customer, text)
			}
		}
	}
	clientOnly.stop()
	end := slices.Max([]uint64{last["acme"], last["globex"], last["initech"]})
	env.waitRiskIn(t, eventlog.StreamClient, end)

	one, err := app.ReplayDecisions(t.Context(), env.log, engine.New(lexicon.Default(), engine.DefaultSensitiveWords()), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if len(one) < 6 {
		t.Fatalf("one engine decides %d times; the test needs every tenant to raise alerts", len(one))
	}

	first := env.start(t, stackOptions{riskTenants: []string{"acme", "initech"}})
	second := env.start(t, stackOptions{riskTenants: []string{"globex"}})
	served := func(st *runningStack, tenant string) int {
		t.Helper()
		resp, err := env.riskAs(t, st, principal(tenant, "hr-1", auth.RoleHR)).ListAlerts(t.Context(), &riskv1.ListAlertsRequest{
			ConsistentWith: []*riskv1.StreamPosition{{Stream: eventlog.StreamClient, Sequence: last[tenant]}},
		})
		if err != nil {
			t.Fatalf("%s's alerts: %v", tenant, err)
		}
		return len(resp.GetAlerts())
	}
	for _, tenant := range []string{"acme", "initech"} {
		if served(first, tenant) == 0 {
			t.Errorf("the acme+initech partition serves no alerts of %s", tenant)
		}
	}
	if served(second, "globex") == 0 {
		t.Error("the globex partition serves no alerts of globex")
	}
	// Each partition knows nothing of the other's tenants.
	resp, err := env.riskAs(t, second, principal("acme", "hr-1", auth.RoleHR)).ListAlerts(t.Context(), &riskv1.ListAlertsRequest{})
	if err != nil || len(resp.GetAlerts()) != 0 {
		t.Errorf("the globex partition lists %d acme alerts (%v), want none", len(resp.GetAlerts()), err)
	}
	// The sensitive-hits views are partitioned the same way.
	hits := func(st *runningStack, tenant string, seq uint64) int {
		t.Helper()
		resp, err := env.riskAs(t, st, principal(tenant, "sales-0", auth.RoleSales)).ListMySensitiveHits(t.Context(), &riskv1.ListMySensitiveHitsRequest{
			ConsistentWith: []*riskv1.StreamPosition{{Stream: eventlog.StreamClient, Sequence: seq}},
		})
		if err != nil {
			t.Fatalf("%s's sensitive hits: %v", tenant, err)
		}
		return len(resp.GetHits())
	}
	for _, tenant := range []string{"acme", "initech"} {
		if hits(first, tenant, last[tenant]) == 0 {
			t.Errorf("the acme+initech partition lists no sensitive hits of %s", tenant)
		}
	}
	if hits(second, "globex", last["globex"]) == 0 {
		t.Error("the globex partition lists no sensitive hits of globex")
	}
	// Having read past acme's chats (globex wrote after acme), the globex
	// partition holds none of them.
	if n := hits(second, "acme", last["globex"]); n != 0 {
		t.Errorf("the globex partition lists %d sensitive hits of acme, want none", n)
	}

	stored := env.storedDecisions(t)
	byID := func(ds []app.Decision) []app.Decision {
		out := slices.Clone(ds)
		slices.SortStableFunc(out, func(a, b app.Decision) int {
			if a.AlertID != b.AlertID {
				return strings.Compare(a.AlertID, b.AlertID)
			}
			return int(a.Version) - int(b.Version)
		})
		return out
	}
	if diff := cmp.Diff(byID(one), byID(stored)); diff != "" {
		t.Errorf("two partitions' decisions differ from one engine's (-one, +partitions):\n%s", diff)
	}
}
