package eventlog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Stream names. Each domain context writes exactly one of them.
const (
	StreamClient     = "CLIENT"
	StreamOrder      = "ORDER"
	StreamAttendance = "ATTENDANCE"
	StreamCommission = "COMMISSION"
	StreamRisk       = "RISK"
	StreamTick       = "TICK"
	// StreamRiskIn sources every stream the risk engine judges into one
	// totally ordered log, so the engine's state is a function of its prefix.
	StreamRiskIn = "RISK_IN"
)

// RiskRuleSubjects are the subjects of RISK that RISK_IN sources: the rule
// aggregates' changes (risk.<tenant>.rule.<id>), so a replay applies the
// rule version in force at each point. RISK's alerts stay out: they are the
// engine's own output and would feed back into it.
const RiskRuleSubjects = "risk.*.rule.>"

// MinDuplicateWindow is the shortest dedup window Provision accepts for a
// domain stream: a client retrying a command within it gets the first result
// from JetStream itself. Later retries are caught by the application, which
// finds the event id in the aggregate's history.
const MinDuplicateWindow = 10 * time.Minute

// StreamSpec describes one stream Holdfast owns.
type StreamSpec struct {
	Name     string
	Subjects []string
	// Sources are stream names this stream sources (RISK_IN only).
	Sources []string
	// SourceFilters narrows a source to the subjects matching a filter,
	// keyed by source name; a source without one is sourced whole.
	SourceFilters map[string]string
}

// DomainStreams lists the streams written by services, in a stable order.
func DomainStreams() []StreamSpec {
	return []StreamSpec{
		{Name: StreamClient, Subjects: []string{"client.>"}},
		{Name: StreamOrder, Subjects: []string{"order.>"}},
		{Name: StreamAttendance, Subjects: []string{"attendance.>"}},
		{Name: StreamCommission, Subjects: []string{"commission.>"}},
		{Name: StreamRisk, Subjects: []string{"risk.>"}},
		{Name: StreamTick, Subjects: []string{"tick.>"}},
	}
}

// RiskInStream is the stream the risk engine consumes: every domain stream,
// and of RISK only the rule changes (RiskRuleSubjects): the engine's alerts
// must not feed back into it.
func RiskInStream() StreamSpec {
	return StreamSpec{
		Name:          StreamRiskIn,
		Sources:       []string{StreamClient, StreamOrder, StreamAttendance, StreamCommission, StreamTick, StreamRisk},
		SourceFilters: map[string]string{StreamRisk: RiskRuleSubjects},
	}
}

// AllStreams is DomainStreams followed by RISK_IN, the order Provision needs.
func AllStreams() []StreamSpec { return append(DomainStreams(), RiskInStream()) }

// ProvisionConfig holds the deployment-dependent parts of stream configuration.
type ProvisionConfig struct {
	// Replicas is 1 in dev and 3 in production.
	Replicas int
	// Duplicates is the dedup window of domain streams; at least MinDuplicateWindow.
	// Dedup ids cost server memory per message in the window: size it, don't max it.
	Duplicates time.Duration
}

// DefaultProvisionConfig is the single-node development configuration.
func DefaultProvisionConfig() ProvisionConfig {
	return ProvisionConfig{Replicas: 1, Duplicates: 15 * time.Minute}
}

// Validate checks the configuration keeps the log's guarantees.
func (c ProvisionConfig) Validate() error {
	var errs []error
	if c.Replicas != 1 && c.Replicas != 3 && c.Replicas != 5 {
		errs = append(errs, fmt.Errorf("replicas %d: want 1, 3 or 5", c.Replicas))
	}
	if c.Duplicates < MinDuplicateWindow {
		errs = append(errs, fmt.Errorf("duplicate window %s: want at least %s", c.Duplicates, MinDuplicateWindow))
	}
	return errors.Join(errs...)
}

// StreamConfig is the full JetStream configuration Holdfast wants for spec.
func (c ProvisionConfig) StreamConfig(spec StreamSpec) jetstream.StreamConfig {
	sc := jetstream.StreamConfig{
		Name:              spec.Name,
		Description:       "Holdfast " + strings.ToLower(spec.Name) + " events (immutable)",
		Subjects:          spec.Subjects,
		Retention:         jetstream.LimitsPolicy,
		Storage:           jetstream.FileStorage,
		Replicas:          c.Replicas,
		Discard:           jetstream.DiscardNew,
		MaxMsgs:           -1,
		MaxBytes:          -1,
		MaxAge:            0,
		Duplicates:        c.Duplicates,
		DenyDelete:        true,
		DenyPurge:         true,
		AllowDirect:       true,
		MaxConsumers:      -1,
		MaxMsgsPerSubject: -1,
	}
	for _, src := range spec.Sources {
		sc.Sources = append(sc.Sources, &jetstream.StreamSource{Name: src, FilterSubject: spec.SourceFilters[src]})
	}
	if len(spec.Sources) > 0 {
		// Sourcing keeps track of source sequences itself; a dedup window here
		// would silently drop an event whose id another stream's event shares.
		sc.Duplicates = 0
	}
	return sc
}

