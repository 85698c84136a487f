// Package fused is test input for fpcheck: functions the compiler fuses
// on arm64 and functions written by the rule.
package fused

// Axpy is fused: a*x + y.
func Axpy(a, x, y float64) float64 {
	return a*x + y
}

// Safe is not: the product is converted.
func Safe(a, x, y float64) float64 {
	return float64(a*x) + y
}

// Later is fused across statements.
func Later(a, x, y float64) float64 {
	p := a * x
	return y - p
}

// Single is fused in single precision.
func Single(a, x, y float32) float32 {
	return a*x + y
}
