package grpcapi

import (
	"context"
	"slices"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/pkg/workcal"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	"github.com/holdfast/holdfast/services/attendance/internal/app"
	"github.com/holdfast/holdfast/services/attendance/internal/domain"
	"github.com/holdfast/holdfast/services/attendance/internal/store"
)

// HireEmployee implements attendancev1.AttendanceServiceServer.
func (s *Server) HireEmployee(ctx context.Context, req *attendancev1.HireEmployeeRequest) (*attendancev1.HireEmployeeResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	e, seq, err := s.app.HireEmployee(ctx, actor, req.GetRequestId(), domain.Hire{
		EmployeeID: req.GetEmployeeId(), Name: req.GetName(), OrgUnitID: req.GetOrgUnitId(),
		ManagerID: req.GetManagerId(), Role: req.GetRole(), StartDate: req.GetStartDate(),
	})
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &attendancev1.HireEmployeeResponse{Employee: employeeToProto(e), Sequence: seq}, nil
}

// NoticeResignation implements attendancev1.AttendanceServiceServer.
func (s *Server) NoticeResignation(ctx context.Context, req *attendancev1.NoticeResignationRequest) (*attendancev1.NoticeResignationResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	e, seq, err := s.app.NoticeResignation(ctx, actor, req.GetRequestId(), req.GetEmployeeId(), req.GetNoticeDate(), req.GetPlannedLastDay())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &attendancev1.NoticeResignationResponse{Employee: employeeToProto(e), Sequence: seq}, nil
}

// WithdrawResignation implements attendancev1.AttendanceServiceServer.
func (s *Server) WithdrawResignation(ctx context.Context, req *attendancev1.WithdrawResignationRequest) (*attendancev1.WithdrawResignationResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	e, seq, err := s.app.WithdrawResignation(ctx, actor, req.GetRequestId(), req.GetEmployeeId())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &attendancev1.WithdrawResignationResponse{Employee: employeeToProto(e), Sequence: seq}, nil
}

// RecordLeave implements attendancev1.AttendanceServiceServer.
func (s *Server) RecordLeave(ctx context.Context, req *attendancev1.RecordLeaveRequest) (*attendancev1.RecordLeaveResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	e, seq, err := s.app.RecordLeave(ctx, actor, req.GetRequestId(), req.GetEmployeeId(), domain.Leave{
		StartDate: req.GetStartDate(), EndDate: req.GetEndDate(), Type: domain.LeaveType(req.GetLeaveType()),
	})
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &attendancev1.RecordLeaveResponse{Employee: employeeToProto(e), Sequence: seq}, nil
}

// RecordDeparture implements attendancev1.AttendanceServiceServer.
func (s *Server) RecordDeparture(ctx context.Context, req *attendancev1.RecordDepartureRequest) (*attendancev1.RecordDepartureResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	e, seq, err := s.app.RecordDeparture(ctx, actor, req.GetRequestId(), req.GetEmployeeId(), req.GetLastDay())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &attendancev1.RecordDepartureResponse{Employee: employeeToProto(e), Sequence: seq}, nil
}

// GetEmployee implements attendancev1.AttendanceServiceServer.
func (s *Server) GetEmployee(ctx context.Context, req *attendancev1.GetEmployeeRequest) (*attendancev1.GetEmployeeResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	e, err := s.app.GetEmployee(ctx, actor, req.GetEmployeeId(), req.GetMinSequence())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &attendancev1.GetEmployeeResponse{Employee: employeeToProto(e)}, nil
}

// ListEmployees implements attendancev1.AttendanceServiceServer.
func (s *Server) ListEmployees(ctx context.Context, req *attendancev1.ListEmployeesRequest) (*attendancev1.ListEmployeesResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	size, after, bad := listArgs(employeeTokenPrefix, req.GetPageSize(), req.GetPageToken())
	if u := req.GetOrgUnitId(); u != "" && !eventlog.ValidToken(u) {
		bad = append(bad, platform.FieldViolation{Field: "org_unit_id", Description: "not a valid id"})
	}
	if r := req.GetRole(); r != "" && !slices.Contains(domain.Roles, r) {
		bad = append(bad, platform.FieldViolation{Field: "role", Description: "unknown role"})
	}
	if _, ok := attendancev1.EmployeeStatus_name[int32(req.GetStatus())]; !ok {
		bad = append(bad, platform.FieldViolation{Field: "status", Description: "unknown status"})
	}
	if len(bad) > 0 {
		return nil, platform.InvalidArgument(bad)
	}
	if req.GetIncludeSubunits() && req.GetOrgUnitId() == "" {
		bad = append(bad, platform.FieldViolation{Field: "include_subunits", Description: "needs org_unit_id"})
	}
	if len(bad) > 0 {
		return nil, platform.InvalidArgument(bad)
	}
	page, err := s.app.ListEmployees(ctx, actor, app.EmployeeQuery{EmployeeFilter: store.EmployeeFilter{
		OrgUnitID: req.GetOrgUnitId(), Role: req.GetRole(), Status: domain.EmployeeStatus(req.GetStatus()),
		After: after, Limit: size + 1,
	}, IncludeSubunits: req.GetIncludeSubunits()}, req.GetMinSequence())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	resp := &attendancev1.ListEmployeesResponse{}
	page, last := platform.TrimPage(page, size)
	if last != nil {
		resp.NextPageToken = encodePageToken(employeeTokenPrefix, last.ID)
	}
	for _, e := range page {
		resp.Employees = append(resp.Employees, employeeToProto(e))
	}
	return resp, nil
}

