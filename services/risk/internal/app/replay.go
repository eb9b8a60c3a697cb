package app

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"

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
// only (nil: all), as a partition's engine judges them: one engine, one
// record at a time, as the service's engine rebuilds its state after a
// restart (RunEngine), so that what `holdfast bench` times is what a
// restart does.
func ReplayPartition(ctx context.Context, log *eventlog.Log, eng *engine.Engine, logger *slog.Logger, tenants []string) ([]Decision, error) {
	return replayWith(ctx, log, eng, logger, tenants, 1)
}

// ReplayEach is ReplayDecisions handing each decision to fn as it is
// made, in RISK_IN order, instead of keeping them all: a replay of a long
// history then holds the engine's state and no more, as the service's own
// rebuild does, which publishes each decision and forgets it. d.Payload is
// fn's only during the call: the next decision is marshalled into the
// same memory. An error from fn ends the replay with that error.
func ReplayEach(ctx context.Context, log *eventlog.Log, eng *engine.Engine, logger *slog.Logger, fn func(d Decision) error) error {
	j := &replayJudge{app: &App{engine: eng, logger: logger}}
	j.take = func(d Decision, _ uint64) error { return fn(d) }
	return followReplay(ctx, log, nil, []*replayJudge{j})
}

// replayWith is ReplayPartition on n goroutines. No projection, rule or
// alert spans two tenants, so tenants can be judged on several goroutines,
// each tenant wholly on one with an engine of its own. The decisions are
// put back in RISK_IN order, and the engines absorbed into eng at the end
// (engine.Absorb), so both are what one engine judging RISK_IN in order
// makes (TestReplayOnSeveralGoroutinesDecidesAsOne). eng must be fresh,
// as ReplayDecisions says: the other engines start empty, and absorbing
// one that judged a tenant eng already held fails. The service's own
// catch-up after a restart does not judge on several goroutines yet: it
// also appends decisions, advances read-your-writes positions and takes
// snapshots, which would need every goroutine past the same record.
func replayWith(ctx context.Context, log *eventlog.Log, eng *engine.Engine, logger *slog.Logger, tenants []string, n int) ([]Decision, error) {
	judges := make([]*replayJudge, max(n, 1))
	for i := range judges {
		e := eng
		if i > 0 {
			e = eng.Fresh()
		}
		j := &replayJudge{app: &App{engine: e, logger: logger}}
		j.take = j.keep
		judges[i] = j
	}
	if err := followReplay(ctx, log, tenants, judges); err != nil {
		return nil, err
	}
	var out []sequencedDecision
	for i, j := range judges {
		if i > 0 {
			if err := eng.Absorb(j.app.engine); err != nil {
				return nil, fmt.Errorf("replay RISK_IN: %w", err)
			}
		}
		out = append(out, j.out...)
	}
	if len(judges) > 1 {
		// A record's decisions all come from one judge, in the order its
		// engine made them: a stable sort by sequence keeps that order.
		// One judge made them all in order already.
		slices.SortStableFunc(out, func(a, b sequencedDecision) int { return cmp.Compare(a.sequence, b.sequence) })
	}
	decisions := make([]Decision, len(out))
	for i, d := range out {
		decisions[i] = d.Decision
	}
	return decisions, nil
}

