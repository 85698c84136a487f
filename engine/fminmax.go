package engine

import "math"

// fmin and fmax are Go's min and max of two float64s, with the same
// result for every input (signed zeros and NaN included), written with
// branches: Go compiles min and max to a branch-free sequence that handles
// those special cases (two MINSD and an OR on amd64, and negations for
// max), about ten instructions, where a comparison that settles the
// common case costs two, and a tie of equal bits four. The move phase uses them on its per-vehicle path,
// where the comparison almost always goes the same way.
func fmin(a, b float64) float64 {
	if a < b {
		return a
	}
	if b < a {
		return b
	}
	if math.Float64bits(a) == math.Float64bits(b) {
		return a // the same value, a tie the move phase meets often (0 and 0)
	}
	return min(a, b) // +0 and −0, or NaN
}

func fmax(a, b float64) float64 {
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
