// Package fpcheck enforces CityTwin's floating-point portability rule
// (engine/doc.go, "Floating point: the same bits on every machine"): code
// on a path that affects results must not let the compiler fuse a
// multiply and an add, and must not call the math functions whose last
// bits differ between architectures.
//
// Its tests are the check, run by `go test ./...` in every CI run:
//
//   - TestNoFusedMultiplyAdd compiles the module's packages for arm64
//     (or for the architectures listed in CITYTWIN_FPCHECK_ARCHS: test.sh
//     runs it once more for the other ones that fuse, ppc64le, s390x,
//     riscv64, loong64 and amd64.v3) with -gcflags=-S and fails on every fused
//     multiply-add instruction (FMADDD, FMSUBD, FNMADDD, VFMADD231SD...)
//     whose source line is in a results package, naming the file, the
//     line, the expression and how to write it.
//   - TestNoNonPortableMath parses the same packages and fails on calls of
//     math.Sin, Cos, Tan, Atan, Atan2, Exp, Log, Pow, Hypot and the other
//     functions that are assembly on some architectures or compiled with
//     fusion, on (*rand.Rand).NormFloat64 and ExpFloat64, and on
//     third-party floating-point code (orb's planar, project and geo
//     packages, gonum's stat and floats), naming the replacement in
//     internal/detmath.
//
// Results packages are every package of the module except the drawing
// code (render/..., cmd/citytwin-view) and the files listed in [Exempt].
//
// crossarch.sh, beside this file, is the end-to-end check test.sh runs:
// every scenario, example, CityFlow dataset and benchmark case natively
// with 1, 2, 3 and 8 workers and as an arm64 binary under
// qemu-aarch64-static, comparing state hashes and run digests.
package fpcheck
