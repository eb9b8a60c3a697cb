package sim

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// Conns are the gRPC connections the driver calls, one per service. They
// carry no credentials: the driver sends a token per call, as the act's
// actor.
type Conns struct {
	Client, Order, Attendance, Risk grpc.ClientConnInterface
}

// Minter mints a bearer token for a principal; the driver asks for the
// backfill grant on every token, since every act is dated.
type Minter interface {
	Issue(p auth.Principal, ttl time.Duration) (string, error)
}

// Clock moves the tenant's risk clock, so absence rules fire at the same
// simulated hours as they would live. It returns the TICK position written.
type Clock interface {
	Advance(ctx context.Context, from, to time.Time) (*riskv1.StreamPosition, error)
}

// Driver replays a plan's acts against running services.
type Driver struct {
	conns       Conns
	minter      Minter
	clock       Clock
	tenant      string
	concurrency int

	mu        sync.Mutex
	tokens    map[string]string
	ids       map[string]string // generator key → service id
	positions map[string]uint64 // stream → last sequence written
	result    RunResult
}

// RunResult is what a run did.
type RunResult struct {
	Acts    int           `json:"acts"`
	Failed  map[Kind]int  `json:"failed,omitempty"`
	Errors  []string      `json:"errors,omitempty"` // the first few, for the operator
	Ticks   int           `json:"ticks"`
	Elapsed time.Duration `json:"elapsed_ns"`
	ByKind  map[Kind]int  `json:"by_kind"`
}

// maxReportedErrors bounds RunResult.Errors.
const maxReportedErrors = 20

// NewDriver returns a driver for tenant with at most concurrency calls in
// flight. clock may be nil when the risk service cannot advance clocks.
func NewDriver(conns Conns, minter Minter, clock Clock, tenant string, concurrency int) *Driver {
	return &Driver{
		conns: conns, minter: minter, clock: clock, tenant: tenant, concurrency: max(1, concurrency),
		tokens: map[string]string{}, ids: map[string]string{}, positions: map[string]uint64{},
		result: RunResult{Failed: map[Kind]int{}, ByKind: map[Kind]int{}},
	}
}

// Positions returns the last sequence written per stream, for
// consistent_with reads.
func (d *Driver) Positions() []*riskv1.StreamPosition {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []*riskv1.StreamPosition
	for s, n := range d.positions {
		out = append(out, &riskv1.StreamPosition{Stream: s, Sequence: n})
	}
	slices.SortFunc(out, func(a, b *riskv1.StreamPosition) int {
		switch {
		case a.GetStream() < b.GetStream():
			return -1
		case a.GetStream() > b.GetStream():
			return 1
		}
		return 0
	})
	return out
}

// Run replays plan hour by hour: before an hour's acts the tenant clock is
// advanced to that hour, and within the hour each actor's acts run in order
// while different actors run concurrently. The generator keeps acts that
// depend on one another at least an hour apart or on one actor.
func (d *Driver) Run(ctx context.Context, plan *Plan) (RunResult, error) {
	start := time.Now()
	acts := plan.Acts
	// The clock starts at the first act (setup precedes the span).
	from := plan.Start
	if len(acts) > 0 {
		from = acts[0].At.Truncate(time.Hour)
	}
	for i := 0; i < len(acts); {
		hour := acts[i].At.Truncate(time.Hour)
		j := i
		for j < len(acts) && acts[j].At.Truncate(time.Hour).Equal(hour) {
			j++
		}
		if err := d.advance(ctx, from, hour); err != nil {
			return d.snapshot(start), err
		}
		if err := d.runHour(ctx, acts[i:j]); err != nil {
			return d.snapshot(start), err
		}
		i = j
	}
	if err := d.advance(ctx, from, plan.End); err != nil {
		return d.snapshot(start), err
	}
	return d.snapshot(start), nil
}

func (d *Driver) snapshot(start time.Time) RunResult {
	d.mu.Lock()
	defer d.mu.Unlock()
	r := d.result
	r.Elapsed = time.Since(start)
	return r
}

