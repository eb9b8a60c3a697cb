package risksvc_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/pkg/testkit"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/risk/internal/app"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
	"github.com/holdfast/holdfast/services/risk/internal/store"
	"github.com/holdfast/holdfast/services/risk/risksvc"
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

// TestPartitionsRefuseToShareAReadModel: a partition's alert and hits views
// keep one checkpoint each, so a second partition (or the first, given
// other tenants) on the same PostgreSQL schema would silently miss alerts.
// It does not start; an invalid tenant set does not claim the schema.
func TestPartitionsRefuseToShareAReadModel(t *testing.T) {
	t.Parallel()
	pool := testkit.NewDatabase(t, "risk", func(ctx context.Context, pool *pgxpool.Pool) error {
		return store.Migrate(ctx, pool)
	})
	env := newEnv(t)
	mount := func(tenants []string) error {
		t.Helper()
		a, err := platform.NewApp(slog.New(slog.DiscardHandler), "127.0.0.1:0", 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		ep, err := a.NewGRPCServer("127.0.0.1:0", env.verifier)
		if err != nil {
			t.Fatal(err)
		}
		return risksvc.MountTenants(tenants)(t.Context(), a, ep, &platform.Runtime{Log: env.log, Pool: pool, Verifier: env.verifier})
	}
	if err := mount([]string{"acme", "not a tenant"}); err == nil {
		t.Fatal("a partition with an invalid tenant id mounted")
	}
	first := env.start(t, stackOptions{riskPool: pool, riskTenants: []string{"initech", "acme"}})
	first.stop()
	for _, tenants := range [][]string{{"globex"}, {"acme"}, nil} {
		err := mount(tenants)
		if !errors.Is(err, store.ErrOtherPartition) {
			t.Errorf("mounting %q on acme+initech's read model: %v, want ErrOtherPartition", tenants, err)
		} else if !strings.Contains(err.Error(), "tenants acme, initech") {
			t.Errorf("the refusal %q does not name the partition that holds the schema", err)
		}
	}
	if err := mount([]string{"acme", "initech"}); err != nil {
		t.Errorf("the partition itself, restarted: %v", err)
	}
	// What the refusal advises for a re-split: drop the schema, and the
	// new partition migrates and claims it afresh.
	if _, err := pool.Exec(t.Context(), `DROP SCHEMA risk CASCADE`); err != nil {
		t.Fatal(err)
	}
	if err := mount([]string{"globex"}); err != nil {
		t.Errorf("globex on the dropped schema: %v", err)
	}
}
