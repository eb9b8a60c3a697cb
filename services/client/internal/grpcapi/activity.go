package grpcapi

import (
	"context"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/platform"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/app"
	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// GetTeamActivity implements clientv1.ClientServiceServer.
func (s *Server) GetTeamActivity(ctx context.Context, req *clientv1.GetTeamActivityRequest) (*clientv1.GetTeamActivityResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	size, bad := platform.PageSize(req.GetPageSize())
	after, err := decodePageToken(req.GetPageToken())
	if err != nil {
		bad = append(bad, platform.FieldViolation{Field: "page_token", Description: "not a token this service issued"})
	}
	q := app.TeamActivityQuery{OrgUnit: req.GetOrgUnitId(), After: after, Limit: size, MinSeq: req.GetMinSequence()}
	// An absent time is the domain's "required"; a present one must be valid.
	for _, ts := range []struct {
		field string
		in    *timestamppb.Timestamp
		out   *time.Time
	}{{"from", req.GetFrom(), &q.From}, {"to", req.GetTo(), &q.To}} {
		if ts.in == nil {
			continue
		}
		if err := ts.in.CheckValid(); err != nil {
			bad = append(bad, platform.FieldViolation{Field: ts.field, Description: "not a valid timestamp"})
			continue
		}
		*ts.out = ts.in.AsTime()
	}
	if len(bad) > 0 {
		return nil, platform.InvalidArgument(bad)
	}
	page, err := s.app.GetTeamActivity(ctx, actor, q)
	if err != nil {
		return nil, s.statusAbout(ctx, err, "org unit")
	}
	resp := &clientv1.GetTeamActivityResponse{
		From: timestamppb.New(q.From), To: timestamppb.New(q.To), MeasuredTo: timestamppb.New(page.MeasuredTo),
	}
	if page.More && len(page.Employees) > 0 {
		resp.NextPageToken = encodePageToken(page.Employees[len(page.Employees)-1].EmployeeID)
	}
	for _, e := range page.Employees {
		resp.Employees = append(resp.Employees, &clientv1.EmployeeActivity{
			EmployeeId: e.EmployeeID, OrgUnitId: e.OrgUnitID, Figures: figuresToProto(e.Figures),
		})
	}
	// Teams and the total are the same on every page: only the first carries them.
	if after == "" {
		for _, t := range page.Teams {
			resp.Teams = append(resp.Teams, teamToProto(t))
		}
		resp.Total = teamToProto(page.Total)
	}
	return resp, nil
}

func teamToProto(t app.TeamActivity) *clientv1.TeamActivity {
	return &clientv1.TeamActivity{OrgUnitId: t.OrgUnitID, Employees: int32(t.Employees), Figures: figuresToProto(t.Figures)} //nolint:gosec // employee counts are far below 2^31
}

//nolint:gosec // counts of customers, weeks and interactions are far below 2^31
func figuresToProto(f domain.ActivityFigures) *clientv1.ActivityFigures {
	due, followed := f.DueFollowed()
	out := &clientv1.ActivityFigures{
		HeldNow:                int32(f.HeldNow),
		HeldAverage:            f.HeldAverage(),
		FollowUps:              int32(f.FollowUps),
		Weeks:                  int32(len(f.Weeks)),
		DueCustomerWeeks:       int32(due),
		FollowedCustomerWeeks:  int32(followed),
		Registered:             int32(f.Registered),
		RegisteredAfterContact: int32(len(f.Lateness)),
		LateOver_7Days:         int32(f.LateOver7Days()),
	}
	if v, ok := f.FollowUpsPerCustomerWeek(); ok {
		out.FollowUpsPerCustomerWeek = proto.Float64(v)
	}
	if v, ok := f.Utilisation(); ok {
		out.Utilisation = proto.Float64(v)
	}
	if v, ok := f.LatenessMedian(); ok {
		out.LatenessMedianDays = proto.Float64(v)
	}
	return out
}
