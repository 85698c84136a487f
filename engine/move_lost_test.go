package engine

import (
	"math"
	"testing"

	"github.com/citytwin/citytwin/internal/fminmax"
)

// TestLostSkip compares moveChunk's count of the time lost, which adds
// nothing for a vehicle at its desired speed (nv == v0), with the full
// count, which adds the +0 it works out for it: the same sums bit for
// bit, from every kind of sum the move phase can hold (the sums start at
// +0, stepAcc's and segAcc's zero values and the reset in refresh, and
// gain only +0, positive, +Inf or NaN terms, so they are never −0: the
// one sum that adding +0 would change). A −0 start makes the two differ
// (tried).
func TestLostSkip(t *testing.T) {
	nan, inf, negZero := math.NaN(), math.Inf(1), math.Copysign(0, -1)
	if math.Float64bits((&stepAcc{}).lost) != 0 || math.Float64bits((&segAcc{}).lost) != 0 {
		t.Fatal("the lost sums do not start at +0")
	}
	starts := []float64{0, 1e-300, 0.25, 3, 1e300, inf, nan}
	speeds := []float64{0, negZero, 1e-9, 0.1, 7.5, 13.9, 13.9 * (1 + 1e-16), 50, inf, nan}
	var skipped, added int
	for _, dt := range []float64{1, 0.5, 0.1, 0.3} {
		for _, v0 := range speeds {
			for _, nv := range speeds {
				for _, start := range starts {
					full, short := start, start
					// the full count (before the shortcut)
					if v0 > 0 {
						var l float64
						if nv != v0 {
							l = float64(dt * fminmax.Pos(1-nv/v0))
						}
						full += l
					}
					// moveChunk's
					if v0 > 0 && nv != v0 {
						short += float64(dt * fminmax.Pos(1-nv/v0))
						added++
					} else if v0 > 0 {
						skipped++
					}
					if math.Float64bits(full) != math.Float64bits(short) {
						t.Fatalf("dt %g, v0 %g, nv %g, sum %g: %g (%x), the full count %g (%x)", dt, v0, nv, start, short, math.Float64bits(short), full, math.Float64bits(full))
					}
					if full == 0 && math.Signbit(full) {
						t.Fatalf("dt %g, v0 %g, nv %g, sum %g: the sum became −0", dt, v0, nv, start)
					}
				}
			}
		}
	}
	if skipped == 0 || added == 0 {
		t.Fatalf("%d skipped, %d added: want some of each", skipped, added)
	}
}
