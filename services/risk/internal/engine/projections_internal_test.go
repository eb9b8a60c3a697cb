package engine

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
)

func newTestEngine(t *testing.T) *Engine {
	t.Helper()
	return New(lexicon.Default(), DefaultSensitiveWords())
}

// monday is a Monday in Shanghai (2026-03-02 09:00 +08:00).
var monday = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

func hire(e *Engine, emp, unit, role string) {
	e.RecordStaff(StaffEvent{Tenant: "t", EmployeeID: emp, Kind: StaffHired, OrgUnitID: unit, Role: role, Date: "2025-01-01", OccurredAt: monday.AddDate(0, -2, 0)})
}

// peers is the employees the staff projection puts, not departed, in the
// org unit with the role, sorted: the peer group a conversion review
// compares them in (peerMedians).
func (e *Engine) peers(tenant, unit, role string) []string {
	var out []string
	for id, m := range e.staff.members.of(tenant) {
		if !m.departed && m.unit == unit && m.role == role {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

func TestStaffProjection(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	e.RecordOrgUnit(OrgUnit{Tenant: "t", ID: "sh", TimeZone: "Asia/Shanghai", WorkingWeekdays: []int{1, 2, 3, 4, 5}, Holidays: []string{"2026-03-04"}})
	e.RecordOrgUnit(OrgUnit{Tenant: "t", ID: "sh-team", ParentID: "sh"})
	hire(e, "a", "sh-team", "sales")
	hire(e, "b", "sh-team", "sales")
	hire(e, "c", "sh-team", "manager")
	hire(e, "x", "sh-team", "sales")
	e.RecordStaff(StaffEvent{Tenant: "t", EmployeeID: "x", Kind: StaffTransferred, OrgUnitID: "bj", OccurredAt: monday})
	e.RecordStaff(StaffEvent{Tenant: "t", EmployeeID: "b", Kind: StaffLeave, Date: "2026-03-05", EndDate: "2026-03-06", OccurredAt: monday})

	if diff := cmp.Diff([]string{"a", "b"}, e.peers("t", "sh-team", "sales")); diff != "" {
		t.Errorf("peers mismatch (-want, +got):\n%s", diff)
	}
	if got := e.peers("t", "bj", "sales"); !cmp.Equal(got, []string{"x"}) {
		t.Errorf("peers in bj = %v, want [x]", got)
	}
	// From Monday to the next Monday: Tue, Thu, Fri are working days for a
	// (Wed is the branch's holiday); b is on leave Thu and Fri.
	next := monday.AddDate(0, 0, 7)
	for emp, want := range map[string]int{"a": 3, "b": 1, "unknown": 4} {
		if got := e.workingDaysBetween("t", emp, monday, next); got != want {
			t.Errorf("workingDaysBetween(%s) = %d, want %d", emp, got, want)
		}
	}
	e.RecordStaff(StaffEvent{Tenant: "t", EmployeeID: "a", Kind: StaffNotice, Date: "2026-03-02", OccurredAt: monday})
	if m, _ := e.member("t", "a"); !m.notice.Equal(monday) {
		t.Errorf("notice = %v, want %v", m.notice, monday)
	}
	e.RecordStaff(StaffEvent{Tenant: "t", EmployeeID: "a", Kind: StaffNoticeWithdrawn, OccurredAt: monday.Add(time.Hour)})
	if m, _ := e.member("t", "a"); !m.notice.IsZero() {
		t.Errorf("notice after withdrawal = %v, want none", m.notice)
	}
	e.RecordStaff(StaffEvent{Tenant: "t", EmployeeID: "a", Kind: StaffDeparted, Date: "2026-03-03", OccurredAt: monday.Add(24 * time.Hour)})
	if got := e.peers("t", "sh-team", "sales"); !cmp.Equal(got, []string{"b"}) {
		t.Errorf("peers after a departed = %v, want [b]", got)
	}
}

func TestProjectionsDropOldEntries(t *testing.T) {
	t.Parallel()
	for _, restored := range []bool{false, true} {
		t.Run(fmt.Sprintf("restored=%v", restored), func(t *testing.T) {
			t.Parallel()
			projectionsDropOldEntries(t, restored)
		})
	}
}

// projectionsDropOldEntries is TestProjectionsDropOldEntries, the engine
// restored from a snapshot half-way through when restored is set: what a
// prune works from is rebuilt with the projections.
func projectionsDropOldEntries(t *testing.T, restored bool) {
	e := newTestEngine(t)
	hire(e, "a", "u", "sales")
	hire(e, "gone", "u", "sales")
	e.RecordStaff(StaffEvent{Tenant: "t", EmployeeID: "a", Kind: StaffLeave, Date: "2026-03-02", EndDate: "2026-03-03", OccurredAt: monday})
	e.RecordStaff(StaffEvent{Tenant: "t", EmployeeID: "gone", Kind: StaffDeparted, Date: "2026-03-02", OccurredAt: monday})
	for i := range offBookCap + 10 {
		e.ObserveInteraction(Interaction{Tenant: "t", EmployeeID: "a", Counterparty: "+8613800000000", OccurredAt: monday.Add(time.Duration(i) * time.Minute)})
	}
	for d := range activityKeepDays + 10 {
		e.ObserveReveal(Reveal{Tenant: "t", EmployeeID: "a", OccurredAt: monday.AddDate(0, 0, d-activityKeepDays-10)})
	}
	if days, _ := e.activity.get(employeeKey{"t", "a"}); len(days) != activityKeepDays+1 {
		t.Errorf("activity days kept = %d, want %d", len(days), activityKeepDays+1)
	}
	e.ObserveExportRequest(ExportRequest{Tenant: "t", EmployeeID: "a", ExportID: "x", OccurredAt: monday})
	if log, _ := e.book.offBook.get(employeeKey{"t", "a"}); len(log) != offBookCap {
		t.Errorf("off-book touches kept = %d, want the cap %d", len(log), offBookCap)
	}
	e.ObserveTick(Tick{Tenant: "t", At: monday.Add(staffRetention - time.Hour)})
	if _, ok := e.member("t", "gone"); !ok {
		t.Error("departed employee dropped before the retention passed")
	}
	if len(e.book.offBook) != 0 {
		t.Errorf("off-book touches older than %v kept: %d employees", offBookRetention, len(e.book.offBook))
	}
	if restored {
		snap, err := e.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		e = newTestEngine(t)
		if err := e.Restore(snap); err != nil {
			t.Fatal(err)
		}
	}
	e.ObserveTick(Tick{Tenant: "t", At: monday.Add(staffRetention + 3*24*time.Hour)})
	if _, ok := e.member("t", "gone"); ok {
		t.Error("departed employee kept after the retention")
	}
	if m, _ := e.member("t", "a"); len(m.leaves) != 0 {
		t.Errorf("leaves that ended long ago kept: %v", m.leaves)
	}
	if len(e.activity) != 0 || len(e.exports) != 0 {
		t.Errorf("kept %d employees' activity and %d undecided exports after %v", len(e.activity), len(e.exports), staffRetention)
	}
}

func TestBookProjection(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	ev := domain.Evidence{EventID: "r1"}
	e.ObserveRegistration(Registration{Tenant: "t", CustomerID: "c1", OwnerID: "a", Source: "assignment", Phones: []string{"+8613800000001"}, WeChatID: "wx1", OccurredAt: monday, Evidence: ev})
	e.ObserveRegistration(Registration{Tenant: "t", CustomerID: "c2", OwnerID: "a", Source: "personal", OccurredAt: monday})
	if diff := cmp.Diff([]string{"c1", "c2"}, e.held("t", "a")); diff != "" {
		t.Errorf("held mismatch (-want, +got):\n%s", diff)
	}
	c, _ := e.customer("t", "c1")
	if diff := cmp.Diff([]string{"+8613800000001", "wx1"}, c.keys); diff != "" {
		t.Errorf("keys mismatch (-want, +got):\n%s", diff)
	}
	// b touching a's customer is no follow-up of a's; a's own touch is.
	e.ObserveInteraction(Interaction{Tenant: "t", EmployeeID: "b", CustomerID: "c1", OccurredAt: monday.Add(2 * time.Hour)})
	if last, _ := e.lastFollowUp("t", "a"); !last.Equal(monday) {
		t.Errorf("last follow-up = %v, want the registration %v", last, monday)
	}
	e.ObserveInteraction(Interaction{Tenant: "t", EmployeeID: "a", CustomerID: "c2", OccurredAt: monday.Add(3 * time.Hour)})
	if last, _ := e.lastFollowUp("t", "a"); !last.Equal(monday.Add(3 * time.Hour)) {
		t.Errorf("last follow-up = %v, want %v", last, monday.Add(3*time.Hour))
	}
	e.RecordOwnerChange(OwnerChange{Tenant: "t", CustomerID: "c2", NewOwnerID: "b", OccurredAt: monday.Add(4 * time.Hour)})
	e.RecordOwnerChange(OwnerChange{Tenant: "t", CustomerID: "c1", NewOwnerID: "", OccurredAt: monday.Add(5 * time.Hour)})
	if got := e.held("t", "a"); len(got) != 0 {
		t.Errorf("a still holds %v", got)
	}
	if _, ok := e.lastFollowUp("t", "a"); ok {
		t.Error("lastFollowUp ok for an employee holding nothing")
	}
	// Nor is an empty holding kept: a tenant's former sellers would
	// otherwise stay in memory for good.
	if _, ok := e.book.held.get(employeeKey{"t", "a"}); ok {
		t.Error("a's empty holding is still kept")
	}
	if got := e.held("t", "b"); !cmp.Equal(got, []string{"c2"}) {
		t.Errorf("b holds %v, want [c2]", got)
	}
	e.ObserveInteraction(Interaction{Tenant: "t", EmployeeID: "a", Counterparty: "wx9", OccurredAt: monday})
	e.ObserveCheckIn(CheckIn{Tenant: "t", EmployeeID: "a", Visit: true, OccurredAt: monday.Add(time.Hour)})
	if got := len(e.offBookSince("t", "a", monday.Add(-time.Second))); got != 2 {
		t.Errorf("off-book touches = %d, want 2 (a contact and an unlinked visit)", got)
	}
	if got := len(e.contactTouches("t", "a", []string{"wx9"})); got != 1 {
		t.Errorf("touches of wx9 = %d, want 1", got)
	}
}

// A reveal window is pruned at the tenant's daily tick even when its
// employee is never observed again; another tenant's is left to its own.
func TestRevealWindowsArePrunedDaily(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	for _, tenant := range []string{"t", "u"} {
		e.ObserveReveal(Reveal{Tenant: tenant, EmployeeID: "gone", OccurredAt: monday, Evidence: domain.Evidence{EventID: tenant + "-r1", OccurredAt: monday}})
		e.ObserveReveal(Reveal{Tenant: tenant, EmployeeID: "gone", OccurredAt: monday.Add(20 * time.Hour), Evidence: domain.Evidence{EventID: tenant + "-r2", OccurredAt: monday.Add(20 * time.Hour)}})
	}
	e.ObserveTick(Tick{Tenant: "t", At: monday.Add(30 * time.Hour)})
	if got, _ := e.reveals.get(employeeKey{"t", "gone"}); len(got) != 1 {
		t.Errorf("t's window holds %d reveals a day after the first, want 1", len(got))
	}
	e.ObserveTick(Tick{Tenant: "t", At: monday.Add(50 * time.Hour)})
	if _, ok := e.reveals.get(employeeKey{"t", "gone"}); ok {
		t.Error("t's window is kept two days after its last reveal")
	}
	if got, _ := e.reveals.get(employeeKey{"u", "gone"}); len(got) != 2 {
		t.Errorf("u's window holds %d reveals after t's ticks, want 2", len(got))
	}
}

// TestRevealWindowIsCountedFromEachObservationsOwnTime: features.reveals_24h
// counts the reveals within 24 hours before the observation being judged,
// whatever the employee's later events seen before it (a late event from
// another source): they do not count in it, and only a later reveal cuts
// the reveals kept to its own 24 hours.
func TestRevealWindowIsCountedFromEachObservationsOwnTime(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	reveal := func(at time.Time) {
		e.ObserveReveal(Reveal{Tenant: "t", EmployeeID: "a", Assigned: true, OccurredAt: at, Evidence: domain.Evidence{EventID: at.String(), OccurredAt: at}})
	}
	reveals24h := func() any { return e.judgedInputs().Features()["reveals_24h"] }
	for i := range 3 {
		reveal(monday.Add(time.Duration(i) * time.Minute))
	}
	// A day later: the three are out of this interaction's window.
	later := monday.Add(30 * time.Hour)
	e.ObserveInteraction(Interaction{Tenant: "t", EmployeeID: "a", Text: "hello", OccurredAt: later, Evidence: domain.Evidence{EventID: "i", OccurredAt: later}})
	if got := reveals24h(); got != int64(0) {
		t.Fatalf("reveals_24h at the interaction = %v, want 0", got)
	}
	// A reveal that happened 20 hours after the three, delivered late:
	// all four are within its 24 hours.
	reveal(monday.Add(20 * time.Hour))
	if got := reveals24h(); got != int64(4) {
		t.Errorf("reveals_24h at the late reveal = %v, want 4", got)
	}
	// A later reveal, then another late one: the later one is not in the
	// late one's window, nor are the first three in the later one's.
	reveal(monday.Add(31 * time.Hour))
	if got := reveals24h(); got != int64(2) {
		t.Errorf("reveals_24h at +31h = %v, want 2 (+20h and itself)", got)
	}
	// The store keeps the 24 hours before the latest reveal: the first
	// three left it with the +31h one, so a reveal delivered later still
	// counts only what is kept.
	reveal(monday.Add(21 * time.Hour))
	if got := reveals24h(); got != int64(2) {
		t.Errorf("reveals_24h at the late +21h = %v, want 2 (+20h and itself)", got)
	}
}

// prunable is exactly the members with leave or a departure on record,
// after hires, leave, departures, prunes and a re-hire of a pruned id.
func TestPrunableIsDerivedFromMembers(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	check := func(when string) {
		t.Helper()
		for tenant, ms := range e.staff.members {
			for id, m := range ms {
				got, _ := e.staff.prunable.get(employeeKey{tenant, id})
				want := m.departed || len(m.leaves) > 0
				if (got != nil) != want || (got != nil && got != m) {
					t.Errorf("%s: %s prunable %p, member %p (departed %v, %d leaves)", when, id, got, m, m.departed, len(m.leaves))
				}
			}
		}
		for tenant, ps := range e.staff.prunable {
			for id := range ps {
				if _, ok := e.staff.members.get(employeeKey{tenant, id}); !ok {
					t.Errorf("%s: %s is prunable but no member", when, id)
				}
			}
		}
	}
	hire(e, "x", "u", "sales")
	hire(e, "y", "u", "sales")
	e.RecordStaff(StaffEvent{Tenant: "t", EmployeeID: "y", Kind: StaffLeave, Date: "2026-03-02", EndDate: "2026-03-03", OccurredAt: monday})
	e.RecordStaff(StaffEvent{Tenant: "t", EmployeeID: "x", Kind: StaffDeparted, Date: "2026-03-02", OccurredAt: monday})
	check("after leave and departure")
	later := monday.Add(staffRetention + 3*24*time.Hour)
	e.ObserveTick(Tick{Tenant: "t", At: later})
	check("after the prune")
	if _, ok := e.member("t", "x"); ok {
		t.Fatal("x not pruned; the test shows nothing")
	}
	e.RecordStaff(StaffEvent{Tenant: "t", EmployeeID: "x", Kind: StaffHired, OrgUnitID: "u", Role: "sales", Date: "2026-01-01", OccurredAt: later})
	e.ObserveTick(Tick{Tenant: "t", At: later.Add(48 * time.Hour)})
	check("after x is hired again")
	if _, ok := e.member("t", "x"); !ok {
		t.Error("x, hired again, was pruned as the departed x")
	}
}
