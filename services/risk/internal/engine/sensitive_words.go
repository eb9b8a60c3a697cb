package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
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
	r := ruleRef{RuleSensitiveWords, RuleSensitiveWordsVersion, e.params.Window}
	ch := e.extend(r, in.Tenant, in.EmployeeID, in.OccurredAt, []domain.Evidence{ev}, func(oa *openAlert) {
		oa.hits += len(distinct)
		if allQuoted {
			oa.quoted++
		}
		for _, m := range ev.Matches {
			if !containsString(oa.phrases, m.Phrase) {
				oa.phrases = append(oa.phrases, m.Phrase)
			}
		}
		oa.alert.Severity = e.severity(oa)
		oa.alert.ExplanationEN, oa.alert.ExplanationZH = e.explain(oa)
	})
	return []Change{ch}
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
