package domain

import (
	"fmt"
	"slices"
	"time"
)

// SourceChannel is how a customer first reached the company, numbered as
// holdfast.client.v1.SourceChannel.
type SourceChannel int

// Source channels.
const (
	SourceUnspecified SourceChannel = iota
	SourceWebsite
	SourceTradeShow
	SourceReferral
	SourceAssignment
	SourceImport
	SourcePersonal
)

// Valid reports whether s is a known, specified channel.
func (s SourceChannel) Valid() bool { return s >= SourceWebsite && s <= SourcePersonal }

// Personal reports whether s is the seller's own network; every other
// channel, and an unknown one, is the company's.
func (s SourceChannel) Personal() bool { return s == SourcePersonal }

// Default rates in basis points (1 bp = 0.01 %).
const (
	DefaultCompanyRateBP  = 500
	DefaultPersonalRateBP = 800
	// MaxRateBP is 100 %: commission never exceeds the order amount.
	MaxRateBP = 10000
)

// DateLayout is how plan dates are written: a UTC calendar day.
const DateLayout = "2006-01-02"

// Plan is one version of a tenant's commission plan.
type Plan struct {
	CompanyRateBP  int32
	PersonalRateBP int32
	// ChannelRates override the company/personal split for single channels.
	ChannelRates map[SourceChannel]int32
	// EffectiveFrom is a UTC date (midnight).
	EffectiveFrom time.Time
	// Version is the COMMISSION sequence that set it (0 = the default).
	Version uint64
	Reason  string
}

// DefaultPlan is the plan in force before an admin sets one.
func DefaultPlan() Plan {
	return Plan{CompanyRateBP: DefaultCompanyRateBP, PersonalRateBP: DefaultPersonalRateBP}
}

// RateFor is the rate the plan gives a customer whose recorded source is
// s. An unspecified source earns the company rate: only a customer the
// client service recorded as personal earns the personal rate.
func (p Plan) RateFor(s SourceChannel) int32 {
	if r, ok := p.ChannelRates[s]; ok {
		return r
	}
	if s.Personal() {
		return p.PersonalRateBP
	}
	return p.CompanyRateBP
}

// CheckPlan lists every bad field of a plan an admin wants to set.
func CheckPlan(p Plan, effectiveFrom string) error {
	var v []FieldViolation
	rate := func(field string, r int32) {
		if r < 0 || r > MaxRateBP {
			v = append(v, FieldViolation{Field: field, Description: fmt.Sprintf("basis points between 0 and %d", MaxRateBP)})
		}
	}
	rate("plan.company_rate_bp", p.CompanyRateBP)
	rate("plan.personal_rate_bp", p.PersonalRateBP)
	channels := make([]SourceChannel, 0, len(p.ChannelRates))
	for s := range p.ChannelRates {
		channels = append(channels, s)
	}
	slices.Sort(channels)
	for _, s := range channels {
		if !s.Valid() {
			v = append(v, FieldViolation{Field: "plan.channel_rates.source", Description: "a specified source channel"})
		}
		rate("plan.channel_rates.rate_bp", p.ChannelRates[s])
	}
	if _, err := ParseDate(effectiveFrom); err != nil {
		v = append(v, FieldViolation{Field: "plan.effective_from", Description: "a date as YYYY-MM-DD"})
	}
	if len(p.Reason) > 500 {
		v = append(v, FieldViolation{Field: "plan.reason", Description: "at most 500 bytes"})
	}
	if len(v) > 0 {
		return &ValidationError{Violations: v}
	}
	return nil
}

// ParseDate reads a YYYY-MM-DD date as UTC midnight.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q: %w", s, err)
	}
	return t.UTC(), nil
}

// PlanInForce is the plan of history in force at t: the one with the
// latest EffectiveFrom not after t, the later-set winning a tie; the
// default when none is. history is in the order the plans were set.
func PlanInForce(history []Plan, t time.Time) Plan {
	best, found := DefaultPlan(), false
	for _, p := range history {
		if p.EffectiveFrom.After(t) {
			continue
		}
		if !found || !p.EffectiveFrom.Before(best.EffectiveFrom) {
			best, found = p, true
		}
	}
	return best
}
