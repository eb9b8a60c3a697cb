package grpcapi

import (
	"context"

	"google.golang.org/protobuf/types/known/timestamppb"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/app"
	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// RequestExport implements clientv1.ClientServiceServer.
func (s *Server) RequestExport(ctx context.Context, req *clientv1.RequestExportRequest) (*clientv1.RequestExportResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	e, seq, err := s.app.RequestExport(ctx, actor, req.GetRequestId(), domain.ExportRequest{
		Filter:          app.ExportFilterFromProto(req.GetFilter()),
		Reason:          req.GetReason(),
		IncludeContacts: req.GetIncludeContacts(),
	})
	if err != nil {
		return nil, s.statusAbout(ctx, err, "export")
	}
	return &clientv1.RequestExportResponse{Export: exportToProto(e), Sequence: seq}, nil
}

// ApproveExport implements clientv1.ClientServiceServer.
func (s *Server) ApproveExport(ctx context.Context, req *clientv1.ApproveExportRequest) (*clientv1.ApproveExportResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	e, seq, err := s.app.ApproveExport(ctx, actor, req.GetRequestId(), req.GetExportId(), req.GetReason())
	if err != nil {
		return nil, s.statusAbout(ctx, err, "export")
	}
	return &clientv1.ApproveExportResponse{Export: exportToProto(e), Sequence: seq}, nil
}

// RejectExport implements clientv1.ClientServiceServer.
func (s *Server) RejectExport(ctx context.Context, req *clientv1.RejectExportRequest) (*clientv1.RejectExportResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	e, seq, err := s.app.RejectExport(ctx, actor, req.GetRequestId(), req.GetExportId(), req.GetReason())
	if err != nil {
		return nil, s.statusAbout(ctx, err, "export")
	}
	return &clientv1.RejectExportResponse{Export: exportToProto(e), Sequence: seq}, nil
}

// GetExport implements clientv1.ClientServiceServer.
func (s *Server) GetExport(ctx context.Context, req *clientv1.GetExportRequest) (*clientv1.GetExportResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	e, err := s.app.GetExport(ctx, actor, req.GetExportId())
	if err != nil {
		return nil, s.statusAbout(ctx, err, "export")
	}
	return &clientv1.GetExportResponse{Export: exportToProto(e)}, nil
}

// DownloadExport implements clientv1.ClientServiceServer. The response
// carries customers' data, contacts possibly in the clear; the RPC log
// records the call, never the response.
func (s *Server) DownloadExport(ctx context.Context, req *clientv1.DownloadExportRequest) (*clientv1.DownloadExportResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	d, err := s.app.DownloadExport(ctx, actor, req.GetRequestId(), req.GetExportId())
	if err != nil {
		return nil, s.statusAbout(ctx, err, "export")
	}
	return &clientv1.DownloadExportResponse{
		Csv: d.CSV, Filename: d.Filename, Rows: int32(d.Rows), Sha256: d.SHA256, Sequence: d.Sequence,
	}, nil
}

func exportToProto(e domain.Export) *clientv1.Export {
	out := &clientv1.Export{
		ExportId:        e.ID,
		RequestedBy:     e.RequestedBy,
		Filter:          app.ExportFilterToProto(e.Filter),
		Reason:          e.Reason,
		IncludeContacts: e.IncludeContacts,
		CustomerCount:   int32(e.CustomerCount),
		Status:          clientv1.ExportStatus(e.Status),
		DecidedBy:       e.DecidedBy,
		DecisionReason:  e.DecisionReason,
		RequestedAt:     timestamppb.New(e.RequestedAt),
	}
	if !e.DecidedAt.IsZero() {
		out.DecidedAt = timestamppb.New(e.DecidedAt)
	}
	return out
}
