package detmath_test

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/citytwin/citytwin/internal/detmath"
)

// inputs returns n arguments for a function: a deterministic mix of
// uniform draws over [lo, hi) and the edge values.
func inputs(seed uint64, n int, lo, hi float64) []float64 {
	r := rand.New(rand.NewPCG(seed, 7))
	xs := []float64{lo, hi, 0, math.Copysign(0, -1), 1, -1, 0.5, math.Pi / 4, math.Pi / 2, math.Pi, 1e-300, 1e300,
		math.Inf(1), math.Inf(-1), math.NaN(), math.SmallestNonzeroFloat64, math.MaxFloat64}
	for len(xs) < n {
		xs = append(xs, lo+float64(r.Float64()*(hi-lo))) // float64(): no fusion, same inputs everywhere
	}
	return xs
}

type unary struct {
	name     string
	det, std func(float64) float64
	lo, hi   float64
	ulps     uint64 // largest difference from math allowed
}

// comparable reports whether math's result is a fair reference for f(x):
// beyond 2²⁹ math's trigonometric functions switch to Payne–Hanek
// reduction (detmath's lose accuracy there, see reduce), and math.Log's
// amd64 assembly is wrong for subnormal x (Log(5e-324) = −709.09 instead
// of −744.44; detmath's is right).
func (f unary) comparable(x float64) bool {
	switch f.name {
	case "Sin", "Cos", "Tan":
		return math.Abs(x) < 1<<29
	case "Log", "LogSmall":
		return x == 0 || math.Abs(x) >= 0x1p-1022
	}
	return true
}

var unaries = []unary{
	{"Sin", detmath.Sin, math.Sin, -100, 100, 1},
	{"Cos", detmath.Cos, math.Cos, -100, 100, 1},
	{"Tan", detmath.Tan, math.Tan, -10, 10, 2},
	{"Atan", detmath.Atan, math.Atan, -50, 50, 1},
	{"Exp", detmath.Exp, math.Exp, -700, 700, 2},
	{"Log", detmath.Log, math.Log, 0, 1e6, 1},
	{"LogSmall", detmath.Log, math.Log, 0, 2, 1},
	{"Log1p", detmath.Log1p, math.Log1p, -1, 10, 1},
	{"Sinh", detmath.Sinh, math.Sinh, -30, 30, 3},
	{"Cosh", detmath.Cosh, math.Cosh, -30, 30, 2},
	{"Asin", detmath.Asin, math.Asin, -1, 1, 20}, // math.Asin on amd64 loses 20 ulp near ±1 (see Asin)
	{"Atanh", detmath.Atanh, math.Atanh, -1, 1, 1},
}

type binary struct {
	name     string
	det, std func(float64, float64) float64
	lo, hi   [2]float64
	ulps     uint64
}

var binaries = []binary{
	{"Atan2", detmath.Atan2, math.Atan2, [2]float64{-1e3, 1e3}, [2]float64{-1e3, 1e3}, 1},
	{"Hypot", detmath.Hypot, math.Hypot, [2]float64{-1e4, 1e4}, [2]float64{-1e4, 1e4}, 2},
	{"Pow", detmath.Pow, math.Pow, [2]float64{0, 3}, [2]float64{-40, 40}, 8},
	{"PowInt", detmath.Pow, math.Pow, [2]float64{-3, 3}, [2]float64{-8, 8}, 0}, // y rounded to an integer below
}

// ulpDiff returns the distance between a and b in units in the last
// place; 0 for equal values and for two NaNs.
func ulpDiff(a, b float64) uint64 {
	if a == b || math.IsNaN(a) && math.IsNaN(b) {
		return 0
	}
	if math.IsNaN(a) || math.IsNaN(b) || math.Signbit(a) != math.Signbit(b) {
		return math.MaxUint64
	}
	x, y := math.Float64bits(math.Abs(a)), math.Float64bits(math.Abs(b))
	if x > y {
		return x - y
	}
	return y - x
}

const draws = 200000

