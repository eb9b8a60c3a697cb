package domain

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// PayerRelation is how a payer account relates to a customer, numbered as
// holdfast.order.v1.PayerRelation.
type PayerRelation int

// Payer relations.
const (
	PayerUnspecified PayerRelation = iota
	PayerOwn
	PayerParentCompany
	PayerRelated
	PayerUnknown
)

// Registrable reports whether r may be registered on a customer (unknown
// is what an unregistered account is, never a registration).
func (r PayerRelation) Registrable() bool { return r >= PayerOwn && r <= PayerRelated }

// Payment is one payment with the facts computed when it was recorded.
type Payment struct {
	ID                    string
	AmountMinor           int64
	Currency              string
	PayerAccount          string
	PayeeAccount          string
	Reference             string
	PaidAt                time.Time
	PayeeIsCompanyAccount bool
	PayerRelation         PayerRelation
	CurrencyMatchesOrder  bool
}

// PaymentInput is a payment as reported by finance, accounts not yet normalised.
type PaymentInput struct {
	AmountMinor  int64
	Currency     string
	PayerAccount string
	PayeeAccount string
	Reference    string
	PaidAt       time.Time
}

// CheckPayment validates a payment report and returns it with its
// accounts normalised.
func CheckPayment(in PaymentInput) (PaymentInput, error) {
	var v violations
	if in.AmountMinor <= 0 || in.AmountMinor > MaxAmountMinor {
		v.Add("amount_minor", "must be 1 to %d minor units", MaxAmountMinor)
	}
	if !KnownCurrency(in.Currency) {
		v.Add("currency", "unknown ISO 4217 currency %q", in.Currency)
	}
	var ok bool
	if in.PayerAccount, ok = NormalizeAccount(in.PayerAccount); !ok {
		v.Add("payer_account", "4-64 letters and digits (spaces and dashes ignored)")
	}
	if in.PayeeAccount, ok = NormalizeAccount(in.PayeeAccount); !ok {
		v.Add("payee_account", "4-64 letters and digits (spaces and dashes ignored)")
	}
	if len(in.Reference) > maxLabelLen || !utf8.ValidString(in.Reference) {
		v.Add("reference", "at most %d bytes of valid UTF-8", maxLabelLen)
	}
	if in.PaidAt.IsZero() {
		v.Add("paid_at", "required")
	}
	return in, v.Err()
}

// PaymentFacts are what a recorded payment says beyond the report.
type PaymentFacts struct {
	Payment        Payment
	PaidTotalMinor int64
	// PaidToCompanyTotalMinor counts only payments into company accounts.
	PaidToCompanyTotalMinor int64
	PaidInFull              bool
	Overpaid                bool
}

// RecordPayment computes a payment's facts against o, the tenant's company
// accounts and the customer's registered payer accounts. A payment in
// another currency is recorded but not counted in the paid total.
func RecordPayment(o Order, id string, in PaymentInput, companyAccounts map[string]bool, payers map[string]PayerRelation) PaymentFacts {
	relation, ok := payers[in.PayerAccount]
	if !ok {
		relation = PayerUnknown
	}
	p := Payment{
		ID: id, AmountMinor: in.AmountMinor, Currency: in.Currency, PayerAccount: in.PayerAccount,
		PayeeAccount: in.PayeeAccount, Reference: in.Reference, PaidAt: in.PaidAt,
		PayeeIsCompanyAccount: companyAccounts[in.PayeeAccount], PayerRelation: relation,
		CurrencyMatchesOrder: in.Currency == o.Currency,
	}
	total, company := o.PaidTotalMinor, o.PaidToCompanyTotalMinor
	if p.CurrencyMatchesOrder {
		total += p.AmountMinor
		if p.PayeeIsCompanyAccount {
			company += p.AmountMinor
		}
	}
	return PaymentFacts{
		Payment: p, PaidTotalMinor: total, PaidToCompanyTotalMinor: company,
		PaidInFull: total >= o.AmountMinor, Overpaid: total > o.AmountMinor,
	}
}

// Shipment is goods sent for an order.
type Shipment struct {
	ID                     string
	Carrier                string
	TrackingNumber         string
	DeliveryAddress        string
	ShippedAt              time.Time
	AddressMatchesCustomer bool
	DeliveredAt            time.Time
}

// ShipmentInput is a shipment as reported by logistics.
type ShipmentInput struct {
	Carrier         string
	TrackingNumber  string
	DeliveryAddress string
	ShippedAt       time.Time
}

// CheckShipment validates a shipment report.
func CheckShipment(in ShipmentInput) error {
	var v violations
	if !textOK(in.Carrier, maxCarrierLen) {
		v.Add("carrier", "required, at most %d bytes of valid UTF-8", maxCarrierLen)
	}
	if !textOK(in.TrackingNumber, maxTrackingLen) {
		v.Add("tracking_number", "required, at most %d bytes of valid UTF-8", maxTrackingLen)
	}
	if !textOK(in.DeliveryAddress, maxAddressLen) {
		v.Add("delivery_address", "required, at most %d bytes of valid UTF-8", maxAddressLen)
	}
	if in.ShippedAt.IsZero() {
		v.Add("shipped_at", "required")
	}
	return v.Err()
}

// RecordShipment computes a shipment's facts: does it go where the customer
// is registered, and where the order said it would. Goods that leave are a
// fact whatever the order's status (a shipment of an unapproved order is
// itself evidence), so no status refuses it.
func RecordShipment(o Order, id string, in ShipmentInput, customerAddress string) (Shipment, bool) {
	s := Shipment{
		ID: id, Carrier: in.Carrier, TrackingNumber: in.TrackingNumber, DeliveryAddress: in.DeliveryAddress,
		ShippedAt: in.ShippedAt, AddressMatchesCustomer: AddressesMatch(in.DeliveryAddress, customerAddress),
	}
	return s, AddressesMatch(in.DeliveryAddress, o.ExpectedDeliveryAddress)
}

// Deliver checks shipment id of o may be recorded as delivered.
func Deliver(o Order, shipmentID string) error {
	for _, s := range o.Shipments {
		if s.ID != shipmentID {
			continue
		}
		if !s.DeliveredAt.IsZero() {
			return fmt.Errorf("%w: shipment %s was delivered already", ErrPrecondition, shipmentID)
		}
		return nil
	}
	return fmt.Errorf("shipment %s: %w", shipmentID, ErrNotFound)
}

// CheckAccountLabel validates an account's label.
func CheckAccountLabel(label string) error {
	var v violations
	if len(label) > maxLabelLen || !utf8.ValidString(label) {
		v.Add("label", "at most %d bytes of valid UTF-8", maxLabelLen)
	}
	return v.Err()
}
