package app

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/geo"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/attendance/internal/domain"
	"github.com/holdfast/holdfast/services/attendance/internal/store"
)

// typeCheckIns is the aggregate type of an employee's check-in log: one
// aggregate per employee, so each check-in is decided against the one
// before it with the expected sequence.
const typeCheckIns = "checkins"

// CheckIn records a geolocated check-in (the employee, or a device gateway
// with role service) and the facts the risk rules judge: the distance to
// the linked customer's registered location, the distance and implied
// speed since the employee's previous check-in, and whether the exact fix
// repeats an earlier one. A retry with the same request id returns the
// first check-in and writes nothing.
func (a *App) CheckIn(ctx context.Context, actor domain.Actor, requestID string, c domain.CheckIn) (domain.CheckIn, uint64, error) {
	if c.EmployeeID == "" {
		c.EmployeeID = actor.EmployeeID
	}
	if !actor.CanCheckIn(c.EmployeeID) {
		return domain.CheckIn{}, 0, fmt.Errorf("check in: %w: employees check themselves in; a device gateway needs role service", domain.ErrPermissionDenied)
	}
	c, err := domain.NormalizeCheckIn(c, a.now(ctx))
	var customerErr error
	if c.CustomerID != "" {
		customerErr = checkID("customer_id", c.CustomerID)
	}
	if err := joinViolations(checkRequestID(requestID), checkID("employee_id", c.EmployeeID), customerErr, err); err != nil {
		return domain.CheckIn{}, 0, err
	}
	c.Tenant = actor.Tenant
	// The id names the employee too: a gateway's request ids are its own,
	// and one id reused for two employees is two check-ins.
	c.ID = callerScopedID(actor, "checkin", c.EmployeeID+"/"+requestID)
	e, ok, err := a.loadEmployee(ctx, actor.Tenant, c.EmployeeID)
	if err != nil {
		return domain.CheckIn{}, 0, fmt.Errorf("check in: %w", err)
	}
	if !ok {
		return domain.CheckIn{}, 0, fmt.Errorf("check in: %w: %s is not an employee", domain.ErrPrecondition, c.EmployeeID)
	}
	if err := domain.CheckInable(e); err != nil {
		return domain.CheckIn{}, 0, fmt.Errorf("check in: %w", err)
	}
	var customerPoint *geo.Point
	if c.CustomerID != "" {
		p, located, err := a.customerLocation(ctx, actor.Tenant, c.CustomerID)
		if err != nil {
			return domain.CheckIn{}, 0, fmt.Errorf("check in: %w", err)
		}
		if located {
			customerPoint = &p
		}
	}
	r := ref(actor.Tenant, typeCheckIns, c.EmployeeID)
	scoped := callerScopedID(actor, "request", requestID)
	for attempt := 1; ; attempt++ {
		previous, after, done, err := a.previousCheckIn(ctx, r, c.ID)
		if err != nil {
			return domain.CheckIn{}, 0, fmt.Errorf("check in: %w", err)
		}
		if done != nil {
			return *done, done.Sequence, nil // a retry: the first check-in stands
		}
		var repeat *domain.CheckIn
		if previous != nil {
			// The read model holds every earlier check-in once it has the last.
			if id, found, err := a.store.FindSameFix(ctx, actor.Tenant, c); err != nil {
				return domain.CheckIn{}, 0, fmt.Errorf("check in: %w", err)
			} else if found {
				repeat = &domain.CheckIn{ID: id}
			}
		}
		decided := domain.Observe(c, customerPoint, previous, repeat)
		res, err := a.log.Append(ctx, eventlog.AppendRequest{
			Ref: r, After: after, RequestID: scoped, ActorID: actor.EmployeeID, OccurredAt: c.DeviceTime, Payload: checkedInEvent(decided),
		})
		if errors.Is(err, eventlog.ErrConflict) && attempt < maxConflictRetries {
			continue
		}
		if err != nil {
			return domain.CheckIn{}, 0, fmt.Errorf("check in: %w", err)
		}
		if res.Envelope == nil { // JetStream's dedup window caught a retry: read what it stored
			rec, err := a.log.Get(ctx, res.Stream, res.Sequence)
			if err != nil {
				return domain.CheckIn{}, 0, fmt.Errorf("check in: %w", err)
			}
			stored, err := checkInFromRecord(rec)
			return stored, res.Sequence, err
		}
		decided.RecordedAt, decided.Sequence = res.Envelope.GetRecordedAt().AsTime(), res.Sequence
		return decided, res.Sequence, nil
	}
}

