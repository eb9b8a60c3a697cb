package engine

import (
	"maps"
	"slices"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/rules"
)

// Projection windows. Features are computed in Go, where windows and
// memory bounds are easy to get right; rules read them as features.<name>.
const revealFeatureWindow = 24 * time.Hour

// revealEvidenceCap bounds how many reveals the sliding window keeps per
// employee: enough to explain a spike, bounded for memory.
const revealEvidenceCap = 200

// revealSeen is one reveal in an employee's sliding window.
type revealSeen struct{ piece }

// features updates the employee's projections with o and makes o the
// observation being judged (e.judging), whose features rules read as the
// CEL variable features, built on first read (most rules never read
// features; the projections do not change until the observation's rules
// are evaluated; see judgedInputs):
//
//	reveals_24h             contact reveals within the last 24 hours, this one included
//	reveals_24h_unassigned  of those, reveals of customers the employee did not hold
//
// A reveal is added to the employee's stored window, in time order, here;
// the window an observation is judged with is the stored reveals within
// the 24 hours before its own time, so a late event counts what happened
// before it, not what came after. For any other observation the window is
// looked up only if a rule reads features.
func (e *Engine) features(o *observation) {
	key := employeeKey{o.tenant, o.employee}
	e.judging = judging{key: key, at: o.at, extra: o.features, kind: o.kind, this: o.this, cluster: o.cluster, opening: o.opening}
	if o.kind == factReveal {
		stored, _ := e.reveals.get(key)
		i := len(stored)
		for i > 0 && stored[i-1].evidence.OccurredAt.After(o.at) {
			i-- // a late reveal
		}
		stored = slices.Insert(stored, i, revealSeen{o.this})
		e.judging.window, e.judging.windowFound = latestReveals(revealWindow(stored, o.at)), true
		// Stored: the reveals within the feature window of the latest.
		e.reveals.put(key, latestReveals(revealsAfter(stored, stored[len(stored)-1].evidence.OccurredAt.Add(-revealFeatureWindow))))
	}
	e.recordActivity(o)
}

// pruneReveals drops the tenant's reveals older than the feature window.
// An employee's window is otherwise pruned only when the employee reveals
// again: the window of one who stopped would stay (up to
// revealEvidenceCap reveals) in memory and snapshots. A reveal delivered
// later than that is judged without the reveals pruned before it.
func (e *Engine) pruneReveals(tenant string, at time.Time) {
	cutoff := at.Add(-revealFeatureWindow)
	for id, window := range e.reveals.of(tenant) {
		key := employeeKey{tenant, id}
		switch kept := revealsAfter(window, cutoff); {
		case len(kept) == 0:
			e.reveals.del(key)
		case len(kept) < len(window):
			e.reveals.put(key, kept)
		}
	}
}

// latestReveals is the last revealEvidenceCap reveals of a window.
func latestReveals(window []revealSeen) []revealSeen {
	return window[max(0, len(window)-revealEvidenceCap):]
}

// revealWindow is the part of a stored reveal window (in time order)
// within the feature window before at: after at less 24 hours, not
// after at.
func revealWindow(stored []revealSeen, at time.Time) []revealSeen {
	window := revealsAfter(stored, at.Add(-revealFeatureWindow))
	end := len(window)
	for end > 0 && window[end-1].evidence.OccurredAt.After(at) {
		end--
	}
	return window[:end]
}

// revealsAfter is the part of a reveal window (in time order) after cutoff.
func revealsAfter(window []revealSeen, cutoff time.Time) []revealSeen {
	drop := 0
	for drop < len(window) && !window[drop].evidence.OccurredAt.After(cutoff) {
		drop++
	}
	return window[drop:]
}

