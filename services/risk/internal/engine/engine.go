// Package engine is the risk engine's deterministic core: it observes the
// events of RISK_IN one by one, keeps per-employee state, and decides which
// alerts to raise or extend. It does no I/O and reads no clock — time is the
// events' own time — so replaying the same RISK_IN prefix always yields the
// same decisions.
package engine

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
)

// Change is one decision: the alert as it stands after it, the evidence it
// adds, and the alert aggregate version it produces (1 = raised).
type Change struct {
	Alert       domain.Alert
	NewEvidence []domain.Evidence
	Version     uint64
}

// Engine holds rule state per (rule, tenant, employee).
type Engine struct {
	lexicon     *lexicon.Lexicon
	params      SensitiveWordsParams
	revealSpike RevealSpikeParams
	duplicates  DuplicateCustomerParams
	open        map[alertKey]*openAlert
	reveals     map[employeeKey][]revealSeen // sliding window per employee
}

type employeeKey struct{ tenant, employee string }

type alertKey struct {
	rule string
	employeeKey
}

// openAlert is an alert whose window is still open: later evidence from
// the same employee within the window extends it instead of raising another.
type openAlert struct {
	alert   domain.Alert
	version uint64
	// rule-specific tallies
	hits    int // sensitive_words: distinct non-quoted phrases per interaction, summed
	quoted  int // sensitive_words: interactions whose matches were all quoted
	phrases []string
	other   int // reveal_spike: reveals of customers the employee did not hold
}

// New returns an engine with the given lexicon and sensitive_words
// parameters; the other rules start with their defaults.
func New(lex *lexicon.Lexicon, params SensitiveWordsParams) *Engine {
	return &Engine{
		lexicon:     lex,
		params:      params,
		revealSpike: DefaultRevealSpike(),
		duplicates:  DefaultDuplicateCustomer(),
		open:        map[alertKey]*openAlert{},
		reveals:     map[employeeKey][]revealSeen{},
	}
}

var alertNamespace = uuid.MustParse("0b8a3f3e-52c4-4c1f-a1c6-9d7f25e2b7a4")

// alertID is deterministic in (rule, version, tenant, employee, window start).
func alertID(rule string, version uint32, tenant, employee string, windowStart time.Time) string {
	name := fmt.Sprintf("%s\x00%d\x00%s\x00%s\x00%d", rule, version, tenant, employee, windowStart.UnixNano())
	return uuid.NewSHA1(alertNamespace, []byte(name)).String()
}

// ruleRef names a rule and its version.
type ruleRef struct {
	id      string
	version uint32
	window  time.Duration
}

// extend adds evidence to the employee's open alert for rule, opening one
// (window starting at at) when none covers at, lets update set severity and
// explanations, and returns the decision.
func (e *Engine) extend(r ruleRef, tenant, employee string, at time.Time, evidence []domain.Evidence, update func(*openAlert)) Change {
	key := alertKey{r.id, employeeKey{tenant, employee}}
	oa := e.open[key]
	if oa != nil && !at.Before(oa.alert.WindowEnd) {
		oa = nil // the window closed; a new alert starts
	}
	if oa == nil {
		oa = &openAlert{alert: domain.Alert{
			Tenant:      tenant,
			ID:          alertID(r.id, r.version, tenant, employee, at),
			RuleID:      r.id,
			RuleVersion: r.version,
			EmployeeID:  employee,
			Status:      domain.StatusRaised,
			WindowStart: at,
			WindowEnd:   at.Add(r.window),
			RaisedAt:    at,
		}}
		e.open[key] = oa
	}
	oa.version++
	oa.alert.Evidence = append(oa.alert.Evidence, evidence...)
	oa.alert.UpdatedAt = at
	update(oa)
	out := oa.alert
	out.Evidence = append([]domain.Evidence(nil), oa.alert.Evidence...)
	return Change{Alert: out, NewEvidence: evidence, Version: oa.version}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
