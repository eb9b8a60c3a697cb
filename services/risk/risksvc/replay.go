package risksvc

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"log/slog"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/services/risk/internal/app"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
)

// Replayer is a fresh engine with the deployment's defaults that judges
// RISK_IN through the same path as a rebuild (app.ReplayEach),
// writing nothing. It exists so that `holdfast bench` can time the engine
// and weigh its state from outside this module; holding the Replayer keeps
// the engine's projections alive for runtime.ReadMemStats.
type Replayer struct {
	eng *engine.Engine
}

// NewReplayer returns a Replayer whose engine has observed nothing.
func NewReplayer() *Replayer {
	return &Replayer{eng: engine.New(lexicon.Default(), engine.DefaultSensitiveWords())}
}

// Replayed is what a replay decided: how many decisions, and a digest of
// them all (SHA-256 over their deterministic encodings, in order), so two
// builds of the engine can be checked to decide the same from the same
// history.
type Replayed struct {
	Decisions int
	Digest    string
}

// Replay judges RISK_IN from its first message to its current end. A
// Replayer replays once: a second call would feed the same events to an
// engine that has seen them.
func (r *Replayer) Replay(ctx context.Context, log *eventlog.Log, logger *slog.Logger) (Replayed, error) {
	h := sha256.New()
	n := 0
	var size []byte
	err := app.ReplayEach(ctx, log, r.eng, logger, func(d app.Decision) error {
		size = binary.AppendUvarint(size[:0], uint64(len(d.Payload)))
		_, _ = h.Write(size)
		_, _ = h.Write(d.Payload)
		n++
		return nil
	})
	if err != nil {
		return Replayed{}, err
	}
	return Replayed{Decisions: n, Digest: hex.EncodeToString(h.Sum(nil))}, nil
}

// Snapshot encodes the replayed engine's state (see engine.Snapshot).
func (r *Replayer) Snapshot() ([]byte, error) { return r.eng.Snapshot() }

// RestoreReplayer is a Replayer whose engine is restored from a snapshot,
// as a restarting risk service restores its own.
func RestoreReplayer(snapshot []byte) (*Replayer, error) {
	r := NewReplayer()
	if err := r.eng.Restore(snapshot); err != nil {
		return nil, err
	}
	return r, nil
}
