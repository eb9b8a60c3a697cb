package domain

import (
	"errors"
	"regexp"
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

// minMaskedDigits is the shortest digit run MaskContactsIn treats as a
// phone number: a local number without its area code has seven or eight.
const minMaskedDigits = 7

// emailPattern finds e-mail addresses in free text.
var emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+`)

// MaskContactsIn masks the contact details free text may quote (a reason
// is the actor's own words): c's WeChat id wherever it appears, e-mail
// addresses, and every run of seven or more digits (spaces, dashes, dots
// and brackets between them allowed, full-width digits too), which keeps
// only its last four digits. Dates and order numbers that long are masked
// too: the text is for reading, the event keeps the words as written.
func MaskContactsIn(text string, c Customer) string {
	if c.WeChatID != "" {
		text = regexp.MustCompile(`(?i)`+regexp.QuoteMeta(c.WeChatID)).ReplaceAllLiteralString(text, MaskWeChatID(c.WeChatID))
	}
	text = emailPattern.ReplaceAllStringFunc(text, MaskEmail)
	return maskDigitRuns(text)
}

// maskDigitRuns replaces all but the last four digits of every long run of
// digits with *, keeping the separators where they were.
func maskDigitRuns(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i := 0; i < len(rs); {
		if !isDigit(rs[i]) {
			b.WriteRune(rs[i])
			i++
			continue
		}
		// The run goes on through separators but ends on a digit.
		end, digits := i, 0
		for j := i; j < len(rs) && (isDigit(rs[j]) || strings.ContainsRune(" -.()（）－", rs[j])); j++ {
			if isDigit(rs[j]) {
				digits++
				end = j + 1
			}
		}
		seen := 0
		for _, r := range rs[i:end] {
			if isDigit(r) && digits >= minMaskedDigits {
				seen++
				if seen <= digits-4 {
					r = '*'
				}
			}
			b.WriteRune(r)
		}
		i = end
	}
	return b.String()
}

// isDigit reports an ASCII or full-width decimal digit.
func isDigit(r rune) bool {
	return (r >= '0' && r <= '9') || (r >= '０' && r <= '９')
}
