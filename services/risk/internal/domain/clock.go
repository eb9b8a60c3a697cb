package domain

import (
	"fmt"
	"time"

	"github.com/holdfast/holdfast/pkg/domainerr"
)

// ClockMode says who moves a tenant's clock, numbered as in
// holdfast.tick.v1.ClockMode. A clock is either live or external, never
// both, so simulated history is never judged against today's wall clock.
type ClockMode int

// Clock modes.
const (
	ClockUnset ClockMode = iota
	ClockLive
	ClockExternal
)

// MaxTicksPerAdvance bounds one AdvanceClock call to 400 days of hours:
// enough for a simulator's year, small enough to answer within a deadline.
const MaxTicksPerAdvance = 24 * 400

// Clock is where a tenant's clock stands: its last tick and who gave it.
// The zero Clock never ticked.
type Clock struct {
	LastTick time.Time
	Mode     ClockMode
}

// Ticked reports whether the clock ever ticked.
func (c Clock) Ticked() bool { return c.Mode != ClockUnset }

// PlanAdvance decides the ticks AdvanceClock appends: every hour boundary
// after the clock's last tick up to and including to. A clock that never
// ticked starts at from rounded up to the hour, or at to's hour when from
// is zero. Time never goes back, and a live clock is not for moving.
func PlanAdvance(c Clock, from, to time.Time) ([]time.Time, error) {
	var v domainerr.Violations
	if to.IsZero() {
		v.Add("to", "required")
	}
	if !from.IsZero() && !to.IsZero() && from.After(to) {
		v.Add("from", "must not be after to")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	to = to.UTC()
	if c.Mode == ClockLive {
		return nil, fmt.Errorf("advance clock: %w: the tenant's clock is live (the scheduler ticks it)", ErrPrecondition)
	}
	var first time.Time
	switch {
	case c.Ticked():
		if to.Before(c.LastTick) {
			return nil, fmt.Errorf("advance clock: %w: to %s is before the clock's last tick %s; time never goes back",
				ErrPrecondition, to.Format(time.RFC3339), c.LastTick.Format(time.RFC3339))
		}
		first = c.LastTick.Add(time.Hour)
	case from.IsZero():
		first = to.Truncate(time.Hour)
	default:
		first = ceilHour(from.UTC())
	}
	if to.Before(first) {
		return nil, nil
	}
	n := int(to.Sub(first)/time.Hour) + 1
	if n > MaxTicksPerAdvance {
		return nil, domainerr.Violations{{
			Field:       "to",
			Description: fmt.Sprintf("at most %d hours (%d days) after the clock's last tick per call; advance in steps", MaxTicksPerAdvance, MaxTicksPerAdvance/24),
		}}.Err()
	}
	out := make([]time.Time, n)
	for i := range out {
		out[i] = first.Add(time.Duration(i) * time.Hour)
	}
	return out, nil
}

// LiveTick decides the scheduler's tick at wall time now: the hour
// boundary at or before now, unless the clock is external or already
// ticked it. Missed hours (the service was down) are not replayed: the
// next tick passes every deadline they would have.
func LiveTick(c Clock, now time.Time) (time.Time, bool) {
	at := now.UTC().Truncate(time.Hour)
	if c.Mode == ClockExternal || (c.Ticked() && !at.After(c.LastTick)) {
		return time.Time{}, false
	}
	return at, true
}

func ceilHour(t time.Time) time.Time {
	h := t.Truncate(time.Hour)
	if h.Before(t) {
		h = h.Add(time.Hour)
	}
	return h
}
