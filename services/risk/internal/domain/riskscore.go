package domain

import (
	"fmt"
	"slices"
	"time"
)

// An employee's risk score sums the points of a few indicators, each
// capped by its weight; the weights sum to 100. The formula is integer
// arithmetic over the alert view and the engine's projections measured at
// an event time (the tenant's clock), so the same history always gives the
// same score. holdfast.risk.v1.RiskIndicator documents it for clients.

// Indicator names and weights.
const (
	IndicatorAlerts            = "alerts"
	IndicatorUnassignedReveals = "unassigned_reveals"
	IndicatorNeglectDays       = "neglect_days"
	IndicatorUnbackedOrders    = "unbacked_orders"

	weightAlerts            = 60
	weightUnassignedReveals = 15
	weightNeglectDays       = 15
	weightUnbackedOrders    = 10
)

// Formula constants: see holdfast.risk.v1.RiskIndicator.
const (
	alertHalfLife         = 30 * 24 * time.Hour
	pointsPerExcessReveal = 2
	neglectGraceDays      = 3
	pointsPerNeglectDay   = 2
	pointsPerUnbacked     = 5
	// Level thresholds: below elevatedFrom is low, below highFrom elevated.
	elevatedFrom = 40
	highFrom     = 70
)

// RiskLevel bands a score, numbered as in holdfast.risk.v1.RiskLevel.
type RiskLevel int

// Levels.
const (
	RiskLevelUnspecified RiskLevel = iota
	RiskLevelLow
	RiskLevelElevated
	RiskLevelHigh
)

// LevelOf is the band of a score: low below 40, elevated below 70, high.
func LevelOf(score int) RiskLevel {
	switch {
	case score < elevatedFrom:
		return RiskLevelLow
	case score < highFrom:
		return RiskLevelElevated
	}
	return RiskLevelHigh
}

// BehaviourIndicators is what the engine's projections say about one
// employee at a point in time.
type BehaviourIndicators struct {
	// UnassignedReveals counts reveals of customers the employee did not
	// hold in the RecentDays up to the point; UnassignedRevealsBaseline is
	// their average for as many days over the BaselineDays before, rounded
	// down.
	UnassignedReveals         int64
	UnassignedRevealsBaseline int64
	RecentDays, BaselineDays  int64
	// HeldCustomers is how many customers they hold; NeglectWorkingDays the
	// working days since they last attended to any (0 holding none), and
	// OffBookTouchesSinceFollowUp their off-book touches since then.
	HeldCustomers               int64
	NeglectWorkingDays          int64
	OffBookTouchesSinceFollowUp int64
	// UnbackedOrders counts their started orders past a deadline unmet.
	UnbackedOrders int64
}

// Indicator is one contribution to a score, explained in en and zh.
type Indicator struct {
	Name            string
	Value, Baseline int64
	Weight, Points  int
	ExplanationEN   string
	ExplanationZH   string
	// TeamMedian is the indicator's median over TeamSize employees of the
	// employee's team (see WithTeamMedians); both 0 when not given.
	TeamMedian int64
	TeamSize   int
}

// EmployeeRisk is one employee's score at AsOf.
type EmployeeRisk struct {
	EmployeeID string
	Score      int
	Level      RiskLevel
	Indicators []Indicator
	AsOf       time.Time
	// IndicatorsOnly: the employee's own view, without alerts or points.
	IndicatorsOnly bool
}

// ScoreEmployee computes the employee's score at asOf from their alerts
// (any status; only open and confirmed ones count) and behaviour. A zero
// asOf means the tenant's clock never ticked: alerts then do not decay.
func ScoreEmployee(employee string, asOf time.Time, alerts []Alert, b BehaviourIndicators) EmployeeRisk {
	r := EmployeeRisk{EmployeeID: employee, AsOf: asOf}
	r.Indicators = append([]Indicator{alertIndicator(asOf, alerts)}, behaviourIndicators(asOf, b)...)
	for _, ind := range r.Indicators {
		r.Score += ind.Points
	}
	r.Score = min(max(r.Score, 0), 100)
	r.Level = LevelOf(r.Score)
	return r
}

// OwnIndicators is an employee's own view of their behaviour: values and
// explanations, no alerts, no points, no score.
func OwnIndicators(employee string, asOf time.Time, b BehaviourIndicators) EmployeeRisk {
	r := EmployeeRisk{EmployeeID: employee, AsOf: asOf, IndicatorsOnly: true}
	for _, ind := range behaviourIndicators(asOf, b) {
		ind.Weight, ind.Points = 0, 0
		r.Indicators = append(r.Indicators, ind)
	}
	return r
}

// MinTeamForMedian is the smallest team a median is given for: the
// median of two would give away the colleague's value.
const MinTeamForMedian = 3

