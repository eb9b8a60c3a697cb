package engine_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
)

// world drives one engine through a scenario of CLIENT, ATTENDANCE and
// TICK events, numbering every event like a stream would and collecting
// every change.
type world struct {
	e       *engine.Engine
	seq     int
	changes []engine.Change
}

// sh0 is Monday 2026-03-02 09:00 in Shanghai.
var sh0 = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

func newWorld() *world {
	w := &world{e: newEngine()}
	w.e.RecordOrgUnit(engine.OrgUnit{Tenant: "acme", ID: "sh", TimeZone: "Asia/Shanghai", WorkingWeekdays: []int{1, 2, 3, 4, 5}})
	w.e.RecordOrgUnit(engine.OrgUnit{Tenant: "acme", ID: "sh-sales", ParentID: "sh"})
	return w
}

func (w *world) ev(typ string, at time.Time) domain.Evidence {
	w.seq++
	return evidence(w.seq, typ, at)
}

func (w *world) add(chs []engine.Change) []engine.Change {
	w.changes = append(w.changes, chs...)
	return chs
}

func (w *world) hire(emp, role string) {
	w.e.RecordStaff(engine.StaffEvent{Tenant: "acme", EmployeeID: emp, Kind: engine.StaffHired, OrgUnitID: "sh-sales", Role: role, Date: "2025-06-01", OccurredAt: sh0.AddDate(0, -9, 0)})
}

func (w *world) staff(emp string, kind engine.StaffEventKind, from, to string, at time.Time) {
	w.e.RecordStaff(engine.StaffEvent{Tenant: "acme", EmployeeID: emp, Kind: kind, Date: from, EndDate: to, OccurredAt: at, Evidence: w.ev("holdfast.attendance.v1.Staff", at)})
}

func (w *world) register(emp, customer, phone string, at time.Time) []engine.Change {
	return w.add(w.e.ObserveRegistration(engine.Registration{
		Tenant: "acme", CustomerID: customer, OwnerID: emp, RegisteredBy: emp, Source: "assignment",
		Phones: []string{phone}, OccurredAt: at, Evidence: w.ev("holdfast.client.v1.CustomerRegistered", at),
	}))
}

func (w *world) touch(emp, customer, contact string, at time.Time) []engine.Change {
	return w.add(w.e.ObserveInteraction(engine.Interaction{
		Tenant: "acme", EmployeeID: emp, Text: "跟进", CustomerID: customer, Counterparty: contact, OccurredAt: at,
		Evidence: w.ev("holdfast.client.v1.InteractionLogged", at),
	}))
}

func (w *world) tick(at time.Time) []engine.Change {
	return w.add(w.e.ObserveTick(engine.Tick{Tenant: "acme", At: at, OccurredAt: at, Evidence: w.ev("holdfast.tick.v1.ClockTicked", at)}))
}

func (w *world) reveal(emp string, assigned bool, at time.Time) []engine.Change {
	return w.add(w.e.ObserveReveal(engine.Reveal{Tenant: "acme", EmployeeID: emp, Assigned: assigned, OccurredAt: at, Evidence: w.ev("holdfast.client.v1.ContactRevealed", at)}))
}

func (w *world) export(emp, id string, n int, at time.Time) []engine.Change {
	return w.add(w.e.ObserveExportRequest(engine.ExportRequest{Tenant: "acme", EmployeeID: emp, ExportID: id, CustomerCount: n, OccurredAt: at, Evidence: w.ev("holdfast.client.v1.ExportRequested", at)}))
}

// ofRule is the changes of one rule.
func ofRule(chs []engine.Change, rule string) []engine.Change {
	var out []engine.Change
	for _, ch := range chs {
		if ch.Alert.RuleID == rule {
			out = append(out, ch)
		}
	}
	return out
}

func eventTypes(evs []domain.Evidence) []string {
	out := make([]string, 0, len(evs))
	for _, e := range evs {
		out = append(out, strings.TrimPrefix(e.EventType, "holdfast."))
	}
	return out
}

