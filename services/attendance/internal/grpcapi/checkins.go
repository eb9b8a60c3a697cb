package grpcapi

import (
	"context"
	"strconv"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/geo"
	"github.com/holdfast/holdfast/pkg/platform"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	"github.com/holdfast/holdfast/services/attendance/internal/domain"
	"github.com/holdfast/holdfast/services/attendance/internal/store"
)

const checkInTokenPrefix = "k1:"

// CheckIn implements attendancev1.AttendanceServiceServer.
func (s *Server) CheckIn(ctx context.Context, req *attendancev1.CheckInRequest) (*attendancev1.CheckInResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	var deviceTime time.Time
	if ts := req.GetDeviceTime(); ts != nil {
		if err := ts.CheckValid(); err != nil {
			return nil, platform.InvalidArgument([]platform.FieldViolation{{Field: "device_time", Description: "not a valid timestamp"}})
		}
		deviceTime = ts.AsTime()
	}
	c, seq, err := s.app.CheckIn(ctx, actor, req.GetRequestId(), domain.CheckIn{
		EmployeeID: req.GetEmployeeId(), Kind: domain.CheckInKind(req.GetKind()),
		Point:     geo.Point{Latitude: req.GetLatitude(), Longitude: req.GetLongitude()},
		AccuracyM: req.GetAccuracyM(), DeviceTime: deviceTime,
		PhotoSHA256: req.GetPhotoSha256(), PhotoBytes: req.GetPhotoSizeBytes(),
		CustomerID: req.GetCustomerId(), Purpose: req.GetPurpose(),
	})
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &attendancev1.CheckInResponse{CheckIn: checkInToProto(c), Sequence: seq}, nil
}

// ListCheckIns implements attendancev1.AttendanceServiceServer.
func (s *Server) ListCheckIns(ctx context.Context, req *attendancev1.ListCheckInsRequest) (*attendancev1.ListCheckInsResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	size, cursor, bad := listArgs(checkInTokenPrefix, req.GetPageSize(), req.GetPageToken())
	var before uint64
	if cursor != "" {
		if before, err = strconv.ParseUint(cursor, 10, 64); err != nil || before == 0 {
			bad = append(bad, platform.FieldViolation{Field: "page_token", Description: "not a token this service issued"})
		}
	}
	var from, to time.Time
	for _, f := range []struct {
		name string
		ts   *timestamppb.Timestamp
		into *time.Time
	}{{"from", req.GetFrom(), &from}, {"to", req.GetTo(), &to}} {
		if f.ts == nil {
			continue
		}
		if err := f.ts.CheckValid(); err != nil {
			bad = append(bad, platform.FieldViolation{Field: f.name, Description: "not a valid timestamp"})
			continue
		}
		*f.into = f.ts.AsTime()
	}
	if len(bad) > 0 {
		return nil, platform.InvalidArgument(bad)
	}
	list, next, err := s.app.ListCheckIns(ctx, actor, store.CheckInFilter{
		EmployeeID: req.GetEmployeeId(), CustomerID: req.GetCustomerId(), From: from, To: to, Before: before, Limit: size,
	}, req.GetMinSequence())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	resp := &attendancev1.ListCheckInsResponse{}
	if next != 0 {
		resp.NextPageToken = encodePageToken(checkInTokenPrefix, strconv.FormatUint(next, 10))
	}
	for _, c := range list {
		resp.CheckIns = append(resp.CheckIns, checkInToProto(c))
	}
	return resp, nil
}

func checkInToProto(c domain.CheckIn) *attendancev1.CheckIn {
	return &attendancev1.CheckIn{
		CheckInId: c.ID, EmployeeId: c.EmployeeID, Kind: attendancev1.CheckInKind(c.Kind),
		Latitude: c.Point.Latitude, Longitude: c.Point.Longitude, AccuracyM: c.AccuracyM,
		DeviceTime: timestamppb.New(c.DeviceTime), RecordedAt: timestamppb.New(c.RecordedAt),
		PhotoSha256: c.PhotoSHA256, PhotoSizeBytes: c.PhotoBytes, CustomerId: c.CustomerID, Purpose: c.Purpose,
		CustomerLocated: c.Facts.CustomerLocated, DistanceToCustomerM: c.Facts.DistanceToCustomerM,
		PreviousCheckInId: c.Facts.PreviousID, DistanceFromPreviousM: c.Facts.DistanceFromPreviousM,
		SecondsSincePrevious: c.Facts.SecondsSincePrevious, SpeedFromPreviousKmh: c.Facts.SpeedFromPreviousKmh,
		RepeatsCheckInId: c.Facts.RepeatsID, Sequence: c.Sequence,
	}
}