// TestAccuracy checks every function against package math.
func TestAccuracy(t *testing.T) {
	for _, f := range unaries {
		worst, at := uint64(0), 0.0
		for _, x := range inputs(1, draws, f.lo, f.hi) {
			if !f.comparable(x) {
				continue
			}
			if d := ulpDiff(f.det(x), f.std(x)); d > worst {
				worst, at = d, x
			}
		}
		t.Logf("%-8s largest difference from math: %d ulp (at %v)", f.name, worst, at)
		if worst > f.ulps {
			t.Errorf("%s(%v) = %v, math gives %v: %d ulp apart, want ≤ %d", f.name, at, f.det(at), f.std(at), worst, f.ulps)
		}
	}
	for _, f := range binaries {
		worst, ax, ay := uint64(0), 0.0, 0.0
		xs, ys := inputs(2, draws, f.lo[0], f.lo[1]), inputs(3, draws, f.hi[0], f.hi[1])
		for i := range xs {
			x, y := xs[i], ys[i]
			if f.name == "PowInt" {
				y = math.Round(y)
			}
			if d := ulpDiff(f.det(x, y), f.std(x, y)); d > worst {
				worst, ax, ay = d, x, y
			}
		}
		t.Logf("%-8s largest difference from math: %d ulp (at %v, %v)", f.name, worst, ax, ay)
		if worst > f.ulps {
			t.Errorf("%s(%v, %v) = %v, math gives %v: %d ulp apart, want ≤ %d", f.name, ax, ay, f.det(ax, ay), f.std(ax, ay), worst, f.ulps)
		}
	}
}

// digest hashes the bits of every result.
func digest(results func(yield func(float64))) string {
	h := fnv.New64a()
	var b [8]byte
	results(func(x float64) {
		u := math.Float64bits(x)
		if x != x {
			u = 0x7ff8000000000001 // one NaN, whatever its payload
		}
		for i := range b {
			b[i] = byte(u >> (8 * i))
		}
		h.Write(b[:])
	})
	return fmt.Sprintf("%016x", h.Sum64())
}

// golden are the digests of every function over the inputs above,
// computed on amd64. The same test binary built for arm64 (test.sh runs
// it under qemu-aarch64-static) and any other architecture must match
// them bit for bit: that is what this package is for.
var golden = map[string]string{
	"Asin":        "6ddfc824f9d42351",
	"Atan":        "59580a1fd14ea4b8",
	"Atan2":       "4bc637a3b3f5b94c",
	"Atanh":       "3424b11169ac8eb3",
	"Cos":         "587fc93dc9b3edc5",
	"Cosh":        "9beb5391659724f5",
	"Exp":         "aa1eb0c87d9676a9",
	"ExpFloat64":  "495ad0cfbbf4232e",
	"Hypot":       "a546b760174e79c3",
	"Log":         "ef6016f4e038aedc",
	"Log1p":       "d6257519bdd7c31f",
	"LogSmall":    "f33e3708e0f03fbd",
	"NormFloat64": "4447767271ed0610",
	"Pow":         "066ddc9e097220c7",
	"PowInt":      "3c8fb20a10af3cb5",
	"Sin":         "d08ae576cd408842",
	"Sinh":        "8dfad8568737cf95",
	"Tan":         "aeb332a156cd9a7b",
}

func TestGolden(t *testing.T) {
	got := map[string]string{}
	for _, f := range unaries {
		got[f.name] = digest(func(yield func(float64)) {
			for _, x := range inputs(1, draws, f.lo, f.hi) {
				yield(f.det(x))
			}
		})
	}
	for _, f := range binaries {
		got[f.name] = digest(func(yield func(float64)) {
			xs, ys := inputs(2, draws, f.lo[0], f.lo[1]), inputs(3, draws, f.hi[0], f.hi[1])
			for i := range xs {
				y := ys[i]
				if f.name == "PowInt" {
					y = math.Round(y)
				}
				yield(f.det(xs[i], y))
			}
		})
	}
	got["NormFloat64"] = digest(func(yield func(float64)) {
		r := rand.New(rand.NewPCG(4, 5))
		for range draws {
			yield(detmath.NormFloat64(r))
		}
	})
	got["ExpFloat64"] = digest(func(yield func(float64)) {
		r := rand.New(rand.NewPCG(6, 7))
		for range draws {
			yield(detmath.ExpFloat64(r))
		}
	})
	for name, d := range got {
		t.Logf("%q: %q,", name, d)
		if want, ok := golden[name]; !ok {
			t.Errorf("%s: no golden digest (got %s)", name, d)
		} else if d != want {
			t.Errorf("%s: digest %s, want %s: results differ from amd64's", name, d, want)
		}
	}
}
