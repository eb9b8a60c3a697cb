package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// ErrPolicyChanged is returned when an update was made on a policy version
// that is no longer in force: the caller read it, someone else changed it.
var ErrPolicyChanged = errors.New("policy changed since you read it")

// GetClientPolicy returns the tenant's client policy in force. Every role
// of the tenant may read it: it sets their own quotas.
func (a *App) GetClientPolicy(ctx context.Context, actor domain.Actor) (domain.ClientPolicy, error) {
	p, _, err := a.Policy(ctx, actor.Tenant)
	return p, err
}

// UpdateClientPolicy replaces the tenant's client policy (admin only).
// p.Version is the version the admin read: if another update came since,
// it fails with ErrPolicyChanged rather than silently undoing that update.
// It returns the policy now in force and the CLIENT sequence written; a
// retry with the same request id returns the first answer.
func (a *App) UpdateClientPolicy(ctx context.Context, actor domain.Actor, requestID string, p domain.ClientPolicy, reason string) (domain.ClientPolicy, uint64, error) {
	if !actor.CanUpdatePolicy() {
		return domain.ClientPolicy{}, 0, fmt.Errorf("update client policy: %w: requires admin", domain.ErrPermissionDenied)
	}
	if err := joinViolations(checkRequestID(requestID), domain.ValidatePolicy(p), domain.CheckReason("reason", reason)); err != nil {
		return domain.ClientPolicy{}, 0, err
	}
	reason = strings.TrimSpace(reason)
	current, pos, err := a.Policy(ctx, actor.Tenant)
	if err != nil {
		return domain.ClientPolicy{}, 0, fmt.Errorf("update client policy: %w", err)
	}
	// One aggregate holds every admin's updates, so the event id must not
	// come from the caller's request id alone: two admins sending "r1"
	// would collide and the second update would be dropped as a copy.
	scoped := callerScopedID(actor, "request", requestID)
	// Loaded after Policy, so it holds every update the decision sees.
	history, err := a.log.Load(ctx, ref(actor.Tenant, typePolicy, policyID))
	if err != nil {
		return domain.ClientPolicy{}, 0, fmt.Errorf("update client policy: %w", err)
	}
	for _, rec := range history.Records {
		if rec.Envelope.GetRequestId() != scoped {
			continue
		}
		first, ok := policyUpdated(rec)
		if !ok || !samePolicy(PolicyFromProto(first.GetPolicy()), p) || first.GetReason() != reason {
			return domain.ClientPolicy{}, 0, fmt.Errorf("update client policy: %w: request_id was already used for a different update", domain.ErrPrecondition)
		}
		written := PolicyFromProto(first.GetPolicy())
		written.Version = rec.Envelope.GetAggregateVersion()
		return written, rec.Sequence, nil
	}
	if p.Version != current.Version {
		return domain.ClientPolicy{}, 0, fmt.Errorf("update client policy: %w: you read version %d, version %d is in force", ErrPolicyChanged, p.Version, current.Version)
	}
	p.Version = pos.Version + 1
	res, err := a.appendFresh(ctx, eventlog.AppendRequest{
		Ref:        ref(actor.Tenant, typePolicy, policyID),
		After:      pos,
		RequestID:  scoped,
		ActorID:    actor.EmployeeID,
		OccurredAt: a.now(ctx),
		Payload:    &clientv1.ClientPolicyUpdated{Policy: PolicyToProto(p), Reason: reason},
	})
	if errors.Is(err, eventlog.ErrConflict) {
		// Another update (or a concurrent copy of this one) landed between
		// our read and our write: the caller's version is stale now.
		return domain.ClientPolicy{}, 0, fmt.Errorf("update client policy: %w: another update came first", ErrPolicyChanged)
	}
	if err != nil {
		return domain.ClientPolicy{}, 0, fmt.Errorf("update client policy: %w", err)
	}
	p.Version = res.Version
	return p, res.Sequence, nil
}

func policyUpdated(rec eventlog.Record) (*clientv1.ClientPolicyUpdated, bool) {
	msg, err := rec.Payload()
	if err != nil {
		return nil, false
	}
	ev, ok := msg.(*clientv1.ClientPolicyUpdated)
	return ev, ok
}

// samePolicy compares two policies' rules, not their versions: a retry
// carries the version its first attempt read.
func samePolicy(a, b domain.ClientPolicy) bool {
	return maps.Equal(a.RevealQuotas, b.RevealQuotas) && a.ClaimQuotaPerDay == b.ClaimQuotaPerDay &&
		a.MaxCustomersHeld == b.MaxCustomersHeld && a.PoolReturnAfterDays == b.PoolReturnAfterDays &&
		a.TimeZone == b.TimeZone && a.TextRecording == b.TextRecording &&
		a.DepartureHandover == b.DepartureHandover
}
