package domain

import (
	"errors"
	"math"
	"strings"
)

// currencyExponents are the ISO 4217 currencies Holdfast accepts, with the
// number of minor-unit digits each has. A currency outside the table is
// refused rather than guessed: a wrong exponent would scale every amount.
var currencyExponents = map[string]int{
	"CNY": 2, "HKD": 2, "TWD": 2, "MOP": 2, "USD": 2, "EUR": 2, "GBP": 2, "CHF": 2,
	"SGD": 2, "AUD": 2, "CAD": 2, "NZD": 2, "MYR": 2, "THB": 2, "PHP": 2, "INR": 2,
	"IDR": 2, "VND": 0, "JPY": 0, "KRW": 0, "AED": 2, "SAR": 2, "RUB": 2, "BRL": 2,
	"MXN": 2, "ZAR": 2, "SEK": 2, "NOK": 2, "DKK": 2, "PLN": 2, "TRY": 2,
}

// MaxAmountMinor bounds every amount (10^15 minor units): large enough for
// any order, small enough that sums of a few thousand never overflow int64.
const MaxAmountMinor int64 = 1_000_000_000_000_000

// KnownCurrency reports whether code is an accepted ISO 4217 code.
func KnownCurrency(code string) bool {
	_, ok := currencyExponents[code]
	return ok
}

// CurrencyExponent is the number of minor-unit digits of a known currency.
func CurrencyExponent(code string) (int, bool) {
	e, ok := currencyExponents[code]
	return e, ok
}

// ErrBadAmount is returned by ParseAmount for text that is not an amount.
var ErrBadAmount = errors.New("not an amount: want digits with at most the currency's decimals, e.g. 1234.50")

// ParseAmount reads a decimal amount written by a person ("1234.5",
// "1,234.50", "８８.００") into minor units of currency, exactly: no floats,
// no rounding. More decimals than the currency has is an error, not a
// rounding. Negative amounts are refused.
func ParseAmount(s, currency string) (int64, error) {
	exp, ok := currencyExponents[currency]
	if !ok {
		return 0, errors.New("unknown currency")
	}
	s = strings.TrimSpace(foldWidth(s))
	whole, frac, hasPoint := strings.Cut(s, ".")
	whole = strings.ReplaceAll(whole, ",", "")
	if whole == "" || (hasPoint && frac == "") || len(frac) > exp || !digits(whole) || !digits(frac) {
		return 0, ErrBadAmount
	}
	var v int64
	for _, r := range whole + frac + strings.Repeat("0", exp-len(frac)) {
		d := int64(r - '0')
		if v > (math.MaxInt64-d)/10 {
			return 0, ErrBadAmount
		}
		v = v*10 + d
	}
	if v > MaxAmountMinor {
		return 0, ErrBadAmount
	}
	return v, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// FormatAmount writes minor units as a decimal in currency's exponent,
// e.g. 123450 CNY → "1234.50". Unknown currencies print the minor units.
func FormatAmount(minor int64, currency string) string {
	exp, ok := currencyExponents[currency]
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	s := itoa(minor)
	if !ok || exp == 0 {
		return sign + s
	}
	if len(s) <= exp {
		s = strings.Repeat("0", exp-len(s)+1) + s
	}
	return sign + s[:len(s)-exp] + "." + s[len(s)-exp:]
}

func itoa(v int64) string {
	if v == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b[i:])
}

// mulAdd returns total + q*p, or false on overflow beyond MaxAmountMinor.
func mulAdd(total, q, p int64) (int64, bool) {
	if q < 0 || p < 0 || (q != 0 && p > MaxAmountMinor/q) {
		return 0, false
	}
	sum := total + q*p
	if sum > MaxAmountMinor {
		return 0, false
	}
	return sum, true
}
