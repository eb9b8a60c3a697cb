package main

import (
	"context"
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/platform"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// TestDepartedEmployeeIsRefused: once HR records an employee's departure,
// the tokens that employee still holds are refused by every service, while
// everyone else's keep working.
func TestDepartedEmployeeIsRefused(t *testing.T) {
	stack, dataDir := startDevStack(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	key, err := auth.LoadOrCreateDevKey(platform.DevKeyDir(dataDir))
	if err != nil {
		t.Fatal(err)
	}
	issuer := auth.NewIssuer(ed25519.PrivateKey(key))
	dial := func(addr, subject string, role auth.Role) *grpc.ClientConn {
		t.Helper()
		tok, err := issuer.Issue(auth.Principal{Tenant: "acme", Subject: subject, Roles: []auth.Role{role}}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithPerRPCCredentials(auth.BearerToken(tok)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.Close() })
		return conn
	}
	salesClient := clientv1.NewClientServiceClient(dial(stack.Endpoints.ClientGRPC, "e1", auth.RoleSales))
	salesAttendance := attendancev1.NewAttendanceServiceClient(dial(stack.Endpoints.AttendanceGRPC, "e1", auth.RoleSales))
	admin := attendancev1.NewAttendanceServiceClient(dial(stack.Endpoints.AttendanceGRPC, "admin1", auth.RoleAdmin))
	hr := attendancev1.NewAttendanceServiceClient(dial(stack.Endpoints.AttendanceGRPC, "hr1", auth.RoleHR))
	colleague := clientv1.NewClientServiceClient(dial(stack.Endpoints.ClientGRPC, "e2", auth.RoleSales))

	if _, err := salesClient.ListCustomers(ctx, &clientv1.ListCustomersRequest{}); err != nil {
		t.Fatalf("ListCustomers as e1 before departure: %v", err)
	}

	company, err := admin.CreateOrgUnit(ctx, &attendancev1.CreateOrgUnitRequest{
		RequestId: "dep-company", Kind: attendancev1.OrgUnitKind_ORG_UNIT_KIND_COMPANY, Name: "Acme",
	})
	if err != nil {
		t.Fatalf("CreateOrgUnit company: %v", err)
	}
	branch, err := admin.CreateOrgUnit(ctx, &attendancev1.CreateOrgUnitRequest{
		RequestId: "dep-branch", ParentId: company.GetOrgUnit().GetOrgUnitId(), Kind: attendancev1.OrgUnitKind_ORG_UNIT_KIND_BRANCH, Name: "上海分公司",
		TimeZone: "Asia/Shanghai", WorkingWeekdays: []int32{1, 2, 3, 4, 5},
	})
	if err != nil {
		t.Fatalf("CreateOrgUnit branch: %v", err)
	}
	if _, err := hr.HireEmployee(ctx, &attendancev1.HireEmployeeRequest{
		RequestId: "dep-hire", EmployeeId: "e1", Name: "张三", OrgUnitId: branch.GetOrgUnit().GetOrgUnitId(), Role: "sales", StartDate: "2026-01-05",
	}); err != nil {
		t.Fatalf("HireEmployee: %v", err)
	}
	departed, err := hr.RecordDeparture(ctx, &attendancev1.RecordDepartureRequest{RequestId: "dep-leave", EmployeeId: "e1", LastDay: "2026-12-31"})
	if err != nil {
		t.Fatalf("RecordDeparture: %v", err)
	}
	// In force as soon as the event arrives, though last_day is months away.
	if err := stack.Departures().WaitApplied(ctx, departed.GetSequence()); err != nil {
		t.Fatal(err)
	}

	refused := []struct {
		name string
		call func() error
	}{
		{"ClientService.ListCustomers", func() error {
			_, err := salesClient.ListCustomers(ctx, &clientv1.ListCustomersRequest{})
			return err
		}},
		{"AttendanceService.GetEmployee", func() error {
			_, err := salesAttendance.GetEmployee(ctx, &attendancev1.GetEmployeeRequest{EmployeeId: "e1"})
			return err
		}},
	}
	for _, tc := range refused {
		err := tc.call()
		if status.Code(err) != codes.Unauthenticated {
			t.Errorf("%s as departed e1: %v, want Unauthenticated", tc.name, err)
			continue
		}
		if msg := status.Convert(err).Message(); !strings.Contains(msg, "revoked") || strings.Contains(msg, "e1") {
			t.Errorf("%s as departed e1: message %q, want a revocation that names nobody", tc.name, msg)
		}
	}
	if _, err := colleague.ListCustomers(ctx, &clientv1.ListCustomersRequest{}); err != nil {
		t.Errorf("ListCustomers as e2 after e1 departed: %v", err)
	}
}
