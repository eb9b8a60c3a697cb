package domain

import (
	"fmt"
	"time"
)

// ClientPolicy is a tenant's rules for customers; see
// holdfast.client.v1.ClientPolicy for each field's meaning.
type ClientPolicy struct {
	// RevealQuotas maps a role name to reveals per employee per day.
	RevealQuotas        map[string]int
	ClaimQuotaPerDay    int
	MaxCustomersHeld    int
	PoolReturnAfterDays int
	TimeZone            string
	TextRecording       TextRecording
	DepartureHandover   DepartureHandover
	// Version counts changes; 0 means the defaults, never changed.
	Version uint64
}

// DefaultClientPolicy is in force until an admin changes it.
func DefaultClientPolicy() ClientPolicy {
	return ClientPolicy{
		RevealQuotas: map[string]int{
			"sales": 20, "senior_sales": 40, "manager": 60, "hr": 20, "auditor": 20, "admin": 0,
		},
		ClaimQuotaPerDay:    5,
		MaxCustomersHeld:    300,
		PoolReturnAfterDays: 30,
		TimeZone:            "Asia/Shanghai",
		TextRecording:       TextRecordingAlways,
		DepartureHandover:   DepartureHandoverManager,
	}
}

// DepartureHandover says where a departed employee's customers go,
// numbered as in the proto.
type DepartureHandover int

// Departure handover rules.
const (
	DepartureHandoverUnspecified DepartureHandover = iota
	DepartureHandoverManager
	DepartureHandoverPool
)

// HandoverTarget is who gets a departed employee's customers: their
// manager when the policy says so and the manager is known and still
// employed (managerActive), else the shared pool ("").
func (p ClientPolicy) HandoverTarget(manager string, managerActive bool) string {
	if p.DepartureHandover == DepartureHandoverPool || manager == "" || !managerActive {
		return ""
	}
	return manager
}

// TextRecording says when an interaction's text is kept, numbered as in
// the proto.
type TextRecording int

// Text recording rules.
const (
	TextRecordingUnspecified TextRecording = iota
	TextRecordingAlways
	TextRecordingWithConsent
	TextRecordingNever
)

// KeepsText reports whether the policy keeps an interaction's text, given
// whether the customer agreed to it being recorded (consent). Only
// TextRecordingNever, and TextRecordingWithConsent without consent,
// withhold it.
func (p ClientPolicy) KeepsText(consent bool) bool {
	switch p.TextRecording {
	case TextRecordingNever:
		return false
	case TextRecordingWithConsent:
		return consent
	default:
		return true
	}
}

// RecordText is a validated interaction as the trail keeps it under p:
// unchanged, or with its text emptied and TextWithheld set. The touch
// itself (kind, direction, duration, times) is always kept: it is evidence.
func (p ClientPolicy) RecordText(in Interaction) Interaction {
	if !p.KeepsText(in.TextConsent) {
		in.Text, in.TextWithheld = "", true
	}
	return in
}

// knownRoles are the roles a quota may name.
var knownRoles = []string{"sales", "senior_sales", "manager", "hr", "auditor", "admin"}

// ValidatePolicy checks a policy an admin submits.
func ValidatePolicy(p ClientPolicy) error {
	var v violations
	for role, q := range p.RevealQuotas {
		if !contains(knownRoles, role) {
			v.Add("policy.reveal_quotas", "unknown role %q", role)
		}
		if q < 0 || q > 10000 {
			v.Add("policy.reveal_quotas", "%s: between 0 and 10000", role)
		}
	}
	if p.ClaimQuotaPerDay < 0 || p.ClaimQuotaPerDay > 1000 {
		v.Add("policy.claim_quota_per_day", "between 0 and 1000")
	}
	if p.MaxCustomersHeld < 1 || p.MaxCustomersHeld > 100000 {
		v.Add("policy.max_customers_held", "between 1 and 100000")
	}
	if p.PoolReturnAfterDays < 0 || p.PoolReturnAfterDays > 3650 {
		v.Add("policy.pool_return_after_days", "between 0 (off) and 3650")
	}
	if p.TextRecording < TextRecordingAlways || p.TextRecording > TextRecordingNever {
		v.Add("policy.text_recording", "always, with_consent or never")
	}
	if p.DepartureHandover < DepartureHandoverManager || p.DepartureHandover > DepartureHandoverPool {
		v.Add("policy.departure_handover", "manager or pool")
	}
	if _, err := time.LoadLocation(p.TimeZone); err != nil || p.TimeZone == "" {
		v.Add("policy.time_zone", "an IANA time zone such as Asia/Shanghai")
	}
	return v.Err()
}

// RevealQuota is the daily reveal quota of an actor: the largest among
// their roles (a manager who is also sales gets the manager's).
func (p ClientPolicy) RevealQuota(roles []string) int {
	best := 0
	for _, r := range roles {
		best = max(best, p.RevealQuotas[r])
	}
	return best
}

// Day is the tenant-local calendar day of t, as YYYYMMDD: quotas reset at
// the tenant's midnight, not UTC's.
func (p ClientPolicy) Day(t time.Time) string {
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	y, m, d := t.In(loc).Date()
	return fmt.Sprintf("%04d%02d%02d", y, int(m), d)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// DayStart is the instant the tenant-local day containing t began.
func (p ClientPolicy) DayStart(t time.Time) time.Time {
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}