// judging is the observation the engine is judging and the rule inputs
// built for it so far. The engine judges one observation at a time, so
// the inputs are built on first read (judgedInputs) into maps it reuses:
// new maps and closures per evaluation were much of a replay's
// allocations. Nothing keeps the maps past the evaluation: rules and
// explanations read them while they run.
type judging struct {
	key   employeeKey
	at    time.Time
	extra map[string]any // the observation's own features
	// window is the employee's reveals within 24 hours before the
	// observation, a reveal observation included (once windowFound).
	window      []revealSeen
	windowFound bool

	featuresBuilt bool
	features      map[string]any

	// The observation's kind and evidence, as the alert a rule would
	// raise or extend is worked out from them (see judgedAlert).
	kind    string
	this    piece
	cluster []piece
	opening map[string][]piece

	// rule and program are the rule being evaluated. Its open alert, and
	// what the observation would add to it, are looked up only when an
	// expression reads the alert variable or the rule fires: most
	// evaluations do neither, and the lookup among every open alert was
	// about a sixth of evaluate's time in a replay's profile.
	rule    alertKey
	program *rules.Program
	// alertFound is set once the rest are worked out: the alert the rule
	// would extend (nil: it would raise one), whether it would open it,
	// and its tally after this observation.
	alertFound bool
	open       *openAlert
	opens      bool
	after      tally
	// added is the evidence the observation would add when that is not
	// the observation alone (nil): for a new alert, the cluster, the
	// reveal window or the lead-up the rule opens with.
	added []piece
	// alertBuilt is whether scratch.alert holds after and opens for
	// this rule.
	alertBuilt bool
}

// judgedAlert works out, once per evaluation, the alert the rule being
// evaluated would extend or raise, what the observation would add to it
// and its tally after.
func (e *Engine) judgedAlert() *judging {
	j := &e.judging
	if j.alertFound {
		return j
	}
	j.open, j.added = e.open[j.rule], nil
	if j.open != nil && (!j.at.Before(j.open.alert.WindowEnd) || j.open.alert.RuleVersion != j.program.Rule.Version) {
		j.open = nil // the window closed, or a new version of the rule is in force
	}
	var after tally
	if j.open != nil {
		after = j.open.tally
	} else {
		def := j.program.Rule.Definition
		if j.cluster != nil {
			j.added = j.cluster
		}
		if def.OpeningEvidence == domain.OpeningEvidenceReveals24h && j.kind == factReveal {
			j.added = e.revealPieces()
		}
		if lead, ok := j.opening[def.OpeningEvidence]; ok {
			j.added = append(slices.Clone(lead), j.this)
		}
	}
	if j.added == nil {
		after = after.plus(j.this.tally)
	}
	for _, a := range j.added {
		after = after.plus(a.tally)
	}
	j.opens, j.after, j.alertFound = j.open == nil, after, true
	return j
}

// judgedInputs builds the features and alert variables of the
// evaluation in progress (rules.Lazy). It holds only the engine, so
// handing it to a program allocates nothing.
type judgedInputs struct{ e *Engine }

func (e *Engine) judgedInputs() judgedInputs { return judgedInputs{e} }

// Features is the features of the observation being judged.
func (in judgedInputs) Features() map[string]any {
	e := in.e
	j := &e.judging
	if j.featuresBuilt {
		return j.features
	}
	if !j.windowFound {
		stored, _ := e.reveals.get(j.key)
		j.window, j.windowFound = revealWindow(stored, j.at), true
	}
	var unassigned int64
	for _, r := range j.window {
		unassigned += r.tally.unassigned
	}
	out := e.scratch.features
	clear(out)
	out["reveals_24h"] = int64(len(j.window))
	out["reveals_24h_unassigned"] = unassigned
	e.activityFeatures(j.key, j.at, out)
	maps.Copy(out, j.extra)
	j.features, j.featuresBuilt = out, true
	return out
}

