package workcal

import (
	"errors"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	t.Parallel()
	d, err := ParseDate("2026-11-23")
	if err != nil {
		t.Fatal(err)
	}
	if d.String() != "2026-11-23" || d.ISOWeekday() != 1 {
		t.Errorf("2026-11-23 = %s weekday %d, want a Monday", d, d.ISOWeekday())
	}
	if got := MustParseDate("1970-01-01"); got != 0 {
		t.Errorf("epoch = %d, want 0", got)
	}
	if got := MustParseDate("1969-12-31"); got != -1 {
		t.Errorf("day before epoch = %d, want -1", got)
	}
	for _, bad := range []string{"", "2026-02-30", "2026-2-3", "2026-11-23T00:00:00Z", "20261123", "2026/11/23", " 2026-11-23"} {
		if _, err := ParseDate(bad); !errors.Is(err, ErrDate) {
			t.Errorf("ParseDate(%q) error = %v, want ErrDate", bad, err)
		}
	}
}

func TestDateOf(t *testing.T) {
	t.Parallel()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	// 17:30 UTC on the 22nd is already 01:30 on the 23rd in Shanghai.
	at := time.Date(2026, 11, 22, 17, 30, 0, 0, time.UTC)
	if got := DateOf(at, shanghai).String(); got != "2026-11-23" {
		t.Errorf("DateOf in Shanghai = %s, want 2026-11-23", got)
	}
	if got := DateOf(at, time.UTC).String(); got != "2026-11-22" {
		t.Errorf("DateOf in UTC = %s, want 2026-11-22", got)
	}
}

func TestParsePeriod(t *testing.T) {
	t.Parallel()
	p, err := ParsePeriod("2026-10-01..2026-10-07")
	if err != nil || p.To-p.From != 6 {
		t.Fatalf("ParsePeriod = %v, %v; want a 7-day period", p, err)
	}
	one, err := ParsePeriod("2026-10-01")
	if err != nil || one.From != one.To {
		t.Fatalf("single day = %v, %v", one, err)
	}
	for _, bad := range []string{"2026-10-07..2026-10-01", "2026-10-01..", "..2026-10-01", "2026-10-01...2026-10-02", "x"} {
		if p, err := ParsePeriod(bad); err == nil {
			t.Errorf("ParsePeriod(%q) = %v, want an error", bad, p)
		}
	}
}

func TestNewCalendarRejects(t *testing.T) {
	t.Parallel()
	if _, err := NewCalendar(nil, nil); err == nil {
		t.Error("no working weekday accepted")
	}
	if _, err := NewCalendar([]int{0}, nil); err == nil {
		t.Error("weekday 0 accepted")
	}
	if _, err := NewCalendar([]int{8}, nil); err == nil {
		t.Error("weekday 8 accepted")
	}
	if _, err := NewCalendar([]int{1}, []string{"2026-13-01"}); err == nil {
		t.Error("bad holiday accepted")
	}
}

func TestScheduleDay(t *testing.T) {
	t.Parallel()
	cal, err := NewCalendar([]int{1, 2, 3, 4, 5}, []string{"2026-10-01", "2026-10-02", "2026-10-01"})
	if err != nil {
		t.Fatal(err)
	}
	s := Schedule{
		Calendar: cal,
		Employed: Period{From: MustParseDate("2026-09-01"), To: MustParseDate("2026-12-31")},
		Leaves:   []Period{{From: MustParseDate("2026-09-29"), To: MustParseDate("2026-10-06")}},
	}
	tests := []struct {
		date string
		want DayKind
	}{
		{"2026-08-31", NotEmployed}, // Monday before the start
		{"2026-09-01", Working},     // Tuesday, first day
		{"2026-09-05", RestDay},     // Saturday
		{"2026-09-28", Working},     // Monday before leave
		{"2026-09-29", OnLeave},
		{"2026-10-01", Holiday}, // holiday inside the leave stays a holiday
		{"2026-10-03", RestDay}, // weekend inside the leave stays a rest day
		{"2026-10-06", OnLeave}, // last leave day
		{"2026-10-07", Working},
		{"2026-12-31", Working}, // last day employed (Thursday)
		{"2027-01-01", NotEmployed},
	}
	for _, tc := range tests {
		if got := s.Day(MustParseDate(tc.date)); got != tc.want {
			t.Errorf("Day(%s) = %s, want %s", tc.date, got, tc.want)
		}
	}
	n, err := s.WorkingDaysIn(Period{From: MustParseDate("2026-09-28"), To: MustParseDate("2026-10-09")})
	if err != nil {
		t.Fatal(err)
	}
	// 28 Sep – 9 Oct has 10 weekdays: 2 holidays, 4 leave days (29, 30 Sep, 5, 6 Oct) → 4 working.
	if n != 4 {
		t.Errorf("WorkingDaysIn = %d, want 4", n)
	}
}

func TestWorkingDaysInBounds(t *testing.T) {
	t.Parallel()
	s := Schedule{Calendar: MondayToFriday(), Employed: Period{From: 0, To: Forever}}
	if _, err := s.WorkingDaysIn(Period{From: 0, To: MaxSpan}); !errors.Is(err, ErrSpan) {
		t.Errorf("a span over MaxSpan: err = %v, want ErrSpan", err)
	}
	n, err := s.WorkingDaysIn(Period{From: Forever - 6, To: Forever})
	if err != nil || n != 5 {
		t.Errorf("the last week before Forever = %d, %v; want 5 working days", n, err)
	}
	if n, _ := s.WorkingDaysIn(Period{From: 10, To: 9}); n != 0 {
		t.Errorf("an empty period counts %d days", n)
	}
}

func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2026-10-01..2026-10-07", "2026-10-01", "0001-01-01..9999-12-31", "..", "2026-02-29"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePeriod(s)
		if err != nil {
			return
		}
		if p.To < p.From {
			t.Fatalf("ParsePeriod(%q) = %v: ends before it starts", s, p)
		}
		if back, err := ParseDate(p.From.String()); err != nil || back != p.From {
			t.Fatalf("%q: From %v does not round-trip: %v %v", s, p.From, back, err)
		}
	})
}
