package app

import (
	"errors"
	"fmt"
	"slices"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/domain"
)

func customerRegisteredEvent(id, owner string, r domain.Registration) *clientv1.CustomerRegistered {
	return &clientv1.CustomerRegistered{
		CustomerId:      id,
		PersonName:      r.PersonName,
		CompanyName:     r.CompanyName,
		Phones:          r.Phones,
		WechatId:        r.WeChatID,
		Email:           r.Email,
		SourceChannel:   clientv1.SourceChannel(r.Source),
		OwnerEmployeeId: owner,
		Address:         addressToProto(r.Address),
		TaxId:           r.TaxID,
	}
}

func addressToProto(a domain.Address) *clientv1.Address {
	if a.Text == "" && a.Location == nil {
		return nil
	}
	out := &clientv1.Address{Text: a.Text}
	if a.Location != nil {
		out.Location = &clientv1.GeoPoint{Latitude: a.Location.Latitude, Longitude: a.Location.Longitude}
	}
	return out
}

// AddressFromProto converts the wire form (nil = no address).
func AddressFromProto(a *clientv1.Address) domain.Address {
	out := domain.Address{Text: a.GetText()}
	if l := a.GetLocation(); l != nil {
		out.Location = &domain.GeoPoint{Latitude: l.GetLatitude(), Longitude: l.GetLongitude()}
	}
	return out
}

func interactionLoggedEvent(id, employee string, in domain.Interaction) *clientv1.InteractionLogged {
	ev := &clientv1.InteractionLogged{
		InteractionId:       id,
		CustomerId:          in.CustomerID,
		EmployeeId:          employee,
		Kind:                clientv1.InteractionKind(in.Kind),
		Direction:           clientv1.Direction(in.Direction),
		Text:                in.Text,
		CounterpartyContact: in.Counterparty,
		TextWithheld:        in.TextWithheld,
	}
	if in.Duration > 0 {
		ev.Duration = durationpb.New(in.Duration)
	}
	return ev
}

// loggedInteraction is the read view of an InteractionLogged.
func loggedInteraction(rec eventlog.Record, ev *clientv1.InteractionLogged) domain.LoggedInteraction {
	return domain.LoggedInteraction{
		Tenant:     rec.Envelope.GetTenantId(),
		ID:         ev.GetInteractionId(),
		EmployeeID: ev.GetEmployeeId(),
		Sequence:   rec.Sequence,
		Interaction: domain.Interaction{
			CustomerID:   ev.GetCustomerId(),
			Counterparty: ev.GetCounterpartyContact(),
			Kind:         domain.InteractionKind(ev.GetKind()),
			Direction:    domain.Direction(ev.GetDirection()),
			Text:         ev.GetText(),
			Duration:     ev.GetDuration().AsDuration(),
			OccurredAt:   rec.Envelope.GetOccurredAt().AsTime(),
			TextWithheld: ev.GetTextWithheld(),
		},
	}
}

// foldInteraction rebuilds an interaction from its own events: logged
// once, then possibly deleted.
func foldInteraction(agg eventlog.Aggregate) (domain.LoggedInteraction, error) {
	var li domain.LoggedInteraction
	for i, rec := range agg.Records {
		msg, err := rec.Payload()
		if err != nil {
			return li, err
		}
		switch ev := msg.(type) {
		case *clientv1.InteractionLogged:
			if i != 0 {
				return li, fmt.Errorf("%w: interaction %s logged twice", ErrCorruptHistory, agg.Ref.ID)
			}
			li = loggedInteraction(rec, ev)
		case *clientv1.InteractionDeleted:
			if i == 0 {
				return li, fmt.Errorf("%w: interaction %s deleted before it was logged", ErrCorruptHistory, agg.Ref.ID)
			}
			li.Deleted = true
		default:
			return li, fmt.Errorf("%w: unexpected %s in interaction %s", ErrCorruptHistory, eventlog.TypeName(rec.Envelope), agg.Ref.ID)
		}
	}
	return li, nil
}

// ErrCorruptHistory is returned when an aggregate's events do not fold.
var ErrCorruptHistory = errors.New("corrupt aggregate history")

