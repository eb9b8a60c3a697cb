package main

import (
	"bytes"
	"crypto/ed25519"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/services/console/consolesvc"
	"github.com/holdfast/holdfast/services/holdfast/internal/devstack"
)

// fakeClock is a settable clock for session timeouts.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type consoleHarness struct {
	srv   *httptest.Server
	clock *fakeClock
}

// testPseudonymKey is the consoles' pseudonym key in these tests, so a
// test can name an employee as the console's links do.
var testPseudonymKey = bytes.Repeat([]byte{7}, 32)

// employeeRef is the reference the console's links use for an employee.
func employeeRef(t *testing.T, tenant, id string) string {
	t.Helper()
	ref, err := consolesvc.EmployeeReference(testPseudonymKey, tenant, id)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// pseudonymOf is the code the console shows for an employee.
func pseudonymOf(t *testing.T, tenant, id string) string {
	t.Helper()
	code, err := consolesvc.PseudonymOf(testPseudonymKey, tenant, id)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// startConsole serves the console over TLS (its cookies are Secure)
// against the dev stack's risk service, with dev sign-in enabled.
func startConsole(t *testing.T, stack *devstack.Stack, dataDir string) *consoleHarness {
	t.Helper()
	key, err := auth.LoadOrCreateDevKey(platform.DevKeyDir(dataDir))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(stack.Endpoints.RiskGRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	clock := &fakeClock{t: time.Now()}
	pub, ok := key.Public().(ed25519.PublicKey)
	if !ok {
		t.Fatal("dev key has no Ed25519 public key")
	}
	console, err := consolesvc.New(consolesvc.Config{
		Risk: conn, Verifier: auth.NewVerifier(pub), DevIssuer: auth.NewIssuer(key), Now: clock.now, PseudonymKey: testPseudonymKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(console)
	t.Cleanup(srv.Close)
	return &consoleHarness{srv: srv, clock: clock}
}

// browser is an HTTP client that keeps cookies and does not follow
// redirects, so tests see each response.
func (h *consoleHarness) browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	// srv.Client() is one shared client: copy it, so each browser keeps
	// its own cookies.
	c := *h.srv.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// reply is what a test reads of a response, once its body is read and
// closed.
type reply struct {
	StatusCode int
	Header     http.Header
}

func get(t *testing.T, c *http.Client, u string, header ...string) (reply, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return send(t, c, req, header...)
}

func post(t *testing.T, c *http.Client, u string, form url.Values, header ...string) (reply, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return send(t, c, req, header...)
}

func send(t *testing.T, c *http.Client, req *http.Request, header ...string) (reply, string) {
	t.Helper()
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{StatusCode: resp.StatusCode, Header: resp.Header}, string(body)
}

func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("page has no CSRF field:\n%s", body)
	}
	return m[1]
}

// signIn signs in through the dev form and returns the CSRF token of the
// signed-in session.
func (h *consoleHarness) signIn(t *testing.T, c *http.Client, tenant, employee, role string) string {
	t.Helper()
	_, body := get(t, c, h.srv.URL+"/login")
	resp, _ := post(t, c, h.srv.URL+"/login", url.Values{
		"csrf": {csrfOf(t, body)}, "tenant": {tenant}, "employee": {employee}, "role": {role}, "next": {"/alerts"},
	})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/alerts" {
		t.Fatalf("sign in: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = get(t, c, h.srv.URL+"/alerts")
	return csrfOf(t, body)
}

// chatAlert has salesperson e1 (of a team with e2) log a private-deal chat
// and waits until the risk engine's alert for it is in the alert view. It
// returns the team's org unit.
func chatAlert(t *testing.T, stack *devstack.Stack, dataDir string) (team string) {
	t.Helper()
	t.Setenv("HOLDFAST_DATA_DIR", dataDir)
	t.Setenv("HOLDFAST_CLIENT_ADDR", stack.Endpoints.ClientGRPC)
	if err := realMain(t.Context(), []string{"ready", "--addr", stack.Endpoints.HTTP, "--timeout", "30s"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	team = salesTeam(t, stack, "e1", "e2")
	var out bytes.Buffer
	if err := realMain(t.Context(), []string{
		"customer", "register", "--tenant", "acme", "--as", "e1", "--name", "王伟",
		"--phone", "138 0013 8000", "--source", "trade_show", "-q",
	}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	cid := strings.TrimSpace(out.String())
	out.Reset()
	if err := realMain(t.Context(), []string{
		"interaction", "log", "--tenant", "acme", "--as", "e1", "--customer", cid,
		"--text", "加我私人微信，这单我们走私单", "-q",
	}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	// Wait until the engine has judged the chat, so the queue shows its alert.
	t.Setenv("HOLDFAST_RISK_ADDR", stack.Endpoints.RiskGRPC)
	if err := realMain(t.Context(), []string{
		"alerts", "list", "--tenant", "acme", "--as", "hr1", "--role", "hr",
		"--consistent-with", "CLIENT:" + strings.TrimSpace(out.String()),
	}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	return team
}

func TestConsoleSecurity(t *testing.T) {
	stack, dataDir := startDevStack(t)
	h := startConsole(t, stack, dataDir)
	chatAlert(t, stack, dataDir)

	t.Run("headers and cookie flags", func(t *testing.T) {
		resp, _ := get(t, h.browser(t), h.srv.URL+"/login")
		for k, want := range map[string]string{
			"Content-Security-Policy": "default-src 'none'", "X-Content-Type-Options": "nosniff",
			"X-Frame-Options": "DENY", "Cache-Control": "no-store", "Referrer-Policy": "same-origin",
		} {
			if got := resp.Header.Get(k); !strings.Contains(got, want) {
				t.Errorf("%s = %q, want it to contain %q", k, got, want)
			}
		}
		if strings.Contains(resp.Header.Get("Content-Security-Policy"), "unsafe-inline") {
			t.Error("CSP allows inline code")
		}
		cookie := resp.Header.Get("Set-Cookie")
		for _, want := range []string{"__Host-holdfast-console=", "HttpOnly", "Secure", "SameSite=Strict", "Path=/"} {
			if !strings.Contains(cookie, want) {
				t.Errorf("Set-Cookie %q lacks %q", cookie, want)
			}
		}
	})

	t.Run("signed out", func(t *testing.T) {
		c := h.browser(t)
		resp, _ := get(t, c, h.srv.URL+"/alerts")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("GET /alerts signed out = %d → %q, want a redirect to /login", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, _ = post(t, c, h.srv.URL+"/alerts/x/ack", url.Values{"csrf": {"x"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST signed out = %d, want 403", resp.StatusCode)
		}
	})

	t.Run("csrf", func(t *testing.T) {
		c := h.browser(t)
		_, body := get(t, c, h.srv.URL+"/login")
		login := url.Values{"tenant": {"acme"}, "employee": {"hr1"}, "role": {"hr"}}
		if resp, _ := post(t, c, h.srv.URL+"/login", login); resp.StatusCode != http.StatusForbidden {
			t.Errorf("sign in without CSRF token = %d, want 403", resp.StatusCode)
		}
		login.Set("csrf", csrfOf(t, body))
		if resp, _ := post(t, c, h.srv.URL+"/login", login, "Origin", "https://evil.example"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("sign in from another origin = %d, want 403", resp.StatusCode)
		}
		csrf := h.signIn(t, c, "acme", "hr1", "hr")
		if csrf == csrfOf(t, body) {
			t.Error("signing in kept the anonymous session's CSRF token")
		}
		_, queue := get(t, c, h.srv.URL+"/alerts")
		id := regexp.MustCompile(`href="/alerts/([0-9a-f-]{36})"`).FindStringSubmatch(queue)
		if id == nil {
			t.Fatalf("the queue shows no alert:\n%s", queue)
		}
		if resp, _ := post(t, c, h.srv.URL+"/alerts/"+id[1]+"/ack", url.Values{"csrf": {"forged"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("acknowledge with a forged token = %d, want 403", resp.StatusCode)
		}
		if _, page := get(t, c, h.srv.URL+"/alerts/"+id[1]); !strings.Contains(page, `id="alert-status">raised<`) {
			t.Errorf("a refused POST changed the alert:\n%s", page)
		}
		resp, _ := post(t, c, h.srv.URL+"/alerts/"+id[1]+"/ack", url.Values{"csrf": {csrf}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("acknowledge = %d, want 303", resp.StatusCode)
		}
		// The redirect names the step's RISK sequence, so the page waits
		// until the alert view has it.
		if _, page := get(t, c, h.srv.URL+resp.Header.Get("Location")); !strings.Contains(page, `id="alert-status">acknowledged<`) {
			t.Errorf("after acknowledging, the page shows:\n%s", page)
		}

		// Another tenant's HR cannot open the alert; a salesperson cannot read the queue.
		other := h.browser(t)
		h.signIn(t, other, "globex", "hr9", "hr")
		if resp, _ := get(t, other, h.srv.URL+"/alerts/"+id[1]); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another tenant's alert = %d, want 404 (indistinguishable from no alert)", resp.StatusCode)
		}
		seller := h.browser(t)
		_, body = get(t, seller, h.srv.URL+"/login")
		post(t, seller, h.srv.URL+"/login", url.Values{"csrf": {csrfOf(t, body)}, "tenant": {"acme"}, "employee": {"e1"}, "role": {"sales"}})
		if resp, _ := get(t, seller, h.srv.URL+"/alerts"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a salesperson's alert queue = %d, want 403", resp.StatusCode)
		}
		// The salesperson's own page: their indicators beside the team, nobody else's.
		if resp, body := get(t, seller, h.srv.URL+"/me"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "My indicators") || strings.Contains(body, "risk-score") {
			t.Errorf("a salesperson's self-view = %d:\n%s", resp.StatusCode, body)
		}
		if resp, _ := get(t, seller, h.srv.URL+"/employees/"+employeeRef(t, "acme", "e2")); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a salesperson reading a colleague's risk page = %d, want 403", resp.StatusCode)
		}
		// An id typed into the address is not a page: it would show that
		// id's pseudonym, linking the two without a recorded reveal.
		if resp, _ := get(t, c, h.srv.URL+"/employees/e1"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("HR opening /employees/e1 by hand = %d, want 404", resp.StatusCode)
		}
		if resp, _ := get(t, c, h.srv.URL+"/alerts?employee=e1"); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("HR filtering the queue by a typed id = %d, want 400", resp.StatusCode)
		}
		// HR reads e1's page: the score, its indicators and e1's alerts.
		if resp, body := get(t, c, h.srv.URL+"/employees/"+employeeRef(t, "acme", "e1")); resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="risk-score"`) || !strings.Contains(body, "/alerts/"+id[1]) {
			t.Errorf("HR's page of e1 = %d:\n%s", resp.StatusCode, body)
		}
	})

	t.Run("idle timeout", func(t *testing.T) {
		c := h.browser(t)
		h.signIn(t, c, "acme", "hr2", "hr")
		h.clock.advance(consolesvc.DefaultIdleTimeout + time.Minute)
		resp, _ := get(t, c, h.srv.URL+"/alerts")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("after the idle timeout GET /alerts = %d → %q, want the sign-in page", resp.StatusCode, resp.Header.Get("Location"))
		}
	})

	t.Run("language", func(t *testing.T) {
		c := h.browser(t)
		if _, body := get(t, c, h.srv.URL+"/login", "Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8"); !strings.Contains(body, "登录") {
			t.Errorf("a Chinese browser's sign-in page is not in Chinese:\n%s", body)
		}
		csrf := h.signIn(t, c, "acme", "hr3", "hr")
		if _, body := get(t, c, h.srv.URL+"/alerts"); !strings.Contains(body, "Alert queue") {
			t.Errorf("the queue is not in English by default:\n%s", body)
		}
		post(t, c, h.srv.URL+"/lang", url.Values{"csrf": {csrf}, "lang": {"zh"}, "next": {"/alerts"}})
		if _, body := get(t, c, h.srv.URL+"/alerts"); !strings.Contains(body, "预警队列") || !strings.Contains(body, "私单") {
			t.Errorf("after switching to Chinese the queue shows:\n%s", body)
		}
	})
}
