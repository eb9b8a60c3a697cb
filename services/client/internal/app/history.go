package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// HistoryEntry is one event of a customer's trail, told for a person to
// read. The event as stored (Stream, Sequence) is the evidence; Summary is
// a reading aid that never holds a contact value in the clear.
type HistoryEntry struct {
	EventID    string
	Stream     string
	Sequence   uint64
	EventType  string
	ActorID    string
	OccurredAt time.Time
	RecordedAt time.Time
	Summary    string
}

// HistoryPage is one page of a customer's trail. Next is the sequence the
// following page starts after, 0 on the last page.
type HistoryPage struct {
	Entries []HistoryEntry
	Next    uint64
}

// GetCustomerHistory returns up to limit events of a customer's trail
// recorded after the CLIENT sequence after, oldest first, once the read
// model has applied minSeq.
//
// The trail is the read model's index of the events about the customer
// (store.CustomerTrail): those of its own aggregate, the interactions that
// name it and the reveals of its contacts, which live on per-employee-day
// aggregates. Each event is then read from CLIENT itself, so what the page
// shows is what the log holds, not a copy. Exports that included the
// customer are not in the trail.
func (a *App) GetCustomerHistory(ctx context.Context, actor domain.Actor, customerID string, after uint64, limit int, minSeq uint64) (HistoryPage, error) {
	switch {
	case customerID == "":
		return HistoryPage{}, &domain.ValidationError{Violations: []domain.FieldViolation{{Field: "customer_id", Description: "required"}}}
	case !eventlog.ValidToken(customerID):
		return HistoryPage{}, invalidID("customer_id")
	case limit <= 0:
		return HistoryPage{}, fmt.Errorf("customer history: limit %d is not positive", limit)
	}
	if err := a.waitFor(ctx, minSeq); err != nil {
		return HistoryPage{}, err
	}
	c, err := a.store.GetCustomer(ctx, actor.Tenant, customerID)
	if err != nil {
		return HistoryPage{}, fmt.Errorf("customer history %s: %w", customerID, err)
	}
	if actor, err = a.withVisibility(ctx, actor); err != nil {
		return HistoryPage{}, fmt.Errorf("customer history: %w", err)
	}
	if !actor.CanReadHistory(c) {
		return HistoryPage{}, fmt.Errorf("customer history: %w: only hr, auditors, admins, the holder's managers and the customer's holder", domain.ErrPermissionDenied)
	}
	// One sequence more than the page tells whether another page follows.
	seqs, err := a.store.CustomerTrail(ctx, actor.Tenant, customerID, after, limit+1)
	if err != nil {
		return HistoryPage{}, fmt.Errorf("customer history: %w", err)
	}
	var page HistoryPage
	if len(seqs) > limit {
		seqs = seqs[:limit]
		page.Next = seqs[limit-1]
	}
	for _, seq := range seqs {
		rec, err := a.log.Get(ctx, eventlog.StreamClient, seq)
		if errors.Is(err, eventlog.ErrNoEvent) {
			// Only a tenant's retention policy removes events from CLIENT.
			a.logger.WarnContext(ctx, "customer trail names an event CLIENT no longer holds", "sequence", seq)
			continue
		}
		if err != nil {
			return HistoryPage{}, fmt.Errorf("customer history: %w", err)
		}
		entry, err := historyEntry(rec, c)
		if err != nil {
			return HistoryPage{}, fmt.Errorf("customer history: %w", err)
		}
		page.Entries = append(page.Entries, entry)
	}
	return page, nil
}

