package engine

import (
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
)

// Interaction is the part of an InteractionLogged event the rules read.
type Interaction struct {
	Tenant     string
	EmployeeID string
	Text       string
	// CustomerID is the customer touched; empty for an unregistered
	// Counterparty (an E.164 phone or WeChat id, normalised by CLIENT).
	CustomerID   string
	Counterparty string
	// Kind is the interaction's medium ("call", "chat", …) and Duration
	// its length, set for calls (S10).
	Kind       string
	Duration   time.Duration
	OccurredAt time.Time
	// Evidence locates the event (stream, sequence, id) for the alert.
	Evidence domain.Evidence
	// Scanned, when set, is Scan(Text) worked out ahead, off the
	// engine's goroutine; it is used only when it is for this Text.
	Scanned *Scanned
}

// Scanned is what the engine's lexicon finds in one text.
type Scanned struct {
	text  string
	found []lexicon.Match
}

// Scan is what the engine's lexicon finds in text, for an Interaction's
// Scanned. It reads only the lexicon, which never changes, so unlike
// everything else of the engine it may run on any goroutine, at the same
// time as the engine judges: a reader can scan texts ahead of it.
func (e *Engine) Scan(text string) *Scanned {
	return &Scanned{text: text, found: e.lexicon.Find(text)}
}

// SensitiveWordsParams are the deployment defaults of the built-in
// sensitive_words rule (a tenant changes them with UpsertRule).
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

func withSensitiveWordsParams(d domain.RuleDefinition, p SensitiveWordsParams) domain.RuleDefinition {
	if p.Window > 0 {
		d.Window = p.Window
	}
	params := make([]domain.Param, 0, len(d.Params))
	for _, prm := range d.Params {
		if prm.Name == "high_at" && p.HighAt > 0 {
			prm.Int = int64(p.HighAt)
		}
		params = append(params, prm)
	}
	d.Params = params
	return d
}

// ObserveInteraction judges one interaction. Its facts: event.type
// "interaction", event.matches (sensitive phrases found, quoted or not),
// event.text_hits (distinct unquoted phrases), event.quoted_only, and
// event.phrases.
func (e *Engine) ObserveInteraction(in Interaction) []Change {
	e.book.touch(in.Tenant, in.EmployeeID, in.CustomerID, in.Counterparty, in.OccurredAt, in.Evidence)
	e.recordInteractionActivity(in.Tenant, in.EmployeeID, in.OccurredAt)
	e.trackCall(in)
	var found []lexicon.Match
	if in.Scanned != nil && in.Scanned.text == in.Text {
		found = in.Scanned.found
	} else {
		found = e.lexicon.Find(in.Text)
	}
	ev := in.Evidence
	ev.Matches = nil
	distinct := map[string]bool{}
	var phrases []string
	for _, m := range found {
		ev.Matches = append(ev.Matches, domain.Match{
			Phrase: m.Phrase, Start: m.Start, End: m.End, MatchedText: in.Text[m.Start:m.End], Quoted: m.Quoted,
		})
		if !m.Quoted {
			distinct[m.Phrase] = true
		}
		phrases = append(phrases, m.Phrase)
	}
	quotedOnly := len(found) > 0 && len(distinct) == 0
	t := tally{count: 1, hits: int64(len(distinct)), phrases: phrases}
	if quotedOnly {
		t.quoted = 1
	}
	if phrases == nil {
		phrases = []string{}
	}
	facts := e.facts(factInteraction, in.EmployeeID)
	facts.set("matches", int64(len(found)))
	facts.set("text_hits", int64(len(distinct)))
	facts.set("quoted_only", quotedOnly)
	facts.set("phrases", phrases)
	return e.observe(observation{
		tenant: in.Tenant, employee: in.EmployeeID, at: in.OccurredAt,
		typed: facts,
		this:  piece{evidence: ev, tally: t},
	})
}
