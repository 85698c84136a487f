package experiments

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// relClose reports whether a and b agree to tol relative (or absolute
// below 1).
func relClose(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*max(1, math.Abs(a), math.Abs(b))
}

// TestPortableStatistics checks the report's statistics against gonum's,
// which they replace (distrib.go says why).
func TestPortableStatistics(t *testing.T) {
	xs := []float64{252.9, 250.1, 249.7, 255.3, 251.0, 248.8, 253.6, 250.4, 252.2, 249.9, 251.7, 254.0, 250.6, 252.8, 249.2, 251.1, 253.3}
	if got, want := mean(xs), stat.Mean(xs, nil); !relClose(got, want, 1e-15) {
		t.Errorf("mean: got %v, gonum %v", got, want)
	}
	if got, want := stdDev(xs), stat.StdDev(xs, nil); !relClose(got, want, 1e-13) {
		t.Errorf("stdDev: got %v, gonum %v", got, want)
	}
	sorted := append([]float64(nil), xs...)
	stat.SortWeighted(sorted, nil)
	for _, p := range []float64{0, 0.05, 0.25, 0.5, 0.9, 0.95, 1} {
		if got, want := linInterpQuantile(p, sorted), stat.Quantile(p, stat.LinInterp, sorted, nil); !relClose(got, want, 1e-15) {
			t.Errorf("quantile %g: got %v, gonum %v", p, got, want)
		}
	}
	for _, df := range []int{1, 2, 3, 4, 5, 9, 10, 19, 29, 30, 99} {
		st := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}
		for _, conf := range []float64{0.8, 0.9, 0.95, 0.99} {
			if got, want := tQuantileTwoSided(1-conf, df), st.Quantile(1-(1-conf)/2); !relClose(got, want, 1e-10) {
				t.Errorf("t quantile df %d conf %g: got %v, gonum %v", df, conf, got, want)
			}
		}
		for _, x := range []float64{0, 0.1, 0.5, 1, 2, 3.5, 7, 20, 100} {
			if got, want := tTwoSided(x, df), 2*st.Survival(x); !relClose(got, want, 1e-10) {
				t.Errorf("t two-sided p df %d t %g: got %v, gonum %v", df, x, got, want)
			}
		}
	}
	for _, p := range []float64{0.5, 0.6, 0.8, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999} {
		if got, want := normalQuantile(p), distuv.UnitNormal.Quantile(p); !relClose(got, want, 1e-10) {
			t.Errorf("normal quantile %g: got %v, gonum %v", p, got, want)
		}
	}
}