// followReplay judges RISK_IN's records of tenants (nil: all) from the
// first to the current end with judges: one on the goroutine that
// follows, or several each on its own, the tenants dealt out in order of
// first appearance. It returns Follow's error, else the first judge's,
// else ctx's: Follow ends without an error when its context does, and a
// replay cut short has not decided what the whole history decides. One
// judge's error stops the reading; several judges' records are all read.
func followReplay(ctx context.Context, log *eventlog.Log, tenants []string, judges []*replayJudge) error {
	// A handler's error is retried by Follow; an error of a judge is not
	// transient, so it stops the reading instead.
	reading, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	if len(judges) > 1 {
		for _, j := range judges {
			j.in = make(chan eventlog.Record, replayJudgeQueue)
			wg.Go(func() {
				for rec := range j.in {
					j.judge(ctx, rec)
				}
			})
		}
	}
	judgeOf := map[string]*replayJudge{}
	err := log.Follow(reading, eventlog.StreamRiskIn, func(_ context.Context, rec eventlog.Record) error {
		if len(judges) == 1 {
			if judges[0].judge(ctx, rec); judges[0].err != nil {
				stop()
			}
			return nil
		}
		tenant := rec.Envelope.GetTenantId()
		j := judgeOf[tenant]
		if j == nil {
			j = judges[len(judgeOf)%len(judges)]
			judgeOf[tenant] = j
		}
		j.in <- rec
		return nil
	}, eventlog.FollowOptions{
		StopAtEnd: true, Subjects: riskInSubjects(tenants), Untraced: true, Prepare: judges[0].app.prepare,
		// One judge is done with a record when the handler returns;
		// several take it on their own goroutines, later.
		Recycle: len(judges) == 1, Decoders: payloadDecoders(),
	})
	for _, j := range judges {
		if j.in != nil {
			close(j.in)
		}
	}
	wg.Wait()
	for _, j := range judges {
		if err == nil {
			err = j.err
		}
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("replay RISK_IN: %w", err)
	}
	return nil
}

// replayJudgeQueue is how many records a replay judge on its own
// goroutine may fall behind the reader before the reader waits.
const replayJudgeQueue = 256

// replayJudge is one engine of a replay, judging its tenants' records in
// RISK_IN order (on a goroutine of its own, fed through in, when there
// are several), and its decisions.
type replayJudge struct {
	app *App
	in  chan eventlog.Record
	out []sequencedDecision
	err error
	// take is handed each decision, made on RISK_IN sequence seq, with
	// its payload in buf, which the next decision is marshalled into:
	// keep, or ReplayEach's callback.
	take func(d Decision, seq uint64) error
	buf  []byte
	// enc builds each decision's event, marshalled before the next.
	enc changeEncoder
}

// keep keeps d, made on RISK_IN sequence seq, in out.
func (j *replayJudge) keep(d Decision, seq uint64) error {
	d.Payload = bytes.Clone(d.Payload)
	j.out = append(j.out, sequencedDecision{d, seq})
	return nil
}

// sequencedDecision is a decision and the RISK_IN sequence it was made on.
type sequencedDecision struct {
	Decision
	sequence uint64
}

// judge judges one record. After an error it does nothing more.
func (j *replayJudge) judge(ctx context.Context, rec eventlog.Record) {
	if j.err != nil {
		return
	}
	msg, err := rec.Payload()
	if errors.Is(err, eventlog.ErrUnknownType) || errors.Is(err, eventlog.ErrDecode) {
		return
	}
	if err != nil {
		j.err = err
		return
	}
	if rc, ok := ruleChangeOf(rec, msg); ok {
		if err := j.app.engine.ApplyRuleChange(rc); err != nil {
			j.app.logger.WarnContext(ctx, "replay kept the rule version before a change it cannot apply", "sequence", rec.Sequence, "error", err)
		}
		return
	}
	for _, ch := range j.app.observe(rec, msg) {
		j.buf, j.err = decisionMarshal.MarshalAppend(j.buf[:0], j.enc.event(ch, rec.Sequence))
		if j.err == nil {
			j.err = j.take(Decision{AlertID: ch.Alert.ID, Version: ch.Version, Payload: j.buf}, rec.Sequence)
		}
		if j.err != nil {
			return
		}
	}
}

// decisionMarshal is how decisions are marshalled: deterministically, so
// that two replays compare byte for byte.
var decisionMarshal = proto.MarshalOptions{Deterministic: true}

// MarshalDecision is the deterministic encoding decisions are compared in.
func MarshalDecision(m proto.Message) ([]byte, error) {
	return decisionMarshal.Marshal(m)
}
