package eventlog

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	appends       *prometheus.CounterVec
	appendSeconds *prometheus.HistogramVec
	poison        *prometheus.CounterVec
	handlerErrors *prometheus.CounterVec
}

// newMetrics registers with reg; a nil reg keeps the metrics unregistered
// (tests and tools that do not export them).
func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		appends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "holdfast_eventlog_appends_total",
			Help: "Events appended, by stream and result (ok, duplicate, conflict, error).",
		}, []string{"stream", "result"}),
		appendSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "holdfast_eventlog_append_duration_seconds",
			Help:    "Time from publish to JetStream acknowledgement.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16),
		}, []string{"stream"}),
		poison: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "holdfast_eventlog_poison_events_total",
			Help: "Stored messages that could not be decoded and were parked.",
		}, []string{"stream"}),
		handlerErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "holdfast_eventlog_handler_errors_total",
			Help: "Failed attempts to apply an event (retried with backoff).",
		}, []string{"stream"}),
	}
	if reg != nil {
		reg.MustRegister(m.appends, m.appendSeconds, m.poison, m.handlerErrors)
	}
	return m
}
