package app

import (
	"context"
	"fmt"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// typePolicy is the aggregate holding a tenant's client policy; one per
// tenant, with the fixed id policyID.
const (
	typePolicy = "policy"
	policyID   = "client"
)

// Policy returns the tenant's client policy in force and its position in
// the log (for an update's expected sequence). The defaults apply until
// the first ClientPolicyUpdated.
func (a *App) Policy(ctx context.Context, tenant string) (domain.ClientPolicy, eventlog.Position, error) {
	agg, err := a.log.Load(ctx, ref(tenant, typePolicy, policyID))
	if err != nil {
		return domain.ClientPolicy{}, eventlog.Position{}, fmt.Errorf("load client policy: %w", err)
	}
	p := domain.DefaultClientPolicy()
	for _, rec := range agg.Records {
		msg, err := rec.Payload()
		if err != nil {
			return domain.ClientPolicy{}, eventlog.Position{}, fmt.Errorf("load client policy: %w", err)
		}
		if ev, ok := msg.(*clientv1.ClientPolicyUpdated); ok {
			p = PolicyFromProto(ev.GetPolicy())
			p.Version = rec.Envelope.GetAggregateVersion()
		}
	}
	return p, agg.Position, nil
}

// PolicyFromProto converts the wire form. An unspecified text recording
// is TEXT_RECORDING_ALWAYS, and an unspecified departure handover is
// DEPARTURE_HANDOVER_MANAGER, the defaults: so read updates written before
// the fields existed, and updates that leave them out.
func PolicyFromProto(pp *clientv1.ClientPolicy) domain.ClientPolicy {
	p := domain.ClientPolicy{
		RevealQuotas:        map[string]int{},
		ClaimQuotaPerDay:    int(pp.GetClaimQuotaPerDay()),
		MaxCustomersHeld:    int(pp.GetMaxCustomersHeld()),
		PoolReturnAfterDays: int(pp.GetPoolReturnAfterDays()),
		TimeZone:            pp.GetTimeZone(),
		TextRecording:       domain.TextRecording(pp.GetTextRecording()),
		DepartureHandover:   domain.DepartureHandover(pp.GetDepartureHandover()),
		Version:             pp.GetVersion(),
	}
	if p.TextRecording == domain.TextRecordingUnspecified {
		p.TextRecording = domain.TextRecordingAlways
	}
	if p.DepartureHandover == domain.DepartureHandoverUnspecified {
		p.DepartureHandover = domain.DepartureHandoverManager
	}
	for _, q := range pp.GetRevealQuotas() {
		p.RevealQuotas[q.GetRole()] = int(q.GetPerDay())
	}
	return p
}

// PolicyToProto converts to the wire form, roles in a stable order.
func PolicyToProto(p domain.ClientPolicy) *clientv1.ClientPolicy {
	out := &clientv1.ClientPolicy{
		ClaimQuotaPerDay:    int32(p.ClaimQuotaPerDay),
		MaxCustomersHeld:    int32(p.MaxCustomersHeld),
		PoolReturnAfterDays: int32(p.PoolReturnAfterDays),
		TimeZone:            p.TimeZone,
		TextRecording:       clientv1.TextRecording(p.TextRecording),
		DepartureHandover:   clientv1.DepartureHandover(p.DepartureHandover),
		Version:             p.Version,
	}
	for _, role := range []string{"sales", "senior_sales", "manager", "hr", "auditor", "admin"} {
		if q, ok := p.RevealQuotas[role]; ok {
			out.RevealQuotas = append(out.RevealQuotas, &clientv1.RoleQuota{Role: role, PerDay: int32(q)})
		}
	}
	return out
}
