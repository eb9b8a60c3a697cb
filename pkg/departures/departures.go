// Package departures tells every service which employees have left, so that
// their tokens are refused before they expire (see auth.WithRevocationCheck).
//
// A Tracker follows the ATTENDANCE stream from its start into memory. The
// set only grows: employee ids are never reused, so a departure is final.
package departures

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/holdfast/holdfast/pkg/eventlog"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
)

// Stream is the stream departures are read from.
const Stream = "ATTENDANCE"

// ErrNotCaughtUp is what Ready reports until the Tracker has read the whole
// stream once.
var ErrNotCaughtUp = errors.New("departures: not caught up with " + Stream)

var departedType = string(eventlog.Name(&attendancev1.EmployeeDeparted{}))

type employee struct{ tenant, id string }

// Tracker records every EmployeeDeparted event. It is safe for concurrent
// use; Run must be running for it to learn anything.
//
// A departure takes effect when its event arrives, not on its last_day: HR
// records a departure when the employee's access must end (the last day is
// often already past, or the employee was walked out early), so waiting for
// last_day would leave a departed employee's tokens working.
type Tracker struct {
	log      *eventlog.Log
	progress *eventlog.Progress
	caughtUp chan struct{}
	once     sync.Once

	mu       sync.RWMutex
	departed map[employee]struct{}
}

// NewTracker returns a Tracker reading log; nobody has departed until Run
// has read their departure.
func NewTracker(log *eventlog.Log) *Tracker {
	return &Tracker{
		log:      log,
		progress: eventlog.NewProgress(0),
		caughtUp: make(chan struct{}),
		departed: make(map[employee]struct{}),
	}
}

// Run follows ATTENDANCE from its start until ctx ends (then it returns nil).
// It keeps no checkpoint: the set is rebuilt at every start, which is cheap
// because only departures are kept.
func (t *Tracker) Run(ctx context.Context) error {
	return t.log.Follow(ctx, Stream, t.apply, eventlog.FollowOptions{
		OnCaughtUp: func() { t.once.Do(func() { close(t.caughtUp) }) },
	})
}

// apply records one event when it is a departure; every other event only
// advances the applied sequence.
func (t *Tracker) apply(_ context.Context, rec eventlog.Record) error {
	defer t.progress.Advance(rec.Sequence)
	if eventlog.TypeName(rec.Envelope) != departedType {
		return nil
	}
	m, err := rec.Payload()
	if err != nil {
		// A departure that cannot be read would leave a token working
		// unnoticed; Follow retries and logs rather than skipping it.
		return fmt.Errorf("departures: %s/%d: %w", rec.Stream, rec.Sequence, err)
	}
	d, _ := m.(*attendancev1.EmployeeDeparted)
	id := d.GetEmployeeId()
	if id == "" {
		id = rec.Envelope.GetAggregateId()
	}
	t.mu.Lock()
	t.departed[employee{tenant: rec.Envelope.GetTenantId(), id: id}] = struct{}{}
	t.mu.Unlock()
	return nil
}

// Departed reports whether subject has left tenant. Its signature is the
// one auth.WithRevocationCheck takes.
func (t *Tracker) Departed(tenant, subject string) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	_, ok := t.departed[employee{tenant: tenant, id: subject}]
	return ok
}

// Ready returns nil once the Tracker has read the whole stream as it stood
// when Run started, else ErrNotCaughtUp; it does not wait. Until then a
// departed employee's token may still be accepted, which is why it is a
// readiness check.
func (t *Tracker) Ready(context.Context) error {
	select {
	case <-t.caughtUp:
		return nil
	default:
		return ErrNotCaughtUp
	}
}

// CaughtUp is closed once the Tracker has first read the whole stream.
func (t *Tracker) CaughtUp() <-chan struct{} { return t.caughtUp }

// WaitApplied blocks until the event at ATTENDANCE sequence seq (and every
// one before it) has been applied, or ctx ends: after it, a departure
// written at seq is in force.
func (t *Tracker) WaitApplied(ctx context.Context, seq uint64) error {
	if err := t.progress.Wait(ctx, seq); err != nil {
		return fmt.Errorf("departures: wait for %s sequence %d: %w", Stream, seq, err)
	}
	return nil
}
