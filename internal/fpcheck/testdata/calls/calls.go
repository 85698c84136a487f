// Package calls is test input for fpcheck: calls of non-portable and of
// portable floating-point functions.
package calls

import (
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func f(r *rand.Rand, ls orb.LineString) float64 {
	a := math.Sin(1)       // flagged
	b := math.Sqrt(2)      // exact: not flagged
	c := r.NormFloat64()   // flagged
	d := planar.Length(ls) // flagged
	e := math.Log2(3)      // flagged (no portable version yet)
	return a + b + c + d + e
}
