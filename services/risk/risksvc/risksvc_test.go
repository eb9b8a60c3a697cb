package risksvc_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/risk/internal/store"
)

const (
	privateDeal = "加我私人微信，这单我们走私单"
	cardTalk    = "钱直接打到我卡上就行"
	honestChat  = "王总您好，报价单已发您邮箱，合同按公司流程走"
)

var (
	sales = principal("acme", "sales-li", auth.RoleSales)
	hr    = principal("acme", "hr-wang", auth.RoleHR)
)

// checkPrivateDealAlert checks the alert raised by privateDeal logged at
// CLIENT seq by sales.
func checkPrivateDealAlert(t *testing.T, a *riskv1.Alert, seq uint64) {
	t.Helper()
	if a.GetRuleId() != "sensitive_words" || a.GetSeverity() != riskv1.Severity_SEVERITY_HIGH ||
		a.GetEmployeeId() != sales.Subject || a.GetStatus() != riskv1.AlertStatus_ALERT_STATUS_RAISED {
		t.Errorf("alert rule %s severity %s employee %s status %s; want sensitive_words HIGH %s RAISED",
			a.GetRuleId(), a.GetSeverity(), a.GetEmployeeId(), a.GetStatus(), sales.Subject)
	}
	if len(a.GetEvidence()) != 1 {
		t.Fatalf("evidence = %v, want one entry", a.GetEvidence())
	}
	ev := a.GetEvidence()[0]
	if ev.GetStream() != eventlog.StreamClient || ev.GetSequence() != seq || ev.GetEventId() == "" {
		t.Errorf("evidence at %s %d (event %q), want CLIENT %d with an event id", ev.GetStream(), ev.GetSequence(), ev.GetEventId(), seq)
	}
	var phrases []string
	for _, m := range ev.GetMatches() {
		phrases = append(phrases, m.GetPhrase())
		if m.GetStart() < 0 || int(m.GetEnd()) > len(privateDeal) || m.GetStart() >= m.GetEnd() {
			t.Errorf("match %q span [%d,%d) outside the text", m.GetPhrase(), m.GetStart(), m.GetEnd())
			continue
		}
		if got := privateDeal[m.GetStart():m.GetEnd()]; got != m.GetPhrase() || got != m.GetMatchedText() {
			t.Errorf("text[%d:%d] = %q, want phrase %q (matched text %q)", m.GetStart(), m.GetEnd(), got, m.GetPhrase(), m.GetMatchedText())
		}
	}
	if diff := cmp.Diff([]string{"加我私人微信", "私单"}, phrases); diff != "" {
		t.Errorf("matched phrases mismatch (-want, +got):\n%s", diff)
	}
}

