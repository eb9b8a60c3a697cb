package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/pkg/testkit"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// TestOrderScenarios drives scenarios S6 and S7 and look-alike H4 through
// the live dev stack: orders go through the order service (by the CLI, a
// gRPC client), the tenant's clock is advanced by appending ClockTicked to
// TICK, and HR reads the alerts from the risk service.
//
//   - e1 claims a personal source for a trade-show customer (S7), has the
//     customer pay into a personal account (S6 personal_collection), and
//     never ships (S6 unbacked_order).
//   - e2's customer pays through its registered parent company's account
//     into a company account, and the goods ship (H4): no alert.
//   - e3's order is won and never paid nor shipped (S6 unbacked_order).
func TestOrderScenarios(t *testing.T) {
	stack, dataDir := startDevStack(t)
	// The test drives acme's clock; claimed first, the live scheduler never ticks it.
	clock := testkit.ClaimClock(t, eventLog(t, stack.Endpoints.NATS), "acme", time.Now().Add(-time.Hour))
	t.Setenv("HOLDFAST_DATA_DIR", dataDir)
	t.Setenv("HOLDFAST_CLIENT_ADDR", stack.Endpoints.ClientGRPC)
	t.Setenv("HOLDFAST_ORDER_ADDR", stack.Endpoints.OrderGRPC)
	run := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := realMain(t.Context(), args, &out, &errOut); err != nil {
			t.Fatalf("holdfast %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
		}
		return strings.TrimSpace(out.String())
	}
	as := func(who, role string, args ...string) string {
		t.Helper()
		return run(append(args, "--tenant", "acme", "--as", who, "--role", role)...)
	}
	if err := realMain(t.Context(), []string{"ready", "--addr", stack.Endpoints.HTTP, "--timeout", "30s"}, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	salesTeam(t, stack, "e1", "e2", "e3")
	as("ad1", "admin", "account", "add-company", "--account", "6222 0210 0000 0001", "--label", "工商银行 收款户", "-q")

	customer := func(seller, source string) string {
		return as(seller, "sales", "customer", "register", "--name", "客户 "+seller, "--company", seller+" 贸易有限公司",
			"--phone", map[string]string{"e1": "138 0013 8001", "e2": "138 0013 8002", "e3": "138 0013 8003"}[seller],
			"--source", source, "--address", "上海市浦东新区世纪大道100号", "-q")
	}
	// sell creates, approves and wins an order for 20 000.00 CNY.
	sell := func(seller, cid, source, requestID string) string {
		oid := as(seller, "sales", "order", "create", "--customer", cid, "--line", "液压泵 HP-200:2:10000.00",
			"--source", source, "--address", "上海市浦东新区世纪大道100号", "--request-id", requestID, "-q")
		as(seller, "sales", "order", "submit", "--order", oid, "-q")
		as("m1", "manager", "order", "approve", "--order", oid, "-q")
		as("ad1", "admin", "order", "approve", "--order", oid, "-q")
		as(seller, "sales", "order", "won", "--order", oid, "-q")
		return oid
	}
	pay := func(oid, payer, payee, ref string) {
		as("fin", "service", "order", "pay", "--order", oid, "--amount", "20,000.00", "--payer", payer, "--payee", payee, "--reference", ref, "-q")
	}

	c1 := customer("e1", "trade_show")
	o1 := sell("e1", c1, "personal", "s7-order")
	pay(o1, "6228 4800 0000 0011", "6230 5800 1234 5678", "INV-S6")

	c2 := customer("e2", "referral")
	as("fin", "service", "account", "add-payer", "--customer", c2, "--account", "6228-4800-0000-0009", "--relation", "parent_company", "-q")
	o2 := sell("e2", c2, "referral", "h4-order")
	pay(o2, "6228 4800 0000 0009", "6222021000000001", "INV-H4")
	as("fin", "service", "order", "ship", "--order", o2, "--carrier", "顺丰", "--tracking", "SF1234567890", "--address", "上海市浦东新区世纪大道100号", "-q")

	c3 := customer("e3", "referral")
	o3 := sell("e3", c3, "referral", "s6-order")

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	log := eventLog(t, stack.Endpoints.NATS)
	orderEnd := lastSequence(ctx, t, log, eventlog.StreamOrder)
	hr := riskClient(t, stack.Endpoints.RiskGRPC, dataDir, "hr1", auth.RoleHR)

	// Before any tick: the payment and the claim are judged as they happen.
	alerts := listAlerts(ctx, t, hr, eventlog.StreamOrder, orderEnd)
	if diff := alertRules(alerts); !slices.Equal(diff, []string{"e1/personal_collection/high", "e1/source_contradiction/medium"}) {
		t.Errorf("alerts before the deadlines = %v, want e1's personal_collection (high) and source_contradiction", diff)
	}
	for _, a := range alerts {
		if a.GetRuleId() == "source_contradiction" && (!hasEvidence(a, "holdfast.order.v1.OrderCreated") || !strings.Contains(a.GetExplanationEn(), o1)) {
			t.Errorf("source_contradiction: evidence %v, explanation %q; want the OrderCreated of %s", a.GetEvidence(), a.GetExplanationEn(), o1)
		}
	}

	// Sixteen days on, the tenant's clock passes the payment deadline.
	tickEnd := clock.Tick(time.Now().Add(16*24*time.Hour), time.Now().Add(21*24*time.Hour))
	alerts = listAlerts(ctx, t, hr, eventlog.StreamTick, tickEnd)
	want := []string{"e1/personal_collection/high", "e1/source_contradiction/medium", "e1/unbacked_order/medium", "e3/unbacked_order/medium"}
	if got := alertRules(alerts); !slices.Equal(got, want) {
		t.Errorf("alerts after the deadlines = %v, want %v (nothing for e2, H4)", got, want)
	}
	for _, a := range alerts {
		if a.GetRuleId() == "unbacked_order" && a.GetEmployeeId() == "e3" &&
			(!hasEvidence(a, "holdfast.order.v1.OrderWon") || !hasEvidence(a, "holdfast.order.v1.OrderCreated") || !strings.Contains(a.GetExplanationEn(), o3)) {
			t.Errorf("e3's unbacked_order: evidence %v, explanation %q; want %s's OrderCreated and OrderWon", a.GetEvidence(), a.GetExplanationEn(), o3)
		}
	}
}

// riskClient dials the risk service as subject with a token of the dev key.
func riskClient(t *testing.T, addr, dataDir, subject string, role auth.Role) riskv1.RiskServiceClient {
	t.Helper()
	key, err := auth.LoadOrCreateDevKey(platform.DevKeyDir(dataDir))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := auth.NewIssuer(ed25519.PrivateKey(key)).Issue(auth.Principal{Tenant: "acme", Subject: subject, Roles: []auth.Role{role}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithPerRPCCredentials(auth.BearerToken(tok)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return riskv1.NewRiskServiceClient(conn)
}

// lastSequence is the stream's last sequence: everything written so far.
func lastSequence(ctx context.Context, t *testing.T, log *eventlog.Log, stream string) uint64 {
	t.Helper()
	seq, err := log.LastSequence(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// listAlerts is every alert once the engine has judged stream up to seq.
func listAlerts(ctx context.Context, t *testing.T, hr riskv1.RiskServiceClient, stream string, seq uint64) []*riskv1.Alert {
	t.Helper()
	resp, err := hr.ListAlerts(ctx, &riskv1.ListAlertsRequest{
		PageSize: 500, ConsistentWith: []*riskv1.StreamPosition{{Stream: stream, Sequence: seq}},
	})
	if err != nil {
		t.Fatalf("list alerts consistent with %s %d: %v", stream, seq, err)
	}
	return resp.GetAlerts()
}

// alertRules names each alert employee/rule/severity, sorted.
func alertRules(alerts []*riskv1.Alert) []string {
	out := make([]string, 0, len(alerts))
	for _, a := range alerts {
		sev := strings.ToLower(strings.TrimPrefix(a.GetSeverity().String(), "SEVERITY_"))
		out = append(out, a.GetEmployeeId()+"/"+a.GetRuleId()+"/"+sev)
	}
	slices.Sort(out)
	return out
}

func hasEvidence(a *riskv1.Alert, eventType string) bool {
	return slices.ContainsFunc(a.GetEvidence(), func(e *riskv1.Evidence) bool { return e.GetEventType() == eventType })
}
