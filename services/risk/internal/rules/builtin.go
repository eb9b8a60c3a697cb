package rules

import (
	"bytes"
	_ "embed" // the built-in rule pack
	"encoding/json"
	"fmt"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// builtinPack is the built-in rule pack: every tenant runs it from the
// start of its history until an UpsertRule of the same id overrides a rule.
// WARNING: changing a rule here changes decisions on replay; give the
// changed rule a new version (and the pack a new pack_version), which also
// gives its alerts new ids.
//
//go:embed pack/builtin.json
var builtinPack []byte

type packFile struct {
	PackVersion int        `json:"pack_version"`
	Rules       []packRule `json:"rules"`
}

type packRule struct {
	ID              string      `json:"id"`
	Version         uint32      `json:"version"`
	DescriptionEN   string      `json:"description_en"`
	DescriptionZH   string      `json:"description_zh"`
	Severity        string      `json:"severity"`
	Trigger         string      `json:"trigger"`
	SeverityExpr    string      `json:"severity_expression"`
	Params          []packParam `json:"params"`
	Window          string      `json:"window"`
	OpeningEvidence string      `json:"opening_evidence"`
	ExplanationEN   string      `json:"explanation_en"`
	ExplanationZH   string      `json:"explanation_zh"`
}

type packParam struct {
	Name        string  `json:"name"`
	Int         *int64  `json:"int"`
	String      *string `json:"string"`
	Bool        *bool   `json:"bool"`
	Description string  `json:"description"`
}

// Pack is the built-in rule pack: its version and its rules, by id order.
type Pack struct {
	Version int
	Rules   []domain.Rule
}

// Builtin decodes the embedded pack.
func Builtin() (Pack, error) {
	dec := json.NewDecoder(bytes.NewReader(builtinPack))
	dec.DisallowUnknownFields()
	var f packFile
	if err := dec.Decode(&f); err != nil {
		return Pack{}, fmt.Errorf("rules: built-in pack: %w", err)
	}
	p := Pack{Version: f.PackVersion}
	for _, r := range f.Rules {
		sev, ok := domain.SeverityFromName(r.Severity)
		window, err := time.ParseDuration(r.Window)
		if !ok || err != nil {
			return Pack{}, fmt.Errorf("rules: built-in pack: rule %s: bad severity or window", r.ID)
		}
		d := domain.RuleDefinition{
			ID: r.ID, DescriptionEN: r.DescriptionEN, DescriptionZH: r.DescriptionZH, Severity: sev,
			Trigger: r.Trigger, SeverityExpr: r.SeverityExpr, Window: window, OpeningEvidence: r.OpeningEvidence,
			ExplanationEN: r.ExplanationEN, ExplanationZH: r.ExplanationZH,
		}
		for _, prm := range r.Params {
			dp := domain.Param{Name: prm.Name, Description: prm.Description}
			switch {
			case prm.Int != nil:
				dp.Kind, dp.Int = domain.ParamInt, *prm.Int
			case prm.String != nil:
				dp.Kind, dp.String = domain.ParamString, *prm.String
			case prm.Bool != nil:
				dp.Kind, dp.Bool = domain.ParamBool, *prm.Bool
			}
			d.Params = append(d.Params, dp)
		}
		p.Rules = append(p.Rules, domain.Rule{Definition: d, Version: r.Version, Enabled: true, Builtin: true})
	}
	return p, nil
}
