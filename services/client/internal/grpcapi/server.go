// Package grpcapi maps holdfast.client.v1.ClientService onto the client
// service's use cases: proto in, domain values to the app, status codes out.
package grpcapi

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/app"
	"github.com/holdfast/holdfast/services/client/internal/domain"
	"github.com/holdfast/holdfast/services/client/internal/store"
)

// Server implements clientv1.ClientServiceServer.
type Server struct {
	clientv1.UnimplementedClientServiceServer
	app    *app.App
	logger *slog.Logger
}

var _ clientv1.ClientServiceServer = (*Server)(nil)

// New returns the gRPC adapter over the use cases.
func New(a *app.App, logger *slog.Logger) *Server { return &Server{app: a, logger: logger} }

func actorFrom(ctx context.Context) (domain.Actor, error) {
	p, err := platform.Caller(ctx)
	if err != nil {
		return domain.Actor{}, err
	}
	return domain.Actor{Tenant: p.Tenant, EmployeeID: p.Subject, Roles: p.RoleNames()}, nil
}

// RegisterCustomer implements clientv1.ClientServiceServer.
func (s *Server) RegisterCustomer(ctx context.Context, req *clientv1.RegisterCustomerRequest) (*clientv1.RegisterCustomerResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	reg := domain.Registration{
		PersonName:  req.GetPersonName(),
		CompanyName: req.GetCompanyName(),
		Phones:      req.GetPhones(),
		WeChatID:    req.GetWechatId(),
		Email:       req.GetEmail(),
		Source:      domain.SourceChannel(req.GetSourceChannel()),
		Address:     app.AddressFromProto(req.GetAddress()),
		TaxID:       req.GetTaxId(),
	}
	if req.GetOccurredAt() != nil {
		if err := req.GetOccurredAt().CheckValid(); err != nil {
			return nil, platform.InvalidArgument([]platform.FieldViolation{{Field: "occurred_at", Description: "not a valid timestamp"}})
		}
		reg.OccurredAt = req.GetOccurredAt().AsTime()
	}
	c, seq, err := s.app.RegisterCustomer(ctx, actor, req.GetRequestId(), reg)
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &clientv1.RegisterCustomerResponse{Customer: customerToProto(c), Sequence: seq}, nil
}

// LogInteraction implements clientv1.ClientServiceServer.
func (s *Server) LogInteraction(ctx context.Context, req *clientv1.LogInteractionRequest) (*clientv1.LogInteractionResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	in, bad := interactionFromProto(req)
	if len(bad) > 0 {
		return nil, platform.InvalidArgument(bad)
	}
	id, seq, err := s.app.LogInteraction(ctx, actor, req.GetRequestId(), in)
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &clientv1.LogInteractionResponse{InteractionId: id, Sequence: seq}, nil
}

// GetCustomer implements clientv1.ClientServiceServer.
func (s *Server) GetCustomer(ctx context.Context, req *clientv1.GetCustomerRequest) (*clientv1.GetCustomerResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.app.GetCustomer(ctx, actor, req.GetCustomerId(), req.GetMinSequence())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &clientv1.GetCustomerResponse{Customer: customerToProto(c)}, nil
}

// ListCustomers implements clientv1.ClientServiceServer.
func (s *Server) ListCustomers(ctx context.Context, req *clientv1.ListCustomersRequest) (*clientv1.ListCustomersResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	size, bad := platform.PageSize(req.GetPageSize())
	after, err := decodePageToken(req.GetPageToken())
	if err != nil {
		bad = append(bad, platform.FieldViolation{Field: "page_token", Description: "not a token this service issued"})
	}
	if o := req.GetOwnerEmployeeId(); o != "" && !eventlog.ValidToken(o) {
		bad = append(bad, platform.FieldViolation{Field: "owner_employee_id", Description: "not a valid id"})
	}
	if req.GetInPool() && req.GetOwnerEmployeeId() != "" {
		bad = append(bad, platform.FieldViolation{Field: "in_pool", Description: "cannot be combined with owner_employee_id"})
	}
	if u := req.GetOrgUnitId(); u != "" && !eventlog.ValidToken(u) {
		bad = append(bad, platform.FieldViolation{Field: "org_unit_id", Description: "not a valid id"})
	} else if u != "" && req.GetInPool() {
		// Pooled customers have no holder, so no org unit: the pair selects nothing.
		bad = append(bad, platform.FieldViolation{Field: "org_unit_id", Description: "cannot be combined with in_pool"})
	}
	if _, ok := clientv1.SourceChannel_name[int32(req.GetSourceChannel())]; !ok {
		bad = append(bad, platform.FieldViolation{Field: "source_channel", Description: "unknown source channel"})
	}
	idleDays := int(req.GetIdleDays())
	var ve *domain.ValidationError
	if errors.As(domain.CheckIdleDays(idleDays), &ve) {
		bad = append(bad, toFieldViolations(ve)...)
	} else if req.GetInPool() && idleDays > 0 {
		// Nobody neglects a pooled customer: the pair selects nothing.
		bad = append(bad, platform.FieldViolation{Field: "idle_days", Description: "cannot be combined with in_pool"})
	}
	if len(bad) > 0 {
		return nil, platform.InvalidArgument(bad)
	}
	// One extra row tells whether another page follows.
	page, err := s.app.ListCustomers(ctx, actor, store.ListFilter{
		OwnerID: req.GetOwnerEmployeeId(), InPool: req.GetInPool(), Source: domain.SourceChannel(req.GetSourceChannel()),
		After: after, Limit: size + 1,
	}, req.GetOrgUnitId(), idleDays, req.GetMinSequence())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	resp := &clientv1.ListCustomersResponse{}
	page, last := platform.TrimPage(page, size)
	if last != nil {
		resp.NextPageToken = encodePageToken(last.ID)
	}
	for _, c := range page {
		resp.Customers = append(resp.Customers, customerToProto(c))
	}
	return resp, nil
}

