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
	if math.Float64bits(a) == math.Float64bits(b) {
		return a // the same value: a tie the move phase meets often (0 and 0)
	}
	return min(a, b) // +0 and −0, or NaN
}

// Max returns max(a, b).
func Max(a, b float64) float64 {
	if a > b {
		return a
	}
	if b > a {
		return b
	}
	if math.Float64bits(a) == math.Float64bits(b) {
		return a
	}
	return max(a, b)
}
