package domain_test

import (
	"errors"
	"testing"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// TestDecideCaseStep is the lifecycle table: raised → acknowledged →
// dismissed | confirmed → resolved, notes only on a case.
func TestDecideCaseStep(t *testing.T) {
	t.Parallel()
	steps := []domain.CaseStep{domain.StepAcknowledge, domain.StepDismiss, domain.StepConfirm, domain.StepResolve, domain.StepNote}
	allowed := map[domain.Status][]domain.CaseStep{
		domain.StatusRaised:       {domain.StepAcknowledge, domain.StepDismiss, domain.StepConfirm},
		domain.StatusAcknowledged: {domain.StepDismiss, domain.StepConfirm},
		domain.StatusDismissed:    {},
		domain.StatusConfirmed:    {domain.StepResolve, domain.StepNote},
		domain.StatusResolved:     {domain.StepNote},
	}
	for status, ok := range allowed {
		for _, step := range steps {
			want := false
			for _, s := range ok {
				want = want || s == step
			}
			err := domain.DecideCaseStep(domain.Case{Status: status}, step)
			if want && err != nil {
				t.Errorf("%s then %s: %v, want allowed", status, step, err)
			}
			if !want && !errors.Is(err, domain.ErrPrecondition) {
				t.Errorf("%s then %s: err = %v, want ErrPrecondition", status, step, err)
			}
		}
	}
	c := domain.Case{}.Apply(domain.CaseNote{Kind: domain.StepConfirm}, 0).Apply(domain.CaseNote{Kind: domain.StepResolve}, domain.OutcomeNoDiversion)
	if c.Status != domain.StatusResolved || c.Outcome != domain.OutcomeNoDiversion || len(c.Notes) != 2 {
		t.Errorf("folded case = %+v", c)
	}
}
