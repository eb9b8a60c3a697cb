package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/holdfast/holdfast/pkg/eventlog"
)

// Engine snapshots. The engine's state is a pure function of RISK_IN up to
// a sequence, so a restart need not replay RISK_IN from its first record:
// every SnapshotEvery judged records the engine's state is encoded
// (engine.Snapshot) and stored, with the RISK_IN sequence it was taken at,
// in a JetStream object store; at start the latest snapshot of this
// partition is restored and only the records after it are judged. A
// snapshot that cannot be used (another format, a RISK_IN that no longer
// reaches its sequence, a damaged object) is ignored and the engine
// replays from the start, which is always correct. Decisions are written
// before the snapshot that follows them is taken, and RISK is scanned at
// start as before, so a crash at any point still loses and duplicates
// nothing.

// SnapshotBucket is the object store holding each partition's latest
// engine snapshot.
const SnapshotBucket = "RISK_SNAPSHOTS"

// snapshotFormat is the layout of engineSnapshot below (the engine's own
// state has engine.SnapshotFormat).
const snapshotFormat = 1

type engineSnapshot struct {
	Format int
	// Sequence is the last RISK_IN record judged before the snapshot.
	Sequence uint64
	// RiskInCreated is when RISK_IN was created: a stream deleted and
	// created again (a reset) holds other records at the same sequences.
	RiskInCreated time.Time
	// Sources is, per domain stream, the highest source sequence judged.
	Sources map[string]uint64
	// Tenants is every tenant seen in RISK_IN (the live scheduler's).
	Tenants            []string
	RefusedRuleChanges uint64
	ParkedInputs       uint64
	TakenAt            time.Time
	Engine             []byte
}

// snapshots is the snapshot configuration of a running engine.
type snapshots struct {
	store jetstream.ObjectStore
	every uint64
	// since is how many records were judged since the last snapshot;
	// saving is set while one is being stored. Both are touched only by
	// the engine's goroutine.
	since  uint64
	saving chan struct{}
	// riskInCreated is RISK_IN's creation time, read once.
	riskInCreated time.Time
}

// snapshotStoreTimeout bounds storing one snapshot, so that a stopping
// process whose NATS is gone does not wait for ever.
const snapshotStoreTimeout = 2 * time.Minute

// EnableSnapshots makes RunEngine restore the partition's latest snapshot
// at start and take one every `every` judged records (0 disables taking
// them; restoring still happens). It provisions SnapshotBucket.
func (a *App) EnableSnapshots(ctx context.Context, every uint64) error {
	store, err := a.log.JetStream().CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket:      SnapshotBucket,
		Description: "risk engine snapshots: the latest per partition",
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return fmt.Errorf("risk: snapshot bucket: %w", err)
	}
	a.snapshots = &snapshots{store: store, every: every}
	return nil
}

// snapshotName is the object of this partition: all tenants, or a hash of
// the sorted tenant list (object names need not carry tenant names).
func (a *App) snapshotName() string {
	if len(a.partition) == 0 {
		return "engine-all"
	}
	sum := sha256.Sum256([]byte(strings.Join(slices.Sorted(slices.Values(a.partition)), ",")))
	return "engine-" + hex.EncodeToString(sum[:8])
}

// restoreSnapshot restores the latest usable snapshot into the engine and
// returns the RISK_IN sequence it was taken at (0: none, replay all).
func (a *App) restoreSnapshot(ctx context.Context) uint64 {
	if a.snapshots == nil {
		return 0
	}
	name := a.snapshotName()
	obj, err := a.snapshots.store.Get(ctx, name)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return 0
	}
	if err != nil {
		a.logger.WarnContext(ctx, "engine snapshot unreadable; replaying RISK_IN from the start", "snapshot", name, "error", err)
		return 0
	}
	defer func() { _ = obj.Close() }()
	data, err := io.ReadAll(obj)
	if err != nil {
		a.logger.WarnContext(ctx, "engine snapshot unreadable; replaying RISK_IN from the start", "snapshot", name, "error", err)
		return 0
	}
	var s engineSnapshot
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&s); err != nil || s.Format != snapshotFormat {
		a.logger.WarnContext(ctx, "engine snapshot of another format; replaying RISK_IN from the start", "snapshot", name, "error", err)
		return 0
	}
	created, last, err := a.riskInIdentity(ctx)
	if err != nil || last < s.Sequence || !created.Equal(s.RiskInCreated) {
		a.logger.WarnContext(ctx, "engine snapshot is of another RISK_IN; replaying RISK_IN from the start", "snapshot", name,
			"sequence", s.Sequence, "risk_in_last", last, "created", s.RiskInCreated, "risk_in_created", created, "error", err)
		return 0
	}
	a.engineMu.Lock()
	err = a.engine.Restore(s.Engine)
	a.engineMu.Unlock()
	if err != nil {
		a.logger.WarnContext(ctx, "engine snapshot not restored; replaying RISK_IN from the start", "snapshot", name, "error", err)
		return 0
	}
	for stream, seq := range s.Sources {
		a.sourceProgress(stream).Advance(seq)
	}
	for _, t := range s.Tenants {
		a.noteTenant(t)
	}
	a.mu.Lock()
	a.refusedRuleChanges, a.parkedInputs, a.restoredFrom = s.RefusedRuleChanges, s.ParkedInputs, s.Sequence
	a.mu.Unlock()
	a.logger.InfoContext(ctx, "engine restored from snapshot; replaying RISK_IN's tail", "snapshot", name, "sequence", s.Sequence, "taken_at", s.TakenAt)
	return s.Sequence
}

