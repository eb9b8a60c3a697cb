package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/client/internal/domain"
)

func TestNormalizeInteraction(t *testing.T) {
	t.Parallel()
	valid := domain.Interaction{
		CustomerID: "c-1",
		Kind:       domain.KindChat,
		Direction:  domain.DirectionInbound,
		Text:       "想要报价",
		OccurredAt: testNow.Add(-time.Minute),
	}
	with := func(change func(*domain.Interaction)) domain.Interaction {
		in := valid
		change(&in)
		return in
	}
	tests := []struct {
		name       string
		in         domain.Interaction
		want       domain.Interaction
		wantFields []string
	}{
		{name: "valid chat", in: valid, want: valid},
		{
			name: "call needs no text, missing occurred_at is now",
			in: with(func(in *domain.Interaction) {
				in.Kind, in.Text, in.Duration, in.OccurredAt = domain.KindCall, "", 3*time.Minute, time.Time{}
			}),
			want: with(func(in *domain.Interaction) {
				in.Kind, in.Text, in.Duration, in.OccurredAt = domain.KindCall, "", 3*time.Minute, testNow
			}),
		},
		{
			name: "text of exactly 16 KiB",
			in:   with(func(in *domain.Interaction) { in.Text = strings.Repeat("a", domain.MaxInteractionText) }),
			want: with(func(in *domain.Interaction) { in.Text = strings.Repeat("a", domain.MaxInteractionText) }),
		},
		{
			name:       "text over 16 KiB",
			in:         with(func(in *domain.Interaction) { in.Text = strings.Repeat("a", domain.MaxInteractionText+1) }),
			wantFields: []string{"text"},
		},
		{
			name:       "text not UTF-8",
			in:         with(func(in *domain.Interaction) { in.Text = "hello \xff" }),
			wantFields: []string{"text"},
		},
		{
			name:       "empty chat text",
			in:         with(func(in *domain.Interaction) { in.Text = " \n\t " }),
			wantFields: []string{"text"},
		},
		{
			name:       "empty e-mail text",
			in:         with(func(in *domain.Interaction) { in.Kind, in.Text = domain.KindEmail, "" }),
			wantFields: []string{"text"},
		},
		{
			name: "empty visit note",
			in: with(func(in *domain.Interaction) {
				in.Kind, in.Direction, in.Text = domain.KindVisitNote, domain.DirectionNote, ""
			}),
			wantFields: []string{"text"},
		},
		{
			name:       "negative duration",
			in:         with(func(in *domain.Interaction) { in.Kind, in.Duration = domain.KindCall, -time.Second }),
			wantFields: []string{"duration"},
		},
		{
			name:       "duration over a day",
			in:         with(func(in *domain.Interaction) { in.Kind, in.Duration = domain.KindMeeting, 25*time.Hour }),
			wantFields: []string{"duration"},
		},
		{
			name: "kind and direction unspecified",
			in: with(func(in *domain.Interaction) {
				in.Kind, in.Direction = domain.KindUnspecified, domain.DirectionUnspecified
			}),
			wantFields: []string{"direction", "kind"},
		},
		{
			name:       "kind and direction beyond the known values",
			in:         with(func(in *domain.Interaction) { in.Kind, in.Direction = domain.KindMeeting+1, domain.DirectionNote+1 }),
			wantFields: []string{"direction", "kind"},
		},
		{
			name:       "occurred_at before 2000",
			in:         with(func(in *domain.Interaction) { in.OccurredAt = time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC) }),
			wantFields: []string{"occurred_at"},
		},
		{
			name:       "occurred_at in the future",
			in:         with(func(in *domain.Interaction) { in.OccurredAt = testNow.Add(time.Hour) }),
			wantFields: []string{"occurred_at"},
		},
		{
			name:       "missing customer",
			in:         with(func(in *domain.Interaction) { in.CustomerID = "" }),
			wantFields: []string{"customer_id"},
		},
		{
			name: "every violation is reported together",
			in: domain.Interaction{
				Text:       "\xff",
				Duration:   -time.Minute,
				OccurredAt: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC),
			},
			wantFields: []string{"customer_id", "direction", "duration", "kind", "occurred_at", "text"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.NormalizeInteraction(tt.in, testNow)
			if tt.wantFields != nil {
				if diff := cmp.Diff(tt.wantFields, violatedFields(t, err)); diff != "" {
					t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("NormalizeInteraction: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("NormalizeInteraction mismatch (-want, +got):\n%s", diff)
			}
		})
	}
}
