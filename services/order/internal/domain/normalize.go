package domain

import (
	"strings"
	"unicode"
)

// foldWidth turns full-width ASCII forms (ＡＢＣ１２３，the ideographic
// space) into their ordinary forms, so text typed with a Chinese input
// method compares equal to the same text typed without it.
func foldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\u3000':
			return ' '
		case r >= '\uFF01' && r <= '\uFF5E':
			return r - 0xFEE0
		}
		return r
	}, s)
}

// NormalizeAddress reduces an address to what identifies the place: width
// folded, lower-cased, and only letters and digits kept, so "上海市 浦东新区
// 世纪大道１００号" and "上海市浦东新区世纪大道100号" compare equal, and
// punctuation, spaces or a changed comma never make two addresses differ.
func NormalizeAddress(s string) string {
	s = foldWidth(s)
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// AddressesMatch reports whether two addresses name the same place after
// normalisation; an empty address matches nothing.
func AddressesMatch(a, b string) bool {
	na, nb := NormalizeAddress(a), NormalizeAddress(b)
	return na != "" && na == nb
}

// NormalizeAccount reduces a bank or payment account number as written
// ("6222 0210-0112 3456", "cn12 ab34") to its canonical form: width folded,
// spaces and dashes dropped, letters upper-cased. It reports false for
// anything that is not 4–64 letters and digits after that.
func NormalizeAccount(s string) (string, bool) {
	s = foldWidth(strings.TrimSpace(s))
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '-':
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		default:
			return "", false
		}
	}
	out := b.String()
	if len(out) < 4 || len(out) > 64 {
		return "", false
	}
	return out, true
}
