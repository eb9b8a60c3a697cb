package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/eventlog"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	tickv1 "github.com/holdfast/holdfast/proto/holdfast/tick/v1"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
)

// RunEngine judges RISK_IN from its first message until ctx ends. The
// engine's state lives in memory and is rebuilt at every start: restored
// from the partition's latest snapshot when snapshots are enabled (see
// EnableSnapshots), then by replaying the rest of RISK_IN; decisions already in RISK (found by scanning it first) are not
// appended again, so a crash anywhere leaves neither gaps nor duplicates.
// Every tenant it meets is one the live scheduler ticks.
func (a *App) RunEngine(ctx context.Context) error {
	if err := a.scanWritten(ctx); err != nil {
		return fmt.Errorf("engine: scan RISK: %w", err)
	}
	from := a.restoreSnapshot(ctx) + 1
	defer func() {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), snapshotStoreTimeout)
		defer cancel()
		_ = a.waitSnapshotStored(wctx)
	}()
	return a.log.Follow(ctx, eventlog.StreamRiskIn, func(ctx context.Context, rec eventlog.Record) error {
		a.noteTenant(rec.Envelope.GetTenantId())
		if err := a.judge(ctx, rec); err != nil {
			return err
		}
		a.maybeSnapshot(ctx, rec)
		return nil
	}, eventlog.FollowOptions{
		From:       from,
		OnCaughtUp: func() { close(a.engineCaughtUp) },
		OnPoison:   a.parkInput,
		Subjects:   riskInSubjects(a.partition),
		Prepare:    a.prepare,
		Recycle:    true, // judge keeps only what it reads from an envelope and payload
		Decoders:   payloadDecoders(),
	})
}

// prepare scans an interaction's text ahead of the engine, on the
// goroutine that reads and decodes RISK_IN (eventlog.FollowOptions.Prepare):
// the scan depends on the text alone, and the engine, which must judge one
// record at a time, is what limits a replay.
func (a *App) prepare(rec eventlog.Record) any {
	if in, err := rec.Payload(); err == nil {
		if in, ok := in.(*clientv1.InteractionLogged); ok {
			return a.engine.Scan(in.GetText())
		}
	}
	return nil
}

// parkInput parks a RISK_IN event the engine cannot judge (its envelope or
// payload does not decode) with the reason, counts it, and moves on: the
// engine must not stop for one bad event, and must not lose it silently.
// The domain stream still holds the original; its own projectors park it
// too. A replay parks it again, which the store keeps once.
func (a *App) parkInput(ctx context.Context, rec eventlog.Record, reason error) error {
	if err := a.store.ParkInput(ctx, rec.Sequence, rec.Subject, reason.Error(), rec.Data); err != nil {
		return fmt.Errorf("engine: park RISK_IN %d: %w", rec.Sequence, err)
	}
	a.logger.ErrorContext(ctx, "engine parked an event it cannot judge", "sequence", rec.Sequence, "subject", rec.Subject, "error", reason)
	a.mu.Lock()
	a.parkedInputs++
	a.mu.Unlock()
	a.advanceSource(rec)
	return nil
}

// scanWritten learns every alert's position in RISK.
func (a *App) scanWritten(ctx context.Context) error {
	return a.log.Follow(ctx, eventlog.StreamRisk, func(_ context.Context, rec eventlog.Record) error {
		ref, err := eventlog.ParseSubject(rec.Subject)
		if err == nil && ref.Type == typeAlert {
			a.written[ref.ID] = eventlog.Position{Version: rec.Envelope.GetAggregateVersion(), Sequence: rec.Sequence}
		}
		a.riskHigh = max(a.riskHigh, rec.Sequence)
		return nil
	}, eventlog.FollowOptions{StopAtEnd: true, Subjects: riskSubjects(a.partition)})
}

func (a *App) advanceSource(rec eventlog.Record) {
	if rec.Source != nil {
		a.sourceProgress(rec.Source.Stream).Advance(rec.Source.Sequence)
	}
}

