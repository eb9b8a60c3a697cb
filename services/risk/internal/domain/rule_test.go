package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/pkg/domainerr"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

func TestDecideUpsertAndEnabled(t *testing.T) {
	t.Parallel()
	def := domain.RuleDefinition{ID: "r"}
	builtin := domain.Rule{Definition: def, Version: 1, Enabled: true, Builtin: true}
	disabled := domain.Rule{Definition: def, Version: 3}
	tests := []struct {
		name    string
		decide  func() (domain.RuleDecision, error)
		want    domain.RuleDecision
		wantErr error
	}{
		{
			"a new rule starts disabled at version 1", func() (domain.RuleDecision, error) { return domain.DecideUpsert(domain.Rule{}, def, 0) },
			domain.RuleDecision{Next: domain.Rule{Definition: def, Version: 1}, Changed: true},
			nil,
		},
		{
			"a built-in's next version stays enabled", func() (domain.RuleDecision, error) { return domain.DecideUpsert(builtin, def, 1) },
			domain.RuleDecision{Next: domain.Rule{Definition: def, Version: 2, Enabled: true}, Changed: true},
			nil,
		},
		{
			"a disabled rule's next version stays disabled", func() (domain.RuleDecision, error) { return domain.DecideUpsert(disabled, def, 0) },
			domain.RuleDecision{Next: domain.Rule{Definition: def, Version: 4}, Changed: true},
			nil,
		},
		{
			"a stale expected version", func() (domain.RuleDecision, error) { return domain.DecideUpsert(builtin, def, 2) },
			domain.RuleDecision{},
			domain.ErrPrecondition,
		},
		{
			"enabling an enabled rule changes nothing", func() (domain.RuleDecision, error) { return domain.DecideEnabled(builtin, true) },
			domain.RuleDecision{Next: builtin},
			nil,
		},
		{
			"disabling a built-in", func() (domain.RuleDecision, error) { return domain.DecideEnabled(builtin, false) },
			domain.RuleDecision{Next: domain.Rule{Definition: def, Version: 1, Builtin: true}, Changed: true},
			nil,
		},
		{
			"enabling what does not exist", func() (domain.RuleDecision, error) { return domain.DecideEnabled(domain.Rule{}, true) },
			domain.RuleDecision{},
			domain.ErrNotFound,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.decide()
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decision mismatch (-want, +got):\n%s", diff)
			}
		})
	}
}

func TestCheckRuleDefinitionListsEveryBadField(t *testing.T) {
	t.Parallel()
	err := domain.CheckRuleDefinition(domain.RuleDefinition{
		ID: "Bad-Id", DescriptionEN: "x", DescriptionZH: "x", Severity: domain.SeverityHigh, Trigger: "true",
		Window: 400 * 24 * time.Hour, ExplanationEN: "x", ExplanationZH: "x", OpeningEvidence: "everything",
		Params: []domain.Param{{Name: "a", Kind: domain.ParamInt}, {Name: "a", Kind: domain.ParamBool}, {Name: "b"}},
	})
	var ve *domainerr.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want a ValidationError", err)
	}
	var fields []string
	for _, v := range ve.Violations {
		fields = append(fields, v.Field)
	}
	want := []string{"definition.rule_id", "definition.window", "definition.opening_evidence", "definition.parameters[1].name", "definition.parameters[2]"}
	if diff := cmp.Diff(want, fields); diff != "" {
		t.Errorf("fields mismatch (-want, +got):\n%s", diff)
	}
}