func TestPrivateDealRaisesOneHighAlert(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	stack := env.start(t, stackOptions{})
	cc := env.clientAs(t, stack, sales)
	customer := registerCustomer(t, cc, "reg-1")
	hitSeq := logChat(t, cc, "chat-1", customer, privateDeal)

	rc := env.riskAs(t, stack, hr)
	first := onlyAlert(t, alertsAfter(t, rc, hitSeq))
	checkPrivateDealAlert(t, first, hitSeq)

	got, err := rc.GetAlert(t.Context(), &riskv1.GetAlertRequest{AlertId: first.GetAlertId()})
	if err != nil {
		t.Fatalf("get alert: %v", err)
	}
	if diff := cmp.Diff(first, got.GetAlert(), protocmp.Transform()); diff != "" {
		t.Errorf("GetAlert differs from ListAlerts (-list, +get):\n%s", diff)
	}

	honestSeq := logChat(t, cc, "chat-2", customer, honestChat)
	if diff := cmp.Diff([]*riskv1.Alert{first}, alertsAfter(t, rc, honestSeq), protocmp.Transform()); diff != "" {
		t.Errorf("alerts changed after an honest chat (-want, +got):\n%s", diff)
	}

	t.Run("errors", func(t *testing.T) {
		anon := riskv1.NewRiskServiceClient(dial(t, stack.riskAddr))
		salesRisk := env.riskAs(t, stack, sales)
		tests := []struct {
			name string
			call func(ctx context.Context) error
			code codes.Code
			// fields are the violated fields of an InvalidArgument.
			fields []string
		}{
			{
				name: "sales may not list alerts",
				call: func(ctx context.Context) error {
					_, err := salesRisk.ListAlerts(ctx, &riskv1.ListAlertsRequest{})
					return err
				},
				code: codes.PermissionDenied,
			},
			{
				name: "sales may not read an alert",
				call: func(ctx context.Context) error {
					_, err := salesRisk.GetAlert(ctx, &riskv1.GetAlertRequest{AlertId: first.GetAlertId()})
					return err
				},
				code: codes.PermissionDenied,
			},
			{
				name: "no token",
				call: func(ctx context.Context) error {
					_, err := anon.ListAlerts(ctx, &riskv1.ListAlertsRequest{})
					return err
				},
				code: codes.Unauthenticated,
			},
			{
				name: "page size too large",
				call: func(ctx context.Context) error {
					_, err := rc.ListAlerts(ctx, &riskv1.ListAlertsRequest{PageSize: 1000})
					return err
				},
				code: codes.InvalidArgument, fields: []string{"page_size"},
			},
			{
				name: "page token not issued here",
				call: func(ctx context.Context) error {
					_, err := rc.ListAlerts(ctx, &riskv1.ListAlertsRequest{PageToken: "zzz"})
					return err
				},
				code: codes.InvalidArgument, fields: []string{"page_token"},
			},
			{
				name: "unknown stream",
				call: func(ctx context.Context) error {
					_, err := rc.ListAlerts(ctx, &riskv1.ListAlertsRequest{
						ConsistentWith: []*riskv1.StreamPosition{{Stream: "NOPE", Sequence: 1}},
					})
					return err
				},
				code: codes.InvalidArgument, fields: []string{"consistent_with[0]"},
			},
			{
				name: "every bad field at once",
				call: func(ctx context.Context) error {
					_, err := rc.ListAlerts(ctx, &riskv1.ListAlertsRequest{
						PageSize: 1000, PageToken: "zzz", EmployeeId: "a.b",
						ConsistentWith: []*riskv1.StreamPosition{{Stream: eventlog.StreamClient, Sequence: 1}, {Stream: "RISK", Sequence: 1}},
					})
					return err
				},
				code: codes.InvalidArgument, fields: []string{"consistent_with[1]", "employee_id", "page_size", "page_token"},
			},
			{
				name: "alert id with a dot",
				call: func(ctx context.Context) error {
					_, err := rc.GetAlert(ctx, &riskv1.GetAlertRequest{AlertId: "a.b"})
					return err
				},
				code: codes.InvalidArgument, fields: []string{"alert_id"},
			},
			{
				name: "unknown alert",
				call: func(ctx context.Context) error {
					_, err := rc.GetAlert(ctx, &riskv1.GetAlertRequest{AlertId: "0b8a3f3e-0000-4000-8000-000000000000"})
					return err
				},
				code: codes.NotFound,
			},
			{
				name: "another tenant's hr does not see the alert",
				call: func(ctx context.Context) error {
					other := env.riskAs(t, stack, principal("globex", "hr-wang", auth.RoleHR))
					_, err := other.GetAlert(ctx, &riskv1.GetAlertRequest{AlertId: first.GetAlertId()})
					return err
				},
				code: codes.NotFound,
			},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.call(t.Context())
				if tc.code == codes.InvalidArgument {
					if diff := cmp.Diff(tc.fields, violatedFields(t, err)); diff != "" {
						t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
					}
					return
				}
				wantCode(t, err, tc.code)
			})
		}
	})

	// Determinism and crash safety: a new process with fresh memory read
	// models replays RISK_IN and RISK to the same alerts, appending nothing.
	messages := env.riskMessages(t)
	if messages != 1 {
		t.Errorf("RISK holds %d messages, want 1 (AlertRaised)", messages)
	}
	stack.stop()
	restarted := env.start(t, stackOptions{})
	replayed := alertsAfter(t, env.riskAs(t, restarted, hr), honestSeq)
	if diff := cmp.Diff([]*riskv1.Alert{first}, replayed, protocmp.Transform()); diff != "" {
		t.Errorf("alerts after restart mismatch (-before, +after):\n%s", diff)
	}
	if got := env.riskMessages(t); got != messages {
		t.Errorf("RISK holds %d messages after restart, want %d: a decision was appended twice", got, messages)
	}
}

