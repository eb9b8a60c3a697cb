package grpcapi

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/holdfast/holdfast/pkg/evidence"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// errNoEvidenceKeys: the deployment configured no evidence keys.
var errNoEvidenceKeys = errors.New("evidence signing keys are not configured")

func (s *Server) tenantKey(ctx context.Context, tenant string) (evidence.Key, error) {
	if s.evidenceKeys == nil {
		return evidence.Key{}, status.Error(codes.FailedPrecondition, errNoEvidenceKeys.Error())
	}
	k, err := s.evidenceKeys(tenant)
	if err != nil {
		return evidence.Key{}, s.toStatus(ctx, fmt.Errorf("evidence key of tenant %s: %w", tenant, err))
	}
	return k, nil
}

// ExportEvidence implements riskv1.RiskServiceServer.
func (s *Server) ExportEvidence(ctx context.Context, req *riskv1.ExportEvidenceRequest) (*riskv1.ExportEvidenceResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.app.WaitAlertView(ctx, req.GetMinSequence()); err != nil {
		return nil, s.toStatus(ctx, err)
	}
	key, err := s.tenantKey(ctx, actor.Tenant)
	if err != nil {
		return nil, err
	}
	lang := req.GetLanguage()
	if lang == "" {
		lang = "en"
	}
	bundle, rep, err := s.app.EvidenceBundle(ctx, actor, req.GetAlertId(), lang, req.GetRequestId(), key)
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &riskv1.ExportEvidenceResponse{
		Bundle: bundle, FileName: fmt.Sprintf("holdfast-evidence-%s-%s.zip", actor.Tenant, req.GetAlertId()),
		VerifierKey: key.VerifierKey, MerkleRoot: rep.Root, Events: int32(len(rep.Events)), //nolint:gosec // at most evidence.MaxEvents
	}, nil
}

// GetEvidenceKey implements riskv1.RiskServiceServer: any signed-in member
// of the tenant may read the public key.
func (s *Server) GetEvidenceKey(ctx context.Context, _ *riskv1.GetEvidenceKeyRequest) (*riskv1.GetEvidenceKeyResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	key, err := s.tenantKey(ctx, actor.Tenant)
	if err != nil {
		return nil, err
	}
	return &riskv1.GetEvidenceKeyResponse{VerifierKey: key.VerifierKey}, nil
}