// previousCheckIn reads the employee's last check-in and the position to
// append after. done is set when the check-in with id is already written
// (a retry), found by the last event or, for older ones, in the read model
// once it has caught up with the last event.
func (a *App) previousCheckIn(ctx context.Context, r eventlog.AggregateRef, id string) (previous *domain.CheckIn, after eventlog.Position, done *domain.CheckIn, err error) {
	last, found, err := a.log.Last(ctx, r)
	if err != nil || !found {
		return nil, eventlog.Position{}, nil, err
	}
	prev, err := checkInFromRecord(last)
	if err != nil {
		return nil, after, nil, err
	}
	if prev.ID == id {
		return nil, after, &prev, nil
	}
	if err := a.waitFor(ctx, last.Sequence); err != nil {
		return nil, after, nil, err
	}
	earlier, err := a.store.GetCheckIn(ctx, r.Tenant, id)
	switch {
	case err == nil && earlier.EmployeeID == prev.EmployeeID:
		return nil, after, &earlier, nil
	case err != nil && !errors.Is(err, domain.ErrNotFound):
		return nil, after, nil, err
	}
	return &prev, eventlog.PositionOf(last), nil, nil
}

// customerLocation reads a customer's registered geo point from the
// client service's own event: CustomerRegistered is the first event of a
// customer aggregate, and nothing later moves a customer, so one direct
// get on CLIENT is both strictly current and cheap. A customer the log
// does not have is a FailedPrecondition: the visit must name a registered
// customer or none.
func (a *App) customerLocation(ctx context.Context, tenant, customerID string) (geo.Point, bool, error) {
	rec, found, err := a.log.First(ctx, eventlog.AggregateRef{Context: "client", Tenant: tenant, Type: "customer", ID: customerID})
	if err != nil {
		return geo.Point{}, false, err
	}
	if !found {
		return geo.Point{}, false, fmt.Errorf("%w: customer %s is not registered", domain.ErrPrecondition, customerID)
	}
	msg, err := rec.Payload()
	if err != nil {
		return geo.Point{}, false, err
	}
	reg, ok := msg.(*clientv1.CustomerRegistered)
	if !ok {
		return geo.Point{}, false, fmt.Errorf("%w: customer %s starts with %s", ErrCorruptHistory, customerID, eventlog.TypeName(rec.Envelope))
	}
	loc := reg.GetAddress().GetLocation()
	p := geo.Point{Latitude: loc.GetLatitude(), Longitude: loc.GetLongitude()}
	if loc == nil || p.IsZero() || p.Validate() != nil {
		return geo.Point{}, false, nil
	}
	return p, true, nil
}

func checkedInEvent(c domain.CheckIn) *attendancev1.CheckedIn {
	return &attendancev1.CheckedIn{
		CheckInId: c.ID, EmployeeId: c.EmployeeID, Kind: attendancev1.CheckInKind(c.Kind),
		Latitude: c.Point.Latitude, Longitude: c.Point.Longitude, AccuracyM: c.AccuracyM,
		DeviceTime: timestamppb.New(c.DeviceTime), PhotoSha256: c.PhotoSHA256, PhotoSizeBytes: c.PhotoBytes,
		CustomerId: c.CustomerID, Purpose: c.Purpose,
		CustomerLocated: c.Facts.CustomerLocated, DistanceToCustomerM: c.Facts.DistanceToCustomerM,
		PreviousCheckInId: c.Facts.PreviousID, DistanceFromPreviousM: c.Facts.DistanceFromPreviousM,
		SecondsSincePrevious: c.Facts.SecondsSincePrevious, SpeedFromPreviousKmh: c.Facts.SpeedFromPreviousKmh,
		RepeatsCheckInId: c.Facts.RepeatsID,
	}
}

