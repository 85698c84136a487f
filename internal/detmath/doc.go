// Package detmath is floating-point math whose results are bit-identical
// on every CPU architecture Go supports, for the functions whose standard
// library versions are not: Sin, Cos, Tan, Asin, Atan, Atan2, Hypot, Exp,
// Log, Log1p, Pow, Sinh, Cosh, Atanh, and the normal and exponential
// draws of math/rand/v2 (NormFloat64, ExpFloat64).
//
// # Why the standard library is not enough
//
// Package math gives the same answer everywhere only for the functions
// IEEE 754 defines exactly (+ − × ÷, Sqrt, FMA, Floor, Ceil, Trunc, Round,
// Mod, Abs, Copysign, Frexp, Ldexp, Min, Max). The others differ in their
// last bits between architectures, for two reasons:
//
//   - Assembly: Exp is assembly on amd64 (two paths, chosen at run time by
//     whether the CPU has FMA), arm64, loong64, riscv64 and s390x; Log and
//     Hypot on amd64; nearly everything on s390x.
//   - Fused multiply-add: the Go specification lets the compiler fuse
//     x*y + z into one instruction with a single rounding, and it does so
//     on arm64, ppc64le, s390x, riscv64, loong64 and amd64 with
//     GOAMD64=v3, but not on amd64 (v1/v2) or 386. The pure-Go functions
//     of math (Sin, Cos, Atan, Log, Pow...) are compiled that way too.
//
// math/rand/v2's NormFloat64 and ExpFloat64 call math.Exp and math.Log and
// compare fused float32 expressions on their slow paths, so a few draws in
// a hundred differ as well.
//
// # Algorithms and accuracy
//
// Each function here is the standard library's pure-Go algorithm, with
// its coefficients and its order of operations, written so that no
// product can be fused: every product that is added to or subtracted from
// something is converted explicitly, float64(x*y) + z, which the
// specification says rounds the product first. On amd64 (GOAMD64=v1 or
// v2), where Go does not fuse, Sin, Cos, Tan, Atan and Atan2 here are
// therefore bit-identical to package math's, and so are Hypot and Log to
// math's amd64 assembly on every one of the 200,000 test arguments per
// function (but for subnormal x, where math.Log's assembly is wrong). The
// algorithms are fdlibm's (Sun Microsystems, 1993: e_exp.c, e_log.c, with
// Cody and Waite's argument reduction) for Exp and Log, and Cephes' (S. L.
// Moshier, Cephes Math Library, 1984–1992: sin.c, tan.c, atan.c) for the
// trigonometric functions. Over the test arguments, the largest
// differences from package math are: 0 ulp on amd64 for all but Exp
// (2 ulp from math.Exp's amd64 assembly) and Pow with a fractional
// exponent (6 ulp, through Exp), Sinh and Cosh (3 and 2 ulp, through
// Exp) and Asin (math.Asin's 1 − x·x loses up to 20 ulp near ±1; Asin
// here computes (1−x)(1+x)); on arm64, whose math is fused, 1 ulp (Sin,
// Cos, Asin, Atan, Atan2, Exp, Log, Log1p, Cosh, Atanh), 2 ulp (Tan, Hypot,
// Sinh) and 4 ulp (Pow). Log1p and Atanh are fdlibm's s_log1p.c and
// e_atanh.c, Sinh Hart and Cheney's approximation #2029 below 0.5.
// Pow with an integer exponent is exact repeated squaring, as in math.
// Sin, Cos and Tan reduce their argument by π/4 in three parts
// (Cody–Waite), accurate for |x| < 2²⁹; beyond that the argument is first
// reduced modulo 2π exactly, which stays deterministic but loses accuracy
// as |x| grows (math switches to Payne–Hanek reduction there).
//
// NormFloat64 and ExpFloat64 are the ziggurat method of Marsaglia and
// Tsang ("The Ziggurat Method for Generating Random Variables", Journal of
// Statistical Software 5(8), 2000), drawing from a *rand.Rand exactly as
// math/rand/v2 does, with the strip tables of that paper computed here
// and the slow-path tests written without fusion and with this package's
// Exp and Log. They consume the same random numbers as math/rand/v2 and,
// on amd64, return the same values for every draw the tests make.
//
// # The rule
//
// Code on a path that affects results — what CityTwin writes, hashes or
// decides on — calls this package instead of math for the functions
// above, and writes every product that is added or subtracted as
// float64(x*y) (float32(x*y) for float32). The check in internal/fpcheck
// enforces both in every CI run.
//
// The implementations derive from Go's math and math/rand/v2 packages:
// Copyright 2009 The Go Authors. All rights reserved. Use of that source
// code is governed by a BSD-style license that can be found at
// https://go.dev/LICENSE.
package detmath
