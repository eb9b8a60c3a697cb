package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
)

// Decision is one engine decision as RISK stores it: the alert aggregate
// version it makes and the event's payload, deterministically marshalled.
type Decision struct {
	AlertID string
	Version uint64
	Payload []byte
}

// ReplayDecisions judges RISK_IN from its first message to its current
// end with eng (a fresh engine) and returns every decision, writing
// nothing. Two replays of the same RISK_IN give byte-identical decisions;
// it is also how a rule can be backtested on history.
func ReplayDecisions(ctx context.Context, log *eventlog.Log, eng *engine.Engine, logger *slog.Logger) ([]Decision, error) {
	return ReplayPartition(ctx, log, eng, logger, nil)
}

// ReplayPartition is ReplayDecisions over the RISK_IN events of tenants
// only (nil: all), as a partition's engine judges them.
func ReplayPartition(ctx context.Context, log *eventlog.Log, eng *engine.Engine, logger *slog.Logger, tenants []string) ([]Decision, error) {
	a := &App{engine: eng, logger: logger}
	var out []Decision
	err := log.Follow(ctx, eventlog.StreamRiskIn, func(ctx context.Context, rec eventlog.Record) error {
		msg, err := rec.Payload()
		if errors.Is(err, eventlog.ErrUnknownType) || errors.Is(err, eventlog.ErrDecode) {
			return nil
		}
		if err != nil {
			return err
		}
		if rc, ok := ruleChangeOf(rec, msg); ok {
			if err := eng.ApplyRuleChange(rc); err != nil {
				logger.WarnContext(ctx, "replay kept the rule version before a change it cannot apply", "sequence", rec.Sequence, "error", err)
			}
			return nil
		}
		for _, ch := range a.observe(rec, msg) {
			b, err := MarshalDecision(alertChangeEvent(ch, rec.Sequence))
			if err != nil {
				return err
			}
			out = append(out, Decision{AlertID: ch.Alert.ID, Version: ch.Version, Payload: b})
		}
		return nil
	}, eventlog.FollowOptions{StopAtEnd: true, Subjects: riskInSubjects(tenants), Untraced: true, Prepare: a.prepare})
	if err != nil {
		return nil, fmt.Errorf("replay RISK_IN: %w", err)
	}
	return out, nil
}

// MarshalDecision is the deterministic encoding decisions are compared in.
func MarshalDecision(m proto.Message) ([]byte, error) {
	return proto.MarshalOptions{Deterministic: true}.Marshal(m)
}