// checkInFromRecord decodes a stored CheckedIn.
func checkInFromRecord(rec eventlog.Record) (domain.CheckIn, error) {
	msg, err := rec.Payload()
	if err != nil {
		return domain.CheckIn{}, err
	}
	ev, ok := msg.(*attendancev1.CheckedIn)
	if !ok {
		return domain.CheckIn{}, fmt.Errorf("%w: %s in a check-in log", ErrCorruptHistory, eventlog.TypeName(rec.Envelope))
	}
	return domain.CheckIn{
		Tenant: rec.Envelope.GetTenantId(), ID: ev.GetCheckInId(), EmployeeID: ev.GetEmployeeId(), Kind: domain.CheckInKind(ev.GetKind()),
		Point: geo.Point{Latitude: ev.GetLatitude(), Longitude: ev.GetLongitude()}, AccuracyM: ev.GetAccuracyM(),
		DeviceTime: ev.GetDeviceTime().AsTime(), PhotoSHA256: ev.GetPhotoSha256(), PhotoBytes: ev.GetPhotoSizeBytes(),
		CustomerID: ev.GetCustomerId(), Purpose: ev.GetPurpose(),
		Facts: domain.CheckInFacts{
			CustomerLocated: ev.GetCustomerLocated(), DistanceToCustomerM: ev.GetDistanceToCustomerM(),
			PreviousID: ev.GetPreviousCheckInId(), DistanceFromPreviousM: ev.GetDistanceFromPreviousM(),
			SecondsSincePrevious: ev.GetSecondsSincePrevious(), SpeedFromPreviousKmh: ev.GetSpeedFromPreviousKmh(),
			RepeatsID: ev.GetRepeatsCheckInId(),
		},
		RecordedAt: rec.Envelope.GetRecordedAt().AsTime(), Sequence: rec.Sequence,
	}, nil
}

// ErrBadCheckInQuery is wrapped when a check-in query names neither or
// both of an employee and a customer.
var ErrBadCheckInQuery = errors.New("set exactly one of employee_id and customer_id")

// ListCheckIns pages through one employee's or one customer's check-ins,
// newest first. An employee's are for whoever may read the employee; a
// customer's are all of them for hr, auditor and admin, the manager's
// subtree's for a manager, and one's own for everyone else. next is the
// cursor for the following page (0 = no more).
func (a *App) ListCheckIns(ctx context.Context, actor domain.Actor, f store.CheckInFilter, minSeq uint64) (list []domain.CheckIn, next uint64, err error) {
	var v []error
	switch {
	case (f.EmployeeID == "") == (f.CustomerID == ""):
		v = append(v, &domain.ValidationError{Violations: []domain.FieldViolation{{Field: "employee_id", Description: ErrBadCheckInQuery.Error()}}})
	case f.EmployeeID != "":
		v = append(v, checkID("employee_id", f.EmployeeID))
	default:
		v = append(v, checkID("customer_id", f.CustomerID))
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		v = append(v, &domain.ValidationError{Violations: []domain.FieldViolation{{Field: "to", Description: "must be after from"}}})
	}
	if err := joinViolations(v...); err != nil {
		return nil, 0, err
	}
	if err := a.waitFor(ctx, minSeq); err != nil {
		return nil, 0, err
	}
	if f.EmployeeID != "" {
		if _, err := a.readableEmployee(ctx, actor, f.EmployeeID, "list check-ins"); err != nil {
			return nil, 0, err
		}
		return a.pageCheckIns(ctx, actor.Tenant, f, func(domain.CheckIn) bool { return true })
	}
	sc, err := a.scopeOf(ctx, actor)
	if err != nil {
		return nil, 0, err
	}
	if sc.all {
		return a.pageCheckIns(ctx, actor.Tenant, f, func(domain.CheckIn) bool { return true })
	}
	if len(sc.units) == 0 {
		f.EmployeeID = actor.EmployeeID // only one's own visits to the customer
		return a.pageCheckIns(ctx, actor.Tenant, f, func(domain.CheckIn) bool { return true })
	}
	return a.pageCheckIns(ctx, actor.Tenant, f, func(c domain.CheckIn) bool {
		e, err := a.store.GetEmployee(ctx, actor.Tenant, c.EmployeeID)
		return err == nil && sc.covers(e)
	})
}

// pageCheckIns reads one page and keeps what keep allows; a filtered page
// may come back short, with a cursor past everything it read.
func (a *App) pageCheckIns(ctx context.Context, tenant string, f store.CheckInFilter, keep func(domain.CheckIn) bool) ([]domain.CheckIn, uint64, error) {
	raw, err := a.store.ListCheckIns(ctx, tenant, f)
	if err != nil {
		return nil, 0, err
	}
	var out []domain.CheckIn
	for _, c := range raw {
		if keep(c) {
			out = append(out, c)
		}
	}
	var next uint64
	if len(raw) == f.Limit && len(raw) > 0 {
		next = raw[len(raw)-1].Sequence
	}
	return out, next, nil
}
