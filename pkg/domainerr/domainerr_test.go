package domainerr_test

import (
	"errors"
	"testing"

	"github.com/holdfast/holdfast/pkg/domainerr"
)

func TestViolations(t *testing.T) {
	t.Parallel()
	var none domainerr.Violations
	if err := none.Err(); err != nil {
		t.Errorf("no violations: Err() = %v, want nil", err)
	}
	var v domainerr.Violations
	v.Add("phones[1]", "not a phone number")
	v.Add("email", "at most %d characters", 254)
	var ve *domainerr.ValidationError
	if err := v.Err(); !errors.As(err, &ve) || len(ve.Violations) != 2 {
		t.Fatalf("Err() = %v, want a ValidationError with 2 violations", err)
	}
	if got, want := ve.Error(), "invalid request: phones[1]: not a phone number; email: at most 254 characters"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
