package domain_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/client/internal/domain"
)

func TestRecordText(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	request := domain.Interaction{
		CustomerID: "c-1", Kind: domain.KindChat, Direction: domain.DirectionOutbound,
		Text: "发了报价单", Duration: time.Minute, OccurredAt: at,
	}
	// withheld is request as the trail keeps it when the text is withheld:
	// the touch is still there.
	withheld := func(consent bool) domain.Interaction {
		in := request
		in.TextConsent, in.Text, in.TextWithheld = consent, "", true
		return in
	}
	kept := func(consent bool) domain.Interaction {
		in := request
		in.TextConsent = consent
		return in
	}
	tests := []struct {
		name    string
		rule    domain.TextRecording
		consent bool
		want    domain.Interaction
	}{
		{name: "always, no consent", rule: domain.TextRecordingAlways, consent: false, want: kept(false)},
		{name: "always, consent", rule: domain.TextRecordingAlways, consent: true, want: kept(true)},
		{name: "with consent, no consent", rule: domain.TextRecordingWithConsent, consent: false, want: withheld(false)},
		{name: "with consent, consent", rule: domain.TextRecordingWithConsent, consent: true, want: kept(true)},
		{name: "never, no consent", rule: domain.TextRecordingNever, consent: false, want: withheld(false)},
		{name: "never, consent", rule: domain.TextRecordingNever, consent: true, want: withheld(true)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := domain.DefaultClientPolicy()
			p.TextRecording = tt.rule
			if got, want := p.KeepsText(tt.consent), !tt.want.TextWithheld; got != want {
				t.Errorf("KeepsText(%v) = %v, want %v", tt.consent, got, want)
			}
			in := request
			in.TextConsent = tt.consent
			if diff := cmp.Diff(tt.want, p.RecordText(in)); diff != "" {
				t.Errorf("RecordText mismatch (-want, +got):\n%s", diff)
			}
		})
	}
}

func TestTextRecordingPolicy(t *testing.T) {
	t.Parallel()
	if got := domain.DefaultClientPolicy().TextRecording; got != domain.TextRecordingAlways {
		t.Errorf("default TextRecording = %v, want TextRecordingAlways", got)
	}
	tests := []struct {
		name    string
		rule    domain.TextRecording
		wantErr bool
	}{
		{name: "always", rule: domain.TextRecordingAlways},
		{name: "with consent", rule: domain.TextRecordingWithConsent},
		{name: "never", rule: domain.TextRecordingNever},
		{name: "unspecified", rule: domain.TextRecordingUnspecified, wantErr: true},
		{name: "unknown", rule: domain.TextRecording(9), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := domain.DefaultClientPolicy()
			p.TextRecording = tt.rule
			if err := domain.ValidatePolicy(p); (err != nil) != tt.wantErr {
				t.Errorf("ValidatePolicy with %v = %v, want error %v", tt.rule, err, tt.wantErr)
			}
		})
	}
}

// A withheld text is still required in the request: an employee cannot
// dodge logging a chat, an e-mail or a visit note by leaving it out.
func TestWithheldTextStillRequired(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	for _, kind := range []domain.InteractionKind{domain.KindChat, domain.KindEmail, domain.KindVisitNote} {
		in := domain.Interaction{CustomerID: "c-1", Kind: kind, Direction: domain.DirectionNote, Text: " ", OccurredAt: now}
		if _, err := domain.NormalizeInteraction(in, now); err == nil {
			t.Errorf("kind %v without text: no error, want text required", kind)
		}
	}
}
