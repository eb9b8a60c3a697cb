package domain

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/width"
)

// defaultRegion is the region assumed for numbers written without a
// country code; a tenant setting later.
const defaultRegion = "CN"

// NormalizePhone returns a phone number in E.164 (+8613800138000). It
// accepts the ways people write numbers: spaces, dashes, brackets, dots,
// full-width digits, a leading 0086 or +86, or none.
func NormalizePhone(raw string) (string, error) {
	s := strings.TrimSpace(width.Fold.String(raw))
	if s == "" {
		return "", errors.New("empty phone number")
	}
	if len(s) > 40 || !utf8.ValidString(s) {
		return "", errors.New("not a phone number")
	}
	n, err := phonenumbers.Parse(s, defaultRegion)
	if err != nil {
		return "", errors.New("not a phone number")
	}
	if !phonenumbers.IsPossibleNumber(n) {
		return "", errors.New("not a possible phone number for its country")
	}
	e164 := phonenumbers.Format(n, phonenumbers.E164)
	// A stored number must normalise to itself, or one customer's phone
	// would be stored two ways. Digits that keep a trunk prefix after the
	// country code (+86 0…) lose it again on every parse: no real number
	// does that.
	if again, err := phonenumbers.Parse(e164, defaultRegion); err != nil ||
		!phonenumbers.IsPossibleNumber(again) || phonenumbers.Format(again, phonenumbers.E164) != e164 {
		return "", errors.New("not a possible phone number for its country")
	}
	return e164, nil
}

// MaskPhone keeps the first three and last four digits of the national
// number: +8613812348000 → 138****8000, the form Chinese staff recognise.
func MaskPhone(e164 string) string {
	digits := e164
	if n, err := phonenumbers.Parse(e164, defaultRegion); err == nil {
		digits = phonenumbers.GetNationalSignificantNumber(n)
	}
	if len(digits) <= 7 {
		return strings.Repeat("*", len(digits))
	}
	return digits[:3] + strings.Repeat("*", len(digits)-7) + digits[len(digits)-4:]
}

// MaskWeChatID keeps the first three characters: wx_****.
func MaskWeChatID(id string) string {
	if id == "" {
		return ""
	}
	r := []rune(id)
	if len(r) <= 3 {
		return "****"
	}
	return string(r[:3]) + "****"
}

// MaskEmail keeps the first character of the local part and the domain:
// z****@example.com.
func MaskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return "****"
	}
	r := []rune(local)
	return string(r[:1]) + "****@" + domain
}
