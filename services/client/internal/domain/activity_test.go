package domain

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCheckActivityPeriod(t *testing.T) {
	t.Parallel()
	day := func(n int) time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n) }
	for _, tt := range []struct {
		name     string
		from, to time.Time
		want     []string
	}{
		{"a week", day(0), day(7), nil},
		{"exactly 366 days", day(0), day(366), nil},
		{"one second over 366 days", day(0), day(366).Add(time.Second), []string{"to"}},
		{"empty period", day(3), day(3), []string{"to"}},
		{"reversed", day(4), day(3), []string{"to"}},
		{"both missing", time.Time{}, time.Time{}, []string{"from", "to"}},
		{"from missing", time.Time{}, day(1), []string{"from"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			if err := CheckActivityPeriod(tt.from, tt.to); err != nil {
				for _, v := range err.(*ValidationError).Violations { //nolint:errorlint // the domain returns it unwrapped
					got = append(got, v.Field)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
			}
		})
	}
}

// activityHistory is a hand-built fortnight (day 0 to day 14) of two
// employees:
//
//	e1 holds c1 from day -3 on, and c2 from day 3 until day 10.
//	e1 follows c1 up on days 1, 2 and 8, c2 on day 4 (not yet due: got
//	mid-week) and day 12 (no longer held: not a follow-up).
//	e2 talks to c1 on day 5 without holding it, and holds c9 from day 0,
//	never followed up.
//	e1 registers c3 on day 5, first talked to off the books on day -10;
//	c4 on day 6, talked to three hours before; c6 on day 2, with a talk
//	only after it; c5 on day 20, after the period.
func activityHistory() ActivityFacts {
	day := func(n float64) time.Time {
		return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).Add(time.Duration(n * 24 * float64(time.Hour)))
	}
	return ActivityFacts{
		Holdings: []Holding{
			{CustomerID: "c1", EmployeeID: "e1", From: day(-3)},
			{CustomerID: "c2", EmployeeID: "e1", From: day(3), Until: day(10)},
			{CustomerID: "c9", EmployeeID: "e2", From: day(0)},
		},
		Touches: []Touch{
			{EmployeeID: "e1", CustomerID: "c1", At: day(1)},
			{EmployeeID: "e1", CustomerID: "c1", At: day(2)},
			{EmployeeID: "e1", CustomerID: "c2", At: day(4)},
			{EmployeeID: "e2", CustomerID: "c1", At: day(5)},
			{EmployeeID: "e1", CustomerID: "c1", At: day(8)},
			{EmployeeID: "e1", CustomerID: "c2", At: day(12)},
		},
		Registered: []Customer{
			{ID: "c3", RegisteredBy: "e1", RegisteredAt: day(5), Phones: []string{"+8613800000003"}},
			{ID: "c4", RegisteredBy: "e1", RegisteredAt: day(6), WeChatID: "Wx_Four_4"},
			{ID: "c6", RegisteredBy: "e1", RegisteredAt: day(2), Phones: []string{"+8613800000006"}},
			{ID: "c5", RegisteredBy: "e1", RegisteredAt: day(20), Phones: []string{"+8613800000005"}},
		},
		FirstContacts: []FirstContact{
			{EmployeeID: "e1", Counterparty: "+8613800000003", At: day(-10)},
			{EmployeeID: "e1", Counterparty: "wx_four_4", At: day(6).Add(-3 * time.Hour)},
			{EmployeeID: "e1", Counterparty: "+8613800000006", At: day(3)},
			{EmployeeID: "e1", Counterparty: "+8613800000005", At: day(1)},
		},
	}
}