// TestEngineResumesDecisionsMissedWhileDown logs hits while the risk service
// is down: on its return it appends exactly the missing decisions, once.
func TestEngineResumesDecisionsMissedWhileDown(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	stack := env.start(t, stackOptions{})
	cc := env.clientAs(t, stack, sales)
	customer := registerCustomer(t, cc, "reg-1")
	seq1 := logChat(t, cc, "chat-1", customer, privateDeal)
	raised := onlyAlert(t, alertsAfter(t, env.riskAs(t, stack, hr), seq1))
	stack.stop()

	clientOnly := env.start(t, stackOptions{withoutRisk: true})
	cc = env.clientAs(t, clientOnly, sales)
	logChat(t, cc, "chat-2", customer, cardTalk)
	seq3 := logChat(t, cc, "chat-3", customer, "别走公司账户，私下交易更便宜")
	clientOnly.stop()
	if got := env.riskMessages(t); got != 1 {
		t.Fatalf("RISK holds %d messages while the risk service was down, want 1", got)
	}

	back := env.start(t, stackOptions{})
	extended := onlyAlert(t, alertsAfter(t, env.riskAs(t, back, hr), seq3))
	if extended.GetAlertId() != raised.GetAlertId() {
		t.Errorf("alert id %s after restart, want %s", extended.GetAlertId(), raised.GetAlertId())
	}
	if n := len(extended.GetEvidence()); n != 3 {
		t.Errorf("alert has %d evidence entries, want 3", n)
	}
	if extended.GetSeverity() != riskv1.Severity_SEVERITY_HIGH {
		t.Errorf("severity = %s, want HIGH", extended.GetSeverity())
	}
	if got := env.riskMessages(t); got != 3 {
		t.Errorf("RISK holds %d messages, want 3 (raised, evidence added twice)", got)
	}
	agg, err := env.log.Load(t.Context(), eventlog.AggregateRef{Context: "risk", Tenant: "acme", Type: "alert", ID: raised.GetAlertId()})
	if err != nil {
		t.Fatalf("load alert aggregate: %v", err)
	}
	var versions []uint64
	for _, rec := range agg.Records {
		versions = append(versions, rec.Envelope.GetAggregateVersion())
	}
	if diff := cmp.Diff([]uint64{1, 2, 3}, versions); diff != "" {
		t.Errorf("alert aggregate versions mismatch (-want, +got):\n%s", diff)
	}
	back.stop()

	again := env.start(t, stackOptions{})
	if diff := cmp.Diff([]*riskv1.Alert{extended}, alertsAfter(t, env.riskAs(t, again, hr), seq3), protocmp.Transform()); diff != "" {
		t.Errorf("alerts after a third start mismatch (-before, +after):\n%s", diff)
	}
	if got := env.riskMessages(t); got != 3 {
		t.Errorf("RISK holds %d messages after a third start, want 3", got)
	}
}

