package engine

import (
	"maps"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// Projection windows. Features are computed in Go, where windows and
// memory bounds are easy to get right; rules read them as features.<name>.
const revealFeatureWindow = 24 * time.Hour

// revealEvidenceCap bounds how many reveals the sliding window keeps per
// employee: enough to explain a spike, bounded for memory.
const revealEvidenceCap = 200

// revealSeen is one reveal in an employee's sliding window.
type revealSeen struct{ piece }

// features updates the employee's projections with o and returns a
// function that gives them as the CEL variable features, built on its
// first call (most rules never read features; the projections do not
// change until the observation's rules are evaluated):
//
//	reveals_24h             contact reveals within the last 24 hours, this one included
//	reveals_24h_unassigned  of those, reveals of customers the employee did not hold
func (e *Engine) features(o *observation) func() map[string]any {
	key := employeeKey{o.tenant, o.employee}
	window := e.reveals[key]
	cutoff := o.at.Add(-revealFeatureWindow)
	drop := 0
	for drop < len(window) && !window[drop].evidence.OccurredAt.After(cutoff) {
		drop++
	}
	window = window[drop:]
	if o.kind == factReveal {
		window = append(window, revealSeen{o.this})
		if len(window) > revealEvidenceCap {
			window = window[len(window)-revealEvidenceCap:]
		}
	}
	if len(window) == 0 {
		delete(e.reveals, key)
	} else {
		e.reveals[key] = window
	}
	e.recordActivity(o)
	var out map[string]any
	return func() map[string]any {
		if out != nil {
			return out
		}
		var unassigned int64
		for _, r := range window {
			unassigned += r.tally.unassigned
		}
		out = make(map[string]any, 12+len(o.features))
		out["reveals_24h"] = int64(len(window))
		out["reveals_24h_unassigned"] = unassigned
		e.activityFeatures(o, out)
		maps.Copy(out, o.features)
		return out
	}
}

// revealPieces is the employee's reveal window as evidence.
func (e *Engine) revealPieces(key employeeKey) []piece {
	window := e.reveals[key]
	out := make([]piece, 0, len(window))
	for _, r := range window {
		out = append(out, r.piece)
	}
	return out
}

// Event types as rules see them in event.type.
const (
	factInteraction = "interaction"
	factReveal      = "reveal"
	factDuplicate   = "duplicate_attempt"
	factExport      = "export_requested"
	factCheckIn     = "check_in"
	factDeletion    = "interaction_deleted"
	factRegistered  = "customer_registered"
)

// evidenceOnly is a piece counting as one piece of evidence and nothing else.
func evidenceOnly(ev domain.Evidence) piece { return piece{evidence: ev, tally: tally{count: 1}} }