// riskInIdentity is when RISK_IN was created and its last sequence now.
func (a *App) riskInIdentity(ctx context.Context) (created time.Time, last uint64, err error) {
	s, err := a.log.JetStream().Stream(ctx, eventlog.StreamRiskIn)
	if err != nil {
		return time.Time{}, 0, err
	}
	info, err := s.Info(ctx)
	if err != nil {
		return time.Time{}, 0, err
	}
	return info.Created.UTC(), info.State.LastSeq, nil
}

// maybeSnapshot counts a judged record and, every `every` records, takes a
// snapshot as of rec and stores it in the background (one at a time: a
// snapshot due while the last is still being stored waits for the next
// turn).
func (a *App) maybeSnapshot(ctx context.Context, rec eventlog.Record) {
	s := a.snapshots
	if s == nil || s.every == 0 {
		return
	}
	s.since++
	if s.since < s.every {
		return
	}
	if s.saving != nil {
		select {
		case <-s.saving:
		default:
			return // still storing the last one
		}
	}
	s.since = 0
	if s.riskInCreated.IsZero() {
		created, _, err := a.riskInIdentity(ctx)
		if err != nil {
			a.logger.ErrorContext(ctx, "engine snapshot not taken", "sequence", rec.Sequence, "error", err)
			return
		}
		s.riskInCreated = created
	}
	snap, err := a.takeSnapshot(rec.Sequence, s.riskInCreated)
	if err != nil {
		a.logger.ErrorContext(ctx, "engine snapshot not taken", "sequence", rec.Sequence, "error", err)
		return
	}
	done := make(chan struct{})
	s.saving = done
	name := a.snapshotName()
	go func() {
		defer close(done)
		start := time.Now()
		putCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), snapshotStoreTimeout)
		defer cancel()
		_, err := s.store.PutBytes(putCtx, name, snap)
		if err != nil {
			a.logger.ErrorContext(ctx, "engine snapshot not stored", "sequence", rec.Sequence, "error", err)
			return
		}
		a.mu.Lock()
		a.snapshotted = rec.Sequence
		a.mu.Unlock()
		a.logger.InfoContext(ctx, "engine snapshot stored", "snapshot", name, "sequence", rec.Sequence, "bytes", len(snap), "took", time.Since(start))
	}()
}

// takeSnapshot encodes the engine and what the app derived from RISK_IN
// up to seq. It runs on the engine's goroutine, between two records.
func (a *App) takeSnapshot(seq uint64, riskInCreated time.Time) ([]byte, error) {
	a.engineMu.Lock()
	eng, err := a.engine.Snapshot()
	a.engineMu.Unlock()
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	s := engineSnapshot{
		Format: snapshotFormat, Sequence: seq, RiskInCreated: riskInCreated, Sources: map[string]uint64{}, Tenants: slices.Sorted(maps.Keys(a.tenants)),
		RefusedRuleChanges: a.refusedRuleChanges, ParkedInputs: a.parkedInputs, TakenAt: a.now().UTC(), Engine: eng,
	}
	for stream, p := range a.judged {
		s.Sources[stream] = p.Applied()
	}
	a.mu.Unlock()
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(s); err != nil {
		return nil, fmt.Errorf("engine: encode snapshot: %w", err)
	}
	return buf.Bytes(), nil
}

// waitSnapshotStored waits for a snapshot being stored, if any: RunEngine
// calls it on its way out, so a stopping process finishes its snapshot.
func (a *App) waitSnapshotStored(ctx context.Context) error {
	if a.snapshots == nil || a.snapshots.saving == nil {
		return nil
	}
	select {
	case <-a.snapshots.saving:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Snapshotted is the RISK_IN sequence of the latest snapshot this process
// stored, and restored the one it started from (0: none).
func (a *App) Snapshotted() (stored, restored uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.snapshotted, a.restoredFrom
}