func encodePageToken(lastID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("c1:" + lastID))
}

func decodePageToken(tok string) (string, error) {
	if tok == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) < 4 || string(b[:3]) != "c1:" || !eventlog.ValidToken(string(b[3:])) {
		return "", errors.New("bad page token")
	}
	return string(b[3:]), nil
}

func customerToProto(c domain.Customer) *clientv1.Customer {
	out := &clientv1.Customer{
		CustomerId:      c.ID,
		PersonName:      c.PersonName,
		CompanyName:     c.CompanyName,
		MaskedWechatId:  domain.MaskWeChatID(c.WeChatID),
		MaskedEmail:     domain.MaskEmail(c.Email),
		SourceChannel:   clientv1.SourceChannel(c.Source),
		OwnerEmployeeId: c.OwnerID,
		RegisteredBy:    c.RegisteredBy,
		RegisteredAt:    timestamppb.New(c.RegisteredAt),
		Version:         c.Version,
		TaxId:           c.TaxID,
		InPool:          c.OwnerID == "",
	}
	if c.Address.Text != "" || c.Address.Location != nil {
		out.Address = &clientv1.Address{Text: c.Address.Text}
		if g := c.Address.Location; g != nil {
			out.Address.Location = &clientv1.GeoPoint{Latitude: g.Latitude, Longitude: g.Longitude}
		}
	}
	if !c.LastInteractionAt.IsZero() {
		out.LastFollowUpAt = timestamppb.New(c.LastInteractionAt)
	}
	if c.Email == "" {
		out.MaskedEmail = ""
	}
	for _, p := range c.Phones {
		out.MaskedPhones = append(out.MaskedPhones, domain.MaskPhone(p))
	}
	return out
}

// toStatus maps use-case errors to gRPC statuses; internal details never
// reach the client.
func (s *Server) toStatus(ctx context.Context, err error) error {
	return s.statusAbout(ctx, err, "customer")
}

// statusAbout maps use-case errors to gRPC statuses, naming subject ("customer",
// "export", "interaction") as what was not found or changed concurrently;
// internal details never reach the client.
func (s *Server) statusAbout(ctx context.Context, err error, subject string) error {
	var ve *domain.ValidationError
	switch {
	case errors.As(err, &ve):
		return platform.InvalidArgument(toFieldViolations(ve))
	case errors.Is(err, domain.ErrQuotaExhausted):
		return status.Error(codes.ResourceExhausted, err.Error())
	case errors.Is(err, domain.ErrNotFound), errors.Is(err, app.ErrInteractionNotFound):
		return status.Error(codes.NotFound, subject+" not found")
	case errors.Is(err, domain.ErrPermissionDenied):
		return status.Error(codes.PermissionDenied, err.Error())
	case errors.Is(err, domain.ErrPrecondition):
		return status.Error(codes.FailedPrecondition, err.Error())
	case errors.Is(err, domain.ErrAlreadyExists):
		return status.Error(codes.AlreadyExists, err.Error())
	case errors.Is(err, eventlog.ErrConflict):
		return status.Error(codes.Aborted, "the "+subject+" changed concurrently; retry")
	case errors.Is(err, app.ErrNotCaughtUp):
		return status.Error(codes.DeadlineExceeded, err.Error())
	}
	return platform.UnexpectedStatus(ctx, s.logger, err)
}

// toFieldViolations is a domain validation error in the wire's terms.
func toFieldViolations(ve *domain.ValidationError) []platform.FieldViolation {
	v := make([]platform.FieldViolation, 0, len(ve.Violations))
	for _, f := range ve.Violations {
		v = append(v, platform.FieldViolation{Field: f.Field, Description: f.Description})
	}
	return v
}
