// Package sim builds a synthetic sales organisation from a seed, injects the
// diversion patterns S1–S10 and look-alikes H1–H6 of SCENARIOS.md with
// ground truth, drives a running Holdfast through its public gRPC APIs with
// event times set to simulated time, and scores the alerts it reads back.
//
// Generation is pure and deterministic per seed: the same Config yields
// byte-identical acts, so a run can be reproduced and a detection report
// compared across rule changes.
package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Kind names what an act does; the driver maps each to one RPC.
type Kind string

// Act kinds, one per RPC the driver calls.
const (
	KindOrgUnit       Kind = "org_unit"
	KindHire          Kind = "hire"
	KindClientPolicy  Kind = "client_policy"
	KindCompanyAcct   Kind = "company_account"
	KindOrderPolicy   Kind = "order_policy"
	KindRegister      Kind = "register_customer"
	KindInteraction   Kind = "interaction"
	KindDeleteNote    Kind = "delete_interaction"
	KindReveal        Kind = "reveal_contact"
	KindExportRequest Kind = "export_request"
	KindExportApprove Kind = "export_approve"
	KindCheckIn       Kind = "check_in"
	KindLeave         Kind = "leave"
	KindResign        Kind = "resign"
	KindPayerAccount  Kind = "payer_account"
	KindOrderCreate   Kind = "order_create"
	KindOrderSubmit   Kind = "order_submit"
	KindOrderApprove  Kind = "order_approve"
	KindOrderWon      Kind = "order_won"
	KindOrderLost     Kind = "order_lost"
	KindOrderCancel   Kind = "order_cancel"
	KindPayment       Kind = "payment"
	KindShipment      Kind = "shipment"
	// Background churn (background.go).
	KindAssign   Kind = "assign_customer"   // a manager gives a pooled customer to Employee
	KindReassign Kind = "reassign_customer" // a manager moves a held customer to Employee
	KindRelease  Kind = "release_customer"  // the holder (or their manager) returns it to the pool
	KindClaim    Kind = "claim_customer"    // the actor takes a pooled customer
	KindDepart   Kind = "departure"         // HR records Employee's departure (last day Date)
)

// How a payer account relates to its customer (Act.Channel of a
// KindPayerAccount act).
const (
	payerOwn    = "own"
	payerParent = "parent_company"
)

// Act is one thing a simulated person (or system) does at a simulated time.
// Keys (customer, order, interaction, export, org unit) are the generator's
// own names; the driver maps them to the ids the services assign.
type Act struct {
	ID    string    `json:"id"` // request id: unique and stable per seed
	At    time.Time `json:"at"`
	Kind  Kind      `json:"kind"`
	Actor string    `json:"actor"` // token subject
	Role  string    `json:"role"`  // token role

	Key      string `json:"key,omitempty"`      // what this act creates (customer, order, note, export, unit)
	Customer string `json:"customer,omitempty"` // customer key acted on
	Ref      string `json:"ref,omitempty"`      // another key: order, note, export, parent unit
	Employee string `json:"employee,omitempty"` // employee acted on (hire, leave, export filter)
	Manager  string `json:"manager,omitempty"`

	Name     string  `json:"name,omitempty"`    // person, unit or product name
	Company  string  `json:"company,omitempty"` // company name
	Phone    string  `json:"phone,omitempty"`
	Text     string  `json:"text,omitempty"`    // interaction text, address, reason
	Channel  string  `json:"channel,omitempty"` // source, interaction kind or payer relation
	Contact  string  `json:"contact,omitempty"` // unregistered counterparty
	Seconds  int     `json:"seconds,omitempty"` // call duration
	Lat      float64 `json:"lat,omitempty"`
	Lon      float64 `json:"lon,omitempty"`
	Amount   int64   `json:"amount,omitempty"` // minor units (unit price for an order)
	Quantity int64   `json:"quantity,omitempty"`
	Currency string  `json:"currency,omitempty"`
	Account  string  `json:"account,omitempty"` // payer account
	Payee    string  `json:"payee,omitempty"`   // payee account
	Date     string  `json:"date,omitempty"`    // YYYY-MM-DD (hire start, leave, notice)
	Date2    string  `json:"date2,omitempty"`   // YYYY-MM-DD (leave end, last day)
	TimeZone string  `json:"tz,omitempty"`
	// Refused marks an act the service is expected to refuse with
	// FailedPrecondition while recording the attempt (a duplicate
	// registration): the refusal is the trail, not a failure of the run.
	Refused bool `json:"refused,omitempty"`
}

// Label is the ground truth for one injected pattern.
type Label struct {
	Pattern  string    `json:"pattern"` // S1…S10, H1…H6
	Employee string    `json:"employee"`
	First    time.Time `json:"first"` // the first diverting (or look-alike) act
}

// Plan is everything a run does, in time order, and what it hides.
type Plan struct {
	Tenant    string    `json:"tenant"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Warmup    int       `json:"warmup_days,omitempty"` // honest days at the start, before any pattern
	Employees []string  `json:"employees"`             // every sales employee (the population scored)
	Acts      []Act     `json:"acts"`
	Truth     []Label   `json:"truth"`
	// Leavers resigned and left honestly; Hires joined mid-span
	// (background churn, scored as honest employees).
	Leavers []string `json:"leavers,omitempty"`
	Hires   []string `json:"hires,omitempty"`
}

// Hash is a digest of the plan, so tests and users can see two runs are the
// same run.
func (p *Plan) Hash() string {
	b, err := json.Marshal(p)
	if err != nil {
		// Every field is a plain value; Marshal cannot fail on it.
		panic(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