// S2 and H3: the neglecting employee's idle working days count from the
// last follow-up; the one on approved leave has none; the one who touches
// no off-book contact is merely idle, not neglecting for someone else.
func TestAssignedNeglect(t *testing.T) {
	t.Parallel()
	w := newWorld()
	for _, emp := range []string{"neglect", "onleave", "quiet"} {
		w.hire(emp, "sales")
		w.register(emp, "c-"+emp, "+86138000000"+fmt.Sprint(len(emp)), sh0.Add(-time.Hour))
		w.touch(emp, "c-"+emp, "", sh0) // Monday's follow-up
	}
	w.staff("onleave", engine.StaffLeave, "2026-03-03", "2026-03-05", sh0)
	for d := 1; d <= 3; d++ { // Tuesday to Thursday: only off-book contacts
		w.touch("neglect", "", "+8613911112222", sh0.AddDate(0, 0, d))
		w.touch("onleave", "", "+8613911113333", sh0.AddDate(0, 0, d))
	}
	thursday0 := time.Date(2026, 3, 4, 16, 0, 0, 0, time.UTC) // Thu 00:00 in Shanghai
	if got := w.tick(thursday0); len(got) != 0 {
		t.Fatalf("tick after 2 working days: %d changes, want none", len(got))
	}
	friday0 := thursday0.Add(24 * time.Hour)
	got := only(t, w.tick(friday0))
	if got.Alert.RuleID != engine.RuleAssignedNeglect || got.Alert.EmployeeID != "neglect" || got.Alert.Severity != domain.SeverityMedium {
		t.Fatalf("alert = %s %s %v, want assigned_neglect of neglect, medium", got.Alert.RuleID, got.Alert.EmployeeID, got.Alert.Severity)
	}
	wantTypes := []string{"client.v1.InteractionLogged", "client.v1.InteractionLogged", "client.v1.InteractionLogged", "tick.v1.ClockTicked"}
	if diff := cmp.Diff(wantTypes, eventTypes(got.Alert.Evidence)); diff != "" {
		t.Errorf("evidence mismatch (-want, +got):\n%s", diff)
	}
	for _, want := range []string{"3 working day(s)", "since 2026-03-02", "3 interaction(s)", "3 or more working days"} {
		if !strings.Contains(got.Alert.ExplanationEN, want) {
			t.Errorf("explanation %q lacks %q", got.Alert.ExplanationEN, want)
		}
	}
	if !strings.Contains(got.Alert.ExplanationZH, "3 个工作日未跟进") {
		t.Errorf("zh explanation %q lacks the count", got.Alert.ExplanationZH)
	}
	if got := w.tick(friday0.Add(time.Hour)); len(got) != 0 {
		t.Errorf("the next tick changed %d alerts, want none: an open alert is not re-raised every hour", len(got))
	}
	// H3: the onleave employee's Tuesday to Thursday were leave; by the next
	// Wednesday they have had Friday, Monday and Tuesday: three.
	if got := w.tick(friday0.AddDate(0, 0, 4)); len(got) != 0 {
		t.Errorf("Tuesday after the leave: %d changes, want none", len(got))
	}
	got = only(t, w.tick(friday0.AddDate(0, 0, 5)))
	if got.Alert.EmployeeID != "onleave" || !strings.Contains(got.Alert.ExplanationEN, "3 working day(s)") {
		t.Errorf("after leave: alert of %s: %q, want onleave at 3 working days", got.Alert.EmployeeID, got.Alert.ExplanationEN)
	}
}

// S3 and H5: after a notice, reveals of customers not held well above the
// weeks before, an export and a deletion raise one alert that turns high;
// the employee who only reveals their own customers raises nothing.
func TestDepartingExfiltration(t *testing.T) {
	t.Parallel()
	w := newWorld()
	w.hire("leaver", "sales")
	w.hire("proper", "sales")
	notice := sh0.AddDate(0, 0, 28)
	for d := 0; d < 28; d += 7 { // a weekly unassigned reveal before: the baseline
		w.reveal("leaver", false, sh0.AddDate(0, 0, d))
	}
	w.export("leaver", "x-before", 3, notice.Add(-24*time.Hour))
	w.staff("leaver", engine.StaffNotice, "2026-03-30", "", notice)
	w.staff("proper", engine.StaffNotice, "2026-03-30", "", notice)
	var raised []engine.Change
	for i := range 5 {
		raised = append(raised, ofRule(w.reveal("leaver", false, notice.Add(time.Duration(24+i)*time.Hour)), engine.RuleDepartingExfiltration)...)
	}
	first := only(t, raised)
	if first.Alert.Severity != domain.SeverityMedium || first.Version != 1 {
		t.Fatalf("after 5 unassigned reveals: %v v%d, want medium v1", first.Alert.Severity, first.Version)
	}
	if diff := cmp.Diff([]string{"attendance.v1.Staff", "client.v1.ContactRevealed"}, eventTypes(first.Alert.Evidence)); diff != "" {
		t.Errorf("opening evidence mismatch (-want, +got): the notice, then the reveal\n%s", diff)
	}
	for _, want := range []string{"5 reveal(s) of customers not assigned", "against 4 in the 28 days before", "more than 3 times"} {
		if !strings.Contains(first.Alert.ExplanationEN, want) {
			t.Errorf("explanation %q lacks %q", first.Alert.ExplanationEN, want)
		}
	}
	x := only(t, ofRule(w.export("leaver", "x-after", 3, notice.Add(48*time.Hour)), engine.RuleDepartingExfiltration))
	if x.Alert.ID != first.Alert.ID || x.Alert.Severity != domain.SeverityHigh {
		t.Errorf("export after the notice: alert %s %v, want the same alert, high", x.Alert.ID, x.Alert.Severity)
	}
	del := only(t, w.add(w.e.ObserveInteractionDeletion(engine.InteractionDeletion{
		Tenant: "acme", EmployeeID: "leaver", InteractionID: "i1", OccurredAt: notice.Add(50 * time.Hour),
		Evidence: w.ev("holdfast.client.v1.InteractionDeleted", notice.Add(50*time.Hour)),
	})))
	if !strings.Contains(del.Alert.ExplanationEN, "1 deleted interaction record(s)") {
		t.Errorf("deletion explanation %q", del.Alert.ExplanationEN)
	}
	// H5: 10 reveals a day of their own customers, no export, no deletion.
	for d := 1; d <= 3; d++ {
		for i := range 10 {
			if chs := w.reveal("proper", true, notice.AddDate(0, 0, d).Add(time.Duration(i)*time.Minute)); len(chs) != 0 {
				t.Fatalf("proper hand-over raised %s", chs[0].Alert.RuleID)
			}
		}
	}
	// A withdrawn notice ends the sequence; an export after it is no S3.
	w.staff("proper", engine.StaffNoticeWithdrawn, "", "", notice.AddDate(0, 0, 5))
	if chs := ofRule(w.export("proper", "x-p", 3, notice.AddDate(0, 0, 6)), engine.RuleDepartingExfiltration); len(chs) != 0 {
		t.Errorf("export after a withdrawn notice raised %d S3 changes", len(chs))
	}
	// Past the activation window the sequence is over too.
	if chs := ofRule(w.export("leaver", "x-late", 3, notice.AddDate(0, 0, 31)), engine.RuleDepartingExfiltration); len(chs) != 0 {
		t.Errorf("export 31 days after the notice raised %d S3 changes", len(chs))
	}
}

