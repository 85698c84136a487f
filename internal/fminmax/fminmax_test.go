package fminmax

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMinMax checks that Min, Max and Pos give the bits Go's min and max
// give, on the special values (signed zeros, infinities, NaN) in every
// pair and on random pairs, equal values included.
func TestMinMax(t *testing.T) {
	special := []float64{0, math.Copysign(0, -1), 1, -1, math.Inf(1), math.Inf(-1), math.NaN(), math.SmallestNonzeroFloat64, -math.MaxFloat64}
	r := rand.New(rand.NewPCG(3, 4))
	type pair struct{ a, b float64 }
	var pairs []pair
	for _, a := range special {
		for _, b := range special {
			pairs = append(pairs, pair{a, b})
		}
	}
	for range 10000 {
		a := r.NormFloat64() * 100
		b := a
		if r.IntN(4) > 0 {
			b = r.NormFloat64() * 100
		}
		pairs = append(pairs, pair{a, b})
	}
	same := func(x, y float64) bool {
		return math.Float64bits(x) == math.Float64bits(y) || math.IsNaN(x) && math.IsNaN(y)
	}
	for _, p := range pairs {
		if got, want := Min(p.a, p.b), min(p.a, p.b); !same(got, want) {
			t.Errorf("Min(%v, %v) = %v (bits %x), want %v (bits %x)", p.a, p.b, got, math.Float64bits(got), want, math.Float64bits(want))
		}
		if got, want := Max(p.a, p.b), max(p.a, p.b); !same(got, want) {
			t.Errorf("Max(%v, %v) = %v (bits %x), want %v (bits %x)", p.a, p.b, got, math.Float64bits(got), want, math.Float64bits(want))
		}
		if got, want := Pos(p.a), max(0, p.a); !same(got, want) {
			t.Errorf("Pos(%v) = %v (bits %x), want %v (bits %x)", p.a, got, math.Float64bits(got), want, math.Float64bits(want))
		}
	}
}
