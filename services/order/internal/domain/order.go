package domain

import (
	"fmt"
	"slices"
	"time"
	"unicode/utf8"
)

// Status is where an order stands, numbered as holdfast.order.v1.OrderStatus.
type Status int

// Order statuses.
const (
	StatusUnspecified Status = iota
	StatusDraft
	StatusPendingApproval
	StatusApproved
	StatusRejected
	StatusWon
	StatusLost
	StatusCancelled
	StatusRefunded
)

var statusNames = [...]string{"unspecified", "draft", "pending_approval", "approved", "rejected", "won", "lost", "cancelled", "refunded"}

func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return fmt.Sprintf("status(%d)", int(s))
	}
	return statusNames[s]
}

// Valid reports whether s is a known, specified status.
func (s Status) Valid() bool { return s >= StatusDraft && s <= StatusRefunded }

// Terminal reports whether nothing but money and goods records can follow.
func (s Status) Terminal() bool {
	return s == StatusRejected || s == StatusLost || s == StatusCancelled || s == StatusRefunded
}

// LineItem is one product line; amounts are minor units.
type LineItem struct {
	Product        string
	Quantity       int64
	UnitPriceMinor int64
}

// Approval is one approved step of an order's chain.
type Approval struct {
	Role       string
	ApproverID string
	Comment    string
	ApprovedAt time.Time
}

// Order is one order as its events leave it.
type Order struct {
	Tenant                  string
	ID                      string
	CustomerID              string
	SellerID                string
	Status                  Status
	Lines                   []LineItem
	Currency                string
	AmountMinor             int64
	ClaimedSource           SourceChannel
	CustomerSource          SourceChannel
	SourceContradiction     bool
	ExpectedDeliveryAddress string
	// CustomerAddress is the customer's registered address when the order was created.
	CustomerAddress string
	ApprovalChain   []string
	Approvals       []Approval
	Payments        []Payment
	PaidTotalMinor  int64
	// PaidToCompanyTotalMinor counts only payments into company accounts.
	PaidToCompanyTotalMinor int64
	RefundedTotalMinor      int64
	Shipments               []Shipment
	CreatedAt               time.Time
	// CreatedBy and SubmittedBy are who created and submitted the order
	// (a manager may create one for a seller): neither may approve it.
	CreatedBy   string
	SubmittedBy string
	WonAt       time.Time
	LostAt      time.Time
	CancelledAt time.Time
	// Reason is the last rejection, loss, cancellation or refund reason.
	Reason  string
	Version uint64
}

// Draft is what CreateOrder asks for.
type Draft struct {
	CustomerID              string
	SellerID                string
	Lines                   []LineItem
	Currency                string
	ClaimedSource           SourceChannel
	ExpectedDeliveryAddress string
}

// Limits on what a person may type into an order.
const (
	maxLines       = 200
	maxProductLen  = 200
	maxQuantity    = 1_000_000_000
	maxAddressLen  = 500
	maxReasonLen   = 1000
	maxCarrierLen  = 100
	maxTrackingLen = 100
	maxLabelLen    = 200
)

// CheckDraft validates a draft's own fields (ids are the caller's to check)
// and returns its amount.
func CheckDraft(d Draft) (int64, error) {
	var v violations
	if len(d.Lines) == 0 || len(d.Lines) > maxLines {
		v.Add("lines", "1 to %d lines", maxLines)
	}
	var total int64
	overflow := false
	for _, l := range d.Lines {
		if !textOK(l.Product, maxProductLen) {
			v.Add("lines.product", "required, at most %d characters of valid UTF-8", maxProductLen)
		}
		if l.Quantity <= 0 || l.Quantity > maxQuantity {
			v.Add("lines.quantity", "must be 1 to %d", maxQuantity)
		}
		if l.UnitPriceMinor < 0 || l.UnitPriceMinor > MaxAmountMinor {
			v.Add("lines.unit_price_minor", "must be 0 to %d minor units", MaxAmountMinor)
		}
		sum, ok := mulAdd(total, max(l.Quantity, 0), max(l.UnitPriceMinor, 0))
		if !ok {
			overflow = true
		}
		total = sum
	}
	if overflow {
		v.Add("lines", "order total exceeds %d minor units", MaxAmountMinor)
	}
	if !KnownCurrency(d.Currency) {
		v.Add("currency", "unknown ISO 4217 currency %q", d.Currency)
	}
	if !d.ClaimedSource.Valid() {
		v.Add("claimed_source", "required: website, trade_show, referral, assignment, import or personal")
	}
	if len(d.ExpectedDeliveryAddress) > maxAddressLen || !utf8.ValidString(d.ExpectedDeliveryAddress) {
		v.Add("expected_delivery_address", "at most %d bytes of valid UTF-8", maxAddressLen)
	}
	return total, v.Err()
}

func textOK(s string, maxLen int) bool {
	return s != "" && len(s) <= maxLen && utf8.ValidString(s)
}

// CheckReason validates a free-text reason; required says whether it may be empty.
func CheckReason(field, reason string, required bool) error {
	var v violations
	if (required && reason == "") || len(reason) > maxReasonLen || !utf8.ValidString(reason) {
		if required {
			v.Add(field, "required, at most %d bytes of valid UTF-8", maxReasonLen)
		} else {
			v.Add(field, "at most %d bytes of valid UTF-8", maxReasonLen)
		}
	}
	return v.Err()
}