// Alert is the alert variable of the rule being evaluated.
func (in judgedInputs) Alert() map[string]any {
	e := in.e
	j := &e.judging
	if !j.alertBuilt {
		// Most evaluations see the same alert variable as the one before
		// (no alert open, one piece of evidence): it is rebuilt only when
		// it differs.
		e.judgedAlert()
		held := &e.scratch.alertHolds
		if !held.ok || held.opening != j.opens || !held.tally.equal(j.after) {
			j.after.vars(j.opens, e.scratch.alert)
			*held = alertVars{tally: j.after, opening: j.opens, ok: true}
		}
		j.alertBuilt = true
	}
	return e.scratch.alert
}

// revealPieces is the judged reveal's window as evidence.
func (e *Engine) revealPieces() []piece {
	window := e.judging.window
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

// scratchMaps are maps the engine refills for each evaluation instead of
// making new ones (see judging).
type scratchMaps struct {
	features, alert, explain map[string]any
	// ownFeatures and opening are a registration's observation.features
	// and observation.opening, refilled for each.
	ownFeatures map[string]any
	opening     map[string][]piece
	// facts is every observation's event variable but a review's.
	facts factList
	// alertHolds is what alert was last built from.
	alertHolds alertVars
	// reviews and peers are a tenant's daily conversion review
	// (conversionCheck).
	reviews []sellerReview
	peers   peerRates
	// conversion is the event variable of each seller's review.
	conversion conversionFacts
	// due is a tenant's orders judged at a tick (unbackedOrderCheck).
	due []*orderState
	// added is what a decision adds to its alert when that is the
	// observation and its context (evaluate).
	added []piece
}

// alertVars is the tally and opening an alert variable was built from.
type alertVars struct {
	tally       tally
	opening, ok bool
}

// facts is the list an Observe method fills with its observation's facts
// (the CEL variable event): the engine's one factList, emptied, with
// event.type and event.employee_id set. Nothing keeps an observation's
// facts once observe returns, so one list serves every observation, one
// at a time. (Export requests build their own facts: they are
// remembered until the request is decided.)
func (e *Engine) facts(kind, employee string) *factList {
	f := &e.scratch.facts
	f.reset()
	// Appended, not set: small enough to inline, so that the kind, a
	// constant where it is called, goes into the list without a copy on
	// the heap.
	f.names = append(f.names, "type", "employee_id")
	f.values = append(f.values, kind, employee)
	return f
}

// factList is an observation's facts as the CEL variable event (a
// rules.Facts): names and values side by side, refilled in place. An
// observation has a dozen facts at most and a rule reads a few of them,
// so looking a name up among them costs about what hashing it did, and
// filling the list is appends where filling a map, which every event did,
// hashed every name. The map of them all is built only for an explanation or an
// expression that iterates the event.
type factList struct {
	names  []string
	values []any
	// all is Map's map, refilled on each call.
	all map[string]any
}

// reset empties the list, keeping its memory and nothing it held.
func (f *factList) reset() {
	clear(f.values)
	clear(f.all)
	f.names, f.values = f.names[:0], f.values[:0]
}

// set adds fact name with the value v. An observation names each fact
// once; a name set again is answered with its later value, by Fact and by
// Map alike.
func (f *factList) set(name string, v any) {
	f.names = append(f.names, name)
	f.values = append(f.values, v)
}

// Fact is the value last set for name. It looks from the end, as Map's
// later entries overwrite earlier ones, so that a rule's select and an
// explanation or iteration never read two values of one fact.
func (f *factList) Fact(name string) (any, bool) {
	for i := len(f.names) - 1; i >= 0; i-- {
		if f.names[i] == name {
			return f.values[i], true
		}
	}
	return nil, false
}

// Map is every fact, in a map the list keeps and refills: what reads it
// (an explanation, an evaluation) is done with it before the list is
// refilled, as with the list itself.
func (f *factList) Map() map[string]any {
	if f.all == nil {
		f.all = make(map[string]any, len(f.names))
	}
	clear(f.all)
	for i, n := range f.names {
		f.all[n] = f.values[i]
	}
	return f.all
}
