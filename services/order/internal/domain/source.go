package domain

// SourceChannel is how a customer first reached the company, numbered as
// holdfast.client.v1.SourceChannel.
type SourceChannel int

// Source channels.
const (
	SourceUnspecified SourceChannel = iota
	SourceWebsite
	SourceTradeShow
	SourceReferral
	SourceAssignment
	SourceImport
	SourcePersonal
)

// Valid reports whether s is a known, specified channel.
func (s SourceChannel) Valid() bool { return s >= SourceWebsite && s <= SourcePersonal }

// CompanyChannel reports whether a customer from s is the company's by
// origin: it came through the company's website, trade shows, a referral
// (a referral is made by a company customer or partner, so it is the
// company's relationship, not the salesperson's), an assignment, or an
// import of the company's lists. Only SourcePersonal — the salesperson's
// own network — is not. The commission rate follows this split.
func (s SourceChannel) CompanyChannel() bool { return s.Valid() && s != SourcePersonal }

// SourceContradiction reports whether an order's claimed source contradicts
// the customer's recorded one in the direction that pays the seller more:
// the customer came through a company channel, the order claims a personal
// source (scenario S7). A claim of a company channel for a personal
// customer is not a contradiction: it earns the seller less, not more.
func SourceContradiction(claimed, recorded SourceChannel) bool {
	return recorded.CompanyChannel() && claimed == SourcePersonal
}
