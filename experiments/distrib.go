package experiments

import (
	"math"

	"github.com/citytwin/citytwin/internal/detmath"
)

// The statistics of the A/B reports, written under CityTwin's
// floating-point rule (engine/doc.go) so that a report computed from the
// same runs is bit-identical on every architecture (gonum's stat sums with
// interleaved accumulators in amd64 assembly, and its special functions
// are compiled with fused multiply-add on arm64).

// mean is the arithmetic mean of xs, summed in order.
func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// stdDev is the sample standard deviation (n − 1) of xs by the corrected
// two-pass algorithm (Chan, Golub and LeVeque, "Algorithms for computing
// the sample variance", The American Statistician 37(3), 1983, eq. 1.7).
func stdDev(xs []float64) float64 {
	m := mean(xs)
	ss, comp := 0.0, 0.0
	for _, x := range xs {
		d := x - m
		ss += float64(d * d)
		comp += d
	}
	n := float64(len(xs))
	return math.Sqrt((ss - float64(comp*comp/n)) / (n - 1))
}

// linInterpQuantile is the p-quantile of the sorted xs by linear
// interpolation of the empirical distribution function (Hyndman and Fan
// 1996, definition 4; gonum's stat.LinInterp).
func linInterpQuantile(p float64, xs []float64) float64 {
	fidx := float64(p * float64(len(xs)))
	cum := 0.0
	for i := range xs {
		cum++
		if cum >= fidx {
			if i == 0 {
				return xs[0]
			}
			t := cum - fidx
			return float64(t*xs[i-1]) + float64((1-t)*xs[i])
		}
	}
	return xs[len(xs)-1]
}

// lnGammaHalf returns ln Γ(k/2) for k ≥ 1, exactly as a sum of logarithms:
// Γ(n) = (n−1)! and Γ(n+½) = √π·(2n−1)!!/2ⁿ.
func lnGammaHalf(k int) float64 {
	const lnSqrtPi = 0.5723649429247000870717136756012478 // ln √π
	s := 0.0
	if k%2 == 0 {
		for i := 2; i < k/2; i++ {
			s += detmath.Log(float64(i))
		}
		return s
	}
	n := k / 2
	s = lnSqrtPi
	for i := 1; i <= n; i++ {
		s += detmath.Log(float64(2*i-1) / 2)
	}
	return s
}

// regIncBetaHalf returns the regularized incomplete beta function
// I_x(a, b) for a = ka/2, b = kb/2, by its continued fraction evaluated
// with the modified Lentz method (Lentz 1976; Thompson and Barnett 1986),
// using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction
// converges slowly.
func regIncBetaHalf(x float64, ka, kb int) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	a, b := float64(float64(ka)/2), float64(float64(kb)/2)
	if x > (a+1)/(a+b+2) {
		return 1 - regIncBetaHalf(1-x, kb, ka)
	}
	lnBeta := lnGammaHalf(ka) + lnGammaHalf(kb) - lnGammaHalf(ka+kb)
	front := detmath.Exp(float64(a*detmath.Log(x))+float64(b*detmath.Log1p(-x))-lnBeta) / a
	const tiny, eps = 1e-300, 1e-16
	f, c, d := 1.0, 1.0, 0.0
	for i := 0; i <= 400; i++ {
		m := float64(i / 2)
		var num float64
		switch {
		case i == 0:
			num = 1
		case i%2 == 0:
			num = m * (b - m) * x / ((a + float64(2*m) - 1) * (a + float64(2*m)))
		default:
			num = -(a + m) * (a + b + m) * x / ((a + float64(2*m)) * (a + float64(2*m) + 1))
		}
		d = 1 + float64(num*d)
		if math.Abs(d) < tiny {
			d = tiny
		}
		d = 1 / d
		c = 1 + num/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		cd := float64(c * d)
		f *= cd
		if math.Abs(1-cd) < eps {
			break
		}
	}
	return front * (f - 1)
}

// tTwoSided returns P(|T| ≥ t) for Student's t with df degrees of
// freedom: I_{df/(df+t²)}(df/2, ½).
func tTwoSided(t float64, df int) float64 {
	if math.IsInf(t, 0) {
		return 0
	}
	nu := float64(df)
	return regIncBetaHalf(nu/(nu+float64(t*t)), df, 1)
}

// bisect returns the x in [lo, hi] where the decreasing f crosses target,
// halving the interval until it cannot shrink.
func bisect(f func(float64) float64, target, lo, hi float64) float64 {
	for {
		mid := lo + float64((hi-lo)/2)
		if mid <= lo || mid >= hi {
			return mid
		}
		if f(mid) > target {
			lo = mid
		} else {
			hi = mid
		}
	}
}

// tQuantileTwoSided returns the t with P(|T| ≥ t) = alpha.
func tQuantileTwoSided(alpha float64, df int) float64 {
	f := func(t float64) float64 { return tTwoSided(t, df) }
	hi := 1.0
	for f(hi) > alpha && hi < 1e12 {
		hi *= 2
	}
	return bisect(f, alpha, 0, hi)
}

// normalUpper returns P(Z ≥ z) for a standard normal Z and z ≥ 0, from
// Marsaglia's Taylor series of Φ ("Evaluating the normal distribution",
// Journal of Statistical Software 11(4), 2004), accurate to about 1e-15
// absolute for z < 8.
func normalUpper(z float64) float64 {
	const lnSqrt2Pi = 0.91893853320467274178 // ln √(2π)
	s, b, q := z, z, z*z
	for i := 1.0; ; i += 2 {
		b = float64(b * (q / (i + 2)))
		t := s
		s = t + b
		if s == t {
			break
		}
	}
	return 0.5 - float64(s*detmath.Exp(float64(-0.5*q)-lnSqrt2Pi))
}

// normalQuantile returns the z with P(Z ≤ z) = p for ½ ≤ p < 1.
func normalQuantile(p float64) float64 {
	return bisect(normalUpper, 1-p, 0, 8)
}