// historyEntry tells rec, an event about c, checking it is about c: an
// index pointing elsewhere must not show another customer's events.
func historyEntry(rec eventlog.Record, c domain.Customer) (HistoryEntry, error) {
	env := rec.Envelope
	entry := HistoryEntry{
		EventID:    env.GetEventId(),
		Stream:     rec.Stream,
		Sequence:   rec.Sequence,
		EventType:  eventlog.TypeName(env),
		ActorID:    env.GetActorId(),
		OccurredAt: env.GetOccurredAt().AsTime(),
		RecordedAt: env.GetRecordedAt().AsTime(),
	}
	if env.GetTenantId() != c.Tenant {
		return entry, fmt.Errorf("%w: CLIENT %d is not of tenant %s", ErrCorruptHistory, rec.Sequence, c.Tenant)
	}
	msg, err := eventlog.Payload(env)
	if errors.Is(err, eventlog.ErrUnknownType) {
		// A newer writer's event, indexed by a newer projector.
		entry.Summary = fmt.Sprintf("%s: an event this version cannot describe (%s)", entry.ActorID, entry.EventType)
		return entry, nil
	}
	if err != nil {
		return entry, err
	}
	if about, ok := msg.(interface{ GetCustomerId() string }); !ok || about.GetCustomerId() != c.ID {
		return entry, fmt.Errorf("%w: CLIENT %d (%s) is not about customer %s", ErrCorruptHistory, rec.Sequence, entry.EventType, c.ID)
	}
	entry.Summary = summarize(entry.ActorID, msg, c)
	return entry, nil
}

// summarize says in English what msg, caused by actor, did to c. Reasons
// are the actor's words, with any contact they quote masked; an
// interaction's text is never shown (ListInteractions shows it to those who
// may read it).
func summarize(actor string, msg proto.Message, c domain.Customer) string {
	reason := func(s, r string) string {
		if r = strings.TrimSpace(r); r != "" {
			return s + ": " + domain.MaskContactsIn(r, c)
		}
		return s
	}
	switch ev := msg.(type) {
	case *clientv1.CustomerRegistered:
		s := fmt.Sprintf("%s registered the customer (source: %s)", actor, enumWords(ev.GetSourceChannel().String(), "SOURCE_CHANNEL_"))
		if owner := ev.GetOwnerEmployeeId(); owner != actor {
			s += ", held by " + holderName(owner)
		}
		return s
	case *clientv1.CustomerOwnerChanged:
		return reason(ownerChangeSummary(actor, ev), ev.GetReason())
	case *clientv1.DuplicateRegistrationAttempted:
		var on []string
		for _, m := range ev.GetMatchedOn() {
			if name, ok := matchNames[m]; ok {
				m = name
			}
			on = append(on, m)
		}
		held := "while it was in the pool"
		if h := ev.GetHolderId(); h != "" {
			held = "while " + h + " held it"
		}
		return fmt.Sprintf("%s tried to register the customer again (matched on %s) %s", ev.GetAttemptedBy(), strings.Join(on, ", "), held)
	case *clientv1.InteractionLogged:
		s := fmt.Sprintf("%s logged %s", actor, interactionPhrase(ev))
		if e := ev.GetEmployeeId(); e != actor {
			s += " for " + e
		}
		return s + " (interaction " + ev.GetInteractionId() + ")"
	case *clientv1.InteractionDeleted:
		whose := "their"
		if e := ev.GetEmployeeId(); e != actor {
			whose = e + "'s"
		}
		return reason(fmt.Sprintf("%s deleted %s interaction %s", actor, whose, ev.GetInteractionId()), ev.GetReason())
	case *clientv1.ContactRevealed:
		s := fmt.Sprintf("%s revealed %s", actor, contactName(ev.GetField(), ev.GetIndex(), c))
		if !ev.GetAssigned() {
			s += ", not holding the customer"
		}
		return reason(s, ev.GetReason())
	case *clientv1.RevealDenied:
		return reason(fmt.Sprintf("%s was refused %s (daily quota of %d reveals spent)", actor, contactName(ev.GetField(), ev.GetIndex(), c), ev.GetQuota()), ev.GetReason())
	}
	return fmt.Sprintf("%s: %s", actor, eventlog.Name(msg))
}

