package domain

import (
	"errors"
	"fmt"
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

// Interaction is one logged touch of a customer, or of a contact that is
// not (yet) a registered customer.
type Interaction struct {
	CustomerID string
	// Counterparty is the unregistered contact talked to when CustomerID is
	// empty: an E.164 phone number or a lower-cased WeChat id once
	// normalised (see NormalizeCounterparty).
	Counterparty string
	Kind         InteractionKind
	Direction    Direction
	Text         string
	Duration     time.Duration
	OccurredAt   time.Time
	// TextConsent is the request's word that the customer agreed to the
	// text being recorded; it decides TextWithheld (see
	// ClientPolicy.RecordText) and is not itself kept.
	TextConsent bool
	// TextWithheld says the tenant's policy kept the text out of the
	// trail: Text is empty although the request had one.
	TextWithheld bool
}

// MaxInteractionText bounds the text of one interaction (16 KiB).
const MaxInteractionText = 16 << 10

// maxInteractionDuration rejects durations no call or meeting has.
const maxInteractionDuration = 24 * time.Hour

// NormalizeInteraction validates an interaction request and returns it with
// the counterparty normalised. It names either a customer or a
// counterparty, never both.
func NormalizeInteraction(in Interaction, now time.Time) (Interaction, error) {
	var v violations
	in.Counterparty = strings.TrimSpace(in.Counterparty)
	switch {
	case in.CustomerID != "" && in.Counterparty != "":
		v.Add("customer_id", "give a customer_id or a counterparty_contact, not both")
		v.Add("counterparty_contact", "give a customer_id or a counterparty_contact, not both")
	case in.CustomerID == "" && in.Counterparty == "":
		v.Add("customer_id", "required, or a counterparty_contact for a contact who is not a registered customer")
	case in.Counterparty != "":
		c, err := NormalizeCounterparty(in.Counterparty)
		if err != nil {
			v.Add("counterparty_contact", "%v", err)
		}
		in.Counterparty = c
	}
	if in.Kind < KindChat || in.Kind > KindMeeting {
		v.Add("kind", "required: chat, call, email, visit_note or meeting")
	}
	if in.Direction < DirectionInbound || in.Direction > DirectionNote {
		v.Add("direction", "required: inbound, outbound or note")
	}
	switch {
	case !utf8.ValidString(in.Text):
		v.Add("text", "not valid UTF-8")
	case len(in.Text) > MaxInteractionText:
		v.Add("text", "at most %d bytes", MaxInteractionText)
	case strings.TrimSpace(in.Text) == "" && (in.Kind == KindChat || in.Kind == KindEmail || in.Kind == KindVisitNote):
		v.Add("text", "required for chats, e-mails and visit notes")
	}
	if in.Duration < 0 || in.Duration > maxInteractionDuration {
		v.Add("duration", "between 0 and 24h")
	}
	in.OccurredAt = checkOccurredAt(&v, in.OccurredAt, now)
	return in, v.Err()
}

// errNotACounterparty says what a counterparty contact may be.
var errNotACounterparty = errors.New("a phone number or a WeChat id (6-20 characters of letters, digits, _ and -, starting with a letter)")

// NormalizeCounterparty returns an unregistered contact in the form a
// registered customer's identity key has, so the two can be compared: a
// phone in E.164, or a WeChat id lower-cased (WeChat ids are matched
// without case, as in KeysOf). A WeChat id starts with a letter and a
// phone number never does, so the two cannot be confused.
func NormalizeCounterparty(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if validWeChatID(s) {
		return strings.ToLower(s), nil
	}
	if p, err := NormalizePhone(s); err == nil {
		return p, nil
	}
	return "", errNotACounterparty
}

// CounterpartyKeys is the identity key a normalised counterparty would
// share with a registered customer.
func CounterpartyKeys(counterparty string) IdentityKeys {
	if strings.HasPrefix(counterparty, "+") {
		return IdentityKeys{Phones: []string{counterparty}}
	}
	return IdentityKeys{WeChatID: counterparty}
}

// MaskCounterparty masks a normalised counterparty as reads mask a
// customer's phone or WeChat id.
func MaskCounterparty(counterparty string) string {
	if strings.HasPrefix(counterparty, "+") {
		return MaskPhone(counterparty)
	}
	return MaskWeChatID(counterparty)
}

// LoggedInteraction is an interaction as the read model keeps it.
type LoggedInteraction struct {
	Tenant string
	ID     string
	// EmployeeID is who had the interaction (not necessarily who sent the
	// record: a feed logs for an employee).
	EmployeeID string
	Interaction
	// Deleted hides the interaction from reads; the event stays in the log.
	Deleted bool
	// Sequence is the CLIENT sequence of its InteractionLogged: lists are
	// ordered by it, newest first.
	Sequence uint64
}

// CanLogCounterparty: an employee who sells or runs sales logs their own
// talks with contacts who are not registered customers.
func (a Actor) CanLogCounterparty() bool {
	return a.has("sales", "senior_sales", "manager")
}

// CanLogFor: whose interaction the actor may log. Only a feed (role
// service) or an admin logs for another employee.
func (a Actor) CanLogFor(employee string) bool {
	return employee == a.EmployeeID || a.has("service", "admin")
}

// CanListInteractionsOf: an employee lists their own interactions;
// senior_sales their team's, managers their subtree's, and hr, auditors
// and admins anyone's.
func (a Actor) CanListInteractionsOf(employee string) bool {
	return a.SeesHolder(employee)
}

// CanSeeDeleted: deleted interactions are evidence, for hr, auditors and
// admins only.
func (a Actor) CanSeeDeleted() bool {
	return a.has("hr", "auditor", "admin")
}

// CheckDeletion decides whether actor may delete li, which loggedBy sent:
// the employee who had the interaction and logged it themselves, a manager
// whose subtree the employee is in, or an admin. A record a feed logged for an employee is evidence
// the employee cannot hide.
func CheckDeletion(actor Actor, li LoggedInteraction, loggedBy string) error {
	own := li.EmployeeID == actor.EmployeeID && loggedBy == actor.EmployeeID
	if !own && !actor.has("admin") && (!actor.has("manager") || !actor.SeesHolder(li.EmployeeID)) {
		return fmt.Errorf("delete interaction: %w: only the employee who had and logged it, their manager or an admin", ErrPermissionDenied)
	}
	if li.Deleted {
		return fmt.Errorf("delete interaction: %w: the interaction is already deleted", ErrPrecondition)
	}
	return nil
}