// WithTeamMedians sets, on r's behaviour indicators (never alerts), the
// median of each over team: every member's behaviour, r's employee
// included. The median of an even count is the lower middle value. A team
// smaller than MinTeamForMedian leaves r as it is.
func WithTeamMedians(r EmployeeRisk, team []BehaviourIndicators) EmployeeRisk {
	if len(team) < MinTeamForMedian {
		return r
	}
	values := map[string][]int64{}
	for _, b := range team {
		for _, ind := range behaviourIndicators(r.AsOf, b) {
			values[ind.Name] = append(values[ind.Name], ind.Value)
		}
	}
	r.Indicators = slices.Clone(r.Indicators)
	for i, ind := range r.Indicators {
		v, ok := values[ind.Name]
		if !ok {
			continue
		}
		slices.Sort(v)
		r.Indicators[i].TeamMedian, r.Indicators[i].TeamSize = v[(len(v)-1)/2], len(v)
	}
	return r
}

// alertPoints is the base points of an alert by severity.
func alertPoints(s Severity) int {
	switch s {
	case SeverityHigh:
		return 30
	case SeverityMedium:
		return 15
	case SeverityLow:
		return 5
	}
	return 0
}

// alertFactor is 1 for an open alert, 2 for a confirmed one, 0 otherwise.
func alertFactor(a Alert) int {
	switch {
	case a.Status == StatusRaised || a.Status == StatusAcknowledged:
		return 1
	case a.Status == StatusConfirmed:
		return 2
	case a.Status == StatusResolved && a.Outcome == OutcomeDiversionConfirmed:
		return 2
	}
	return 0
}

func alertIndicator(asOf time.Time, alerts []Alert) Indicator {
	var points, counted int
	for _, a := range alerts {
		p := alertPoints(a.Severity) * alertFactor(a)
		if p == 0 {
			continue
		}
		if !asOf.IsZero() && asOf.After(a.UpdatedAt) {
			halvings := int(asOf.Sub(a.UpdatedAt) / alertHalfLife)
			if halvings >= 31 {
				continue
			}
			p >>= halvings
		}
		points += p
		counted++
	}
	points = min(points, weightAlerts)
	return Indicator{
		Name: IndicatorAlerts, Value: int64(counted), Weight: weightAlerts, Points: points,
		ExplanationEN: fmt.Sprintf("%d open or confirmed alerts, weighted by severity and halved for every 30 days since their last update", counted),
		ExplanationZH: fmt.Sprintf("%d 条未结或已确认的告警，按严重程度加权，自最后更新起每满 30 天减半", counted),
	}
}

func behaviourIndicators(asOf time.Time, b BehaviourIndicators) []Indicator {
	day := "—"
	if !asOf.IsZero() {
		day = asOf.UTC().Format(time.DateOnly)
	}
	excess := b.UnassignedReveals - b.UnassignedRevealsBaseline
	neglectOver := b.NeglectWorkingDays - neglectGraceDays
	return []Indicator{
		{
			Name: IndicatorUnassignedReveals, Value: b.UnassignedReveals, Baseline: b.UnassignedRevealsBaseline,
			Weight: weightUnassignedReveals, Points: capped(excess*pointsPerExcessReveal, weightUnassignedReveals),
			ExplanationEN: fmt.Sprintf("%d reveals of customers they do not hold in the %d days to %s, against their own baseline of %d (from the %d days before)",
				b.UnassignedReveals, b.RecentDays, day, b.UnassignedRevealsBaseline, b.BaselineDays),
			ExplanationZH: fmt.Sprintf("截至 %s 的 %d 天内查看非本人客户联系方式 %d 次，本人基线为 %d 次（取此前 %d 天）",
				day, b.RecentDays, b.UnassignedReveals, b.UnassignedRevealsBaseline, b.BaselineDays),
		},
		{
			Name: IndicatorNeglectDays, Value: b.NeglectWorkingDays,
			Weight: weightNeglectDays, Points: capped(neglectOver*pointsPerNeglectDay, weightNeglectDays),
			ExplanationEN: fmt.Sprintf("%d working days to %s since they last followed up any of the %d customers they hold; %d off-book contacts since",
				b.NeglectWorkingDays, day, b.HeldCustomers, b.OffBookTouchesSinceFollowUp),
			ExplanationZH: fmt.Sprintf("截至 %s，已有 %d 个工作日未跟进名下 %d 位客户中的任何一位；其间接触登记外联系人 %d 次",
				day, b.NeglectWorkingDays, b.HeldCustomers, b.OffBookTouchesSinceFollowUp),
		},
		{
			Name: IndicatorUnbackedOrders, Value: b.UnbackedOrders,
			Weight: weightUnbackedOrders, Points: capped(b.UnbackedOrders*pointsPerUnbacked, weightUnbackedOrders),
			ExplanationEN: fmt.Sprintf("%d won or approved orders past their payment or shipment deadline without full payment to the company or shipment, at %s",
				b.UnbackedOrders, day),
			ExplanationZH: fmt.Sprintf("截至 %s，有 %d 笔已成交或已审批的订单超过付款或发货期限，仍未全额付款至公司账户或未发货",
				day, b.UnbackedOrders),
		},
	}
}

// capped is points within [0, weight].
func capped(points int64, weight int) int {
	return int(min(max(points, 0), int64(weight)))
}
