package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds the browser the console tests drive: $HOLDFAST_CHROMIUM
// or Debian's chromium. Without one the test skips, except in CI, which
// installs it (scripts/ensure-chromium.sh) and must run it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	name := os.Getenv("HOLDFAST_CHROMIUM")
	if name == "" {
		name = "chromium"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI must run the browser tests, but %s is not installed: run scripts/ensure-chromium.sh", name)
		}
		t.Skipf("no %s: run scripts/ensure-chromium.sh to run the browser tests", name)
	}
	return path
}

// browserContext starts a headless Chromium with a fresh profile.
func browserContext(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	// The first action starts the browser, tied to this context: start it
	// here, not in a step's shorter-lived one.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", chromiumPath(t), err)
	}
	return ctx
}

// screenshot keeps a full-page PNG under the test's artifact directory
// (kept by `go test -artifacts`, which make test passes).
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(t.ArtifactDir(), name+".png"), png, 0o600); err != nil {
		t.Fatal(err)
	}
}

// text reads the text of the first element matching sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

// TestConsoleInABrowser walks HR's day in a real browser: sign in, find the
// alert a salesperson's private-deal chat raised, open it, confirm it into
// a case, switch the console to Chinese, and backtest the rule that raised
// it with a lower threshold on the rules page.
func TestConsoleInABrowser(t *testing.T) {
	ctx := browserContext(t)
	stack, dataDir := startDevStack(t)
	chatAlert(t, stack, dataDir)
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		stepCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		for i, a := range actions {
			if err := chromedp.Do(stepCtx, a); err != nil {
				t.Logf("action %d of %s: %v", i, name, err)
				break
			}
		}
		if err := stepCtx.Err(); err != nil {
			body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
			url, _ := chromedp.Run(ctx, chromedp.Location())
			t.Logf("page %s reads:\n%s", url, body)
			t.Fatalf("browser, %s: %v (screenshots so far in %s)", name, err, t.ArtifactDir())
		}
		screenshot(t, ctx, name)
	}
	step("1-sign-in",
		chromedp.Navigate(stack.Endpoints.Console+"/alerts"),
		chromedp.WaitVisible(chromedp.CSS(`#sign-in`)))
	step("2-queue",
		chromedp.SendKeys(chromedp.CSS(`#employee`), "hr1"),
		chromedp.SetValue(chromedp.CSS(`#role`), "hr"),
		chromedp.Click(chromedp.CSS(`#sign-in`)),
		chromedp.WaitVisible(chromedp.CSS(`table.alerts a`)))
	queue := text(t, ctx, "table.alerts")
	step("3-alert",
		chromedp.Click(chromedp.CSS(`table.alerts a`)),
		chromedp.WaitVisible(chromedp.CSS(`#alert-status`)))
	step("4-case-open",
		chromedp.SendKeys(chromedp.CSS(`form[action$="/confirm"] input[name=text]`), "spoke to the customer: asked to pay a personal account"),
		chromedp.Click(chromedp.CSS(`#confirm`)),
		chromedp.WaitVisible(chromedp.CSS(`#resolve`)))
	status := text(t, ctx, "#alert-status")

	// Download the case's evidence bundle with the browser's session (the
	// console's CSP lets no page script fetch it, so the test does, with the
	// cookie the browser holds) and verify it offline against the tenant's
	// published key.
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#bundle").href`))
	if err != nil {
		t.Fatalf("bundle link: %v", err)
	}
	var cookies []*network.Cookie
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		res, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{})
		cookies = res.Cookies
		return err
	})); err != nil {
		t.Fatal(err)
	}
	for _, c := range cookies {
		if !c.HTTPOnly || !c.Secure {
			t.Errorf("the browser holds cookie %s without HttpOnly and Secure", c.Name)
		}
	}
	download := func() (reply, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, href, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cookies {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		return reply{StatusCode: resp.StatusCode, Header: resp.Header}, body
	}
	// Twice, as a double click would: the case records one export.
	var bundle []byte
	for range 2 {
		var resp reply
		resp, bundle = download()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" {
			t.Fatalf("GET %s = %d %s", href, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	path := filepath.Join(t.ArtifactDir(), "case-bundle.zip")
	if err := os.WriteFile(path, bundle, 0o600); err != nil {
		t.Fatal(err)
	}
	var key bytes.Buffer
	if err := realMain(t.Context(), []string{"evidence", "key", "--tenant", "acme"}, &key, io.Discard); err != nil {
		t.Fatal(err)
	}
	var verified bytes.Buffer
	if err := realMain(t.Context(), []string{"evidence", "verify", path, "--key", strings.TrimSpace(key.String())}, &verified, io.Discard); err != nil {
		t.Fatalf("the downloaded bundle does not verify: %v\n%s", err, verified.String())
	}
	if !strings.Contains(verified.String(), "signed by the key you gave") || !strings.Contains(verified.String(), "InteractionLogged") {
		t.Errorf("evidence verify says:\n%s", verified.String())
	}
	// A note (posted with the page's own form fields, so it has landed when
	// the answer comes) moves the case on: the page's link now names a
	// bundle that no longer exists, and the user is told to reload.
	form, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](
		`Object.fromEntries([...document.querySelectorAll('form[action$="/note"] input[type=hidden]')].map(i => [i.name, i.value]))`))
	if err != nil {
		t.Fatal(err)
	}
	note := url.Values{"text": {"bundle handed to legal"}}
	for k, v := range form {
		note.Set(k, v)
	}
	noteReq, err := http.NewRequestWithContext(t.Context(), http.MethodPost, strings.Replace(href, "/bundle?", "/note?", 1), strings.NewReader(note.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	noteReq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	noteReq.Header.Set("Origin", stack.Endpoints.Console)
	for _, c := range cookies {
		noteReq.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	noClient := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if resp, err := noClient.Do(noteReq); err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST note = %v, %v; want 303", resp, err)
	} else {
		_ = resp.Body.Close()
	}
	if resp, body := download(); resp.StatusCode != http.StatusConflict || !strings.Contains(string(body), "reload the page and download the bundle again") {
		t.Errorf("the stale bundle link = %d:\n%s", resp.StatusCode, body)
	}
	step("5-chinese",
		chromedp.Click(chromedp.CSS(`#switch-lang`)),
		// Wait for the new page, not the old one's button.
		chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-CN"] #resolve`)))
	title := text(t, ctx, "h1")
	exports, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("td")].filter(td => td.textContent === "evidence_exported").length`))
	if err != nil || exports != 1 {
		t.Errorf("the case history lists %d evidence exports after one link was fetched twice (%v), want 1", exports, err)
	}
	step("6-employee",
		chromedp.Click(chromedp.CSS(`a#alert-employee`)),
		chromedp.WaitVisible(chromedp.CSS(`#risk-score`)))
	if score := text(t, ctx, "#risk-score"); score == "" || score == "0" {
		t.Errorf("e1's risk score reads %q, want the points of an open high alert", score)
	}
	step("7-rules",
		chromedp.Click(chromedp.CSS(`a[href="/rules"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#rule-sensitive_words`)))
	effectiveness := text(t, ctx, "#rule-sensitive_words .effectiveness")
	step("8-backtest",
		chromedp.Click(chromedp.CSS(`a[href="/rules/sensitive_words"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#backtest`)),
		chromedp.SetValue(chromedp.CSS(`#param\.high_at`), "1"),
		chromedp.Click(chromedp.CSS(`#backtest`)),
		chromedp.WaitVisible(chromedp.CSS(`#backtest-result`)))
	if total := text(t, ctx, "#backtest-total"); total == "" || total == "0" {
		t.Errorf("the backtest of sensitive_words with high_at=1 would raise %q alerts, want e1's", total)
	}
	if counts := text(t, ctx, "table.backtest-counts"); !pseudonymText.MatchString(counts) {
		t.Errorf("the backtest's counts read %q, want e1's day", counts)
	}
	if effectiveness != "100.0 % (1/1)" {
		t.Errorf("sensitive_words' effectiveness reads %q after HR confirmed its one alert", effectiveness)
	}
	if !strings.Contains(queue, "sensitive_words") || !pseudonymText.MatchString(queue) || !strings.Contains(queue, "high") {
		t.Errorf("the queue shows %q, want e1's high sensitive_words alert", queue)
	}
	if status != "confirmed (case open)" {
		t.Errorf("after confirming, the status reads %q", status)
	}
	if !strings.Contains(title, "预警详情") {
		t.Errorf("after switching language the title reads %q, want Chinese", title)
	}
}
