// Package engine is the risk engine's deterministic core: it observes the
// events of RISK_IN one by one, keeps per-employee state, and decides which
// alerts to raise or extend. It does no I/O and reads no clock — time is the
// events' own time — so replaying the same RISK_IN prefix always yields the
// same decisions.
package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
)

// Interaction is the part of an InteractionLogged event the rules read.
type Interaction struct {
	Tenant     string
	EmployeeID string
	Text       string
	OccurredAt time.Time
	// Evidence locates the event (stream, sequence, id) for the alert.
	Evidence domain.Evidence
}

// Change is one decision: the alert as it stands after it, the evidence it
// adds, and the alert aggregate version it produces (1 = raised).
type Change struct {
	Alert       domain.Alert
	NewEvidence []domain.Evidence
	Version     uint64
}

// Engine holds rule state per (tenant, employee).
type Engine struct {
	lexicon *lexicon.Lexicon
	params  SensitiveWordsParams
	open    map[employeeKey]*openAlert
}

type employeeKey struct{ tenant, employee string }

// openAlert is a sensitive-words alert whose window is still open.
type openAlert struct {
	alert   domain.Alert
	version uint64
	hits    int // distinct non-quoted phrases per interaction, summed
	quoted  int // interactions whose matches were all quoted
	phrases []string
}

// New returns an engine with the given lexicon and rule parameters.
func New(lex *lexicon.Lexicon, params SensitiveWordsParams) *Engine {
	return &Engine{lexicon: lex, params: params, open: map[employeeKey]*openAlert{}}
}

// SensitiveWordsParams are the tunable parameters of sensitive_words.
type SensitiveWordsParams struct {
	// Window is how long an alert collects further hits after its first.
	Window time.Duration
	// HighAt is the number of hits within Window that makes the alert high.
	HighAt int
}

// DefaultSensitiveWords is the rule's default from SCENARIOS.md S1.
func DefaultSensitiveWords() SensitiveWordsParams {
	return SensitiveWordsParams{Window: 7 * 24 * time.Hour, HighAt: 2}
}

// Rule identity of the built-in sensitive-words rule.
const (
	RuleSensitiveWords        = "sensitive_words"
	RuleSensitiveWordsVersion = 1
)

var alertNamespace = uuid.MustParse("0b8a3f3e-52c4-4c1f-a1c6-9d7f25e2b7a4")

// alertID is deterministic in (rule, version, tenant, employee, window start).
func alertID(rule string, version uint32, tenant, employee string, windowStart time.Time) string {
	name := fmt.Sprintf("%s\x00%d\x00%s\x00%s\x00%d", rule, version, tenant, employee, windowStart.UnixNano())
	return uuid.NewSHA1(alertNamespace, []byte(name)).String()
}

// ObserveInteraction applies sensitive_words to one interaction.
func (e *Engine) ObserveInteraction(in Interaction) []Change {
	found := e.lexicon.Find(in.Text)
	if len(found) == 0 {
		return nil
	}
	ev := in.Evidence
	ev.Matches = ev.Matches[:0:0]
	distinct := map[string]bool{}
	allQuoted := true
	for _, m := range found {
		ev.Matches = append(ev.Matches, domain.Match{
			Phrase: m.Phrase, Start: m.Start, End: m.End, MatchedText: in.Text[m.Start:m.End], Quoted: m.Quoted,
		})
		if !m.Quoted {
			allQuoted = false
			distinct[m.Phrase] = true
		}
	}

	key := employeeKey{in.Tenant, in.EmployeeID}
	oa := e.open[key]
	if oa != nil && !in.OccurredAt.Before(oa.alert.WindowEnd) {
		delete(e.open, key) // the window closed; a new alert starts
		oa = nil
	}
	if oa == nil {
		start := in.OccurredAt
		oa = &openAlert{alert: domain.Alert{
			Tenant:      in.Tenant,
			ID:          alertID(RuleSensitiveWords, RuleSensitiveWordsVersion, in.Tenant, in.EmployeeID, start),
			RuleID:      RuleSensitiveWords,
			RuleVersion: RuleSensitiveWordsVersion,
			EmployeeID:  in.EmployeeID,
			Status:      domain.StatusRaised,
			WindowStart: start,
			WindowEnd:   start.Add(e.params.Window),
			RaisedAt:    in.OccurredAt,
		}}
		e.open[key] = oa
	}
	oa.version++
	oa.hits += len(distinct)
	if allQuoted {
		oa.quoted++
	}
	for _, m := range ev.Matches {
		if !containsString(oa.phrases, m.Phrase) {
			oa.phrases = append(oa.phrases, m.Phrase)
		}
	}
	oa.alert.Evidence = append(oa.alert.Evidence, ev)
	oa.alert.UpdatedAt = in.OccurredAt
	oa.alert.Severity = e.severity(oa)
	oa.alert.ExplanationEN, oa.alert.ExplanationZH = e.explain(oa)

	out := oa.alert
	out.Evidence = append([]domain.Evidence(nil), oa.alert.Evidence...)
	return []Change{{Alert: out, NewEvidence: []domain.Evidence{ev}, Version: oa.version}}
}

func (e *Engine) severity(oa *openAlert) domain.Severity {
	switch {
	case oa.hits >= e.params.HighAt:
		return domain.SeverityHigh
	case oa.hits > 0:
		return domain.SeverityMedium
	default:
		return domain.SeverityLow // only quoted: reported speech (H6)
	}
}

func (e *Engine) explain(oa *openAlert) (en, zh string) {
	days := int(e.params.Window / (24 * time.Hour))
	interactions := len(oa.alert.Evidence)
	quotedPhrases := make([]string, 0, len(oa.phrases))
	for _, p := range oa.phrases {
		quotedPhrases = append(quotedPhrases, "「"+p+"」")
	}
	list := strings.Join(quotedPhrases, ", ")
	en = fmt.Sprintf("Employee %s used private-deal language in %d interaction(s) within %d days: %s. %d hit(s) count; %d or more make the alert high.",
		oa.alert.EmployeeID, interactions, days, list, oa.hits, e.params.HighAt)
	zh = fmt.Sprintf("员工 %s 在 %d 天内的 %d 次沟通中出现私单相关用语：%s。计 %d 处命中，达到 %d 处即为高风险。",
		oa.alert.EmployeeID, days, interactions, strings.Join(quotedPhrases, "、"), oa.hits, e.params.HighAt)
	if oa.quoted > 0 {
		en += fmt.Sprintf(" In %d interaction(s) every phrase was inside quotation marks: the employee appears to be reporting someone else's words, which does not count as a hit.", oa.quoted)
		zh += fmt.Sprintf(" 其中 %d 次沟通的命中词均在引号内，疑为转述他人原话，不计入命中。", oa.quoted)
	}
	return en, zh
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
