package detmath

import (
	"math"
	"math/rand/v2"
)

// The ziggurat tables of Marsaglia and Tsang (2000), computed as their
// zigset does: 128 strips of equal area v under the normal density
// exp(−x²/2), 256 under the exponential density exp(−x). For strip i, x
// of a draw j is j·w[i]; j < k[i] lies wholly under the curve; f[i] is the
// density at the strip's edge.
const (
	normR = 3.442619855899       // start of the normal tail
	normV = 9.91256303526217e-3  // area of a normal strip
	expR  = 7.69711747013104972  // start of the exponential tail
	expV  = 3.949659822581572e-3 // area of an exponential strip
	m31   = 2147483648.0         // 2³¹: the normal uses 31-bit draws
	m32   = 4294967296.0         // 2³²: the exponential 32-bit draws
)

var (
	kn     [128]uint32
	wn, fn [128]float32
	ke     [256]uint32
	we, fe [256]float32
)

func init() {
	dn, tn := normR, normR
	q := normV / Exp(-.5*dn*dn)
	kn[0] = uint32((dn / q) * m31)
	kn[1] = 0
	wn[0] = float32(q / m31)
	wn[127] = float32(dn / m31)
	fn[0] = 1
	fn[127] = float32(Exp(-.5 * dn * dn))
	for i := 126; i >= 1; i-- {
		dn = math.Sqrt(-2 * Log(normV/dn+Exp(-.5*dn*dn)))
		kn[i+1] = uint32((dn / tn) * m31)
		tn = dn
		fn[i] = float32(Exp(-.5 * dn * dn))
		wn[i] = float32(dn / m31)
	}

	de, te := expR, expR
	q = expV / Exp(-de)
	ke[0] = uint32((de / q) * m32)
	ke[1] = 0
	we[0] = float32(q / m32)
	we[255] = float32(de / m32)
	fe[0] = 1
	fe[255] = float32(Exp(-de))
	for i := 254; i >= 1; i-- {
		de = -Log(expV/de + Exp(-de))
		ke[i+1] = uint32((de / te) * m32)
		te = de
		fe[i] = float32(Exp(-de))
		we[i] = float32(de / m32)
	}
}

// NormFloat64 returns a standard normal draw (mean 0, standard deviation
// 1) from r: (*rand.Rand).NormFloat64 made portable. It reads the same
// numbers from r as math/rand/v2 does.
func NormFloat64(r *rand.Rand) float64 {
	for {
		u := r.Uint64()
		j := int32(u) // possibly negative
		i := u >> 32 & 0x7F
		x := float64(j) * float64(wn[i])
		if absInt32(j) < kn[i] {
			return x // inside the strip's rectangle: the common case
		}
		if i == 0 {
			// The tail beyond normR (Marsaglia 1964).
			for {
				x = float64(-Log(r.Float64()) * (1.0 / normR))
				y := -Log(r.Float64())
				if y+y >= x*x {
					break
				}
			}
			if j > 0 {
				return normR + x
			}
			return -normR - x
		}
		if fn[i]+float32(float32(r.Float64())*(fn[i-1]-fn[i])) < float32(Exp(-.5*x*x)) {
			return x
		}
	}
}

// ExpFloat64 returns an exponential draw with rate 1 (mean 1) from r:
// (*rand.Rand).ExpFloat64 made portable. It reads the same numbers from r
// as math/rand/v2 does.
func ExpFloat64(r *rand.Rand) float64 {
	for {
		u := r.Uint64()
		j := uint32(u)
		i := uint8(u >> 32)
		x := float64(j) * float64(we[i])
		if j < ke[i] {
			return x
		}
		if i == 0 {
			return expR - Log(r.Float64())
		}
		if fe[i]+float32(float32(r.Float64())*(fe[i-1]-fe[i])) < float32(Exp(-x)) {
			return x
		}
	}
}

func absInt32(i int32) uint32 {
	if i < 0 {
		return uint32(-i)
	}
	return uint32(i)
}
