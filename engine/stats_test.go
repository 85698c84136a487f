package engine

import (
	"math"
	"testing"
)

func TestUniformGap(t *testing.T) {
	for _, c := range []struct {
		gaps []float64
		gap  float64
		one  bool
	}{
		{nil, 0, false},
		{[]float64{2.5}, 2.5, true},
		{[]float64{2.5, 2.5, 2.5}, 2.5, true},
		{[]float64{2.5, 2.5, 3}, 0, false},
		{[]float64{0, math.Copysign(0, -1)}, 0, false}, // equal, not the same bits
	} {
		if gap, one := uniformGap(c.gaps); gap != c.gap || one != c.one {
			t.Errorf("uniformGap(%v) = %g, %t; want %g, %t", c.gaps, gap, one, c.gap, c.one)
		}
	}
}
