package domain

import (
	"errors"
	"fmt"
	"strings"
)

// ContactField names one contact detail RevealContact can show, numbered
// as in holdfast.client.v1.ContactField.
type ContactField int

// Contact fields.
const (
	ContactUnspecified ContactField = iota
	ContactPhone
	ContactWeChatID
	ContactEmail
)

// RevealRequest asks to see one contact detail of a customer unmasked.
type RevealRequest struct {
	CustomerID string
	Field      ContactField
	// Index picks one of the customer's phones (0-based); other fields have
	// one value and take 0.
	Index int
	// Reason is the caller's own words, recorded with the reveal.
	Reason string
}

// ErrNoSuchContact is wrapped (with ErrPrecondition) when the customer has
// no value in the asked-for field.
var ErrNoSuchContact = errors.New("the customer has no such contact")

// NormalizeReveal validates a reveal request and returns it with the reason
// trimmed. Whether the index names one of the customer's phones is only
// known once the customer is loaded: see ContactValue.
func NormalizeReveal(r RevealRequest) (RevealRequest, error) {
	var v violations
	if r.CustomerID == "" {
		v.Add("customer_id", "required")
	}
	switch {
	case r.Field < ContactPhone || r.Field > ContactEmail:
		v.Add("field", "required: phone, wechat_id or email")
	case r.Index < 0:
		v.Add("index", "0 or more")
	case r.Index > 0 && r.Field != ContactPhone:
		v.Add("index", "only phones have an index; leave it 0")
	}
	var bad *ValidationError
	if err := CheckReason("reason", r.Reason); errors.As(err, &bad) {
		v = append(v, bad.Violations...)
	}
	r.Reason = strings.TrimSpace(r.Reason)
	return r, v.Err()
}

// CanReveal: the holder, if they sell or run sales; a manager for the
// customers of their subtree and the pool; hr, auditors and admins for
// every customer. senior_sales read their team's customers masked but
// reveal only their own.
func (a Actor) CanReveal(c Customer) bool {
	own := c.OwnerID != "" && c.OwnerID == a.EmployeeID
	return (own && a.has("sales", "senior_sales", "manager")) ||
		a.has("hr", "auditor", "admin") || (a.has("manager") && a.oversees(c))
}

// ContactValue returns the unmasked detail of c that r names. An index past
// the customer's phones is a bad request; an empty field is a precondition
// the caller cannot fix by asking again. The value never appears in an
// error: errors are logged.
func ContactValue(c Customer, r RevealRequest) (string, error) {
	var value string
	switch r.Field {
	case ContactPhone:
		if len(c.Phones) > 0 && r.Index >= len(c.Phones) {
			return "", &ValidationError{Violations: []FieldViolation{{
				Field: "index", Description: fmt.Sprintf("the customer has %d phone number(s): 0 to %d", len(c.Phones), len(c.Phones)-1),
			}}}
		}
		if r.Index < len(c.Phones) {
			value = c.Phones[r.Index]
		}
	case ContactWeChatID:
		value = c.WeChatID
	case ContactEmail:
		value = c.Email
	}
	if value == "" {
		return "", fmt.Errorf("%w: %w", ErrPrecondition, ErrNoSuchContact)
	}
	return value, nil
}

// RevealAllowance is an employee's reveal quota for one tenant-local day
// and how much of it is used. Only reveals count: a denied attempt uses
// nothing.
type RevealAllowance struct {
	Quota    int
	Revealed int
}

// Check refuses a reveal once the day's quota is used up.
func (a RevealAllowance) Check() error {
	if a.Revealed >= a.Quota {
		return fmt.Errorf("%w: %d of %d reveals used today", ErrQuotaExhausted, a.Revealed, a.Quota)
	}
	return nil
}

// Left is what remains of the quota, never below 0 (a lowered quota can
// leave an employee past it).
func (a RevealAllowance) Left() int {
	return max(a.Quota-a.Revealed, 0)
}
