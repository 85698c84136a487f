package fminmax

import "math"

// Min returns min(a, b).
func Min(a, b float64) float64 {
	if a < b {
		return a
	}
	if b < a {
		return b
	}
	// A tie: the same value (a tie the move phase meets often), +0 and −0,
	// or a NaN. The bitwise OR gives the same bits for the same value, −0
	// for the two zeros (the sign bit of either), and a NaN for a NaN (its
	// exponent bits all set, its fraction not zero).
	return math.Float64frombits(math.Float64bits(a) | math.Float64bits(b))
}

// Max returns max(a, b).
func Max(a, b float64) float64 {
	if a > b {
		return a
	}
	if b > a {
		return b
	}
	// A tie (see Min): the bitwise AND for equal values, so +0 for the
	// two zeros; a NaN for a NaN (a sum with one). The conversions keep
	// Go from fusing the sum with a product passed in: the result would
	// be a NaN all the same, but internal/fpcheck allows no fused
	// instruction on a results path.
	if a == b {
		return math.Float64frombits(math.Float64bits(a) & math.Float64bits(b))
	}
	return float64(a) + float64(b)
}

// Pos returns max(0, x): x when positive, +0 for zeros and negative
// values, and x when it is a NaN. One comparison where Max(0, x) takes two.
func Pos(x float64) float64 {
	if x > 0 || x != x {
		return x
	}
	return 0
}
