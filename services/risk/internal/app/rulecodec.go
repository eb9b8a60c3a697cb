package app

import (
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// RuleDefinitionFromProto is a rule definition in the domain's terms. It
// does not validate: the compiler does.
func RuleDefinitionFromProto(p *riskv1.RuleDefinition) domain.RuleDefinition {
	d := domain.RuleDefinition{
		ID:              p.GetRuleId(),
		DescriptionEN:   p.GetDescriptionEn(),
		DescriptionZH:   p.GetDescriptionZh(),
		Severity:        domain.Severity(p.GetSeverity()),
		Trigger:         p.GetTrigger(),
		SeverityExpr:    p.GetSeverityExpression(),
		Window:          p.GetWindow().AsDuration(),
		ExplanationEN:   p.GetExplanationEn(),
		ExplanationZH:   p.GetExplanationZh(),
		OpeningEvidence: p.GetOpeningEvidence(),
	}
	if p.GetWindow() == nil {
		d.Window = 0
	}
	for _, prm := range p.GetParameters() {
		dp := domain.Param{Name: prm.GetName(), Description: prm.GetDescription()}
		switch v := prm.GetValue().(type) {
		case *riskv1.RuleParameter_IntValue:
			dp.Kind, dp.Int = domain.ParamInt, v.IntValue
		case *riskv1.RuleParameter_StringValue:
			dp.Kind, dp.String = domain.ParamString, v.StringValue
		case *riskv1.RuleParameter_BoolValue:
			dp.Kind, dp.Bool = domain.ParamBool, v.BoolValue
		}
		d.Params = append(d.Params, dp)
	}
	return d
}

// RuleDefinitionToProto is the wire form of a rule definition.
func RuleDefinitionToProto(d domain.RuleDefinition) *riskv1.RuleDefinition {
	p := &riskv1.RuleDefinition{
		RuleId:             d.ID,
		DescriptionEn:      d.DescriptionEN,
		DescriptionZh:      d.DescriptionZH,
		Severity:           riskv1.Severity(d.Severity),
		Trigger:            d.Trigger,
		SeverityExpression: d.SeverityExpr,
		Window:             durationpb.New(d.Window),
		ExplanationEn:      d.ExplanationEN,
		ExplanationZh:      d.ExplanationZH,
		OpeningEvidence:    d.OpeningEvidence,
	}
	for _, prm := range d.Params {
		pp := &riskv1.RuleParameter{Name: prm.Name, Description: prm.Description}
		switch prm.Kind {
		case domain.ParamInt:
			pp.Value = &riskv1.RuleParameter_IntValue{IntValue: prm.Int}
		case domain.ParamString:
			pp.Value = &riskv1.RuleParameter_StringValue{StringValue: prm.String}
		case domain.ParamBool:
			pp.Value = &riskv1.RuleParameter_BoolValue{BoolValue: prm.Bool}
		}
		p.Parameters = append(p.Parameters, pp)
	}
	return p
}

// RuleToProto is the wire form of a rule.
func RuleToProto(r domain.Rule) *riskv1.Rule {
	p := &riskv1.Rule{
		Definition: RuleDefinitionToProto(r.Definition),
		Version:    r.Version,
		Enabled:    r.Enabled,
		Builtin:    r.Builtin,
		UpdatedBy:  r.UpdatedBy,
		Outcomes: &riskv1.RuleOutcomes{
			Open: int32(r.Outcomes.Open), Dismissed: int32(r.Outcomes.Dismissed), Confirmed: int32(r.Outcomes.Confirmed),
			ConfirmedPermille: int32(r.Outcomes.ConfirmedPermille()),
			Raised:            int32(r.Outcomes.Raised), Acknowledged: int32(r.Outcomes.Acknowledged),
			Actioned: int32(r.Outcomes.Actioned()),
		},
	}
	if !r.UpdatedAt.IsZero() {
		p.UpdatedAt = timestamppb.New(r.UpdatedAt)
	}
	return p
}
