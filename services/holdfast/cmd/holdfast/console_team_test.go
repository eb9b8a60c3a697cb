package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/csv"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/platform"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	"github.com/holdfast/holdfast/services/console/consolesvc"
	"github.com/holdfast/holdfast/services/holdfast/internal/devstack"
)

// startTeamConsole is startConsole with the team report wired to the dev
// stack's client and order services.
func startTeamConsole(t *testing.T, stack *devstack.Stack, dataDir string) *consoleHarness {
	t.Helper()
	key, err := auth.LoadOrCreateDevKey(platform.DevKeyDir(dataDir))
	if err != nil {
		t.Fatal(err)
	}
	dial := func(addr string) *grpc.ClientConn {
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.Close() })
		return conn
	}
	pub, ok := key.Public().(ed25519.PublicKey)
	if !ok {
		t.Fatal("dev key has no Ed25519 public key")
	}
	clock := &fakeClock{t: time.Now()}
	console, err := consolesvc.New(consolesvc.Config{
		Risk:   dial(stack.Endpoints.RiskGRPC),
		Client: dial(stack.Endpoints.ClientGRPC), Order: dial(stack.Endpoints.OrderGRPC),
		Verifier: auth.NewVerifier(pub), DevIssuer: auth.NewIssuer(key), Now: clock.now, PseudonymKey: testPseudonymKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(console)
	t.Cleanup(srv.Close)
	return &consoleHarness{srv: srv, clock: clock}
}

// TestConsoleTeamReport: e1 follows up a customer and wins one order of
// two; e2 talks to a phone off the books, then registers it. HR and the
// team's manager read the report and its CSV; a salesperson is refused.
func TestConsoleTeamReport(t *testing.T) {
	stack, dataDir := startDevStack(t)
	t.Setenv("HOLDFAST_DATA_DIR", dataDir)
	t.Setenv("HOLDFAST_CLIENT_ADDR", stack.Endpoints.ClientGRPC)
	t.Setenv("HOLDFAST_ORDER_ADDR", stack.Endpoints.OrderGRPC)
	if err := realMain(t.Context(), []string{"ready", "--addr", stack.Endpoints.HTTP, "--timeout", "30s"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	as := func(who, role string, args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := realMain(t.Context(), append(args, "--tenant", "acme", "--as", who, "--role", role), &out, &errOut); err != nil {
			t.Fatalf("holdfast %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
		}
		return strings.TrimSpace(out.String())
	}
	team := salesTeam(t, stack, "e1", "e2")
	as("e2", "sales", "interaction", "log", "--counterparty", "139 0013 9009", "--kind", "call", "-q")
	as("e2", "sales", "customer", "register", "--name", "赵六", "--phone", "139 0013 9009", "--source", "referral", "-q")
	cid := as("e1", "sales", "customer", "register", "--name", "王伟", "--phone", "138 0013 8000", "--source", "trade_show", "-q")
	clientSeq := as("e1", "sales", "interaction", "log", "--customer", cid, "--text", "发了报价单", "-q")
	order := func() string {
		oid := as("e1", "sales", "order", "create", "--customer", cid, "--line", "液压泵 HP-200:1:10000.00", "--source", "trade_show", "-q")
		as("e1", "sales", "order", "submit", "--order", oid, "-q")
		return oid
	}
	won := order()
	as("m1", "manager", "order", "approve", "--order", won, "-q")
	as("ad1", "admin", "order", "approve", "--order", won, "-q")
	as("e1", "sales", "order", "won", "--order", won, "-q")
	orderSeq := as("e1", "sales", "order", "lost", "--order", order(), "--reason", "客户选了别家", "-q")

	// The console passes no min_sequence: wait here, through the same
	// APIs, until both read models have the writes.
	waitForReadModels(t, stack, dataDir, team, clientSeq, orderSeq)

	h := startTeamConsole(t, stack, dataDir)
	query := "org_unit=" + team

	t.Run("hr reads the page", func(t *testing.T) {
		c := h.browser(t)
		h.signIn(t, c, "acme", "hr1", "hr")
		resp, body := get(t, c, h.srv.URL+"/team")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="/team"`) || !strings.Contains(body, "Choose an org unit") {
			t.Fatalf("GET /team without a unit = %d:\n%s", resp.StatusCode, body)
		}
		resp, body = get(t, c, h.srv.URL+"/team?"+query)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /team = %d:\n%s", resp.StatusCode, body)
		}
		e1 := rowOf(t, body, "member-"+pseudonymOf(t, "acme", "e1"))
		// The customer was got this week, so is due from the next: no
		// utilisation yet.
		for _, want := range []string{`class="conversion">50%<`, `class="utilisation">—<`} {
			if !strings.Contains(e1, want) {
				t.Errorf("e1's row lacks %s:\n%s", want, e1)
			}
		}
		for _, want := range []string{"Utilisation: the period is cut into 7-day weeks", "Follow-up efficiency: follow-ups per held customer per week", `id="team-csv"`, `id="team-` + team + `"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
	})

	t.Run("hr downloads the CSV", func(t *testing.T) {
		c := h.browser(t)
		h.signIn(t, c, "acme", "hr1", "hr")
		for _, tt := range []struct{ lang, level, conversion string }{{"en", "level", "Conversion"}, {"zh-CN", "层级", "转化率"}} {
			resp, body := get(t, c, h.srv.URL+"/team.csv?"+query, "Accept-Language", tt.lang)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /team.csv = %d:\n%s", resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=") || !strings.Contains(cd, team) {
				t.Errorf("Content-Disposition = %q", cd)
			}
			rest, ok := strings.CutPrefix(body, "\ufeff")
			if !ok {
				t.Fatalf("the file does not start with a UTF-8 BOM")
			}
			rows, err := csv.NewReader(strings.NewReader(rest)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			header := rows[0]
			if header[0] != tt.level || header[18] != tt.conversion {
				t.Errorf("%s header = %v", tt.lang, header)
			}
			byEmployee := map[string][]string{}
			for _, r := range rows[1:] {
				byEmployee[r[2]] = r
			}
			// Employees are named by pseudonym, as on the page.
			e1, e2 := byEmployee[pseudonymOf(t, "acme", "e1")], byEmployee[pseudonymOf(t, "acme", "e2")]
			if e1 == nil || e2 == nil {
				t.Fatalf("no rows for e1 and e2 in:\n%s", rest)
			}
			// e1: one customer held (got this week: not yet due), one
			// follow-up, one of two orders won.
			for i, want := range map[int]string{1: team, 4: "1", 6: "1", 7: "", 9: "0", 11: "", 16: "1", 17: "1", 18: "0.5"} {
				if e1[i] != want {
					t.Errorf("e1 %s = %q, want %q", header[i], e1[i], want)
				}
			}
			// e2: registered a contact talked to the same day: 0 days late.
			for i, want := range map[int]string{12: "1", 13: "1", 14: "0", 15: "0", 18: ""} {
				if e2[i] != want {
					t.Errorf("e2 %s = %q, want %q", header[i], e2[i], want)
				}
			}
		}
	})

	t.Run("the manager reads their own unit", func(t *testing.T) {
		c := h.browser(t)
		h.signIn(t, c, "acme", "m1", "manager")
		resp, body := get(t, c, h.srv.URL+"/team")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="member-`+pseudonymOf(t, "acme", "e1")+`"`) || !strings.Contains(body, `id="member-`+pseudonymOf(t, "acme", "e2")+`"`) {
			t.Errorf("the manager's /team = %d:\n%s", resp.StatusCode, body)
		}
	})

	t.Run("a salesperson is refused", func(t *testing.T) {
		c := h.browser(t)
		h.signIn(t, c, "acme", "e1", "sales")
		for _, u := range []string{"/team", "/team?" + query, "/team.csv?" + query} {
			if resp, _ := get(t, c, h.srv.URL+u); resp.StatusCode != http.StatusForbidden {
				t.Errorf("a salesperson's GET %s = %d, want 403", u, resp.StatusCode)
			}
		}
	})

	t.Run("the CLI prints the same file", func(t *testing.T) {
		file := as("hr1", "hr", "team", "report", "--org-unit", team, "--csv", "--lang", "zh")
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(file, "\ufeff"))).ReadAll()
		if err != nil || !strings.HasPrefix(file, "\ufeff") {
			t.Fatalf("holdfast team report --csv: %v\n%s", err, file)
		}
		if rows[0][0] != "层级" || len(rows) != 5 { // header, total, team, e1, e2
			t.Errorf("holdfast team report --csv printed:\n%s", file)
		}
		table := as("m1", "manager", "team", "report")
		if !strings.Contains(table, "e1") || !strings.Contains(table, "0.5") {
			t.Errorf("holdfast team report as the manager printed:\n%s", table)
		}
		var errOut bytes.Buffer
		err = realMain(t.Context(), []string{"team", "report", "--org-unit", team, "--tenant", "acme", "--as", "e1", "--role", "sales"}, io.Discard, &errOut)
		if status.Code(err) != codes.PermissionDenied {
			t.Errorf("holdfast team report as a salesperson: %v, want PermissionDenied", err)
		}
	})

	t.Run("bad filters", func(t *testing.T) {
		c := h.browser(t)
		h.signIn(t, c, "acme", "hr1", "hr")
		for _, q := range []string{"&from=2026-13-01", "&from=2026-03-10&to=2026-03-01", "&from=2024-01-01&to=2026-01-01"} {
			if resp, body := get(t, c, h.srv.URL+"/team.csv?"+query+q); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("GET /team.csv?%s = %d, want 400:\n%s", query+q, resp.StatusCode, body)
			}
		}
		if resp, _ := get(t, c, h.srv.URL+"/team?org_unit=nowhere"); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("an unknown unit = %d, want 400", resp.StatusCode)
		}
	})
}

// rowOf returns the table row with the given id.
func rowOf(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr[^>]*id="` + regexp.QuoteMeta(id) + `">.*?</tr>`).FindString(body)
	if m == "" {
		t.Fatalf("no row %s in:\n%s", id, body)
	}
	return m
}

// waitForReadModels asks the client and order services, as hr, for the
// team's activity and the funnel once their read models have applied the
// given sequences.
func waitForReadModels(t *testing.T, stack *devstack.Stack, dataDir, team, clientSeq, orderSeq string) {
	t.Helper()
	key, err := auth.LoadOrCreateDevKey(platform.DevKeyDir(dataDir))
	if err != nil {
		t.Fatal(err)
	}
	token, err := auth.NewIssuer(key).Issue(auth.Principal{Tenant: "acme", Subject: "hr1", Roles: []auth.Role{auth.RoleHR}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	dial := func(addr string) *grpc.ClientConn {
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithPerRPCCredentials(auth.BearerToken(token)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.Close() })
		return conn
	}
	seq := func(s string) uint64 {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("sequence %q: %v", s, err)
		}
		return n
	}
	now := time.Now()
	from, to := timestamppb.New(now.Add(-time.Hour)), timestamppb.New(now.Add(time.Hour))
	if _, err := clientv1.NewClientServiceClient(dial(stack.Endpoints.ClientGRPC)).GetTeamActivity(t.Context(), &clientv1.GetTeamActivityRequest{
		From: from, To: to, OrgUnitId: team, MinSequence: seq(clientSeq),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := orderv1.NewOrderServiceClient(dial(stack.Endpoints.OrderGRPC)).GetSalesFunnel(t.Context(), &orderv1.GetSalesFunnelRequest{
		From: from, To: to, MinSequence: seq(orderSeq),
	}); err != nil {
		t.Fatal(err)
	}
}
