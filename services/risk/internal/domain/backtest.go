package domain

import "time"

// A backtest replays history with a draft rule and compares what the draft
// would have raised with what HR made of the rule's real alerts.

// MaxBacktestSpan bounds a backtest's [from, to).
const MaxBacktestSpan = 366 * 24 * time.Hour

// Label is what HR's handling says of a real alert.
type Label int

// Labels.
const (
	// Unlabelled: open, acknowledged, or resolved inconclusive.
	Unlabelled Label = iota
	// Positive: confirmed (an open case) or resolved as diversion confirmed.
	Positive
	// Negative: dismissed, or resolved as no diversion.
	Negative
)

// LabelOf is the alert's label.
func LabelOf(a Alert) Label {
	switch {
	case a.Status == StatusConfirmed,
		a.Status == StatusResolved && a.Outcome == OutcomeDiversionConfirmed:
		return Positive
	case a.Status == StatusDismissed,
		a.Status == StatusResolved && a.Outcome == OutcomeNoDiversion:
		return Negative
	}
	return Unlabelled
}

// BacktestQuality is the draft measured against HR's outcomes; see
// holdfast.risk.v1.BacktestQuality for the definitions.
type BacktestQuality struct {
	Positives, Negatives          int
	TruePositives, FalsePositives int
	Unlabelled                    int
	PositivesCaught               int
	PrecisionPermille             int
	RecallPermille                int
}

// overlaps: same employee, and the windows [start, end) intersect.
func overlaps(a, b Alert) bool {
	return a.EmployeeID == b.EmployeeID && a.WindowStart.Before(b.WindowEnd) && b.WindowStart.Before(a.WindowEnd)
}

// MeasureBacktest compares the draft's alerts with the real ones.
func MeasureBacktest(draft, labelled []Alert) BacktestQuality {
	var q BacktestQuality
	caught := make([]bool, len(labelled))
	for _, r := range labelled {
		switch LabelOf(r) {
		case Positive:
			q.Positives++
		case Negative:
			q.Negatives++
		}
	}
	for _, d := range draft {
		pos, neg := false, false
		for i, r := range labelled {
			if !overlaps(d, r) {
				continue
			}
			switch LabelOf(r) {
			case Positive:
				pos, caught[i] = true, true
			case Negative:
				neg = true
			}
		}
		switch {
		case pos:
			q.TruePositives++
		case neg:
			q.FalsePositives++
		default:
			q.Unlabelled++
		}
	}
	for _, c := range caught {
		if c {
			q.PositivesCaught++
		}
	}
	if n := q.TruePositives + q.FalsePositives; n > 0 {
		q.PrecisionPermille = q.TruePositives * 1000 / n
	}
	if q.Positives > 0 {
		q.RecallPermille = q.PositivesCaught * 1000 / q.Positives
	}
	return q
}
