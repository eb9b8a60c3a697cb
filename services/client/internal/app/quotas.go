package app

import (
	"context"
	"fmt"
	"time"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// QuotaUse is how much of their daily quotas one employee has used on one
// tenant-local day.
type QuotaUse struct {
	// Day is the tenant-local day (YYYYMMDD, as the reveal aggregate names
	// it) in TimeZone; DayStart is its first instant.
	Day      string
	TimeZone string
	DayStart time.Time
	// NextDayStart is when the quotas reset.
	NextDayStart time.Time
	Reveals      domain.RevealAllowance
	// RevealsRefused counts the day's RevealDenied.
	RevealsRefused int
	ClaimsUsed     int
	ClaimQuota     int
}

// GetMyQuotas is the caller's use of their daily reveal and claim quotas
// today. It counts exactly what RevealContact and ClaimCustomer count when
// they enforce the quotas, from the same sources (the day's reveal
// aggregate; the claims in the read model at the stream's end), so the
// number shown is the number enforced. It takes no employee id: nobody can
// read another's.
func (a *App) GetMyQuotas(ctx context.Context, actor domain.Actor) (QuotaUse, error) {
	policy, _, err := a.Policy(ctx, actor.Tenant)
	if err != nil {
		return QuotaUse{}, fmt.Errorf("get my quotas: %w", err)
	}
	now := a.now(ctx)
	start := policy.DayStart(now)
	use := QuotaUse{
		Day: policy.Day(now), TimeZone: policy.TimeZone, DayStart: start,
		// AddDate, not 24 h: a day across a DST change is 23 or 25 hours.
		NextDayStart: start.AddDate(0, 0, 1),
		Reveals:      domain.RevealAllowance{Quota: policy.RevealQuota(actor.Roles)},
		ClaimQuota:   policy.ClaimQuotaPerDay,
	}
	day, err := a.log.Load(ctx, revealDay(actor, policy, now))
	if err != nil {
		return QuotaUse{}, fmt.Errorf("get my quotas: %w", err)
	}
	for _, rec := range day.Records {
		msg, err := rec.Payload()
		if err != nil {
			return QuotaUse{}, fmt.Errorf("get my quotas: %w", err)
		}
		switch msg.(type) {
		case *clientv1.ContactRevealed:
			use.Reveals.Revealed++
		case *clientv1.RevealDenied:
			use.RevealsRefused++
		}
	}
	if err := a.catchUp(ctx); err != nil {
		return QuotaUse{}, fmt.Errorf("get my quotas: %w", err)
	}
	if use.ClaimsUsed, err = a.store.CountClaimsSince(ctx, actor.Tenant, actor.EmployeeID, start); err != nil {
		return QuotaUse{}, fmt.Errorf("get my quotas: %w", err)
	}
	return use, nil
}

// revealDay is the aggregate counting actor's reveals on the tenant-local
// day of now: RevealContact appends to it, GetMyQuotas reads it.
func revealDay(actor domain.Actor, policy domain.ClientPolicy, now time.Time) eventlog.AggregateRef {
	return ref(actor.Tenant, typeReveals, actor.EmployeeID+"-"+policy.Day(now))
}
