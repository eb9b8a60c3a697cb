package main

import (
	"crypto/ed25519"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/platform"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/console/consolesvc"
	"github.com/holdfast/holdfast/services/holdfast/internal/devstack"
)

// startFullConsole is startConsole with the client, order and attendance
// services connected and a fixed pseudonym key, as the dev stack runs it.
func startFullConsole(t *testing.T, stack *devstack.Stack, dataDir string) *consoleHarness {
	t.Helper()
	key, err := auth.LoadOrCreateDevKey(platform.DevKeyDir(dataDir))
	if err != nil {
		t.Fatal(err)
	}
	pub, ok := key.Public().(ed25519.PublicKey)
	if !ok {
		t.Fatal("dev key has no Ed25519 public key")
	}
	dial := func(addr string) *grpc.ClientConn {
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.Close() })
		return conn
	}
	clock := &fakeClock{t: time.Now()}
	console, err := consolesvc.New(consolesvc.Config{
		Risk: dial(stack.Endpoints.RiskGRPC), Client: dial(stack.Endpoints.ClientGRPC), Order: dial(stack.Endpoints.OrderGRPC),
		Attendance: dial(stack.Endpoints.AttendanceGRPC), PseudonymKey: testPseudonymKey,
		Verifier: auth.NewVerifier(pub), DevIssuer: auth.NewIssuer(key), Now: clock.now,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(console)
	t.Cleanup(srv.Close)
	return &consoleHarness{srv: srv, clock: clock}
}

// apiAs dials addr as who (tenant acme) with a dev token.
func apiAs(t *testing.T, dataDir, addr, who string, role auth.Role) *grpc.ClientConn {
	t.Helper()
	key, err := auth.LoadOrCreateDevKey(platform.DevKeyDir(dataDir))
	if err != nil {
		t.Fatal(err)
	}
	token, err := auth.NewIssuer(key).Issue(auth.Principal{Tenant: "acme", Subject: who, Roles: []auth.Role{role}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithPerRPCCredentials(auth.BearerToken(token)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

var (
	// pseudonymText is how the console shows an employee before a reveal.
	pseudonymText   = regexp.MustCompile(`(员工|Employee) [0-9A-Z]{8}`)
	pseudonymOnPage = regexp.MustCompile(`id="employee-name">Employee ([0-9A-Z]{8})<`)
	revealAction    = regexp.MustCompile(`action="(/employees/[A-Za-z0-9_-]+)/reveal"`)
)

// TestConsoleEmployeePage has a named salesperson (s7, 周明远) register a
// customer, say something the rules flag, check in and open an order, then
// reads their employee page as HR, a salesperson and their manager, and
// reveals their name.
func TestConsoleEmployeePage(t *testing.T) {
	stack, dataDir := startDevStack(t)
	h := startFullConsole(t, stack, dataDir)
	team := chatAlert(t, stack, dataDir) // e1's alert; the org tree with m1 over the team

	hrAtt := attendancev1.NewAttendanceServiceClient(apiAs(t, dataDir, stack.Endpoints.AttendanceGRPC, "hr1", auth.RoleHR))
	hired, err := hrAtt.HireEmployee(t.Context(), &attendancev1.HireEmployeeRequest{
		RequestId: "hire-s7", EmployeeId: "s7", Name: "周明远", OrgUnitId: team, ManagerId: "m1", Role: "sales", StartDate: "2026-01-05",
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hrAtt.GetEmployee(t.Context(), &attendancev1.GetEmployeeRequest{EmployeeId: "s7", MinSequence: hired.GetSequence()}); err != nil {
		t.Fatal(err)
	}
	client := clientv1.NewClientServiceClient(apiAs(t, dataDir, stack.Endpoints.ClientGRPC, "s7", auth.RoleSales))
	cust, err := client.RegisterCustomer(t.Context(), &clientv1.RegisterCustomerRequest{
		RequestId: "s7-customer", PersonName: "钱女士", Phones: []string{"139 0000 7777"}, SourceChannel: clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE,
		Address: &clientv1.Address{Text: "上海市 静安区", Location: &clientv1.GeoPoint{Latitude: 31.2290, Longitude: 121.4480}},
	})
	if err != nil {
		t.Fatal(err)
	}
	cid := cust.GetCustomer().GetCustomerId()
	chat, err := client.LogInteraction(t.Context(), &clientv1.LogInteractionRequest{
		RequestId: "s7-chat", CustomerId: cid, Kind: clientv1.InteractionKind_INTERACTION_KIND_CHAT,
		Direction: clientv1.Direction_DIRECTION_OUTBOUND, Text: "加我私人微信，这单我们走私单", TextConsent: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	checkIn, err := attendancev1.NewAttendanceServiceClient(apiAs(t, dataDir, stack.Endpoints.AttendanceGRPC, "s7", auth.RoleSales)).CheckIn(t.Context(), &attendancev1.CheckInRequest{
		RequestId: "s7-visit", Kind: attendancev1.CheckInKind_CHECK_IN_KIND_VISIT, Latitude: 31.2304, Longitude: 121.4737,
		AccuracyM: 12, DeviceTime: timestamppb.Now(), CustomerId: cid, Purpose: "拜访",
	})
	if err != nil {
		t.Fatal(err)
	}
	order, err := orderv1.NewOrderServiceClient(apiAs(t, dataDir, stack.Endpoints.OrderGRPC, "s7", auth.RoleSales)).CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
		RequestId: "s7-order", CustomerId: cid, Currency: "CNY", ClaimedSource: clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE,
		Lines: []*orderv1.LineItem{{Product: "液压泵 HP-200", Quantity: 2, UnitPriceMinor: 1_250_000}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Wait until every read model the page reads has the writes: the
	// console asks without min_sequence, as a browser would.
	hrConn := func(addr string) *grpc.ClientConn { return apiAs(t, dataDir, addr, "hr1", auth.RoleHR) }
	alerts, err := riskv1.NewRiskServiceClient(hrConn(stack.Endpoints.RiskGRPC)).ListAlerts(t.Context(), &riskv1.ListAlertsRequest{
		EmployeeId: "s7", ConsistentWith: []*riskv1.StreamPosition{{Stream: "CLIENT", Sequence: chat.GetSequence()}, {Stream: "ATTENDANCE", Sequence: checkIn.GetSequence()}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts.GetAlerts()) == 0 {
		t.Fatal("the chat raised no alert for s7")
	}
	if _, err := clientv1.NewClientServiceClient(hrConn(stack.Endpoints.ClientGRPC)).ListInteractions(t.Context(), &clientv1.ListInteractionsRequest{EmployeeId: "s7", MinSequence: chat.GetSequence()}); err != nil {
		t.Fatal(err)
	}
	if _, err := hrAtt.ListCheckIns(t.Context(), &attendancev1.ListCheckInsRequest{EmployeeId: "s7", MinSequence: checkIn.GetSequence()}); err != nil {
		t.Fatal(err)
	}
	if _, err := orderv1.NewOrderServiceClient(hrConn(stack.Endpoints.OrderGRPC)).ListOrders(t.Context(), &orderv1.ListOrdersRequest{SellerId: "s7", MinSequence: order.GetSequence()}); err != nil {
		t.Fatal(err)
	}

	hr := h.browser(t)
	hrCSRF := h.signIn(t, hr, "acme", "hr1", "hr")
	resp, page := get(t, hr, h.srv.URL+"/employees/"+employeeRef(t, "acme", "s7"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("HR's page of s7 = %d:\n%s", resp.StatusCode, page)
	}
	code := pseudonymOnPage.FindStringSubmatch(page)
	action := revealAction.FindStringSubmatch(page)
	if code == nil || action == nil {
		t.Fatalf("HR's page of s7 shows no pseudonym or no reveal form:\n%s", page)
	}
	employeeURL := action[1] // the page's own address, by reference
	// From here on the page as the console links it, not as typed by hand.
	if resp, page = get(t, hr, h.srv.URL+employeeURL); resp.StatusCode != http.StatusOK || pseudonymOnPage.FindString(page) != code[0] {
		t.Fatalf("s7's page by reference = %d:\n%s", resp.StatusCode, page)
	}

	t.Run("sections", func(t *testing.T) {
		for _, want := range []string{
			`id="risk-score"`,
			`data-source="CLIENT"`, "加我私人微信", // the interaction
			`data-source="ORDER"`, order.GetOrder().GetOrderId(), "25000.00 CNY", // the order
			`data-source="ATTENDANCE"`, "Hired", "Check-in (visit) at 31.23040, 121.47370", // lifecycle and check-in
			`data-source="RISK"`, "Alert raised: sensitive_words", // the alert
			"钱女士", cid, // the customer held
			`id="checkin-map"`, "31.23040", "121.47370", // check-ins
		} {
			if !strings.Contains(page, want) {
				t.Errorf("s7's page lacks %q", want)
			}
		}
		if m := regexp.MustCompile(`id="checkin-map" src="([^"]*)"`).FindStringSubmatch(page); m == nil || !strings.HasPrefix(html.UnescapeString(m[1]), "data:image/svg+xml;base64,") {
			t.Errorf("the check-in map is not an inline SVG image: %v", m)
		}
		// The chat is the alert's evidence: its line is highlighted.
		chatRow := ""
		for _, row := range strings.Split(page, "<tr") {
			if strings.Contains(row, "CLIENT #"+strconv.FormatUint(chat.GetSequence(), 10)+"</td>") {
				chatRow = row
			}
		}
		if !strings.HasPrefix(chatRow, ` class="evidence" data-source="CLIENT"`) || !strings.Contains(chatRow, "加我私人微信") {
			t.Errorf("the chat (CLIENT #%d) is not a highlighted timeline row: %q", chat.GetSequence(), chatRow)
		}
		if strings.Contains(page, "section-problem") {
			t.Errorf("HR's page: want every section visible:\n%s", page)
		}
		// In Chinese the timeline speaks Chinese.
		_, zh := get(t, hr, h.srv.URL+employeeURL, "Accept-Language", "zh-CN")
		for _, want := range []string{"时间线", "入职", "签到（visit）", "触发预警：sensitive_words", "创建订单", "名下客户", "员工 " + code[1]} {
			if !strings.Contains(zh, want) {
				t.Errorf("the Chinese page lacks %q", want)
			}
		}
	})

	t.Run("pseudonyms before reveal", func(t *testing.T) {
		// Not the name, and not the id as a word anywhere (the alerts'
		// explanations name the employee by id; the console replaces it).
		s7 := regexp.MustCompile(`(^|[^A-Za-z0-9_-])s7($|[^A-Za-z0-9_-])`)
		if m := s7.FindString(page); m != "" || strings.Contains(page, "周明远") {
			t.Errorf("before any reveal, s7's page shows the id (%q) or the name:\n%s", m, page)
		}
		if !strings.Contains(page, "Employee "+code[1]+" used private-deal language") {
			t.Errorf("the explanation does not name s7 by pseudonym:\n%s", page)
		}
		// The queue and the ranking show the same pseudonym, linked by reference.
		_, queue := get(t, hr, h.srv.URL+"/alerts?employee="+employeeRef(t, "acme", "s7"))
		if !strings.Contains(queue, "Employee "+code[1]) || !strings.Contains(queue, `href="`+employeeURL+`"`) || strings.Contains(queue, "/employees/s7") ||
			strings.Contains(queue, "Employee s7") {
			t.Errorf("the queue filtered on s7 does not show Employee %s linked to %s:\n%s", code[1], employeeURL, queue)
		}
		_, ranking := get(t, hr, h.srv.URL+"/risk?org_unit="+url.QueryEscape(team))
		if !strings.Contains(ranking, "Employee "+code[1]) || strings.Contains(ranking, ">s7<") {
			t.Errorf("the ranking does not show s7 as Employee %s:\n%s", code[1], ranking)
		}
		// Another tenant's HR cannot use acme's reference.
		other := h.browser(t)
		h.signIn(t, other, "globex", "hr9", "hr")
		if resp, body := get(t, other, h.srv.URL+employeeURL); resp.StatusCode == http.StatusOK && strings.Contains(body, code[1]) {
			t.Errorf("globex's HR reads acme's reference %s as Employee %s", employeeURL, code[1])
		}
	})

	t.Run("a salesperson", func(t *testing.T) {
		seller := h.browser(t)
		csrf := h.signIn(t, seller, "acme", "e1", "sales")
		if resp, body := get(t, seller, h.srv.URL+employeeURL); resp.StatusCode != http.StatusForbidden || strings.Contains(body, "加我私人微信") || strings.Contains(body, "钱女士") {
			t.Errorf("a salesperson reading s7's page = %d, want 403 and nothing of s7's:\n%s", resp.StatusCode, body)
		}
		if resp, body := post(t, seller, h.srv.URL+employeeURL+"/reveal", url.Values{"csrf": {csrf}, "reason": {"curious"}}); resp.StatusCode != http.StatusForbidden || strings.Contains(body, "周明远") {
			t.Errorf("a salesperson's reveal = %d, want 403:\n%s", resp.StatusCode, body)
		}
	})

	t.Run("the manager", func(t *testing.T) {
		m := h.browser(t)
		h.signIn(t, m, "acme", "m1", "manager")
		resp, body := get(t, m, h.srv.URL+employeeURL)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "加我私人微信") || !strings.Contains(body, "Employee "+code[1]) || strings.Contains(body, "周明远") {
			t.Errorf("s7's manager's page = %d, want s7's timeline under the pseudonym:\n%s", resp.StatusCode, body)
		}
	})

	t.Run("reveal", func(t *testing.T) {
		revealsOf := func() []*attendancev1.TimelineEntry {
			t.Helper()
			tl, err := hrAtt.GetEmployeeTimeline(t.Context(), &attendancev1.GetEmployeeTimelineRequest{EmployeeId: "s7"})
			if err != nil {
				t.Fatal(err)
			}
			var out []*attendancev1.TimelineEntry
			for _, e := range tl.GetEntries() {
				if e.GetEventType() == "holdfast.attendance.v1.EmployeeIdentityRevealed" {
					out = append(out, e)
				}
			}
			return out
		}
		if resp, _ := post(t, hr, h.srv.URL+employeeURL+"/reveal", url.Values{"reason": {"alert review"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a reveal without the CSRF token = %d, want 403", resp.StatusCode)
		}
		for _, reason := range []string{"", "   "} {
			if resp, body := post(t, hr, h.srv.URL+employeeURL+"/reveal", url.Values{"csrf": {hrCSRF}, "reason": {reason}}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "reason: required") || strings.Contains(body, "周明远") {
				t.Errorf("a reveal with reason %q = %d, want 400 naming the reason:\n%s", reason, resp.StatusCode, body)
			}
		}
		if resp, body := post(t, hr, h.srv.URL+employeeURL+"/reveal", url.Values{"csrf": {hrCSRF}, "reason": {strings.Repeat("长", 501)}}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "reason: at most 500") {
			t.Errorf("a reveal with a 501-character reason = %d, want the API's violation:\n%s", resp.StatusCode, body)
		}
		if got := revealsOf(); len(got) != 0 {
			t.Fatalf("refused reveals were recorded: %v", got)
		}
		resp, _ := post(t, hr, h.srv.URL+employeeURL+"/reveal", url.Values{"csrf": {hrCSRF}, "reason": {"预警 sensitive_words 复核"}, "request_id": {"8f0e7c8e-3c1f-4c57-9a59-0c1d2e3f4a5b"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != employeeURL {
			t.Fatalf("reveal = %d → %q, want a redirect to %s", resp.StatusCode, resp.Header.Get("Location"), employeeURL)
		}
		got := revealsOf()
		if len(got) != 1 || got[0].GetActorId() != "hr1" || !strings.Contains(got[0].GetSummary(), "预警 sensitive_words 复核") {
			t.Fatalf("recorded reveals = %v, want one by hr1 with the reason", got)
		}
		_, after := get(t, hr, h.srv.URL+employeeURL)
		if !strings.Contains(after, `id="employee-name">周明远 (s7)<`) || strings.Contains(after, `id="reveal-form"`) || !strings.Contains(after, "Name revealed") {
			t.Errorf("after the reveal, HR's page does not name s7 (or still offers the form, or lacks the reveal on the timeline):\n%s", after)
		}
		_, queue := get(t, hr, h.srv.URL+"/alerts?employee="+employeeRef(t, "acme", "s7"))
		if !strings.Contains(queue, "周明远 (s7)") {
			t.Errorf("after the reveal, the queue does not name s7:\n%s", queue)
		}
		// The reveal is this session's: another HR session still reads the pseudonym.
		hr2 := h.browser(t)
		h.signIn(t, hr2, "acme", "hr2", "hr")
		if _, body := get(t, hr2, h.srv.URL+employeeURL); strings.Contains(body, "周明远") || !strings.Contains(body, "Employee "+code[1]) {
			t.Errorf("another HR session sees the name:\n%s", body)
		}
	})
}
