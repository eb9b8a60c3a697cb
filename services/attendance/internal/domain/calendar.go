package domain

import (
	"slices"
	"time"
)

// DateLayout is how dates travel and are stored: a calendar day, no zone.
const DateLayout = "2006-01-02"

// ValidDate reports whether s is a real calendar day written YYYY-MM-DD.
// Dates in this layout compare correctly as strings.
func ValidDate(s string) bool {
	_, err := time.Parse(DateLayout, s)
	return err == nil
}

// Calendar is a branch's working calendar.
type Calendar struct {
	// TimeZone is an IANA name that time.LoadLocation knows.
	TimeZone string
	// WorkingWeekdays are ISO weekdays, 1 = Monday … 7 = Sunday, ascending.
	WorkingWeekdays []int
	// Holidays are public holidays, YYYY-MM-DD, ascending.
	Holidays []string
}

// IsEmpty reports whether no calendar field is set.
func (c Calendar) IsEmpty() bool {
	return c.TimeZone == "" && len(c.WorkingWeekdays) == 0 && len(c.Holidays) == 0
}

// NormalizeCalendar sorts a calendar and reports every bad field: a time
// zone time.LoadLocation does not know, no working day, a weekday outside
// 1-7 or given twice, a holiday that is not a date or is given twice.
func NormalizeCalendar(c Calendar) (Calendar, []FieldViolation) {
	var v violations
	switch c.TimeZone {
	case "":
		v.Add("time_zone", "required for a branch")
	case "Local":
		v.Add("time_zone", "must be an IANA name such as Asia/Shanghai")
	default:
		if _, err := time.LoadLocation(c.TimeZone); err != nil {
			v.Add("time_zone", "unknown time zone %q", c.TimeZone)
		}
	}
	days := slices.Clone(c.WorkingWeekdays)
	slices.Sort(days)
	switch {
	case len(days) == 0:
		v.Add("working_weekdays", "at least one working day is required")
	case days[0] < 1 || days[len(days)-1] > 7:
		v.Add("working_weekdays", "weekdays are 1 (Monday) to 7 (Sunday)")
	case len(slices.Compact(slices.Clone(days))) != len(days):
		v.Add("working_weekdays", "a weekday is given twice")
	}
	holidays := slices.Clone(c.Holidays)
	slices.Sort(holidays)
	for _, h := range holidays {
		if !ValidDate(h) {
			v.Add("holidays", "%q is not a YYYY-MM-DD date", h)
		}
	}
	if len(slices.Compact(slices.Clone(holidays))) != len(holidays) {
		v.Add("holidays", "a holiday is given twice")
	}
	return Calendar{TimeZone: c.TimeZone, WorkingWeekdays: days, Holidays: holidays}, v
}
