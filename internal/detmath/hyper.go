package detmath

import "math"

// Sinh returns the hyperbolic sine of x: (eˣ − e⁻ˣ)/2 from Exp for
// |x| > 0.5, and Hart & Cheney's rational approximation #2029 ("Computer
// Approximations", 1968) below. Special cases: Sinh(±0) = ±0,
// Sinh(±Inf) = ±Inf, Sinh(NaN) = NaN.
func Sinh(x float64) float64 {
	sign := false
	if x < 0 {
		x = -x
		sign = true
	}
	var temp float64
	switch {
	case x > 21:
		temp = Exp(x) * 0.5
	case x > 0.5:
		ex := Exp(x)
		temp = (ex - 1/ex) * 0.5
	default:
		sq := x * x
		temp = horner(sinhP[:], sq) * x
		temp = temp / horner(sinhQ[:], sq)
	}
	if sign {
		temp = -temp
	}
	return temp
}

var (
	sinhP = [...]float64{-0.2630563213397497062819489e+2, -0.2894211355989563807284660366e+4,
		-0.8991272022039509355398013511e+5, -0.6307673640497716991184787251e+6}
	sinhQ = [...]float64{1, -0.173678953558233699533450911e+3, 0.1521517378790019070696485176e+5,
		-0.6307673640497716991212077277e+6} // sinhQ[0] = 1: (sq+Q2)·sq… exactly
)

// Cosh returns the hyperbolic cosine of x, (eˣ + e⁻ˣ)/2. Special cases:
// Cosh(±0) = 1, Cosh(±Inf) = +Inf, Cosh(NaN) = NaN.
func Cosh(x float64) float64 {
	x = math.Abs(x)
	if x > 21 {
		return Exp(x) * 0.5
	}
	ex := Exp(x)
	return (ex + 1/ex) * 0.5
}

// Asin returns the arcsine of x in radians, from Atan of x/√(1−x²)
// (Cephes asin.c), with 1−x² computed as (1−x)(1+x): math.Asin's 1 − x·x
// loses up to 20 ulp near |x| = 1 where it is not fused. Special cases:
// Asin(±0) = ±0, Asin(x) = NaN for |x| > 1.
func Asin(x float64) float64 {
	if x == 0 {
		return x
	}
	sign := false
	if x < 0 {
		x = -x
		sign = true
	}
	if x > 1 {
		return math.NaN()
	}
	temp := math.Sqrt((1 - x) * (1 + x))
	if x > 0.7 {
		temp = math.Pi/2 - satan(temp/x)
	} else {
		temp = satan(x / temp)
	}
	if sign {
		temp = -temp
	}
	return temp
}

// Atanh returns the inverse hyperbolic tangent of x, ½·log1p(2x/(1−x))
// (fdlibm e_atanh.c). Special cases: Atanh(±1) = ±Inf, Atanh(x) = NaN for
// |x| > 1, Atanh(±0) = ±0.
func Atanh(x float64) float64 {
	const nearZero = 1.0 / (1 << 28) // 2⁻²⁸
	switch {
	case x < -1 || x > 1 || math.IsNaN(x):
		return math.NaN()
	case x == 1:
		return math.Inf(1)
	case x == -1:
		return math.Inf(-1)
	}
	sign := false
	if x < 0 {
		x = -x
		sign = true
	}
	var temp float64
	switch {
	case x < nearZero:
		temp = x
	case x < 0.5:
		temp = x + x
		temp = 0.5 * Log1p(temp+float64(temp*x/(1-x)))
	default:
		temp = 0.5 * Log1p((x+x)/(1-x))
	}
	if sign {
		temp = -temp
	}
	return temp
}

// logP are fdlibm's Lp7…Lp1, the coefficients of log1p's series (the same
// as Log's).
var logP = [...]float64{1.479819860511658591e-01, 1.531383769920937332e-01, 1.818357216161805012e-01,
	2.222219843214978396e-01, 2.857142874366239149e-01, 3.999999999940941908e-01, 6.666666666666735130e-01}

// Log1p returns log(1 + x), accurate also for x near zero (fdlibm
// s_log1p.c: 1+x = 2ᵏ·(1+f) with a correction term c for the rounding of
// 1+x). Special cases: Log1p(−1) = −Inf, Log1p(x < −1) = NaN,
// Log1p(+Inf) = +Inf.
func Log1p(x float64) float64 {
	const (
		sqrt2M1     = 4.142135623730950488017e-01  // √2 − 1
		sqrt2HalfM1 = -2.928932188134524755992e-01 // √2/2 − 1
		small       = 1.0 / (1 << 29)              // 2⁻²⁹
		tiny        = 1.0 / (1 << 54)              // 2⁻⁵⁴
		two53       = 1 << 53
	)
	switch {
	case x < -1 || math.IsNaN(x):
		return math.NaN()
	case x == -1:
		return math.Inf(-1)
	case math.IsInf(x, 1):
		return math.Inf(1)
	}
	absx := math.Abs(x)
	var f float64
	var iu uint64
	k := 1
	if absx < sqrt2M1 {
		if absx < small {
			if absx < tiny {
				return x
			}
			return x - float64(x*x*0.5)
		}
		if x > sqrt2HalfM1 {
			k = 0
			f = x
			iu = 1
		}
	}
	var c float64
	if k != 0 {
		var u float64
		if absx < two53 {
			u = 1.0 + x
			iu = math.Float64bits(u)
			k = int((iu >> 52) - 1023)
			if k > 0 {
				c = 1.0 - (u - x)
			} else {
				c = x - (u - 1.0)
			}
			c /= u
		} else {
			u = x
			iu = math.Float64bits(u)
			k = int((iu >> 52) - 1023)
			c = 0
		}
		iu &= 0x000fffffffffffff
		if iu < 0x0006a09e667f3bcd { // mantissa of √2
			u = math.Float64frombits(iu | 0x3ff0000000000000) // u normalised
		} else {
			k++
			u = math.Float64frombits(iu | 0x3fe0000000000000) // u/2 normalised
			iu = (0x0010000000000000 - iu) >> 2
		}
		f = u - 1.0 // √2/2 < u < √2
	}
	hfsq := float64(0.5 * f * f)
	fk := float64(k)
	if iu == 0 { // |f| < 2⁻²⁰
		if f == 0 {
			if k == 0 {
				return 0
			}
			c += float64(fk * ln2Lo)
			return float64(fk*ln2Hi) + c
		}
		R := float64(hfsq * (1.0 - float64(0.66666666666666666*f)))
		if k == 0 {
			return f - R
		}
		return float64(fk*ln2Hi) - ((R - (float64(fk*ln2Lo) + c)) - f)
	}
	s := f / (2.0 + f)
	z := s * s
	R := float64(z * horner(logP[:], z))
	if k == 0 {
		return f - (hfsq - float64(s*(hfsq+R)))
	}
	return float64(fk*ln2Hi) - ((hfsq - (float64(s*(hfsq+R)) + (float64(fk*ln2Lo) + c))) - f)
}
