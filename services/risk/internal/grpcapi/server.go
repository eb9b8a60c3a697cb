// Package grpcapi maps holdfast.risk.v1.RiskService onto the risk
// service's queries.
package grpcapi

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/domainerr"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/evidence"
	"github.com/holdfast/holdfast/pkg/platform"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/risk/internal/app"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/store"
)

// Server implements riskv1.RiskServiceServer.
type Server struct {
	riskv1.UnimplementedRiskServiceServer
	app    *app.App
	logger *slog.Logger
	// evidenceKeys gives a tenant's evidence signing key; nil: evidence
	// export is not configured.
	evidenceKeys func(tenant string) (evidence.Key, error)
}

// Option configures the adapter.
type Option func(*Server)

// WithEvidenceKeys lets the service sign evidence bundles with the
// tenant's key from keys.
func WithEvidenceKeys(keys func(tenant string) (evidence.Key, error)) Option {
	return func(s *Server) { s.evidenceKeys = keys }
}

var _ riskv1.RiskServiceServer = (*Server)(nil)

// New returns the gRPC adapter.
func New(a *app.App, logger *slog.Logger, opts ...Option) *Server {
	s := &Server{app: a, logger: logger}
	for _, o := range opts {
		o(s)
	}
	return s
}

func (s *Server) actorFrom(ctx context.Context) (app.Actor, error) {
	p, err := platform.Caller(ctx)
	if err != nil {
		return app.Actor{}, err
	}
	actor, err := s.app.NewActor(ctx, p.Tenant, p.Subject, p.RoleNames())
	if err != nil {
		return app.Actor{}, s.toStatus(ctx, err)
	}
	return actor, nil
}

// ListAlerts implements riskv1.RiskServiceServer.
func (s *Server) ListAlerts(ctx context.Context, req *riskv1.ListAlertsRequest) (*riskv1.ListAlertsResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	size, bad := platform.PageSize(req.GetPageSize())
	bySeverity := req.GetOrder() == riskv1.AlertOrder_ALERT_ORDER_SEVERITY
	if _, ok := riskv1.AlertOrder_name[int32(req.GetOrder())]; !ok {
		bad = append(bad, platform.FieldViolation{Field: "order", Description: "unknown order"})
	}
	var (
		before         uint64
		beforeSeverity domain.Severity
	)
	if bySeverity {
		before, beforeSeverity, err = decodeSeverityToken(req.GetPageToken())
	} else {
		before, err = decodePageToken(req.GetPageToken())
	}
	if err != nil {
		bad = append(bad, platform.FieldViolation{Field: "page_token", Description: "not a token this service issued for this order"})
	}
	if e := req.GetEmployeeId(); e != "" && !eventlog.ValidToken(e) {
		bad = append(bad, platform.FieldViolation{Field: "employee_id", Description: "not a valid id"})
	}
	if r := req.GetRuleId(); r != "" && !eventlog.ValidToken(r) {
		bad = append(bad, platform.FieldViolation{Field: "rule_id", Description: "not a valid rule id"})
	}
	if _, ok := riskv1.AlertStatus_name[int32(req.GetStatus())]; !ok {
		bad = append(bad, platform.FieldViolation{Field: "status", Description: "unknown status"})
	}
	if _, ok := riskv1.Severity_name[int32(req.GetMinSeverity())]; !ok {
		bad = append(bad, platform.FieldViolation{Field: "min_severity", Description: "unknown severity"})
	}
	if u := req.GetOrgUnitId(); u != "" && !eventlog.ValidToken(u) {
		bad = append(bad, platform.FieldViolation{Field: "org_unit_id", Description: "not a valid id"})
	}
	from, to, periodBad := period("raised_after", req.GetRaisedAfter(), "raised_before", req.GetRaisedBefore())
	bad = append(bad, periodBad...)
	positions, positionsBad := sourcePositions(req.GetConsistentWith())
	bad = append(bad, positionsBad...)
	if len(bad) > 0 {
		return nil, platform.InvalidArgument(bad)
	}
	alerts, err := s.app.ListAlerts(ctx, actor, store.ListFilter{
		EmployeeID:     req.GetEmployeeId(),
		RuleID:         req.GetRuleId(),
		Status:         domain.Status(req.GetStatus()),
		MinSeverity:    domain.Severity(req.GetMinSeverity()),
		RaisedFrom:     from,
		RaisedTo:       to,
		BySeverity:     bySeverity,
		Before:         before,
		BeforeSeverity: beforeSeverity,
		Limit:          size + 1,
	}, req.GetOrgUnitId(), positions)
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	resp := &riskv1.ListAlertsResponse{}
	alerts, last := platform.TrimPage(alerts, size)
	switch {
	case last != nil && bySeverity:
		resp.NextPageToken = encodeSeverityToken(last.RaisedSequence, last.Severity)
	case last != nil:
		resp.NextPageToken = encodePageToken(last.RaisedSequence)
	}
	for _, a := range alerts {
		resp.Alerts = append(resp.Alerts, alertToProto(a))
	}
	return resp, nil
}

// knownSource is a domain stream the engine judges. RISK is sourced only
// for rule changes, whose positions ListRules' min_sequence waits for.
func knownSource(stream string) bool {
	return stream != eventlog.StreamRisk && slices.Contains(eventlog.RiskInStream().Sources, stream)
}