// judge applies one RISK_IN record to the engine and appends its decisions.
func (a *App) judge(ctx context.Context, rec eventlog.Record) error {
	msg, err := rec.Payload()
	if errors.Is(err, eventlog.ErrDecode) {
		return a.parkInput(ctx, rec, err)
	}
	if errors.Is(err, eventlog.ErrUnknownType) {
		a.advanceSource(rec) // a newer writer's event type: not poison
		return nil
	}
	if err != nil {
		return err
	}
	if rc, ok := ruleChangeOf(rec, msg); ok {
		a.engineMu.Lock()
		err := a.engine.ApplyRuleChange(rc)
		a.engineMu.Unlock()
		if err != nil {
			// Deterministic: every replay refuses it the same way.
			a.logger.ErrorContext(ctx, "engine kept the rule version before a change it cannot apply", "sequence", rec.Sequence, "error", err)
			a.mu.Lock()
			a.refusedRuleChanges++
			a.mu.Unlock()
		}
		a.advanceSource(rec)
		return nil
	}
	// A failed append makes Follow offer the same record again: the engine
	// has already observed it, so the retry only writes what it decided.
	changes, retry := a.unwritten(rec.Sequence)
	if !retry {
		a.engineMu.Lock()
		changes = a.observe(rec, msg)
		a.engineMu.Unlock()
		a.pending = &pendingDecisions{sequence: rec.Sequence, changes: changes}
	}
	for _, ch := range changes {
		if err := a.write(ctx, rec, ch); err != nil {
			return err
		}
	}
	a.pending = nil
	a.advanceSource(rec)
	return nil
}

// pendingDecisions are the engine's decisions on one RISK_IN record that
// are not all appended yet.
type pendingDecisions struct {
	sequence uint64
	changes  []engine.Change
}

// unwritten is the decisions on the record at seq when an earlier attempt
// to append them failed (retry true): observing the record again would
// count it twice.
func (a *App) unwritten(seq uint64) (changes []engine.Change, retry bool) {
	if a.pending == nil || a.pending.sequence != seq {
		return nil, false
	}
	return a.pending.changes, true
}

// scannedOf is the scan prepare made of rec's text, if it made one.
func scannedOf(rec eventlog.Record) *engine.Scanned {
	s, _ := rec.Prepared.(*engine.Scanned)
	return s
}

