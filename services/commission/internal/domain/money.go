package domain

import (
	"errors"
	"math/big"
)

// ErrOverflow is returned when an amount does not fit in int64 minor units.
var ErrOverflow = errors.New("amount out of range")

// Commission is amountMinor × rateBP / 10000 in the same minor unit,
// rounded half up on the minor unit (0.5 fen and above rounds up): amounts
// are never negative, so half up and half away from zero agree. The
// product is taken in arbitrary precision, so no order amount overflows.
func Commission(amountMinor int64, rateBP int32) (int64, error) {
	if amountMinor < 0 || rateBP < 0 {
		return 0, ErrOverflow
	}
	return mulDivHalfUp(amountMinor, int64(rateBP), MaxRateBP)
}

// Proportion is total × part / whole, rounded half up, capped at total: the
// share of an accrual that a partial refund takes back. A whole of 0 or a
// part at or above whole is all of total.
func Proportion(total, part, whole int64) (int64, error) {
	if total < 0 || part < 0 {
		return 0, ErrOverflow
	}
	if whole <= 0 || part >= whole {
		return total, nil
	}
	return mulDivHalfUp(total, part, whole)
}

// mulDivHalfUp is a × b / d rounded half up, for non-negative a, b and
// positive d.
func mulDivHalfUp(a, b, d int64) (int64, error) {
	n := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	n.Mul(n, big.NewInt(2))
	n.Add(n, big.NewInt(d))
	n.Quo(n, new(big.Int).Mul(big.NewInt(d), big.NewInt(2)))
	if !n.IsInt64() {
		return 0, ErrOverflow
	}
	return n.Int64(), nil
}