// DriftError reports streams whose existing configuration differs from the
// wanted one in a way that weakens the audit guarantee. Provision changes
// nothing about them: an operator decides.
type DriftError struct {
	Stream      string
	Differences []string
}

func (e *DriftError) Error() string {
	return fmt.Sprintf("stream %s configuration drifted: %s", e.Stream, strings.Join(e.Differences, "; "))
}

// Provision creates the streams in specs, or checks existing ones. It is
// idempotent. An existing stream that differs dangerously returns a
// *DriftError (joined with others); harmless differences are returned by
// Compare and left alone. The one change Provision makes to an existing
// stream is adding sources it lacks (see onlyLacksSources): that only
// copies more history in, after what it holds, and rewrites nothing.
func Provision(ctx context.Context, js jetstream.JetStream, cfg ProvisionConfig, specs ...StreamSpec) error {
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("eventlog: provision: %w", err)
	}
	var errs []error
	for _, spec := range specs {
		want := cfg.StreamConfig(spec)
		s, err := js.Stream(ctx, spec.Name)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			if _, err := js.CreateStream(ctx, want); err != nil {
				errs = append(errs, fmt.Errorf("eventlog: create stream %s: %w", spec.Name, err))
			}
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("eventlog: stream %s: %w", spec.Name, err))
			continue
		}
		got := s.CachedInfo().Config
		dangerous, _ := Compare(want, got)
		if len(dangerous) > 0 && onlyLacksSources(want, got) {
			got.Sources = want.Sources
			if _, err := js.UpdateStream(ctx, got); err != nil {
				errs = append(errs, fmt.Errorf("eventlog: add sources to stream %s: %w", spec.Name, err))
			}
			continue
		}
		if len(dangerous) > 0 {
			errs = append(errs, &DriftError{Stream: spec.Name, Differences: dangerous})
		}
	}
	return errors.Join(errs...)
}

// Compare returns the differences between the wanted and the existing
// stream configuration, split into dangerous ones (data could be deleted,
// rewritten, or routed elsewhere) and harmless ones.
func Compare(want, got jetstream.StreamConfig) (dangerous, harmless []string) {
	d := func(cond bool, format string, args ...any) {
		if cond {
			dangerous = append(dangerous, fmt.Sprintf(format, args...))
		}
	}
	d(!got.DenyDelete, "deny_delete is false")
	d(!got.DenyPurge, "deny_purge is false")
	d(got.AllowRollup, "allow_rollup_hdrs is true")
	d(got.Retention != want.Retention, "retention %s, want %s", got.Retention, want.Retention)
	d(got.Storage != want.Storage, "storage %s, want %s", got.Storage, want.Storage)
	d(got.MaxAge != want.MaxAge, "max_age %s, want %s", got.MaxAge, want.MaxAge)
	d(got.MaxMsgs > 0, "max_msgs %d limits history", got.MaxMsgs)
	d(got.MaxBytes > 0, "max_bytes %d limits history", got.MaxBytes)
	d(got.MaxMsgsPerSubject > 0, "max_msgs_per_subject %d limits history", got.MaxMsgsPerSubject)
	d(got.AllowMsgTTL, "allow_msg_ttl is true")
	d(!slices.Equal(got.Subjects, want.Subjects), "subjects %v, want %v", got.Subjects, want.Subjects)
	d(!slices.Equal(sourceNames(got.Sources), sourceNames(want.Sources)), "sources %v, want %v", sourceNames(got.Sources), sourceNames(want.Sources))
	if got.Replicas != want.Replicas {
		harmless = append(harmless, fmt.Sprintf("replicas %d, want %d", got.Replicas, want.Replicas))
	}
	if got.Duplicates != want.Duplicates {
		harmless = append(harmless, fmt.Sprintf("duplicate_window %s, want %s", got.Duplicates, want.Duplicates))
	}
	return dangerous, harmless
}

// sourceNames names each source with its filter, "RISK(risk.*.rule.>)",
// sorted: a changed filter is a changed source.
func sourceNames(srcs []*jetstream.StreamSource) []string {
	names := make([]string, 0, len(srcs))
	for _, s := range srcs {
		name := s.Name
		if f := sourceFilter(s); f != "" {
			name += "(" + f + ")"
		}
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// sourceFilter is a source's subject filter, however the server reports it.
func sourceFilter(s *jetstream.StreamSource) string {
	if s.FilterSubject != "" {
		return s.FilterSubject
	}
	if len(s.SubjectTransforms) == 1 && s.SubjectTransforms[0].Destination == "" {
		return s.SubjectTransforms[0].Source
	}
	return ""
}

// onlyLacksSources reports whether got differs from want only by missing
// some of want's sources: every source got has, want has with the same
// filter, and nothing else is dangerous. This is how a RISK_IN provisioned
// before it sourced RISK's rule subjects is brought up to date.
func onlyLacksSources(want, got jetstream.StreamConfig) bool {
	wantNames, gotNames := sourceNames(want.Sources), sourceNames(got.Sources)
	if len(gotNames) >= len(wantNames) {
		return false
	}
	for _, n := range gotNames {
		if !slices.Contains(wantNames, n) {
			return false
		}
	}
	withSources := got
	withSources.Sources = want.Sources
	dangerous, _ := Compare(want, withSources)
	return len(dangerous) == 0
}