// Refusal says why an order attempt is refused, numbered as
// holdfast.order.v1.AttemptRefusal; RefusalNone lets it through.
type Refusal int

// Refusals.
const (
	RefusalNone Refusal = iota
	RefusalCustomerNotFound
	RefusalNotHeldBySeller
)

// CheckCustomer decides whether seller may sell to customer c (found says
// whether it exists): only its current holder may.
func CheckCustomer(sellerID string, c Customer, found bool) Refusal {
	switch {
	case !found:
		return RefusalCustomerNotFound
	case c.OwnerID == "" || c.OwnerID != sellerID:
		return RefusalNotHeldBySeller
	}
	return RefusalNone
}

// Create is the order a draft opens for customer c, with its facts.
func Create(tenant, id string, d Draft, amount int64, c Customer, at time.Time) Order {
	return Order{
		Tenant: tenant, ID: id, CustomerID: d.CustomerID, SellerID: d.SellerID, Status: StatusDraft,
		Lines: slices.Clone(d.Lines), Currency: d.Currency, AmountMinor: amount,
		ClaimedSource: d.ClaimedSource, CustomerSource: c.Source,
		SourceContradiction:     SourceContradiction(d.ClaimedSource, c.Source),
		ExpectedDeliveryAddress: d.ExpectedDeliveryAddress, CustomerAddress: c.Address,
		CreatedAt: at,
	}
}

func precondition(o Order, action string) error {
	return fmt.Errorf("%w: cannot %s an order that is %s", ErrPrecondition, action, o.Status)
}

// Submit sends a draft for approval; it returns the chain the policy asks for.
func Submit(o Order, p Policy) ([]string, error) {
	if o.Status != StatusDraft {
		return nil, precondition(o, "submit")
	}
	return p.ApprovalChain(o.Currency, o.AmountMinor), nil
}

// NextStep is the index and role of the approval o waits for.
func NextStep(o Order) (int, string, bool) {
	if o.Status != StatusPendingApproval || len(o.Approvals) >= len(o.ApprovalChain) {
		return 0, "", false
	}
	return len(o.Approvals), o.ApprovalChain[len(o.Approvals)], true
}

// Approve decides whether a may approve o's next step: the step's role (an
// admin may take a manager's step), never the seller, never one person for
// two steps. It returns the step, its role and whether it is the last.
func Approve(o Order, a Actor) (int, string, bool, error) {
	step, role, ok := NextStep(o)
	if !ok {
		return 0, "", false, precondition(o, "approve")
	}
	if err := mayDecideStep(o, a, role); err != nil {
		return 0, "", false, err
	}
	for _, prior := range o.Approvals {
		if prior.ApproverID == a.EmployeeID {
			return 0, "", false, fmt.Errorf("%w: %s already approved an earlier step; another approver must take this one", ErrPrecondition, a.EmployeeID)
		}
	}
	return step, role, step == len(o.ApprovalChain)-1, nil
}

// Reject decides whether a may reject o at its current step.
func Reject(o Order, a Actor) (int, string, error) {
	step, role, ok := NextStep(o)
	if !ok {
		return 0, "", precondition(o, "reject")
	}
	return step, role, mayDecideStep(o, a, role)
}

func mayDecideStep(o Order, a Actor, role string) error {
	if a.EmployeeID == o.SellerID {
		return fmt.Errorf("%w: the seller never approves their own order", ErrPermissionDenied)
	}
	if a.EmployeeID == o.CreatedBy || a.EmployeeID == o.SubmittedBy {
		return fmt.Errorf("%w: whoever created or submitted an order never approves it", ErrPermissionDenied)
	}
	managerStep := role == RoleManager && a.SupervisesSeller(o.SellerID)
	if !managerStep && !a.has(RoleAdmin) {
		return fmt.Errorf("%w: this approval step needs %s", ErrPermissionDenied, role)
	}
	return nil
}

// Win checks o may be marked won: only an approved order.
func Win(o Order) error {
	if o.Status != StatusApproved {
		return precondition(o, "mark won")
	}
	return nil
}

// Lose checks o may be marked lost: a draft, a pending or an approved order.
func Lose(o Order) error {
	switch o.Status {
	case StatusDraft, StatusPendingApproval, StatusApproved:
		return nil
	}
	return precondition(o, "mark lost")
}

// Cancel checks o may be cancelled: anything not yet terminal.
func Cancel(o Order) error {
	if o.Status.Terminal() || o.Status == StatusUnspecified {
		return precondition(o, "cancel")
	}
	return nil
}

// Refund checks a refund of amount in currency: of a won or cancelled
// order, in its currency, at most what was paid INTO COMPANY ACCOUNTS and
// not yet refunded — the company never pays back money it never received.
// A partial refund keeps the order's status; the refund that reaches the
// refundable total makes it refunded.
func Refund(o Order, amount int64, currency string) error {
	if o.Status != StatusWon && o.Status != StatusCancelled {
		return precondition(o, "refund")
	}
	if currency != o.Currency {
		return fmt.Errorf("%w: refund currency %s is not the order's %s", ErrPrecondition, currency, o.Currency)
	}
	if left := o.PaidToCompanyTotalMinor - o.RefundedTotalMinor; amount > left {
		return fmt.Errorf("%w: refund of %s exceeds the %s paid into company accounts and not refunded", ErrPrecondition,
			FormatAmount(amount, currency), FormatAmount(left, currency))
	}
	return nil
}
