package grpcapi

import (
	"context"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// ImportCustomers implements clientv1.ClientServiceServer. A file with
// errors is an answer, not a failed call: the errors are in the response.
func (s *Server) ImportCustomers(ctx context.Context, req *clientv1.ImportCustomersRequest) (*clientv1.ImportCustomersResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	res, err := s.app.ImportCustomers(ctx, actor, req.GetRequestId(), req.GetCsv(), req.GetDryRun())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	out := &clientv1.ImportCustomersResponse{
		Imported:    res.Imported,
		Rows:        int32(res.Rows),
		CustomerIds: res.CustomerIDs,
		Sequence:    res.Sequence,
	}
	for _, e := range res.Errors {
		out.Errors = append(out.Errors, &clientv1.ImportRowError{Row: int32(e.Row), Column: e.Column, Message: e.Message})
	}
	return out, nil
}