// foldCustomer rebuilds a customer from its own events.
func foldCustomer(agg eventlog.Aggregate) (domain.Customer, error) {
	var c domain.Customer
	for i, rec := range agg.Records {
		msg, err := rec.Payload()
		if err != nil {
			return c, err
		}
		switch ev := msg.(type) {
		case *clientv1.CustomerRegistered:
			if i != 0 {
				return c, fmt.Errorf("%w: %s registered twice", ErrCorruptHistory, agg.Ref.ID)
			}
			c = customerFromRegistered(rec, ev)
		case *clientv1.CustomerOwnerChanged:
			c = applyOwnerChanged(c, rec, ev)
		case *clientv1.DuplicateRegistrationAttempted:
			// evidence about the customer; its state is unchanged
		default:
			return c, fmt.Errorf("%w: unexpected %s in customer %s", ErrCorruptHistory, eventlog.TypeName(rec.Envelope), agg.Ref.ID)
		}
		c.Version = rec.Envelope.GetAggregateVersion()
	}
	return c, nil
}

func customerFromRegistered(rec eventlog.Record, ev *clientv1.CustomerRegistered) domain.Customer {
	return domain.Customer{
		Tenant:       rec.Envelope.GetTenantId(),
		ID:           ev.GetCustomerId(),
		PersonName:   ev.GetPersonName(),
		CompanyName:  ev.GetCompanyName(),
		Phones:       ev.GetPhones(),
		WeChatID:     ev.GetWechatId(),
		Email:        ev.GetEmail(),
		Source:       domain.SourceChannel(ev.GetSourceChannel()),
		OwnerID:      ev.GetOwnerEmployeeId(),
		RegisteredBy: rec.Envelope.GetActorId(),
		RegisteredAt: rec.Envelope.GetOccurredAt().AsTime(),
		Version:      rec.Envelope.GetAggregateVersion(),
		Address:      AddressFromProto(ev.GetAddress()),
		TaxID:        ev.GetTaxId(),
		HeldSince:    rec.Envelope.GetOccurredAt().AsTime(),
	}
}

// applyOwnerChanged is the customer after an ownership event.
func applyOwnerChanged(c domain.Customer, rec eventlog.Record, ev *clientv1.CustomerOwnerChanged) domain.Customer {
	c.OwnerID = ev.GetNewOwnerId()
	c.HeldSince = rec.Envelope.GetOccurredAt().AsTime()
	c.Version = rec.Envelope.GetAggregateVersion()
	return c
}

func ownerChangedEvent(ch domain.OwnerChange) *clientv1.CustomerOwnerChanged {
	return &clientv1.CustomerOwnerChanged{
		CustomerId:      ch.CustomerID,
		PreviousOwnerId: ch.From,
		NewOwnerId:      ch.To,
		Cause:           clientv1.OwnershipCause(ch.Cause),
		Reason:          ch.Reason,
	}
}

// sameRegistration reports whether a retried registration asks for what
// the stored one recorded (occurred_at aside: a retry without one gets "now").
func sameRegistration(c domain.Customer, r domain.Registration) bool {
	return c.PersonName == r.PersonName && c.CompanyName == r.CompanyName &&
		slices.Equal(c.Phones, r.Phones) && c.WeChatID == r.WeChatID &&
		c.Email == r.Email && c.Source == r.Source
}

// sameInteraction reports whether a retried interaction, of employee,
// matches the stored one (occurred_at aside: a retry without one gets "now").
// in is the request as sent: a withheld text is not in the log to compare,
// so the rest of the interaction must match.
func sameInteraction(rec eventlog.Record, employee string, in domain.Interaction) bool {
	msg, err := rec.Payload()
	if err != nil {
		return false
	}
	ev, ok := msg.(*clientv1.InteractionLogged)
	return ok && ev.GetCustomerId() == in.CustomerID && ev.GetCounterpartyContact() == in.Counterparty &&
		ev.GetEmployeeId() == employee && (ev.GetTextWithheld() || ev.GetText() == in.Text) &&
		domain.InteractionKind(ev.GetKind()) == in.Kind && domain.Direction(ev.GetDirection()) == in.Direction &&
		ev.GetDuration().AsDuration() == in.Duration
}
