package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/attendance/attendancesvc"
)

// checkInBench measures AttendanceService.CheckIn: each caller is its own
// employee, because one employee's check-ins are a chain decided one after
// another (distance and speed from the previous one).
type checkInBench struct {
	rpc     *rpcBench
	b       *bencher
	clients []attendancev1.AttendanceServiceClient // one per worker, as that employee
	calls   int
	round   int
}

const checkInTenant = "benchfield"

// startCheckIn mounts the attendance service (memory read model), creates
// a branch with one employee per worker, and registers the customer the
// check-ins visit (with a geo point, so the geofence is computed).
func startCheckIn(ctx context.Context, b *bencher, rb *rpcBench, calls int) (*checkInBench, func(), error) {
	svc, err := startService(ctx, b.log, func(ctx context.Context, a *platform.App, ep *platform.GRPCEndpoint, rt *platform.Runtime) error {
		return attendancesvc.Mount(ctx, a, ep, rt, time.Now)
	})
	if err != nil {
		return nil, nil, err
	}
	dial := func(p auth.Principal) (attendancev1.AttendanceServiceClient, error) {
		cc, err := svc.dial(p)
		return attendancev1.NewAttendanceServiceClient(cc), err
	}
	cb := &checkInBench{rpc: rb, b: b, calls: calls}
	if err := cb.setUp(ctx, dial); err != nil {
		svc.close()
		return nil, nil, err
	}
	return cb, svc.close, nil
}

func (cb *checkInBench) setUp(ctx context.Context, dial func(auth.Principal) (attendancev1.AttendanceServiceClient, error)) error {
	admin, err := dial(auth.Principal{Tenant: checkInTenant, Subject: "ad1", Roles: []auth.Role{auth.RoleAdmin, auth.RoleHR}})
	if err != nil {
		return err
	}
	co, err := admin.CreateOrgUnit(ctx, &attendancev1.CreateOrgUnitRequest{RequestId: "co", Kind: attendancev1.OrgUnitKind_ORG_UNIT_KIND_COMPANY, Name: "Bench"})
	if err != nil {
		return err
	}
	br, err := admin.CreateOrgUnit(ctx, &attendancev1.CreateOrgUnitRequest{
		RequestId: "br", ParentId: co.GetOrgUnit().GetOrgUnitId(), Kind: attendancev1.OrgUnitKind_ORG_UNIT_KIND_BRANCH, Name: "上海",
		TimeZone: "Asia/Shanghai", WorkingWeekdays: []int32{1, 2, 3, 4, 5},
	})
	if err != nil {
		return err
	}
	for w := range rpcWorkers {
		id := fmt.Sprintf("field-%d", w)
		if _, err := admin.HireEmployee(ctx, &attendancev1.HireEmployeeRequest{
			RequestId: "hire-" + id, EmployeeId: id, Name: "外勤", OrgUnitId: br.GetOrgUnit().GetOrgUnitId(), Role: "sales", StartDate: "2026-01-05",
		}); err != nil {
			return err
		}
		c, err := dial(auth.Principal{Tenant: checkInTenant, Subject: id, Roles: []auth.Role{auth.RoleSales}})
		if err != nil {
			return err
		}
		cb.clients = append(cb.clients, c)
	}
	_, err = cb.b.log.Append(ctx, eventlog.AppendRequest{
		Ref:       eventlog.AggregateRef{Context: "client", Tenant: checkInTenant, Type: "customer", ID: "visited"},
		RequestID: "register-visited", ActorID: "field-0",
		Payload: &clientv1.CustomerRegistered{
			CustomerId: "visited", CompanyName: "星海贸易", OwnerEmployeeId: "field-0",
			Address: &clientv1.Address{Text: "上海市黄浦区", Location: &clientv1.GeoPoint{Latitude: 31.2304, Longitude: 121.4737}},
		},
	})
	return err
}

// checkIns makes cb.calls check-ins, split evenly over the workers, each
// worker checking its own employee in near the customer.
func (cb *checkInBench) checkIns(ctx context.Context) (float64, error) {
	cb.round++
	per := cb.calls / len(cb.clients)
	var wg sync.WaitGroup
	errs := make(chan error, len(cb.clients))
	start := time.Now()
	for w, c := range cb.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				_, err := c.CheckIn(ctx, &attendancev1.CheckInRequest{
					RequestId: fmt.Sprintf("k-%d-%d-%d", cb.round, w, i), Kind: attendancev1.CheckInKind_CHECK_IN_KIND_VISIT,
					Latitude: 31.2304 + float64(i)*1e-5, Longitude: 121.4737 + float64(w)*1e-5, AccuracyM: 12,
					DeviceTime: timestamppb.Now(), CustomerId: "visited", Purpose: "拜访",
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	return rate(per*len(cb.clients), time.Since(start)), nil
}

// vsGRPC is CheckIn beside a raw grpc-go no-op unary handler.
func (cb *checkInBench) vsGRPC(ctx context.Context) (Figure, error) {
	base, err := cb.rpc.baseline(ctx)
	if err != nil {
		return Figure{}, err
	}
	value, err := cb.checkIns(ctx)
	return Figure{
		Name: "attendance_check_in", Value: value, Unit: "calls/s", Baseline: base,
		Note: fmt.Sprintf("CheckIn (auth, employee load, customer geo point, last check-in, repeat lookup, haversine, append) vs a raw grpc-go no-op unary handler, %d callers", rpcWorkers),
	}, err
}

// vsJetStream is CheckIn beside raw synchronous JetStream publishes of a
// same-sized envelope by as many publishers.
func (cb *checkInBench) vsJetStream(ctx context.Context) (Figure, error) {
	data, err := cb.b.envelopeBytes(ctx)
	if err != nil {
		return Figure{}, err
	}
	cb.round++
	base, err := parallel(ctx, cb.calls, func(ctx context.Context, i int) error {
		_, err := cb.b.js.Publish(ctx, fmt.Sprintf("attendance.bench.rawcheckin.r%d-%d", cb.round, i), data)
		return err
	})
	if err != nil {
		return Figure{}, err
	}
	value, err := cb.checkIns(ctx)
	return Figure{
		Name: "attendance_check_in_vs_js", Value: value, Unit: "calls/s", Baseline: base,
		Note: fmt.Sprintf("CheckIn over gRPC vs raw synchronous js.Publish of an envelope into ATTENDANCE, %d publishers", rpcWorkers),
	}, err
}
