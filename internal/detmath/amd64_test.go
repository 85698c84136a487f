//go:build amd64 && !amd64.v3

package detmath_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/citytwin/citytwin/internal/detmath"
)

// On amd64 below v3 Go does not fuse, and Sin, Cos, Tan, Atan, Atan2,
// Atanh and Log1p of package math are pure Go: this package's
// versions must equal them
// bit for bit. Hypot and Log are assembly there; they agree on every
// draw too (checked here), which keeps CityTwin's results on amd64
// unchanged by the move to this package.
func TestSameAsMathOnAMD64(t *testing.T) {
	for _, f := range unaries {
		if f.name == "Exp" || f.name == "Sinh" || f.name == "Cosh" || f.name == "Asin" {
			continue // math.Exp on amd64 is a different algorithm (and differs with and without FMA)
		}
		for _, x := range inputs(1, draws, f.lo, f.hi) {
			if !f.comparable(x) {
				continue
			}
			if a, b := f.det(x), f.std(x); ulpDiff(a, b) != 0 {
				t.Fatalf("%s(%v) = %v, math gives %v", f.name, x, a, b)
			}
		}
	}
	for _, f := range binaries {
		if f.name == "Pow" {
			continue // math.Pow calls math.Exp
		}
		xs, ys := inputs(2, draws, f.lo[0], f.lo[1]), inputs(3, draws, f.hi[0], f.hi[1])
		for i := range xs {
			x, y := xs[i], ys[i]
			if f.name == "PowInt" {
				y = math.Round(y)
			}
			if a, b := f.det(x, y), f.std(x, y); ulpDiff(a, b) != 0 {
				t.Fatalf("%s(%v, %v) = %v, math gives %v", f.name, x, y, a, b)
			}
		}
	}
}

// TestDrawsAsRandOnAMD64: NormFloat64 and ExpFloat64 consume the same
// numbers and return the same values as math/rand/v2's on amd64.
func TestDrawsAsRandOnAMD64(t *testing.T) {
	a, b := rand.New(rand.NewPCG(1, 2)), rand.New(rand.NewPCG(1, 2))
	for i := range 2 * draws {
		if x, y := detmath.NormFloat64(a), b.NormFloat64(); x != y {
			t.Fatalf("NormFloat64 draw %d: %v, math/rand/v2 gives %v", i, x, y)
		}
	}
	for i := range 2 * draws {
		if x, y := detmath.ExpFloat64(a), b.ExpFloat64(); x != y {
			t.Fatalf("ExpFloat64 draw %d: %v, math/rand/v2 gives %v", i, x, y)
		}
	}
}
