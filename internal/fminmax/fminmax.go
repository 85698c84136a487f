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
	return tie(a, b, math.Float64bits(a)|math.Float64bits(b))
}

// Max returns max(a, b).
func Max(a, b float64) float64 {
	if a > b {
		return a
	}
	if b > a {
		return b
	}
	return tie(a, b, math.Float64bits(a)&math.Float64bits(b))
}

// tie is Min's and Max's answer for a and b that neither is less than the
// other: equal (the same value, a tie the move phase meets often, or +0
// and −0), or unordered (a NaN). For equal values it returns bits, the
// bitwise OR (Min) or AND (Max) of theirs: the same bits for the same
// value, and for the two zeros the sign bit only where min (−0) or max
// (+0) has it. For a NaN it returns the NaN (a, or else b; no a + b,
// which Go may fuse with a product into a multiply-add). Built from the bits,
// not with Go's min and max, the code needs no constants: the builtins'
// −0 masks, inlined into the move loop, were materialised once per segment
// and reloaded after every call.
func tie(a, b float64, bits uint64) float64 {
	if a == b {
		return math.Float64frombits(bits)
	}
	if a != a {
		return a
	}
	return b
}