func TestMeasureActivity(t *testing.T) {
	t.Parallel()
	from := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 0, 14)
	got := MeasureActivity([]string{"e1", "e2", "e3"}, activityHistory(), from, to, to.AddDate(0, 1, 0))
	want := map[string]ActivityFigures{
		"e1": {
			HeldNow: 1, HeldCustomerDays: 14 + 7, Days: 14, FollowUps: 4,
			// Week 0: c1 due and followed (c2 got mid-week); week 1: c1 and c2 due, c1 followed.
			Weeks:      []WeekFigures{{Due: 1, Followed: 1, FollowUps: 2}, {Due: 2, Followed: 1, FollowUps: 1}},
			Registered: 3, Lateness: []int{15, 0},
		},
		"e2": {HeldNow: 1, HeldCustomerDays: 14, Days: 14, Weeks: []WeekFigures{{Due: 1}, {Due: 1}}},
		"e3": {Days: 14, Weeks: []WeekFigures{{}, {}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("figures mismatch (-want, +got):\n%s", diff)
	}
	e1 := got["e1"]
	if v := e1.HeldAverage(); v != 1.5 {
		t.Errorf("e1 held average = %v, want 1.5", v)
	}
	// Three follow-ups of due customers (c2's on day 4 was before it was
	// due) over three due customer-weeks.
	if v, ok := e1.FollowUpsPerCustomerWeek(); !ok || v != 1 {
		t.Errorf("e1 follow-ups per customer-week = %v, %v; want 1", v, ok)
	}
	if v, ok := e1.Utilisation(); !ok || v != 0.75 {
		t.Errorf("e1 utilisation = %v, %v; want (1 + 1/2) / 2", v, ok)
	}
	if v, ok := e1.LatenessMedian(); !ok || v != 7.5 {
		t.Errorf("e1 lateness median = %v, %v; want 7.5", v, ok)
	}
	if n := e1.LateOver7Days(); n != 1 {
		t.Errorf("e1 late over 7 days = %d, want 1", n)
	}
	e3 := got["e3"]
	if _, ok := e3.Utilisation(); ok {
		t.Error("e3 has a utilisation without any customer due")
	}
	if _, ok := e3.FollowUpsPerCustomerWeek(); ok {
		t.Error("e3 has a follow-up rate without any customer due")
	}
	if v, ok := got["e2"].FollowUpsPerCustomerWeek(); !ok || v != 0 {
		t.Errorf("e2 follow-ups per customer-week = %v, %v; want 0 (due, never followed up)", v, ok)
	}
	if _, ok := e3.LatenessMedian(); ok {
		t.Error("e3 has a lateness median without a late registration")
	}

	team := got["e1"].Add(got["e2"]).Add(got["e3"])
	if diff := cmp.Diff([]WeekFigures{{Due: 2, Followed: 1, FollowUps: 2}, {Due: 3, Followed: 1, FollowUps: 1}}, team.Weeks); diff != "" {
		t.Errorf("team weeks mismatch (-want, +got):\n%s", diff)
	}
	if v, ok := team.Utilisation(); !ok || math.Abs(v-(0.5+1.0/3)/2) > 1e-12 {
		t.Errorf("team utilisation = %v, %v; want per week over the team's due customers", v, ok)
	}
	if team.HeldNow != 2 || team.FollowUps != 4 || team.Days != 14 || team.HeldAverage() != 35.0/14 {
		t.Errorf("team sums = %+v", team)
	}
}

// TestMeasureActivityStopsAtNow: a period still running is measured up to
// now, its last week cut short.
func TestMeasureActivityStopsAtNow(t *testing.T) {
	t.Parallel()
	from := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	now := from.AddDate(0, 0, 10)
	got := MeasureActivity([]string{"e1"}, activityHistory(), from, from.AddDate(0, 0, 28), now)["e1"]
	want := ActivityFigures{
		HeldNow: 1, HeldCustomerDays: 10 + 7, Days: 10, FollowUps: 4,
		Weeks:      []WeekFigures{{Due: 1, Followed: 1, FollowUps: 2}, {Due: 2, Followed: 1, FollowUps: 1}},
		Registered: 3, Lateness: []int{15, 0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("figures mismatch (-want, +got):\n%s", diff)
	}
	future := MeasureActivity([]string{"e1"}, activityHistory(), now.AddDate(0, 0, 1), now.AddDate(0, 0, 8), now)["e1"]
	if future.Days != 0 || len(future.Weeks) != 0 || future.FollowUps != 0 {
		t.Errorf("a period in the future measured %+v, want nothing", future)
	}
}
