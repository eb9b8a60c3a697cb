package grpcapi

import (
	"context"

	"google.golang.org/protobuf/types/known/timestamppb"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// GetMyQuotas implements clientv1.ClientServiceServer. The request names
// nobody, so the answer is always about the token's own subject.
func (s *Server) GetMyQuotas(ctx context.Context, _ *clientv1.GetMyQuotasRequest) (*clientv1.GetMyQuotasResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	u, err := s.app.GetMyQuotas(ctx, actor)
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &clientv1.GetMyQuotasResponse{
		Day:            u.DayStart.Format("2006-01-02"),
		TimeZone:       u.TimeZone,
		ResetsAt:       timestamppb.New(u.NextDayStart),
		RevealsUsed:    int32(u.Reveals.Revealed),
		RevealQuota:    int32(u.Reveals.Quota),
		RevealsRefused: int32(u.RevealsRefused),
		ClaimsUsed:     int32(u.ClaimsUsed),
		ClaimQuota:     int32(u.ClaimQuota),
	}, nil
}