// GetAlert implements riskv1.RiskServiceServer.
func (s *Server) GetAlert(ctx context.Context, req *riskv1.GetAlertRequest) (*riskv1.GetAlertResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	if !eventlog.ValidToken(req.GetAlertId()) {
		return nil, platform.InvalidArgument([]platform.FieldViolation{{Field: "alert_id", Description: "required, a valid id"}})
	}
	a, err := s.app.GetAlert(ctx, actor, req.GetAlertId(), req.GetMinSequence())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &riskv1.GetAlertResponse{Alert: alertToProto(a)}, nil
}

// Page tokens are opaque: a kind prefix (so an alert list's token is
// refused by the case list) and the sequence the next page starts before.
const (
	alertPages    = "a1:"
	casePages     = "c1:"
	severityPages = "s1:"
)

// encodeSeverityToken continues a highest-risk-first list after the alert
// of severity sev raised at RISK sequence before: "s1:<sev>:<before>".
func encodeSeverityToken(before uint64, sev domain.Severity) string {
	return base64.RawURLEncoding.EncodeToString([]byte(severityPages + strconv.Itoa(int(sev)) + ":" + strconv.FormatUint(before, 10)))
}

func decodeSeverityToken(tok string) (uint64, domain.Severity, error) {
	if tok == "" {
		return 0, 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	rest, ok := strings.CutPrefix(string(b), severityPages)
	if err != nil || !ok {
		return 0, 0, errors.New("bad page token")
	}
	sevText, seqText, ok := strings.Cut(rest, ":")
	sev, serr := strconv.Atoi(sevText)
	seq, qerr := strconv.ParseUint(seqText, 10, 64)
	if !ok || serr != nil || qerr != nil || seq == 0 || sev < int(domain.SeverityLow) || sev > int(domain.SeverityHigh) {
		return 0, 0, errors.New("bad page token")
	}
	return seq, domain.Severity(sev), nil
}

func encodePageToken(before uint64) string { return encodeToken(alertPages, before) }

func decodePageToken(tok string) (uint64, error) { return decodeToken(alertPages, tok) }

func encodeToken(kind string, before uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + strconv.FormatUint(before, 10)))
}

func decodeToken(kind, tok string) (uint64, error) {
	if tok == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !strings.HasPrefix(string(b), kind) {
		return 0, errors.New("bad page token")
	}
	n, err := strconv.ParseUint(string(b[len(kind):]), 10, 64)
	if err != nil || n == 0 {
		return 0, errors.New("bad page token")
	}
	return n, nil
}

// period reads an optional [after, before) time range: each end must be
// a valid timestamp when set, and after must come before before.
func period(afterField string, after *timestamppb.Timestamp, beforeField string, before *timestamppb.Timestamp) (from, to time.Time, bad []platform.FieldViolation) {
	if after != nil {
		if err := after.CheckValid(); err != nil {
			bad = append(bad, platform.FieldViolation{Field: afterField, Description: "not a valid timestamp"})
		} else {
			from = after.AsTime()
		}
	}
	if before != nil {
		if err := before.CheckValid(); err != nil {
			bad = append(bad, platform.FieldViolation{Field: beforeField, Description: "not a valid timestamp"})
		} else {
			to = before.AsTime()
		}
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		bad = append(bad, platform.FieldViolation{Field: beforeField, Description: "must be after " + afterField})
	}
	return from, to, bad
}

func alertToProto(a domain.Alert) *riskv1.Alert {
	return &riskv1.Alert{
		AlertId:       a.ID,
		RuleId:        a.RuleID,
		RuleVersion:   a.RuleVersion,
		EmployeeId:    a.EmployeeID,
		Severity:      riskv1.Severity(a.Severity),
		Status:        riskv1.AlertStatus(a.Status),
		ExplanationEn: a.ExplanationEN,
		ExplanationZh: a.ExplanationZH,
		WindowStart:   timestamppb.New(a.WindowStart),
		WindowEnd:     timestamppb.New(a.WindowEnd),
		RaisedAt:      timestamppb.New(a.RaisedAt),
		UpdatedAt:     timestamppb.New(a.UpdatedAt),
		Evidence:      app.EvidenceToProto(a.Evidence),
	}
}

// toStatus maps use-case errors to gRPC statuses; internal details never
// reach the client.
func (s *Server) toStatus(ctx context.Context, err error) error {
	var ve *domainerr.ValidationError
	switch {
	case errors.As(err, &ve):
		bad := make([]platform.FieldViolation, 0, len(ve.Violations))
		for _, v := range ve.Violations {
			bad = append(bad, platform.FieldViolation{Field: v.Field, Description: v.Description})
		}
		return platform.InvalidArgument(bad)
	case errors.Is(err, domain.ErrNotFound):
		return status.Error(codes.NotFound, "not found")
	case errors.Is(err, domain.ErrPermissionDenied):
		return status.Error(codes.PermissionDenied, err.Error())
	case errors.Is(err, domain.ErrPrecondition):
		return status.Error(codes.FailedPrecondition, err.Error())
	case errors.Is(err, eventlog.ErrConflict):
		return status.Error(codes.Aborted, "changed concurrently; retry")
	case errors.Is(err, app.ErrNotCaughtUp):
		return status.Error(codes.DeadlineExceeded, err.Error())
	case errors.Is(err, app.ErrBacktestTooLarge):
		return status.Error(codes.ResourceExhausted, err.Error())
	}
	return platform.UnexpectedStatus(ctx, s.logger, err)
}