// observe lets the engine judge one domain event.
func (a *App) observe(rec eventlog.Record, msg proto.Message) []engine.Change {
	tenant, at := rec.Envelope.GetTenantId(), rec.Envelope.GetOccurredAt().AsTime()
	var changes []engine.Change
	switch ev := msg.(type) {
	case *clientv1.InteractionLogged:
		changes = a.engine.ObserveInteraction(engine.Interaction{
			Tenant: tenant, EmployeeID: ev.GetEmployeeId(), Text: ev.GetText(),
			CustomerID: ev.GetCustomerId(), Counterparty: ev.GetCounterpartyContact(), OccurredAt: at, Evidence: evidenceOf(rec),
			Kind: interactionKindName(ev.GetKind()), Duration: ev.GetDuration().AsDuration(), Scanned: scannedOf(rec),
		})
	case *clientv1.ContactRevealed:
		changes = a.engine.ObserveReveal(engine.Reveal{
			Tenant: tenant, EmployeeID: ev.GetEmployeeId(), Assigned: ev.GetAssigned(), OccurredAt: at, Evidence: evidenceOf(rec),
		})
	case *clientv1.DuplicateRegistrationAttempted:
		changes = a.engine.ObserveDuplicateAttempt(engine.DuplicateAttempt{
			Tenant: tenant, EmployeeID: ev.GetAttemptedBy(), HolderID: ev.GetHolderId(), MatchedOn: ev.GetMatchedOn(),
			OccurredAt: at, Evidence: evidenceOf(rec),
		})
	case *clientv1.ExportRequested:
		changes = a.engine.ObserveExportRequest(engine.ExportRequest{
			Tenant: tenant, EmployeeID: rec.Envelope.GetActorId(), ExportID: ev.GetExportId(), CustomerCount: int(ev.GetCustomerCount()),
			IncludeContacts: ev.GetIncludeContacts(), OccurredAt: at, Evidence: evidenceOf(rec),
		})
	case *attendancev1.CheckedIn:
		changes = a.engine.ObserveCheckIn(engine.CheckIn{
			Tenant: tenant, EmployeeID: ev.GetEmployeeId(), Visit: ev.GetKind() == attendancev1.CheckInKind_CHECK_IN_KIND_VISIT,
			CustomerID: ev.GetCustomerId(), CustomerLocated: ev.GetCustomerLocated(), DistanceToCustomerM: ev.GetDistanceToCustomerM(),
			HasPrevious: ev.GetPreviousCheckInId() != "", SecondsSincePrevious: ev.GetSecondsSincePrevious(),
			SpeedFromPreviousKmh: ev.GetSpeedFromPreviousKmh(), RepeatsFix: ev.GetRepeatsCheckInId() != "",
			OccurredAt: at, Evidence: evidenceOf(rec),
		})
	case *clientv1.CustomerRegistered, *clientv1.CustomerOwnerChanged, *clientv1.InteractionDeleted,
		*clientv1.ExportApproved, *clientv1.ExportRejected:
		changes = a.observeClient(rec, msg)
	case *attendancev1.OrgUnitCreated, *attendancev1.EmployeeHired, *attendancev1.EmployeeTransferred,
		*attendancev1.EmployeeRoleChanged, *attendancev1.LeaveRecorded, *attendancev1.ResignationNoticed,
		*attendancev1.ResignationWithdrawn, *attendancev1.EmployeeDeparted:
		a.recordStaff(rec, msg)
	case *tickv1.ClockTicked:
		changes = a.engine.ObserveTick(engine.Tick{
			Tenant: tenant, At: ev.GetAt().AsTime(), OccurredAt: at, Evidence: evidenceOf(rec),
		})
	default:
		changes = a.observeOrder(rec, msg)
	}
	return changes
}

func evidenceOf(rec eventlog.Record) domain.Evidence {
	ev := domain.Evidence{
		EventID:    rec.Envelope.GetEventId(),
		Stream:     rec.Stream,
		Sequence:   rec.Sequence,
		EventType:  eventlog.TypeName(rec.Envelope),
		OccurredAt: rec.Envelope.GetOccurredAt().AsTime(),
	}
	if rec.Source != nil {
		ev.Stream, ev.Sequence = rec.Source.Stream, rec.Source.Sequence
	}
	return ev
}

// write appends one decision unless RISK already holds it.
func (a *App) write(ctx context.Context, rec eventlog.Record, ch engine.Change) error {
	a.mu.Lock()
	pos := a.written[ch.Alert.ID]
	a.mu.Unlock()
	if pos.Version >= ch.Version {
		return nil // written before a restart
	}
	payload := alertChangeEvent(ch, rec.Sequence)
	res, err := a.log.Append(ctx, eventlog.AppendRequest{
		Ref:           eventlog.AggregateRef{Context: boundedContext, Tenant: ch.Alert.Tenant, Type: typeAlert, ID: ch.Alert.ID},
		After:         pos,
		RequestID:     "risk-in-" + strconv.FormatUint(rec.Sequence, 10),
		ActorID:       "risk-engine",
		OccurredAt:    ch.Alert.UpdatedAt,
		CausationID:   rec.Envelope.GetEventId(),
		CorrelationID: rec.Envelope.GetCorrelationId(),
		Payload:       payload,
	})
	if err != nil {
		return fmt.Errorf("engine: append alert %s: %w", ch.Alert.ID, err)
	}
	a.mu.Lock()
	a.written[ch.Alert.ID] = eventlog.Position{Version: res.Version, Sequence: res.Sequence}
	a.riskHigh = max(a.riskHigh, res.Sequence)
	a.mu.Unlock()
	return nil
}
