// Package roster tells a service who manages whom: it follows the
// ATTENDANCE stream into memory (org units and their parents, each
// employee's unit, role and whether they left), so that "a manager sees
// their own org unit and everything below it" can be decided anywhere in
// Holdfast without a remote call per request.
//
// A Tracker keeps no checkpoint: it replays ATTENDANCE at every start,
// skipping the events it does not need (check-ins) by their type header.
package roster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/holdfast/holdfast/pkg/eventlog"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
)

// ErrNotCaughtUp is what Ready reports until the Tracker has read the
// stream once.
var ErrNotCaughtUp = errors.New("roster: not caught up with " + eventlog.StreamAttendance)

// maxDepth bounds a walk up the tree: a deeper or looping chain is corrupt.
const maxDepth = 32

type member struct {
	unit, role string
	departed   bool
}

type tenantTree struct {
	parents map[string]string
	members map[string]member
}

// Tracker is the roster of every tenant. It is safe for concurrent use;
// Run must be running for it to learn anything.
type Tracker struct {
	log      *eventlog.Log
	progress *eventlog.Progress
	caughtUp chan struct{}
	once     sync.Once

	mu      sync.RWMutex
	tenants map[string]*tenantTree
}

// NewTracker returns a Tracker over log; it knows nobody until Run reads.
func NewTracker(log *eventlog.Log) *Tracker {
	return &Tracker{log: log, progress: eventlog.NewProgress(0), caughtUp: make(chan struct{}), tenants: map[string]*tenantTree{}}
}

// Run follows ATTENDANCE from its start until ctx ends.
func (t *Tracker) Run(ctx context.Context) error {
	return t.log.Follow(ctx, eventlog.StreamAttendance, t.apply, eventlog.FollowOptions{
		OnCaughtUp: func() { t.once.Do(func() { close(t.caughtUp) }) },
	})
}

// Ready returns nil once the Tracker has read the stream as it stood when
// Run started.
func (t *Tracker) Ready(context.Context) error {
	select {
	case <-t.caughtUp:
		return nil
	default:
		return ErrNotCaughtUp
	}
}

// CatchUp waits until every ATTENDANCE event written before the call is
// applied, so a transfer or a demotion counts from the next decision.
func (t *Tracker) CatchUp(ctx context.Context) error {
	last, err := t.log.LastSequence(ctx, eventlog.StreamAttendance)
	if err != nil {
		return fmt.Errorf("roster: %w", err)
	}
	if err := t.progress.Wait(ctx, last); err != nil {
		return fmt.Errorf("roster: wait for %s sequence %d: %w", eventlog.StreamAttendance, last, err)
	}
	return nil
}

var lifecycleTypes = map[string]bool{
	string(eventlog.Name(&attendancev1.OrgUnitCreated{})):      true,
	string(eventlog.Name(&attendancev1.EmployeeHired{})):       true,
	string(eventlog.Name(&attendancev1.EmployeeTransferred{})): true,
	string(eventlog.Name(&attendancev1.EmployeeRoleChanged{})): true,
	string(eventlog.Name(&attendancev1.EmployeeDeparted{})):    true,
}

func (t *Tracker) apply(_ context.Context, rec eventlog.Record) error {
	defer t.progress.Advance(rec.Sequence)
	if !lifecycleTypes[eventlog.TypeName(rec.Envelope)] {
		return nil
	}
	msg, err := rec.Payload()
	if err != nil {
		return fmt.Errorf("roster: %s/%d: %w", rec.Stream, rec.Sequence, err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	tree := t.tenants[rec.Envelope.GetTenantId()]
	if tree == nil {
		tree = &tenantTree{parents: map[string]string{}, members: map[string]member{}}
		t.tenants[rec.Envelope.GetTenantId()] = tree
	}
	switch ev := msg.(type) {
	case *attendancev1.OrgUnitCreated:
		tree.parents[ev.GetOrgUnitId()] = ev.GetParentId()
	case *attendancev1.EmployeeHired:
		tree.members[ev.GetEmployeeId()] = member{unit: ev.GetOrgUnitId(), role: ev.GetRole()}
	case *attendancev1.EmployeeTransferred:
		m := tree.members[ev.GetEmployeeId()]
		if u := ev.GetToOrgUnitId(); u != "" {
			m.unit = u
		}
		tree.members[ev.GetEmployeeId()] = m
	case *attendancev1.EmployeeRoleChanged:
		m := tree.members[ev.GetEmployeeId()]
		m.role = ev.GetToRole()
		tree.members[ev.GetEmployeeId()] = m
	case *attendancev1.EmployeeDeparted:
		m := tree.members[ev.GetEmployeeId()]
		m.departed = true
		tree.members[ev.GetEmployeeId()] = m
	}
	return nil
}

// Manages reports whether manager is, on the roster, a manager who has not
// left and whose org unit is employee's unit or one above it. Someone not
// on the roster manages nobody.
func (t *Tracker) Manages(tenant, manager, employee string) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	tree := t.tenants[tenant]
	if tree == nil {
		return false
	}
	boss, ok := tree.members[manager]
	if !ok || boss.departed || boss.role != "manager" || boss.unit == "" {
		return false
	}
	e, ok := tree.members[employee]
	if !ok {
		return false
	}
	unit := e.unit
	for depth := 0; unit != "" && depth < maxDepth; depth++ {
		if unit == boss.unit {
			return true
		}
		unit = tree.parents[unit]
	}
	return false
}

// Supervises is Manages for judging people rather than reading records: a
// manager never supervises themselves, nor another manager of their own
// unit (a peer, or a deputy). Risk alerts and cases follow it, so a
// manager is not shown the alerts — and HR's notes — about themselves.
func (t *Tracker) Supervises(tenant, manager, employee string) bool {
	if manager == employee || !t.Manages(tenant, manager, employee) {
		return false
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	tree := t.tenants[tenant]
	boss, e := tree.members[manager], tree.members[employee]
	return e.role != "manager" || e.unit != boss.unit
}

// Supervisor is Overseer with Supervises: nil for a caller who is not a
// manager, else whom the manager supervises.
func (t *Tracker) Supervisor(ctx context.Context, tenant, subject string, roles []string) (func(employeeID string) bool, error) {
	if !slices.Contains(roles, "manager") {
		return nil, nil
	}
	if err := t.CatchUp(ctx); err != nil {
		return nil, err
	}
	return func(employee string) bool { return t.Supervises(tenant, subject, employee) }, nil
}

// Overseer is what a caller's org-tree reach is decided by: nil for anyone
// who is not a manager (their role decides alone), else a function telling
// whether an employee is in the manager's part of the tree. It first
// catches up with ATTENDANCE, so a transfer or a demotion counts from the
// call that asks.
func (t *Tracker) Overseer(ctx context.Context, tenant, subject string, roles []string) (func(employeeID string) bool, error) {
	if !slices.Contains(roles, "manager") {
		return nil, nil
	}
	if err := t.CatchUp(ctx); err != nil {
		return nil, err
	}
	return func(employee string) bool { return t.Manages(tenant, subject, employee) }, nil
}