// TestPostgresReadModelResumesFromCheckpoint runs the happy path with the
// alert view in PostgreSQL and restarts it: the projector resumes after its
// checkpoint instead of applying evidence twice.
func TestPostgresReadModelResumesFromCheckpoint(t *testing.T) {
	t.Parallel()
	pool := testkit.NewDatabase(t, "risk", func(ctx context.Context, pool *pgxpool.Pool) error {
		return store.Migrate(ctx, pool)
	})
	env := newEnv(t)
	stack := env.start(t, stackOptions{riskPool: pool})
	cc := env.clientAs(t, stack, sales)
	customer := registerCustomer(t, cc, "reg-1")
	seq1 := logChat(t, cc, "chat-1", customer, privateDeal)
	checkPrivateDealAlert(t, onlyAlert(t, alertsAfter(t, env.riskAs(t, stack, hr), seq1)), seq1)
	seq2 := logChat(t, cc, "chat-2", customer, cardTalk)
	before := onlyAlert(t, alertsAfter(t, env.riskAs(t, stack, hr), seq2))
	if n := len(before.GetEvidence()); n != 2 {
		t.Fatalf("alert has %d evidence entries, want 2", n)
	}
	stack.stop()

	st := store.NewPostgres(pool)
	cp, err := st.Checkpoint(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if messages := env.riskMessages(t); cp != messages {
		t.Errorf("checkpoint %d after stop, want RISK's last sequence %d", cp, messages)
	}

	restarted := env.start(t, stackOptions{riskPool: pool})
	rc := env.riskAs(t, restarted, hr)
	if diff := cmp.Diff([]*riskv1.Alert{before}, alertsAfter(t, rc, seq2), protocmp.Transform()); diff != "" {
		t.Errorf("alerts after restart mismatch (-before, +after):\n%s", diff)
	}
	if got := env.riskMessages(t); got != 2 {
		t.Errorf("RISK holds %d messages after restart, want 2", got)
	}

	// The resumed projector still applies what comes next, once.
	seq3 := logChat(t, env.clientAs(t, restarted, sales), "chat-3", customer, privateDeal)
	after := onlyAlert(t, alertsAfter(t, rc, seq3))
	var seqs []uint64
	for _, ev := range after.GetEvidence() {
		seqs = append(seqs, ev.GetSequence())
	}
	if diff := cmp.Diff([]uint64{seq1, seq2, seq3}, seqs); diff != "" {
		t.Errorf("evidence sequences mismatch (-want, +got):\n%s", diff)
	}
	if !strings.Contains(after.GetExplanationZh(), "打到我卡上") {
		t.Errorf("explanation_zh %q does not name every phrase", after.GetExplanationZh())
	}

	// A second employee's alert is newer: pages run newest first and the
	// employee filter separates the two.
	zhao := principal("acme", "sales-zhao", auth.RoleSales)
	zc := env.clientAs(t, restarted, zhao)
	seq4 := logChat(t, zc, "chat-4", registerCustomer(t, zc, "reg-2"), cardTalk)
	newer := onlyAlert(t, func() []*riskv1.Alert {
		resp, err := rc.ListAlerts(t.Context(), &riskv1.ListAlertsRequest{
			EmployeeId:     zhao.Subject,
			ConsistentWith: []*riskv1.StreamPosition{{Stream: eventlog.StreamClient, Sequence: seq4}},
		})
		if err != nil {
			t.Fatalf("list zhao's alerts: %v", err)
		}
		return resp.GetAlerts()
	}())
	var paged []*riskv1.Alert
	token := ""
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatal("paging does not end")
		}
		resp, err := rc.ListAlerts(t.Context(), &riskv1.ListAlertsRequest{PageSize: 1, PageToken: token})
		if err != nil {
			t.Fatalf("list page %d: %v", pages, err)
		}
		paged = append(paged, resp.GetAlerts()...)
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	if diff := cmp.Diff([]*riskv1.Alert{newer, after}, paged, protocmp.Transform()); diff != "" {
		t.Errorf("paged alerts mismatch (-want, +got):\n%s", diff)
	}
}
