package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestConsoleQueueSuppressionAndRules drives HR's and an admin's forms
// against the dev stack: the queue's filters reach the risk API, HR
// suppresses a rule for an employee, and the rules pages show each rule's
// effectiveness, run a backtest and let only an admin save a change.
func TestConsoleQueueSuppressionAndRules(t *testing.T) {
	stack, dataDir := startDevStack(t)
	h := startConsole(t, stack, dataDir)
	team := chatAlert(t, stack, dataDir)
	hr := h.browser(t)
	csrf := h.signIn(t, hr, "acme", "hr1", "hr")
	today := time.Now().UTC()
	day := func(d int) string { return today.AddDate(0, 0, d).Format("2006-01-02") }
	alertLink := regexp.MustCompile(`href="/alerts/([0-9a-f-]{36})"`)

	_, queue := get(t, hr, h.srv.URL+"/alerts")
	m := alertLink.FindStringSubmatch(queue)
	if m == nil {
		t.Fatalf("the queue shows no alert:\n%s", queue)
	}
	id := m[1]

	t.Run("queue filters", func(t *testing.T) {
		for _, c := range []struct {
			query string
			shown bool
		}{
			{"min_severity=high", true},
			{"from=" + day(0) + "&to=" + day(0), true},
			{"from=" + day(1), false},
			{"to=" + day(-1), false},
			{"min_severity=high&employee=" + employeeRef(t, "acme", "e2"), false},
			{"min_severity=medium&employee=" + employeeRef(t, "acme", "e1") + "&from=" + day(-2), true},
			{"org_unit=" + url.QueryEscape(team), true},
			{"org_unit=" + url.QueryEscape(team) + "&employee=" + employeeRef(t, "acme", "e2"), false},
			{"sort=risk&min_severity=high", true},
		} {
			resp, body := get(t, hr, h.srv.URL+"/alerts?"+c.query)
			if resp.StatusCode != http.StatusOK || strings.Contains(body, "/alerts/"+id) != c.shown {
				t.Errorf("/alerts?%s = %d, want the alert shown=%v:\n%s", c.query, resp.StatusCode, c.shown, body)
			}
		}
		if resp, body := get(t, hr, h.srv.URL+"/alerts?sort=risk"); resp.StatusCode != http.StatusOK || !strings.Contains(body, `<option value="risk" selected>`) {
			t.Errorf("the queue sorted by risk = %d, want the order kept in the form:\n%s", resp.StatusCode, body)
		}
		if resp, body := get(t, hr, h.srv.URL+"/alerts?sort=salary"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "sort: newest first or highest risk first") {
			t.Errorf("an unknown order = %d:\n%s", resp.StatusCode, body)
		}
		// An org unit id the API refuses comes back as its field violation.
		if resp, body := get(t, hr, h.srv.URL+"/alerts?"+url.Values{"org_unit": {"no such unit!"}}.Encode()); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "org_unit_id: not a valid id") {
			t.Errorf("a malformed org unit = %d:\n%s", resp.StatusCode, body)
		}
		if resp, _ := get(t, hr, h.srv.URL+"/alerts?org_unit=nounit"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("an unknown org unit = %d, want 404", resp.StatusCode)
		}
		if resp, body := get(t, hr, h.srv.URL+"/alerts?from=23.11.2026"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "from: a date as YYYY-MM-DD") {
			t.Errorf("a malformed date = %d:\n%s", resp.StatusCode, body)
		}
		// The form shows the filters back.
		if _, body := get(t, hr, h.srv.URL+"/alerts?min_severity=medium&org_unit="+url.QueryEscape(team)); !strings.Contains(body, `<option value="medium" selected>`) || !strings.Contains(body, `name="org_unit" value="`+team+`"`) {
			t.Errorf("the filter form lost the filters:\n%s", body)
		}
	})

	t.Run("suppression", func(t *testing.T) {
		_, page := get(t, hr, h.srv.URL+"/alerts/"+id)
		if !strings.Contains(page, `id="suppress-form"`) {
			t.Fatalf("HR's alert page has no suppression form:\n%s", page)
		}
		form := url.Values{"csrf": {"forged"}, "until": {day(7)}, "reason": {"on approved leave, customer handed over"}}
		if resp, _ := post(t, hr, h.srv.URL+"/alerts/"+id+"/suppress", form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("suppress with a forged token = %d, want 403", resp.StatusCode)
		}
		form.Set("csrf", csrf)
		form.Set("until", day(200))
		if resp, body := post(t, hr, h.srv.URL+"/alerts/"+id+"/suppress", form); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "until: required, in the future and at most 180 days ahead") {
			t.Errorf("suppress for 200 days = %d:\n%s", resp.StatusCode, body)
		}
		form.Set("until", day(7))
		form.Set("reason", " ")
		if resp, body := post(t, hr, h.srv.URL+"/alerts/"+id+"/suppress", form); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "reason: required") {
			t.Errorf("suppress without a reason = %d:\n%s", resp.StatusCode, body)
		}
		form.Set("reason", "on approved leave, customer handed over")
		resp, _ := post(t, hr, h.srv.URL+"/alerts/"+id+"/suppress", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("suppress = %d, want 303", resp.StatusCode)
		}
		if _, body := get(t, hr, h.srv.URL+resp.Header.Get("Location")); !strings.Contains(body, `id="suppressed">Suppressed until `+day(7)) {
			t.Errorf("after suppressing, the alert page shows:\n%s", body)
		}
		// An auditor reads the alert but may not suppress: the API refuses.
		auditor := h.browser(t)
		acsrf := h.signIn(t, auditor, "acme", "au1", "auditor")
		if _, body := get(t, auditor, h.srv.URL+"/alerts/"+id); strings.Contains(body, `id="suppress-form"`) {
			t.Error("an auditor is offered the suppression form")
		}
		form.Set("csrf", acsrf)
		if resp, _ := post(t, auditor, h.srv.URL+"/alerts/"+id+"/suppress", form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("an auditor's suppression = %d, want 403", resp.StatusCode)
		}
	})

	t.Run("rules", func(t *testing.T) {
		// HR confirms the alert: the rule's effectiveness is then 1 of 1.
		resp, _ := post(t, hr, h.srv.URL+"/alerts/"+id+"/confirm", url.Values{"csrf": {csrf}, "text": {"asked for a private deal"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirm = %d", resp.StatusCode)
		}
		get(t, hr, h.srv.URL+resp.Header.Get("Location")) // waits until the alert view has the step
		resp, rules := get(t, hr, h.srv.URL+"/rules")
		row := regexp.MustCompile(`(?s)<tr[^>]*id="rule-sensitive_words">.*?</tr>`).FindString(rules)
		if resp.StatusCode != http.StatusOK || !strings.Contains(row, "100.0 % (1/1)") || !strings.Contains(row, "high_at = 2") {
			t.Errorf("GET /rules = %d, sensitive_words row:\n%s", resp.StatusCode, row)
		}

		rule := h.srv.URL + "/rules/sensitive_words"
		_, page := get(t, hr, rule)
		if !strings.Contains(page, `id="backtest-form"`) || strings.Contains(page, `id="toggle-form"`) {
			t.Errorf("HR's rule page: want a backtest form and no enable/disable:\n%s", page)
		}
		bt := url.Values{"csrf": {csrf}, "param.high_at": {"two"}, "from": {day(-1)}, "to": {day(0)}}
		if resp, body := post(t, hr, rule+"/backtest", bt); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "parameters.high_at: a whole number") {
			t.Errorf("a backtest with a bad parameter value = %d:\n%s", resp.StatusCode, body)
		}
		// An expression is edited like a parameter: a mistake comes back
		// with its position, a changed one is what the backtest runs.
		bt.Set("param.high_at", "1")
		bt.Set("trigger", `event.type == "interaction" &&`)
		if resp, body := post(t, hr, rule+"/backtest", bt); resp.StatusCode != http.StatusBadRequest || !regexp.MustCompile(`definition.trigger: line 1, column \d+`).MatchString(body) {
			t.Errorf("a backtest of a broken trigger = %d:\n%s", resp.StatusCode, body)
		}
		bt.Set("trigger", `event.type == "interaction" && event.matches > 100`)
		if resp, body := post(t, hr, rule+"/backtest", bt); resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="backtest-total">0<`) ||
			!strings.Contains(body, "event.matches &gt; 100</textarea>") {
			t.Errorf("a backtest of a trigger nothing meets = %d:\n%s", resp.StatusCode, body)
		}
		bt.Del("trigger")
		resp, body := post(t, hr, rule+"/backtest", bt)
		if resp.StatusCode != http.StatusOK || !regexp.MustCompile(`id="backtest-total">[1-9]`).MatchString(body) ||
			// e1 under their pseudonym, as everywhere before a reveal.
			!regexp.MustCompile(`<td>Employee [0-9A-Z]{8}</td><td>`+day(0)+`</td>`).MatchString(body) || strings.Contains(body, "<td>e1</td>") || !strings.Contains(body, `id="backtest-recall">100.0 % (1/1)`) {
			t.Errorf("backtest = %d:\n%s", resp.StatusCode, body)
		}
		if strings.Contains(body, `id="save-form"`) {
			t.Error("HR is offered to save the rule")
		}
		// HR cannot save even by posting the form: the API's PermissionDenied is a 403.
		save := url.Values{"csrf": {csrf}, "param.high_at": {"1"}, "expected_version": {"1"}, "reason": {"catch single hits"}}
		if resp, _ := post(t, hr, rule+"/save", save); resp.StatusCode != http.StatusForbidden {
			t.Errorf("HR saving a rule = %d, want 403", resp.StatusCode)
		}

		admin := h.browser(t)
		save.Set("csrf", h.signIn(t, admin, "acme", "ad1", "admin"))
		bt.Set("csrf", save.Get("csrf"))
		if _, body := post(t, admin, rule+"/backtest", bt); !strings.Contains(body, `id="save-form"`) || !strings.Contains(body, `name="param.high_at" value="1"`) {
			t.Errorf("an admin's backtest offers no save form of the tried values:\n%s", body)
		}
		save.Set("reason", "")
		if resp, body := post(t, admin, rule+"/save", save); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "reason: required") {
			t.Errorf("save without a reason = %d:\n%s", resp.StatusCode, body)
		}
		save.Set("reason", "catch single hits")
		resp, _ = post(t, admin, rule+"/save", save)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save = %d, want 303", resp.StatusCode)
		}
		if _, body := get(t, admin, h.srv.URL+resp.Header.Get("Location")); !strings.Contains(body, `id="rule-version">2<`) || !strings.Contains(body, "<td>1</td>") {
			t.Errorf("after saving, the rule page shows:\n%s", body)
		}
		// The same form again is a stale version: someone else changed it first.
		save.Set("request_id", "")
		if resp, _ := post(t, admin, rule+"/save", save); resp.StatusCode != http.StatusConflict {
			t.Errorf("save over a changed rule = %d, want 409", resp.StatusCode)
		}
		resp, _ = post(t, admin, rule+"/disable", url.Values{"csrf": {save.Get("csrf")}, "reason": {"too noisy during the review"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("disable = %d, want 303", resp.StatusCode)
		}
		if _, body := get(t, admin, h.srv.URL+resp.Header.Get("Location")); !strings.Contains(body, `id="rule-enabled">disabled<`) {
			t.Errorf("after disabling, the rule page shows:\n%s", body)
		}
	})
}
