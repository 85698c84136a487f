package detmath

import "math"

// ln 2 split in two (fdlibm): Ln2Hi has its low 32 bits zero, so k·Ln2Hi
// is exact for |k| < 2²⁰.
const (
	ln2Hi = 6.93147180369123816490e-01 // 0x3fe62e42fee00000
	ln2Lo = 1.90821492927058770002e-10 // 0x3dea39ef35793c76
)

// Exp returns eˣ. Special cases: Exp(+Inf) = +Inf, Exp(NaN) = NaN; very
// large values overflow to +Inf and very small ones underflow to 0.
//
// fdlibm's e_exp.c: x = k·ln2 + r with |r| ≤ ln2/2, then eʳ from a
// degree-5 minimax polynomial of r² (Remez), scaled by 2ᵏ.
func Exp(x float64) float64 {
	const (
		log2e     = 1.44269504088896338700e+00
		overflow  = 7.09782712893383973096e+02
		underflow = -7.45133219101941108420e+02
		nearZero  = 1.0 / (1 << 28) // 2⁻²⁸
	)
	switch {
	case math.IsNaN(x):
		return x
	case x > overflow: // and +Inf
		return math.Inf(1)
	case x < underflow: // and −Inf
		return 0
	case -nearZero < x && x < nearZero:
		return 1 + x
	}
	var k int
	switch {
	case x < 0:
		k = int(float64(log2e*x) - 0.5)
	case x > 0:
		k = int(float64(log2e*x) + 0.5)
	}
	hi := x - float64(float64(k)*ln2Hi)
	lo := float64(float64(k) * ln2Lo)
	return expmulti(hi, lo, k)
}

// expP are fdlibm's coefficients of R(r²) ≈ r·(eʳ+1)/(eʳ−1) − 2.
var expP = [...]float64{
	4.13813679705723846039e-08,  // P5
	-1.65339022054652515390e-06, // P4
	6.61375632143793436117e-05,  // P3
	-2.77777777770155933842e-03, // P2
	1.66666666666666657415e-01,  // P1
}

// expmulti returns e^(hi−lo)·2ᵏ.
func expmulti(hi, lo float64, k int) float64 {
	r := hi - lo
	t := float64(r * r)
	c := r - float64(t*horner(expP[:], t))
	y := 1 - ((lo - float64(r*c)/(2-c)) - hi)
	return math.Ldexp(y, k)
}

// logL are fdlibm's coefficients of the series of log((1+s)/(1−s)).
var (
	logOdd  = [...]float64{1.479819860511658591e-01, 1.818357216161805012e-01, 2.857142874366239149e-01, 6.666666666666735130e-01} // L7 L5 L3 L1
	logEven = [...]float64{1.531383769920937332e-01, 2.222219843214978396e-01, 3.999999999940941908e-01}                           // L6 L4 L2
)

// Log returns the natural logarithm of x. Special cases: Log(+Inf) = +Inf,
// Log(0) = −Inf, Log(x < 0) = NaN, Log(NaN) = NaN.
//
// fdlibm's e_log.c: x = 2ᵏ·(1+f) with √2/2 ≤ 1+f < √2, s = f/(2+f), and
// log(1+f) = 2s + 2s³/3 + … from a minimax polynomial in s².
func Log(x float64) float64 {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 1):
		return x
	case x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	}
	f1, ki := math.Frexp(x)
	if f1 < math.Sqrt2/2 {
		f1 *= 2
		ki--
	}
	f := f1 - 1
	k := float64(ki)
	s := f / (2 + f)
	s2 := s * s
	s4 := s2 * s2
	t1 := float64(s2 * horner(logOdd[:], s4))
	t2 := float64(s4 * horner(logEven[:], s4))
	R := t1 + t2
	hfsq := float64(0.5 * f * f)
	return float64(k*ln2Hi) - ((hfsq - (float64(s*(hfsq+R)) + float64(k*ln2Lo))) - f)
}

// Pow returns xʸ; its special cases are those of math.Pow. An integer
// exponent is exact repeated squaring (with the binary exponent kept
// apart, so intermediate results neither overflow nor underflow); a
// fractional part f of y contributes Exp(f·Log(x)).
func Pow(x, y float64) float64 {
	switch {
	case y == 0 || x == 1:
		return 1
	case y == 1:
		return x
	case math.IsNaN(x) || math.IsNaN(y):
		return math.NaN()
	case x == 0:
		switch {
		case y < 0:
			if math.Signbit(x) && isOddInt(y) {
				return math.Inf(-1)
			}
			return math.Inf(1)
		case y > 0:
			if math.Signbit(x) && isOddInt(y) {
				return x
			}
			return 0
		}
	case math.IsInf(y, 0):
		switch {
		case x == -1:
			return 1
		case (math.Abs(x) < 1) == math.IsInf(y, 1):
			return 0
		default:
			return math.Inf(1)
		}
	case math.IsInf(x, 0):
		if math.IsInf(x, -1) {
			return Pow(1/x, -y) // Pow(−0, −y)
		}
		switch {
		case y < 0:
			return 0
		case y > 0:
			return math.Inf(1)
		}
	case y == 0.5:
		return math.Sqrt(x)
	case y == -0.5:
		return 1 / math.Sqrt(x)
	}
	yi, yf := math.Modf(math.Abs(y))
	if yf != 0 && x < 0 {
		return math.NaN()
	}
	if yi >= 1<<63 {
		// yi is a large even integer: the result is 0, 1 or Inf.
		switch {
		case x == -1:
			return 1
		case (math.Abs(x) < 1) == (y > 0):
			return 0
		default:
			return math.Inf(1)
		}
	}
	// ans = a1 · 2**ae (= 1 for now).
	a1 := 1.0
	ae := 0
	if yf != 0 {
		if yf > 0.5 {
			yf--
			yi++
		}
		a1 = Exp(yf * Log(x))
	}
	// ans *= x**yi by repeated squaring, the exponent kept in xe.
	x1, xe := math.Frexp(x)
	for i := int64(yi); i != 0; i >>= 1 {
		if xe < -1<<12 || 1<<12 < xe {
			// Catastrophic overflow or underflow: let Ldexp settle it.
			ae += xe
			break
		}
		if i&1 == 1 {
			a1 *= x1
			ae += xe
		}
		x1 = float64(x1 * x1)
		xe <<= 1
		if x1 < .5 {
			x1 += x1
			xe--
		}
	}
	// ans = a1 · 2**ae; 1/ans for a negative y.
	if y < 0 {
		a1 = 1 / a1
		ae = -ae
	}
	return math.Ldexp(a1, ae)
}

// isOddInt reports whether x is an odd integer.
func isOddInt(x float64) bool {
	if math.Abs(x) >= (1 << 53) {
		return false // big floats are even integers
	}
	xi, xf := math.Modf(x)
	return xf == 0 && int64(xi)&1 == 1
}
