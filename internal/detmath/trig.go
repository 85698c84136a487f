package detmath

import "math"

// Cody–Waite split of π/4 into three parts whose products with small
// integers are exact (Cephes sin.c).
const (
	pi4A = 7.85398125648498535156e-1  // 0x3fe921fb40000000
	pi4B = 3.77489470793079817668e-8  // 0x3e64442d00000000
	pi4C = 2.69515142907905952645e-15 // 0x3ce8469898cc5170
)

// Minimax polynomial coefficients of sin and cos on [−π/4, π/4] (Cephes).
var (
	sinP = [...]float64{
		1.58962301576546568060e-10, // 0x3de5d8fd1fd19ccd
		-2.50507477628578072866e-8, // 0xbe5ae5e5a9291f5d
		2.75573136213857245213e-6,  // 0x3ec71de3567d48a1
		-1.98412698295895385996e-4, // 0xbf2a01a019bfdf03
		8.33333333332211858878e-3,  // 0x3f8111111110f7d0
		-1.66666666666666307295e-1, // 0xbfc5555555555548
	}
	cosP = [...]float64{
		-1.13585365213876817300e-11, // 0xbda8fa49a0861a9b
		2.08757008419747316778e-9,   // 0x3e21ee9d7b4e3f05
		-2.75573141792967388112e-7,  // 0xbe927e4f7eac4bc6
		2.48015872888517045348e-5,   // 0x3efa01a019c844f5
		-1.38888888888730564116e-3,  // 0xbf56c16c16c14f91
		4.16666666666665929218e-2,   // 0x3fa555555555554b
	}
)

// reduceThreshold is where the three-part reduction stops being accurate.
const reduceThreshold = 1 << 29

// reduce returns the octant j (0..7 before the caller's folding) and the
// remainder z = x − j·π/4 of x ≥ 0, with j rounded up to even. Beyond
// reduceThreshold, x is first reduced modulo the float64 nearest 2π:
// exact, so deterministic, but that 2π is off by 2.4e-16, so the result
// loses accuracy as x grows (math uses Payne–Hanek reduction there).
func reduce(x float64) (j uint64, z float64) {
	if x >= reduceThreshold {
		x = math.Mod(x, 2*math.Pi)
	}
	j = uint64(int64(x * (4 / math.Pi))) // integer part of x/(π/4); via int64, as float→uint64 conversions differ between architectures
	y := float64(j)
	if j&1 == 1 {
		j++
		y++
	}
	z = ((x - float64(y*pi4A)) - float64(y*pi4B)) - float64(y*pi4C)
	return j, z
}

// horner evaluates the polynomial c[0]·xⁿ + c[1]·xⁿ⁻¹ + … + c[n] in
// Horner's order, rounding every product before the addition.
func horner(c []float64, x float64) float64 {
	p := c[0]
	for _, k := range c[1:] {
		p = float64(p*x) + k
	}
	return p
}

// sinPoly is sin(z) for |z| ≤ π/4; zz = z².
func sinPoly(z, zz float64) float64 {
	return z + float64(z*zz*horner(sinP[:], zz))
}

// cosPoly is cos(z) for |z| ≤ π/4; zz = z².
func cosPoly(zz float64) float64 {
	return 1.0 - float64(0.5*zz) + float64(zz*zz*horner(cosP[:], zz))
}

// Sin returns the sine of the radian argument x (see the package doc for
// accuracy). Special cases: Sin(±0) = ±0, Sin(±Inf) = NaN, Sin(NaN) = NaN.
func Sin(x float64) float64 {
	switch {
	case x == 0 || math.IsNaN(x):
		return x
	case math.IsInf(x, 0):
		return math.NaN()
	}
	sign := false
	if x < 0 {
		x = -x
		sign = true
	}
	j, z := reduce(x)
	j &= 7
	if j > 3 {
		sign = !sign
		j -= 4
	}
	zz := z * z
	var y float64
	if j == 1 || j == 2 {
		y = cosPoly(zz)
	} else {
		y = sinPoly(z, zz)
	}
	if sign {
		y = -y
	}
	return y
}

// Cos returns the cosine of the radian argument x. Special cases:
// Cos(±Inf) = NaN, Cos(NaN) = NaN.
func Cos(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return math.NaN()
	}
	sign := false
	x = math.Abs(x)
	j, z := reduce(x)
	j &= 7
	if j > 3 {
		j -= 4
		sign = !sign
	}
	if j > 1 {
		sign = !sign
	}
	zz := z * z
	var y float64
	if j == 1 || j == 2 {
		y = sinPoly(z, zz)
	} else {
		y = cosPoly(zz)
	}
	if sign {
		y = -y
	}
	return y
}

