package grpcapi

import (
	"context"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	"github.com/holdfast/holdfast/services/attendance/internal/domain"
	"github.com/holdfast/holdfast/services/attendance/internal/store"
)

// CreateOrgUnit implements attendancev1.AttendanceServiceServer.
func (s *Server) CreateOrgUnit(ctx context.Context, req *attendancev1.CreateOrgUnitRequest) (*attendancev1.CreateOrgUnitResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	u := domain.OrgUnit{
		ParentID: req.GetParentId(), Kind: domain.OrgUnitKind(req.GetKind()), Name: req.GetName(),
		Calendar: domain.Calendar{TimeZone: req.GetTimeZone(), Holidays: req.GetHolidays()},
	}
	for _, d := range req.GetWorkingWeekdays() {
		u.Calendar.WorkingWeekdays = append(u.Calendar.WorkingWeekdays, int(d))
	}
	created, seq, err := s.app.CreateOrgUnit(ctx, actor, req.GetRequestId(), u)
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &attendancev1.CreateOrgUnitResponse{OrgUnit: orgUnitToProto(created), Sequence: seq}, nil
}

// GetOrgUnit implements attendancev1.AttendanceServiceServer.
func (s *Server) GetOrgUnit(ctx context.Context, req *attendancev1.GetOrgUnitRequest) (*attendancev1.GetOrgUnitResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	u, err := s.app.GetOrgUnit(ctx, actor, req.GetOrgUnitId(), req.GetMinSequence())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &attendancev1.GetOrgUnitResponse{OrgUnit: orgUnitToProto(u)}, nil
}

// ListOrgUnits implements attendancev1.AttendanceServiceServer.
func (s *Server) ListOrgUnits(ctx context.Context, req *attendancev1.ListOrgUnitsRequest) (*attendancev1.ListOrgUnitsResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	size, after, bad := listArgs(orgUnitTokenPrefix, req.GetPageSize(), req.GetPageToken())
	if p := req.GetParentId(); p != "" && !eventlog.ValidToken(p) {
		bad = append(bad, platform.FieldViolation{Field: "parent_id", Description: "not a valid id"})
	}
	if len(bad) > 0 {
		return nil, platform.InvalidArgument(bad)
	}
	// One extra row tells whether another page follows.
	page, err := s.app.ListOrgUnits(ctx, actor, store.OrgUnitFilter{ParentID: req.GetParentId(), After: after, Limit: size + 1}, req.GetMinSequence())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	resp := &attendancev1.ListOrgUnitsResponse{}
	page, last := platform.TrimPage(page, size)
	if last != nil {
		resp.NextPageToken = encodePageToken(orgUnitTokenPrefix, last.ID)
	}
	for _, u := range page {
		resp.OrgUnits = append(resp.OrgUnits, orgUnitToProto(u))
	}
	return resp, nil
}

func orgUnitToProto(u domain.OrgUnit) *attendancev1.OrgUnit {
	out := &attendancev1.OrgUnit{
		OrgUnitId: u.ID, ParentId: u.ParentID, Kind: attendancev1.OrgUnitKind(u.Kind), Name: u.Name,
		TimeZone: u.Calendar.TimeZone, Holidays: u.Calendar.Holidays, Version: u.Version,
	}
	for _, d := range u.Calendar.WorkingWeekdays {
		out.WorkingWeekdays = append(out.WorkingWeekdays, int32(d)) //nolint:gosec // weekdays are 1-7
	}
	return out
}
