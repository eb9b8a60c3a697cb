package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// InteractionKind is the medium of an interaction, numbered as in the proto.
type InteractionKind int

// Interaction kinds.
const (
	KindUnspecified InteractionKind = iota
	KindChat
	KindCall
	KindEmail
	KindVisitNote
	KindMeeting
)

// Direction says who spoke, numbered as in the proto.
type Direction int

// Directions.
const (
	DirectionUnspecified Direction = iota
	DirectionInbound
	DirectionOutbound
	DirectionNote
)

// Interaction is one logged touch of a customer.
type Interaction struct {
	CustomerID string
	Kind       InteractionKind
	Direction  Direction
	Text       string
	Duration   time.Duration
	OccurredAt time.Time
}

// MaxInteractionText bounds the text of one interaction (16 KiB).
const MaxInteractionText = 16 << 10

// maxInteractionDuration rejects durations no call or meeting has.
const maxInteractionDuration = 24 * time.Hour

// NormalizeInteraction validates an interaction request.
func NormalizeInteraction(in Interaction, now time.Time) (Interaction, error) {
	var v violations
	if in.CustomerID == "" {
		v.add("customer_id", "required")
	}
	if in.Kind < KindChat || in.Kind > KindMeeting {
		v.add("kind", "required: chat, call, email, visit_note or meeting")
	}
	if in.Direction < DirectionInbound || in.Direction > DirectionNote {
		v.add("direction", "required: inbound, outbound or note")
	}
	switch {
	case !utf8.ValidString(in.Text):
		v.add("text", "not valid UTF-8")
	case len(in.Text) > MaxInteractionText:
		v.add("text", "at most %d bytes", MaxInteractionText)
	case strings.TrimSpace(in.Text) == "" && (in.Kind == KindChat || in.Kind == KindEmail || in.Kind == KindVisitNote):
		v.add("text", "required for chats, e-mails and visit notes")
	}
	if in.Duration < 0 || in.Duration > maxInteractionDuration {
		v.add("duration", "between 0 and 24h")
	}
	in.OccurredAt = checkOccurredAt(&v, in.OccurredAt, now)
	return in, v.err()
}