// S8: contact worked for days before its registration; the same-day
// registration and another employee's earlier contact raise nothing.
func TestLateRegistration(t *testing.T) {
	t.Parallel()
	w := newWorld()
	w.touch("late", "", "+8613900000001", sh0)
	w.touch("late", "", "+8613900000001", sh0.AddDate(0, 0, 1))
	w.touch("other", "", "+8613900000002", sh0)
	w.touch("prompt", "", "+8613900000003", sh0)
	got := only(t, w.register("late", "c-late", "+8613900000001", sh0.AddDate(0, 0, 3)))
	if got.Alert.RuleID != engine.RuleLateRegistration || got.Alert.Severity != domain.SeverityMedium {
		t.Fatalf("alert %s %v, want late_registration medium", got.Alert.RuleID, got.Alert.Severity)
	}
	want := []string{"client.v1.InteractionLogged", "client.v1.InteractionLogged", "client.v1.CustomerRegistered"}
	if diff := cmp.Diff(want, eventTypes(got.Alert.Evidence)); diff != "" {
		t.Errorf("evidence mismatch (-want, +got):\n%s", diff)
	}
	if !strings.Contains(got.Alert.ExplanationEN, "after 2 interaction(s)") || !strings.Contains(got.Alert.ExplanationEN, "first 3 day(s) earlier") {
		t.Errorf("explanation %q", got.Alert.ExplanationEN)
	}
	if chs := w.register("someone", "c-other", "+8613900000002", sh0.AddDate(0, 0, 3)); len(chs) != 0 {
		t.Errorf("registering another employee's contact raised %d changes", len(chs))
	}
	if chs := w.register("prompt", "c-prompt", "+8613900000003", sh0.Add(5*time.Hour)); len(chs) != 0 {
		t.Errorf("same-day registration raised %d changes", len(chs))
	}
}