// ownerChangeSummary tells a change of holder by its cause.
func ownerChangeSummary(actor string, ev *clientv1.CustomerOwnerChanged) string {
	from, to := ev.GetPreviousOwnerId(), ev.GetNewOwnerId()
	switch ev.GetCause() {
	case clientv1.OwnershipCause_OWNERSHIP_CAUSE_ASSIGNED:
		return fmt.Sprintf("%s assigned the customer to %s", actor, to)
	case clientv1.OwnershipCause_OWNERSHIP_CAUSE_REASSIGNED:
		return fmt.Sprintf("%s reassigned the customer from %s to %s", actor, from, to)
	case clientv1.OwnershipCause_OWNERSHIP_CAUSE_RELEASED:
		if from == actor {
			return actor + " released the customer to the pool"
		}
		return fmt.Sprintf("%s released the customer from %s to the pool", actor, from)
	case clientv1.OwnershipCause_OWNERSHIP_CAUSE_CLAIMED:
		if to == actor {
			return actor + " claimed the customer from the pool"
		}
		return fmt.Sprintf("%s claimed the customer from the pool for %s", actor, to)
	case clientv1.OwnershipCause_OWNERSHIP_CAUSE_RETURNED_IDLE:
		return fmt.Sprintf("%s returned the customer from %s to the pool", actor, from)
	}
	return fmt.Sprintf("%s moved the customer from %s to %s", actor, holderName(from), holderName(to))
}

// holderName is an owner id as a summary says it.
func holderName(id string) string {
	if id == "" {
		return "the pool"
	}
	return id
}

// matchNames are DuplicateRegistrationAttempted.matched_on values in words.
var matchNames = map[string]string{"phone": "phone", "email": "e-mail", "wechat_id": "WeChat id", "company_name": "company name"}

// kindNames are interaction kinds in words.
var kindNames = map[clientv1.InteractionKind]string{
	clientv1.InteractionKind_INTERACTION_KIND_CHAT:       "chat",
	clientv1.InteractionKind_INTERACTION_KIND_CALL:       "call",
	clientv1.InteractionKind_INTERACTION_KIND_EMAIL:      "e-mail",
	clientv1.InteractionKind_INTERACTION_KIND_VISIT_NOTE: "visit note",
	clientv1.InteractionKind_INTERACTION_KIND_MEETING:    "meeting",
}

// interactionPhrase is "an outbound call of 2m30s", "a visit note" ….
func interactionPhrase(ev *clientv1.InteractionLogged) string {
	words := kindNames[ev.GetKind()]
	if words == "" {
		words = "interaction"
	}
	switch ev.GetDirection() {
	case clientv1.Direction_DIRECTION_INBOUND:
		words = "inbound " + words
	case clientv1.Direction_DIRECTION_OUTBOUND:
		words = "outbound " + words
	}
	article := "a "
	if strings.ContainsRune("aeiou", rune(words[0])) {
		article = "an "
	}
	if d := ev.GetDuration().AsDuration(); d > 0 {
		words += " of " + d.String()
	}
	return article + words
}

// contactName names the revealed field; a phone by its number in the list
// (1-based) when the customer has several.
func contactName(f clientv1.ContactField, index int32, c domain.Customer) string {
	switch f {
	case clientv1.ContactField_CONTACT_FIELD_PHONE:
		if len(c.Phones) > 1 || index > 0 {
			return fmt.Sprintf("phone %d", index+1)
		}
		return "the phone"
	case clientv1.ContactField_CONTACT_FIELD_WECHAT_ID:
		return "the WeChat id"
	case clientv1.ContactField_CONTACT_FIELD_EMAIL:
		return "the e-mail"
	}
	return "a contact"
}

// enumWords turns an enum value name into lower-case words:
// SOURCE_CHANNEL_TRADE_SHOW → trade show.
func enumWords(name, prefix string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(name, prefix), "_", " "))
}
