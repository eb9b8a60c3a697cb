package grpcapi

import (
	"context"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/platform"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/app"
)

// historyPagePrefix versions the history page token, which carries the
// CLIENT sequence of the last entry listed.
const historyPagePrefix = "h1:"

// GetCustomerHistory implements clientv1.ClientServiceServer.
func (s *Server) GetCustomerHistory(ctx context.Context, req *clientv1.GetCustomerHistoryRequest) (*clientv1.GetCustomerHistoryResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	size, bad := platform.PageSize(req.GetPageSize())
	after, err := decodeSequencePageToken(historyPagePrefix, req.GetPageToken())
	if err != nil {
		bad = append(bad, platform.FieldViolation{Field: "page_token", Description: "not a token this service issued"})
	}
	if len(bad) > 0 {
		return nil, platform.InvalidArgument(bad)
	}
	page, err := s.app.GetCustomerHistory(ctx, actor, req.GetCustomerId(), after, size, req.GetMinSequence())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	resp := &clientv1.GetCustomerHistoryResponse{}
	if page.Next != 0 {
		resp.NextPageToken = encodeSequencePageToken(historyPagePrefix, page.Next)
	}
	for _, e := range page.Entries {
		resp.Entries = append(resp.Entries, historyEntryToProto(e))
	}
	return resp, nil
}

func historyEntryToProto(e app.HistoryEntry) *clientv1.HistoryEntry {
	return &clientv1.HistoryEntry{
		EventId:    e.EventID,
		Stream:     e.Stream,
		Sequence:   e.Sequence,
		EventType:  e.EventType,
		ActorId:    e.ActorID,
		OccurredAt: timestamppb.New(e.OccurredAt),
		RecordedAt: timestamppb.New(e.RecordedAt),
		Summary:    e.Summary,
	}
}