// Rational approximation of tan on [−π/4, π/4] (Cephes tan.c).
var (
	tanP = [...]float64{
		-1.30936939181383777646e4, // 0xc0c992d8d24f3f38
		1.15351664838587416140e6,  // 0x413199eca5fc9ddd
		-1.79565251976484877988e7, // 0xc1711fead3299176
	}
	tanQ = [...]float64{
		1.00000000000000000000e0,
		1.36812963470692954678e4,  // 0x40cab8a5eeb36572
		-1.32089234440210967447e6, // 0xc13427bc582abc96
		2.50083801823357915839e7,  // 0x4177d98fc2ead8ef
		-5.38695755929454629881e7, // 0xc189afe03cbe5a31
	}
)

// Tan returns the tangent of the radian argument x. Special cases:
// Tan(±0) = ±0, Tan(±Inf) = NaN, Tan(NaN) = NaN.
func Tan(x float64) float64 {
	switch {
	case x == 0 || math.IsNaN(x):
		return x
	case math.IsInf(x, 0):
		return math.NaN()
	}
	sign := false
	if x < 0 {
		x = -x
		sign = true
	}
	j, z := reduce(x)
	zz := z * z
	y := z
	if zz > 1e-14 {
		num := zz * horner(tanP[:], zz)
		den := horner(tanQ[:], zz) // tanQ[0] = 1: (zz+Q1)·zz… exactly
		y = z + float64(z*(num/den))
	}
	if j&2 == 2 {
		y = -1 / y
	}
	if sign {
		y = -y
	}
	return y
}

// Rational approximation of atan on [0, 0.66] (Cephes atan.c).
var (
	atanP = [...]float64{
		-8.750608600031904122785e-01,
		-1.615753718733365076637e+01,
		-7.500855792314704667340e+01,
		-1.228866684490136173410e+02,
		-6.485021904942025371773e+01,
	}
	atanQ = [...]float64{
		1,
		+2.485846490142306297962e+01,
		+1.650270098316988542046e+02,
		+4.328810604912902668951e+02,
		+4.853903996359136964868e+02,
		+1.945506571482613964425e+02,
	}
)

// xatan is atan(x) for 0 ≤ x ≤ 0.66.
func xatan(x float64) float64 {
	z := x * x
	num := horner(atanP[:], z)
	den := horner(atanQ[:], z) // atanQ[0] = 1: (z+Q0)·z… exactly
	z = z * num / den
	return float64(x*z) + x
}

// satan is atan(x) for x ≥ 0, reduced to [0, 0.66].
func satan(x float64) float64 {
	const (
		morebits = 6.123233995736765886130e-17 // π/2 = Pi/2 + morebits
		tan3pio8 = 2.41421356237309504880      // tan(3π/8)
	)
	if x <= 0.66 {
		return xatan(x)
	}
	if x > tan3pio8 {
		return math.Pi/2 - xatan(1/x) + morebits
	}
	return math.Pi/4 + xatan((x-1)/(x+1)) + 0.5*morebits
}

// Atan returns the arctangent of x in radians. Special cases:
// Atan(±0) = ±0, Atan(±Inf) = ±π/2.
func Atan(x float64) float64 {
	if x == 0 {
		return x
	}
	if x > 0 {
		return satan(x)
	}
	return -satan(-x)
}

// Atan2 returns the arctangent of y/x in radians, using the signs of both
// to pick the quadrant; its special cases are those of math.Atan2.
func Atan2(y, x float64) float64 {
	switch {
	case math.IsNaN(y) || math.IsNaN(x):
		return math.NaN()
	case y == 0:
		if x >= 0 && !math.Signbit(x) {
			return math.Copysign(0, y)
		}
		return math.Copysign(math.Pi, y)
	case x == 0:
		return math.Copysign(math.Pi/2, y)
	case math.IsInf(x, 0):
		if math.IsInf(x, 1) {
			if math.IsInf(y, 0) {
				return math.Copysign(math.Pi/4, y)
			}
			return math.Copysign(0, y)
		}
		if math.IsInf(y, 0) {
			return math.Copysign(3*math.Pi/4, y)
		}
		return math.Copysign(math.Pi, y)
	case math.IsInf(y, 0):
		return math.Copysign(math.Pi/2, y)
	}
	q := Atan(y / x)
	if x < 0 {
		if q <= 0 {
			return q + math.Pi
		}
		return q - math.Pi
	}
	return q
}

// Hypot returns √(p² + q²), avoiding overflow and underflow. Special
// cases: Hypot(±Inf, q) = Hypot(p, ±Inf) = +Inf; otherwise a NaN argument
// gives NaN.
func Hypot(p, q float64) float64 {
	p, q = math.Abs(p), math.Abs(q)
	switch {
	case math.IsInf(p, 1) || math.IsInf(q, 1):
		return math.Inf(1)
	case math.IsNaN(p) || math.IsNaN(q):
		return math.NaN()
	}
	if p < q {
		p, q = q, p
	}
	if p == 0 {
		return 0
	}
	q = q / p
	return p * math.Sqrt(1+float64(q*q))
}