// TransferEmployee implements attendancev1.AttendanceServiceServer.
func (s *Server) TransferEmployee(ctx context.Context, req *attendancev1.TransferEmployeeRequest) (*attendancev1.TransferEmployeeResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	e, seq, err := s.app.TransferEmployee(ctx, actor, req.GetRequestId(), req.GetEmployeeId(), domain.Transfer{
		OrgUnitID: req.GetOrgUnitId(), ManagerID: req.GetManagerId(), EffectiveDate: req.GetEffectiveDate(),
	})
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &attendancev1.TransferEmployeeResponse{Employee: employeeToProto(e), Sequence: seq}, nil
}

// ChangeRole implements attendancev1.AttendanceServiceServer.
func (s *Server) ChangeRole(ctx context.Context, req *attendancev1.ChangeRoleRequest) (*attendancev1.ChangeRoleResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	e, seq, err := s.app.ChangeRole(ctx, actor, req.GetRequestId(), req.GetEmployeeId(), req.GetRole(), req.GetEffectiveDate())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &attendancev1.ChangeRoleResponse{Employee: employeeToProto(e), Sequence: seq}, nil
}

// GetEmployeeTimeline implements attendancev1.AttendanceServiceServer.
func (s *Server) GetEmployeeTimeline(ctx context.Context, req *attendancev1.GetEmployeeTimelineRequest) (*attendancev1.GetEmployeeTimelineResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	entries, err := s.app.EmployeeTimeline(ctx, actor, req.GetEmployeeId())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	resp := &attendancev1.GetEmployeeTimelineResponse{}
	for _, e := range entries {
		resp.Entries = append(resp.Entries, &attendancev1.TimelineEntry{
			Sequence: e.Sequence, EventId: e.EventID, EventType: e.EventType,
			OccurredAt: timestamppb.New(e.OccurredAt), ActorId: e.ActorID, Summary: e.Summary, SummaryZh: e.SummaryZH,
		})
	}
	return resp, nil
}

// IsWorkingDay implements attendancev1.AttendanceServiceServer.
func (s *Server) IsWorkingDay(ctx context.Context, req *attendancev1.IsWorkingDayRequest) (*attendancev1.IsWorkingDayResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	day, err := s.app.IsWorkingDay(ctx, actor, req.GetEmployeeId(), req.GetDate(), req.GetMinSequence())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &attendancev1.IsWorkingDayResponse{
		Working: day.Kind == workcal.Working, Kind: dayKindToProto(day.Kind), BranchId: day.BranchID, TimeZone: day.TimeZone,
	}, nil
}

func dayKindToProto(k workcal.DayKind) attendancev1.DayKind {
	switch k {
	case workcal.Working:
		return attendancev1.DayKind_DAY_KIND_WORKING
	case workcal.NotEmployed:
		return attendancev1.DayKind_DAY_KIND_NOT_EMPLOYED
	case workcal.Holiday:
		return attendancev1.DayKind_DAY_KIND_HOLIDAY
	case workcal.RestDay:
		return attendancev1.DayKind_DAY_KIND_REST_DAY
	case workcal.OnLeave:
		return attendancev1.DayKind_DAY_KIND_ON_LEAVE
	}
	return attendancev1.DayKind_DAY_KIND_UNSPECIFIED
}

func employeeToProto(e domain.Employee) *attendancev1.Employee {
	out := &attendancev1.Employee{
		EmployeeId: e.ID, Name: e.Name, OrgUnitId: e.OrgUnitID, ManagerId: e.ManagerID, Role: e.Role,
		StartDate: e.StartDate, Status: attendancev1.EmployeeStatus(e.Status), NoticeDate: e.NoticeDate,
		PlannedLastDay: e.PlannedLastDay, LastDay: e.LastDay, Version: e.Version,
	}
	for _, l := range e.Leaves {
		out.Leaves = append(out.Leaves, &attendancev1.Leave{StartDate: l.StartDate, EndDate: l.EndDate, LeaveType: attendancev1.LeaveType(l.Type)})
	}
	return out
}

// RevealEmployeeIdentity implements attendancev1.AttendanceServiceServer.
func (s *Server) RevealEmployeeIdentity(ctx context.Context, req *attendancev1.RevealEmployeeIdentityRequest) (*attendancev1.RevealEmployeeIdentityResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.app.RevealIdentity(ctx, actor, req.GetRequestId(), req.GetEmployeeId(), req.GetReason())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &attendancev1.RevealEmployeeIdentityResponse{EmployeeId: r.EmployeeID, Name: r.Name, Sequence: r.Sequence}, nil
}