func (d *Driver) advance(ctx context.Context, from, to time.Time) error {
	if d.clock == nil {
		return nil
	}
	pos, err := d.clock.Advance(ctx, from, to)
	if status.Code(err) == codes.FailedPrecondition {
		// The tenant's clock is already past this hour: time never goes
		// back, so a tenant can be simulated once.
		return fmt.Errorf("sim: advance clock to %s: %w (the tenant was already simulated further; use a fresh --tenant)", to.Format(time.RFC3339), err)
	}
	if err != nil {
		return fmt.Errorf("sim: advance clock to %s: %w", to.Format(time.RFC3339), err)
	}
	d.mu.Lock()
	d.result.Ticks++
	if pos != nil && pos.GetSequence() > d.positions[pos.GetStream()] {
		d.positions[pos.GetStream()] = pos.GetSequence()
	}
	d.mu.Unlock()
	return nil
}

// runHour runs one hour's acts: one lane per actor, lanes concurrently.
func (d *Driver) runHour(ctx context.Context, acts []Act) error {
	lanes := map[string][]Act{}
	var order []string
	for _, a := range acts {
		if _, ok := lanes[a.Actor]; !ok {
			order = append(order, a.Actor)
		}
		lanes[a.Actor] = append(lanes[a.Actor], a)
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(d.concurrency)
	for _, actor := range order {
		lane := lanes[actor]
		g.Go(func() error {
			for _, a := range lane {
				if err := ctx.Err(); err != nil {
					return err
				}
				d.play(ctx, a)
			}
			return nil
		})
	}
	return g.Wait()
}

// play runs one act, retrying what a retry can fix, and records a failure
// without stopping the run: one refused act is a finding, not a crash.
func (d *Driver) play(ctx context.Context, a Act) {
	err := d.withRetry(ctx, a, func(ctx context.Context) error { return d.call(ctx, a) })
	if a.Refused {
		if status.Code(err) == codes.FailedPrecondition {
			err = nil
		} else {
			err = fmt.Errorf("expected a refusal (FailedPrecondition), got %w", err)
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.result.Acts++
	d.result.ByKind[a.Kind]++
	if err != nil {
		d.result.Failed[a.Kind]++
		if len(d.result.Errors) < maxReportedErrors {
			d.result.Errors = append(d.result.Errors, fmt.Sprintf("%s %s by %s: %v", a.ID, a.Kind, a.Actor, err))
		}
	}
}

// crossService says whether an act names a record another service owns,
// which that service learns from the event log a moment after it is
// written: a FailedPrecondition or NotFound then means "not projected yet".
func crossService(a Act) bool {
	switch a.Kind {
	case KindOrderCreate, KindPayerAccount:
		return true
	case KindCheckIn:
		return a.Customer != ""
	case KindAssign:
		// A mid-span hire is assigned customers on their first day: the
		// client service learns of the hire from ATTENDANCE.
		return true
	}
	return false
}

// withRetry retries Unavailable and Aborted (the service's own contract),
// and for cross-service acts FailedPrecondition and NotFound for a few
// seconds, the projection lag between services.
func (d *Driver) withRetry(ctx context.Context, a Act, call func(context.Context) error) error {
	backoff := 20 * time.Millisecond
	deadline := time.Now().Add(5 * time.Second)
	if a.Refused {
		deadline = time.Now() // its FailedPrecondition is the expected answer
	}
	for {
		err := call(ctx)
		code := status.Code(err)
		retry := code == codes.Unavailable || code == codes.Aborted ||
			(crossService(a) && (code == codes.FailedPrecondition || code == codes.NotFound))
		if err == nil || !retry || time.Now().After(deadline) {
			return err
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		backoff = min(2*backoff, 500*time.Millisecond)
	}
}

// token returns a backfill-granted token for subject in role.
func (d *Driver) token(subject, role string) (string, error) {
	k := subject + "|" + role
	d.mu.Lock()
	defer d.mu.Unlock()
	if t, ok := d.tokens[k]; ok {
		return t, nil
	}
	r, err := auth.ParseRole(role)
	if err != nil {
		return "", err
	}
	t, err := d.minter.Issue(auth.Principal{Tenant: d.tenant, Subject: subject, Roles: []auth.Role{r}, Backfill: true}, 12*time.Hour)
	if err != nil {
		return "", err
	}
	d.tokens[k] = t
	return t, nil
}

func (d *Driver) id(key string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ids[key]
}

func (d *Driver) remember(key, id, stream string, seq uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if key != "" && id != "" {
		d.ids[key] = id
	}
	if seq > d.positions[stream] {
		d.positions[stream] = seq
	}
}

// errUnresolved is an act naming a key whose creating act failed.
var errUnresolved = errors.New("refers to a record that was not created")

func ts(t time.Time) *timestamppb.Timestamp { return timestamppb.New(t) }

// call maps an act to its RPC.
func (d *Driver) call(ctx context.Context, a Act) error {
	tok, err := d.token(a.Actor, a.Role)
	if err != nil {
		return err
	}
	ctx = auth.OutgoingEventTime(ctx, a.At)
	cred := grpc.PerRPCCredentials(auth.BearerToken(tok))
	cl := clientv1.NewClientServiceClient(d.conns.Client)
	at := attendancev1.NewAttendanceServiceClient(d.conns.Attendance)
	or := orderv1.NewOrderServiceClient(d.conns.Order)
	need := func(keys ...string) ([]string, error) {
		out := make([]string, len(keys))
		for i, k := range keys {
			if k == "" {
				continue
			}
			if out[i] = d.id(k); out[i] == "" {
				return nil, fmt.Errorf("%s %w", k, errUnresolved)
			}
		}
		return out, nil
	}
	const client, attendance, order = "CLIENT", "ATTENDANCE", "ORDER"
	switch a.Kind {
	case KindOrgUnit:
		parent, err := need(a.Ref)
		if err != nil {
			return err
		}
		kind := map[string]attendancev1.OrgUnitKind{
			"company": attendancev1.OrgUnitKind_ORG_UNIT_KIND_COMPANY,
			"branch":  attendancev1.OrgUnitKind_ORG_UNIT_KIND_BRANCH, "team": attendancev1.OrgUnitKind_ORG_UNIT_KIND_TEAM,
		}[a.Text]
		req := &attendancev1.CreateOrgUnitRequest{RequestId: a.ID, ParentId: parent[0], Kind: kind, Name: a.Name}
		if kind == attendancev1.OrgUnitKind_ORG_UNIT_KIND_BRANCH {
			// Only branches carry a calendar; teams inherit it.
			req.TimeZone, req.WorkingWeekdays = a.TimeZone, []int32{1, 2, 3, 4, 5}
		}
		res, err := at.CreateOrgUnit(ctx, req, cred)
		if err == nil {
			d.remember(a.Key, res.GetOrgUnit().GetOrgUnitId(), attendance, res.GetSequence())
		}
		return err
	case KindHire:
		unit, err := need(a.Ref)
		if err != nil {
			return err
		}
		res, err := at.HireEmployee(ctx, &attendancev1.HireEmployeeRequest{
			RequestId: a.ID, EmployeeId: a.Employee, Name: a.Name,
			OrgUnitId: unit[0], ManagerId: a.Manager, Role: a.Text, StartDate: a.Date,
		}, cred)
		if err == nil {
			d.remember("", "", attendance, res.GetSequence())
		}
		return err
	case KindLeave:
		res, err := at.RecordLeave(ctx, &attendancev1.RecordLeaveRequest{
			RequestId: a.ID, EmployeeId: a.Employee, StartDate: a.Date, EndDate: a.Date2,
			LeaveType: attendancev1.LeaveType_LEAVE_TYPE_ANNUAL,
		}, cred)
		if err == nil {
			d.remember("", "", attendance, res.GetSequence())
		}
		return err
	case KindResign:
		res, err := at.NoticeResignation(ctx, &attendancev1.NoticeResignationRequest{RequestId: a.ID, EmployeeId: a.Employee, NoticeDate: a.Date, PlannedLastDay: a.Date2}, cred)
		if err == nil {
			d.remember("", "", attendance, res.GetSequence())
		}
		return err
	case KindDepart:
		res, err := at.RecordDeparture(ctx, &attendancev1.RecordDepartureRequest{RequestId: a.ID, EmployeeId: a.Employee, LastDay: a.Date}, cred)
		if err == nil {
			d.remember("", "", attendance, res.GetSequence())
		}
		return err
	case KindCheckIn:
		cust, err := need(a.Customer)
		if err != nil {
			return err
		}
		res, err := at.CheckIn(ctx, &attendancev1.CheckInRequest{
			RequestId: a.ID, EmployeeId: a.Actor, Kind: attendancev1.CheckInKind_CHECK_IN_KIND_VISIT,
			Latitude: a.Lat, Longitude: a.Lon, AccuracyM: 15, DeviceTime: ts(a.At), CustomerId: cust[0], Purpose: a.Text,
		}, cred)
		if err == nil {
			d.remember("", "", attendance, res.GetSequence())
		}
		return err
	case KindClientPolicy:
		res, err := cl.UpdateClientPolicy(ctx, &clientv1.UpdateClientPolicyRequest{
			RequestId: a.ID, Reason: "simulation: history is backfilled, so no wall-clock pool return",
			Policy: &clientv1.ClientPolicy{
				RevealQuotas: []*clientv1.RoleQuota{{Role: "sales", PerDay: 200}, {Role: "senior_sales", PerDay: 200}, {Role: "manager", PerDay: 500}},
				// 0 turns the idle sweep off: it runs on the wall clock and
				// would return every backfilled customer to the pool.
				PoolReturnAfterDays: 0, ClaimQuotaPerDay: 50, MaxCustomersHeld: 5000, TimeZone: "Asia/Shanghai",
			},
		}, cred)
		if err == nil {
			d.remember("", "", client, res.GetSequence())
		}
		return err
	case KindRegister:
		source := sourceChannel(a.Channel)
		req := &clientv1.RegisterCustomerRequest{
			RequestId: a.ID, PersonName: a.Name, CompanyName: a.Company, Phones: []string{a.Phone},
			SourceChannel: source, OccurredAt: ts(a.At),
		}
		if a.Text != "" {
			req.Address = &clientv1.Address{Text: a.Text, Location: &clientv1.GeoPoint{Latitude: a.Lat, Longitude: a.Lon}}
		}
		res, err := cl.RegisterCustomer(ctx, req, cred)
		if err == nil {
			d.remember(a.Key, res.GetCustomer().GetCustomerId(), client, res.GetSequence())
		}
		return err
	case KindInteraction:
		cust, err := need(a.Customer)
		if err != nil {
			return err
		}
		req := &clientv1.LogInteractionRequest{
			RequestId: a.ID, CustomerId: cust[0], Kind: interactionKind(a.Channel), Direction: clientv1.Direction_DIRECTION_OUTBOUND, Text: a.Text,
			OccurredAt: ts(a.At), CounterpartyContact: a.Contact, TextConsent: true,
		}
		if a.Seconds > 0 {
			req.Duration = seconds(a.Seconds)
		}
		res, err := cl.LogInteraction(ctx, req, cred)
		if err == nil {
			d.remember(a.Key, res.GetInteractionId(), client, res.GetSequence())
		}
		return err
	case KindDeleteNote:
		note, err := need(a.Ref)
		if err != nil {
			return err
		}
		res, err := cl.DeleteInteraction(ctx, &clientv1.DeleteInteractionRequest{RequestId: a.ID, InteractionId: note[0], Reason: a.Text}, cred)
		if err == nil {
			d.remember("", "", client, res.GetSequence())
		}
		return err
	case KindReveal:
		cust, err := need(a.Customer)
		if err != nil {
			return err
		}
		res, err := cl.RevealContact(ctx, &clientv1.RevealContactRequest{
			RequestId: a.ID, CustomerId: cust[0], Field: clientv1.ContactField_CONTACT_FIELD_PHONE,
			Reason: "follow-up call",
		}, cred)
		if err == nil {
			d.remember("", "", client, res.GetSequence())
		}
		return err
	case KindAssign, KindReassign, KindRelease, KindClaim:
		return d.callOwnership(ctx, a, cl, cred, need)
	case KindExportRequest:
		res, err := cl.RequestExport(ctx, &clientv1.RequestExportRequest{
			RequestId: a.ID, Filter: &clientv1.ExportFilter{OwnerEmployeeId: a.Employee},
			Reason: a.Text, IncludeContacts: true,
		}, cred)
		if err == nil {
			d.remember(a.Key, res.GetExport().GetExportId(), client, res.GetSequence())
		}
		return err
	case KindExportApprove:
		exp, err := need(a.Ref)
		if err != nil {
			return err
		}
		res, err := cl.ApproveExport(ctx, &clientv1.ApproveExportRequest{RequestId: a.ID, ExportId: exp[0], Reason: a.Text}, cred)
		if err == nil {
			d.remember("", "", client, res.GetSequence())
		}
		return err
	}
	return d.callOrder(ctx, a, or, cred, need)
}
