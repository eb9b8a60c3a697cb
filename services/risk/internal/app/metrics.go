package app

import "github.com/prometheus/client_golang/prometheus"

// Collectors are the risk engine's metrics, for the service's registry:
// rule evaluations that failed (a missing fact, the cost limit; the rule
// counts as not triggered) and rule changes the engine could not apply
// (the version before stays in force), and RISK_IN events it parked as
// undecodable. All should stay at zero. And the RISK_IN sequences of the
// engine snapshots stored and restored.
func (a *App) Collectors() []prometheus.Collector {
	return []prometheus.Collector{
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "holdfast_risk_rule_evaluation_errors_total",
			Help: "Rule evaluations that failed and counted as not triggered.",
		}, func() float64 {
			a.engineMu.Lock()
			defer a.engineMu.Unlock()
			return float64(a.engine.EvaluationErrors())
		}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "holdfast_risk_rule_changes_refused_total",
			Help: "Rule changes from RISK_IN the engine could not apply.",
		}, func() float64 {
			a.mu.Lock()
			defer a.mu.Unlock()
			return float64(a.refusedRuleChanges)
		}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "holdfast_risk_engine_parked_events_total",
			Help: "RISK_IN events the engine could not decode and parked (with the reason), counted from RISK_IN's start (restored with a snapshot).",
		}, func() float64 {
			a.mu.Lock()
			defer a.mu.Unlock()
			return float64(a.parkedInputs)
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "holdfast_risk_engine_snapshot_sequence",
			Help: "RISK_IN sequence of the latest engine snapshot this process stored (0: none yet).",
		}, func() float64 {
			stored, _ := a.Snapshotted()
			return float64(stored)
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "holdfast_risk_engine_restored_sequence",
			Help: "RISK_IN sequence of the snapshot the engine started from (0: it replayed RISK_IN from the start).",
		}, func() float64 {
			_, restored := a.Snapshotted()
			return float64(restored)
		}),
	}
}
