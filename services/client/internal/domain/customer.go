package domain

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// SourceChannel is how a customer first reached the company.
type SourceChannel int

// Source channels, numbered as in holdfast.client.v1.SourceChannel.
const (
	SourceUnspecified SourceChannel = iota
	SourceWebsite
	SourceTradeShow
	SourceReferral
	SourceAssignment
	SourceImport
	SourcePersonal
)

// Customer is the client service's view of one customer.
type Customer struct {
	Tenant       string
	ID           string
	PersonName   string
	CompanyName  string
	Phones       []string
	WeChatID     string
	Email        string
	Source       SourceChannel
	OwnerID      string
	RegisteredBy string
	RegisteredAt time.Time
	// Version is the number of events in the customer's history.
	Version uint64
	// Interactions counts logged interactions; LastInteractionAt is the latest one's time.
	Interactions      int
	LastInteractionAt time.Time
	Address           Address
	TaxID             string
	// HeldSince is when the current holder got the customer (registration,
	// assignment or claim); idle time counts from it or the last interaction.
	HeldSince time.Time
}

// Address is where a customer is; Location is optional.
type Address struct {
	Text     string
	Location *GeoPoint
}

// GeoPoint is a WGS-84 coordinate in degrees.
type GeoPoint struct {
	Latitude, Longitude float64
}

// IdleSince is when the customer last saw activity from its holder.
func (c Customer) IdleSince() time.Time {
	if c.LastInteractionAt.After(c.HeldSince) {
		return c.LastInteractionAt
	}
	return c.HeldSince
}

// MaxIdleDays bounds a list's idle_days filter: ten years.
const MaxIdleDays = 3650

// CheckIdleDays validates a list's idle_days filter.
func CheckIdleDays(days int) error {
	var v violations
	if days < 0 || days > MaxIdleDays {
		v.Add("idle_days", "between 0 and %d (0 = no filter)", MaxIdleDays)
	}
	return v.Err()
}

// IdleCutoff is the IdleSince at or before which a held customer has had no
// follow-up for at least days (of 24 hours, as pool_return_after_days
// counts them) at now. 0 days is no filter: the zero time.
func IdleCutoff(days int, now time.Time) (time.Time, error) {
	if err := CheckIdleDays(days); err != nil {
		return time.Time{}, err
	}
	if days == 0 {
		return time.Time{}, nil
	}
	return now.Add(-time.Duration(days) * 24 * time.Hour), nil
}

// Registration is a request to register a customer, before normalisation.
type Registration struct {
	PersonName  string
	CompanyName string
	Phones      []string
	WeChatID    string
	Email       string
	Source      SourceChannel
	OccurredAt  time.Time
	Address     Address
	TaxID       string
}

const (
	maxNameLen   = 200
	maxPhones    = 10
	maxContactLn = 254
)

// NormalizeRegistration validates r and returns it with contacts normalised
// (phones to E.164, e-mail lower-cased, names trimmed). now bounds occurred_at.
func NormalizeRegistration(r Registration, now time.Time) (Registration, error) {
	var v violations
	r.PersonName = strings.TrimSpace(r.PersonName)
	r.CompanyName = strings.TrimSpace(r.CompanyName)
	if r.PersonName == "" && r.CompanyName == "" {
		v.Add("person_name", "a person name or a company name is required")
	}
	checkText(&v, "person_name", r.PersonName, maxNameLen)
	checkText(&v, "company_name", r.CompanyName, maxNameLen)
	if len(r.Phones) > maxPhones {
		v.Add("phones", "at most %d phone numbers", maxPhones)
	}
	phones := make([]string, 0, len(r.Phones))
	seen := map[string]bool{}
	badPhones := 0
	for i, p := range r.Phones {
		n, err := NormalizePhone(p)
		if err != nil {
			badPhones++
			v.Add(fmt.Sprintf("phones[%d]", i), "%v", err)
			continue
		}
		if !seen[n] {
			seen[n] = true
			phones = append(phones, n)
		}
	}
	r.Phones = phones
	r.WeChatID = strings.TrimSpace(r.WeChatID)
	if r.WeChatID != "" && !validWeChatID(r.WeChatID) {
		v.Add("wechat_id", "a WeChat id is 6-20 characters of letters, digits, _ and -, starting with a letter")
	}
	r.Email = strings.ToLower(strings.TrimSpace(r.Email))
	if r.Email != "" {
		if a, err := mail.ParseAddress(r.Email); err != nil || a.Address != r.Email || len(r.Email) > maxContactLn {
			v.Add("email", "not an e-mail address")
		}
	}
	if len(phones) == 0 && badPhones == 0 && r.WeChatID == "" && r.Email == "" {
		v.Add("phones", "at least one contact (phone, WeChat id or e-mail) is required")
	}
	if r.Source < SourceWebsite || r.Source > SourcePersonal {
		v.Add("source_channel", "required: website, trade_show, referral, assignment, import or personal")
	}
	r.OccurredAt = checkOccurredAt(&v, r.OccurredAt, now)
	r.Address.Text = strings.TrimSpace(r.Address.Text)
	checkText(&v, "address.text", r.Address.Text, maxAddressLen)
	if g := r.Address.Location; g != nil && !validGeoPoint(*g) {
		v.Add("address.location", "latitude -90..90 and longitude -180..180, not both 0")
	}
	r.TaxID = strings.ToUpper(strings.TrimSpace(r.TaxID))
	if r.TaxID != "" && !validTaxID(r.TaxID) {
		v.Add("tax_id", "8-30 characters of A-Z, 0-9 and -")
	}
	return r, v.Err()
}

const maxAddressLen = 500

// validGeoPoint rejects out-of-range points and (0, 0), which is what an
// unset GPS fix reads as, not a customer in the Gulf of Guinea.
func validGeoPoint(g GeoPoint) bool {
	return g.Latitude >= -90 && g.Latitude <= 90 && g.Longitude >= -180 && g.Longitude <= 180 &&
		!(g.Latitude == 0 && g.Longitude == 0)
}

// validTaxID accepts a unified social credit code (18 characters) and the
// other registration numbers tenants use.
func validTaxID(s string) bool {
	if len(s) < 8 || len(s) > 30 {
		return false
	}
	for _, c := range s {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

func checkText(v *violations, field, s string, maxLen int) {
	if !utf8.ValidString(s) {
		v.Add(field, "not valid UTF-8")
		return
	}
	if utf8.RuneCountInString(s) > maxLen {
		v.Add(field, "at most %d characters", maxLen)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		v.Add(field, "control characters are not allowed")
	}
}

// validWeChatID follows WeChat's own rule for custom ids.
func validWeChatID(s string) bool {
	if len(s) < 6 || len(s) > 20 {
		return false
	}
	for i, c := range s {
		letter := (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if i == 0 && !letter {
			return false
		}
		if !letter && (c < '0' || c > '9') && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// maxClockSkew is how far in the future a caller's occurred_at may lie.
const maxClockSkew = 5 * time.Minute

// earliestOccurredAt rejects times that are certainly typos.
var earliestOccurredAt = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func checkOccurredAt(v *violations, t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	if t.After(now.Add(maxClockSkew)) {
		v.Add("occurred_at", "is in the future")
	}
	if t.Before(earliestOccurredAt) {
		v.Add("occurred_at", "is before 2000-01-01")
	}
	return t
}
