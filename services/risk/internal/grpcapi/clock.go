package grpcapi

import (
	"context"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// AdvanceClock implements riskv1.RiskServiceServer.
func (s *Server) AdvanceClock(ctx context.Context, req *riskv1.AdvanceClockRequest) (*riskv1.AdvanceClockResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	var bad []platform.FieldViolation
	var from, to time.Time
	switch err := req.GetTo().CheckValid(); {
	case req.GetTo() == nil:
		bad = append(bad, platform.FieldViolation{Field: "to", Description: "required"})
	case err != nil:
		bad = append(bad, platform.FieldViolation{Field: "to", Description: "not a valid timestamp"})
	default:
		to = req.GetTo().AsTime()
	}
	if req.GetFrom() != nil {
		if err := req.GetFrom().CheckValid(); err != nil {
			bad = append(bad, platform.FieldViolation{Field: "from", Description: "not a valid timestamp"})
		} else {
			from = req.GetFrom().AsTime()
		}
	}
	if len(bad) > 0 {
		return nil, platform.InvalidArgument(bad)
	}
	res, err := s.app.AdvanceClock(ctx, actor, from, to)
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	resp := &riskv1.AdvanceClockResponse{Ticks: int32(res.Ticks)}
	if res.Sequence > 0 {
		resp.LastTickAt = timestamppb.New(res.LastTick)
		resp.ConsistentWith = &riskv1.StreamPosition{Stream: eventlog.StreamTick, Sequence: res.Sequence}
	}
	return resp, nil
}
