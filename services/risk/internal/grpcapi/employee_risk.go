package grpcapi

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/risk/internal/app"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// GetEmployeeRisk implements riskv1.RiskServiceServer.
func (s *Server) GetEmployeeRisk(ctx context.Context, req *riskv1.GetEmployeeRiskRequest) (*riskv1.GetEmployeeRiskResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.app.GetEmployeeRisk(ctx, actor, req.GetEmployeeId())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &riskv1.GetEmployeeRiskResponse{Risk: employeeRiskToProto(r)}, nil
}

// ListEmployeeRisk implements riskv1.RiskServiceServer.
func (s *Server) ListEmployeeRisk(ctx context.Context, req *riskv1.ListEmployeeRiskRequest) (*riskv1.ListEmployeeRiskResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	size, bad := platform.PageSize(req.GetPageSize())
	after, err := decodeRiskToken(req.GetPageToken())
	if err != nil {
		bad = append(bad, platform.FieldViolation{Field: "page_token", Description: "not a token this service issued"})
	}
	if u := req.GetOrgUnitId(); u != "" && !eventlog.ValidToken(u) {
		bad = append(bad, platform.FieldViolation{Field: "org_unit_id", Description: "not a valid id"})
	}
	if len(bad) > 0 {
		return nil, platform.InvalidArgument(bad)
	}
	rows, err := s.app.ListEmployeeRisk(ctx, actor, req.GetOrgUnitId(), after, size+1)
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	resp := &riskv1.ListEmployeeRiskResponse{}
	rows, last := platform.TrimPage(rows, size)
	if last != nil {
		resp.NextPageToken = encodeRiskToken(app.RiskCursor{Score: last.Score, EmployeeID: last.EmployeeID})
	}
	for _, r := range rows {
		resp.Employees = append(resp.Employees, employeeRiskToProto(r))
	}
	return resp, nil
}

func employeeRiskToProto(r domain.EmployeeRisk) *riskv1.EmployeeRisk {
	p := &riskv1.EmployeeRisk{
		EmployeeId:     r.EmployeeID,
		Score:          int32(r.Score),
		Level:          riskv1.RiskLevel(r.Level),
		IndicatorsOnly: r.IndicatorsOnly,
	}
	if !r.AsOf.IsZero() {
		p.AsOf = timestamppb.New(r.AsOf)
	}
	for _, ind := range r.Indicators {
		p.Indicators = append(p.Indicators, &riskv1.RiskIndicator{
			Name: ind.Name, Value: ind.Value, Baseline: ind.Baseline,
			Weight: int32(ind.Weight), Points: int32(ind.Points),
			ExplanationEn: ind.ExplanationEN, ExplanationZh: ind.ExplanationZH,
			TeamMedian: ind.TeamMedian, TeamSize: int32(ind.TeamSize),
		})
	}
	return p
}

// riskPages prefixes employee-risk page tokens: the score and employee id
// the previous page ended on.
const riskPages = "r1:"

func encodeRiskToken(c app.RiskCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(riskPages + strconv.Itoa(c.Score) + ":" + c.EmployeeID))
}

func decodeRiskToken(tok string) (*app.RiskCursor, error) {
	if tok == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !strings.HasPrefix(string(b), riskPages) {
		return nil, errors.New("bad page token")
	}
	score, employee, ok := strings.Cut(string(b[len(riskPages):]), ":")
	n, err := strconv.Atoi(score)
	if !ok || err != nil || n < 0 || n > 100 || !eventlog.ValidToken(employee) {
		return nil, errors.New("bad page token")
	}
	return &app.RiskCursor{Score: n, EmployeeID: employee}, nil
}