// H1: a top performer revealing as many of their own customers as every
// day for weeks stays quiet; the same count without history, or mostly of
// others' customers, raises reveal_spike.
func TestRevealSpikeOwnBaseline(t *testing.T) {
	t.Parallel()
	w := newWorld()
	for d := range 30 {
		for i := range 30 {
			w.reveal("top", true, sh0.AddDate(0, 0, d).Add(time.Duration(i)*10*time.Minute))
		}
	}
	w.changes = nil // the first days, before a baseline, raise alerts as before
	day := sh0.AddDate(0, 0, 31)
	for i := range 35 {
		w.reveal("top", true, day.Add(time.Duration(i)*10*time.Minute))
		w.reveal("newcomer", true, day.Add(time.Duration(i)*10*time.Minute))
	}
	if got := ofRule(w.changes, engine.RuleRevealSpike); len(got) == 0 || got[0].Alert.EmployeeID != "newcomer" {
		t.Fatalf("reveal_spike changes %d, want the newcomer's", len(got))
	}
	for _, ch := range w.changes {
		if ch.Alert.EmployeeID == "top" {
			t.Fatalf("top performer within their baseline raised %s", ch.Alert.RuleID)
		}
	}
	if !strings.Contains(ofRule(w.changes, engine.RuleRevealSpike)[0].Alert.ExplanationEN, "Too little history") {
		t.Errorf("newcomer's explanation %q does not say why no own baseline applies", w.changes[0].Alert.ExplanationEN)
	}
	var last []engine.Change
	for i := range 25 { // the next day: most of others' customers
		last = w.reveal("top", i%5 == 0, day.AddDate(0, 0, 1).Add(time.Duration(i)*10*time.Minute))
	}
	got := only(t, ofRule(last, engine.RuleRevealSpike))
	if got.Alert.EmployeeID != "top" || got.Alert.Severity != domain.SeverityHigh || !strings.Contains(got.Alert.ExplanationEN, "own baseline over the previous 28 days") {
		t.Errorf("top revealing others' customers: %s %v %q", got.Alert.EmployeeID, got.Alert.Severity, got.Alert.ExplanationEN)
	}
}

// H2: a manager's export is judged when decided: approval raises nothing,
// rejection raises bulk_export; a sales request raises on request.
func TestBulkExportApproval(t *testing.T) {
	t.Parallel()
	w := newWorld()
	w.hire("boss", "manager")
	w.hire("seller", "sales")
	decide := func(id string, approved bool, at time.Time) []engine.Change {
		return w.add(w.e.ObserveExportDecision(engine.ExportDecision{
			Tenant: "acme", ExportID: id, Approved: approved, DecidedBy: "hr1", OccurredAt: at, Evidence: w.ev("holdfast.client.v1.ExportDecided", at),
		}))
	}
	if chs := w.export("boss", "x1", 40, sh0); len(chs) != 0 {
		t.Fatalf("manager's request raised %d changes before its decision", len(chs))
	}
	if chs := decide("x1", true, sh0.Add(time.Hour)); len(chs) != 0 {
		t.Fatalf("approved manager export raised %s", chs[0].Alert.RuleID)
	}
	w.export("boss", "x2", 40, sh0.Add(2*time.Hour))
	rej := only(t, decide("x2", false, sh0.Add(3*time.Hour)))
	if rej.Alert.RuleID != engine.RuleBulkExport || rej.Alert.EmployeeID != "boss" || !strings.Contains(rej.Alert.ExplanationEN, "hr1 rejected it") {
		t.Errorf("rejected manager export: %s %s %q", rej.Alert.RuleID, rej.Alert.EmployeeID, rej.Alert.ExplanationEN)
	}
	if chs := decide("x2", false, sh0.Add(4*time.Hour)); len(chs) != 0 {
		t.Errorf("a second decision on x2 raised %d changes", len(chs))
	}
	s := only(t, w.export("seller", "x3", 40, sh0))
	if s.Alert.RuleID != engine.RuleBulkExport || s.Alert.EmployeeID != "seller" {
		t.Errorf("sales request: %s %s, want bulk_export", s.Alert.RuleID, s.Alert.EmployeeID)
	}
	if chs := decide("x3", true, sh0.Add(time.Hour)); len(chs) != 0 {
		t.Errorf("approval of a sales export changed %d alerts", len(chs))
	}
}

// Replaying the same events yields byte-identical decisions.
func TestClientRulesDeterministic(t *testing.T) {
	t.Parallel()
	run := func() []engine.Change {
		w := newWorld()
		w.hire("a", "sales")
		w.register("a", "c1", "+8613800000001", sh0)
		w.touch("a", "", "+8613900000009", sh0.Add(time.Hour))
		w.touch("a", "", "+8613900000009", sh0.AddDate(0, 0, 2))
		w.register("a", "c2", "+8613900000009", sh0.AddDate(0, 0, 3))
		w.touch("a", "", "+8613900000010", sh0.AddDate(0, 0, 4))
		for h := range 24 * 9 {
			w.tick(sh0.Add(time.Duration(h) * time.Hour))
		}
		w.staff("a", engine.StaffNotice, "2026-03-12", "", sh0.AddDate(0, 0, 10))
		for i := range 6 {
			w.reveal("a", false, sh0.AddDate(0, 0, 11).Add(time.Duration(i)*time.Minute))
		}
		w.export("a", "x", 30, sh0.AddDate(0, 0, 12))
		return w.changes
	}
	first, second := run(), run()
	if len(first) < 3 {
		t.Fatalf("scenario raised %d changes, want S2, S3 and S8 at least", len(first))
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("replay mismatch (-first, +second):\n%s", diff)
	}
}
