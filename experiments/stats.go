package experiments

import (
	"math"
	"slices"
	"sort"
)

// Estimate is the mean of one metric in one arm over its replications,
// with a Student-t confidence interval.
type Estimate struct {
	N          int     // replications with a value
	Mean, SD   float64 // sample mean and standard deviation (n − 1)
	Low, High  float64 // confidence interval of the mean; NaN when N < 2
	HalfWidth  float64 // (High − Low) / 2
	Values     []float64
	Confidence float64
}

// Comparison is the paired difference arm − baseline of one metric over
// the replications both have a value for. Because replication i of every
// arm uses the same seed (common random numbers), the differences d_i
// cancel the demand's variability and the test is a paired t-test on
// them (Student 1908; see e.g. Law, Simulation Modeling and Analysis,
// 5th ed., §11.2 on common random numbers).
type Comparison struct {
	Arm       string
	N         int     // pairs
	Mean, SD  float64 // of the differences
	Low, High float64 // confidence interval of the mean difference
	// Relative is Mean over the baseline's mean (0.05 = 5 % more).
	Relative float64
	T        float64 // t statistic, ±Inf when every difference is the same non-zero number
	P        float64 // two-sided p-value
	// PHolm is P adjusted for the number of comparisons by Holm's
	// step-down method (Holm 1979); equal to P with one comparison.
	PHolm float64
	// Significant reports PHolm < 1 − confidence.
	Significant bool
	// Verdict is "better", "worse", "no significant difference" or
	// "identical" (every difference exactly 0).
	Verdict string
}

// MetricResult holds one metric's estimates and comparisons.
type MetricResult struct {
	Metric    Metric
	Estimates []Estimate   // one per arm, in arm order
	Diffs     []Comparison // one per arm but the baseline, in arm order
}

// estimate returns the mean of xs (NaN values left out) with its
// confidence interval.
func estimate(xs []float64, conf float64) Estimate {
	var v []float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	e := Estimate{N: len(v), Mean: math.NaN(), SD: math.NaN(), Low: math.NaN(), High: math.NaN(), HalfWidth: math.NaN(), Values: v, Confidence: conf}
	if e.N == 0 {
		return e
	}
	e.Mean = mean(v)
	if e.N < 2 {
		return e
	}
	e.SD = stdDev(v)
	e.HalfWidth = tQuantile(conf, e.N-1) * e.SD / math.Sqrt(float64(e.N))
	if e.SD == 0 {
		e.HalfWidth = 0
	}
	e.Low, e.High = e.Mean-e.HalfWidth, e.Mean+e.HalfWidth
	return e
}

// tQuantile returns the two-sided critical value t_{(1+conf)/2, df}.
func tQuantile(conf float64, df int) float64 {
	return tQuantileTwoSided(1-conf, df)
}

// compare returns the paired comparison of arm values a against baseline
// values b (same replication order); pairs with a NaN are left out.
func compare(arm string, a, b []float64, conf float64) Comparison {
	var d, base []float64
	for i := range a {
		if !math.IsNaN(a[i]) && !math.IsNaN(b[i]) {
			d = append(d, a[i]-b[i])
			base = append(base, b[i])
		}
	}
	e := estimate(d, conf)
	c := Comparison{Arm: arm, N: e.N, Mean: e.Mean, SD: e.SD, Low: e.Low, High: e.High, Relative: math.NaN(), T: math.NaN(), P: math.NaN()}
	if e.N > 0 {
		if bm := mean(base); bm != 0 {
			c.Relative = e.Mean / bm
		}
	}
	switch {
	case e.N == 0:
	case e.SD == 0 || e.N == 1 && e.Mean == 0:
		// Every difference equal: a t-test is degenerate but the answer
		// is exact.
		if e.Mean == 0 {
			c.T, c.P = 0, 1
			c.Low, c.High = 0, 0
		} else if e.N >= 2 {
			c.T, c.P = math.Copysign(math.Inf(1), e.Mean), 0
		}
	case e.N >= 2:
		c.T = e.Mean / (e.SD / math.Sqrt(float64(e.N)))
		c.P = tTwoSided(math.Abs(c.T), e.N-1)
		c.P = min(c.P, 1)
	}
	c.PHolm = c.P
	return c
}

// holm adjusts the p-values of cs in place (Holm 1979): sorted ascending,
// the k-th of m is multiplied by m − k + 1, made monotone and capped at 1.
// NaN p-values are left out of the family.
func holm(cs []Comparison) {
	var idx []int
	for i := range cs {
		if !math.IsNaN(cs[i].P) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return cs[idx[a]].P < cs[idx[b]].P })
	m := len(idx)
	run := 0.0
	for k, i := range idx {
		run = max(run, min(1, float64(m-k)*cs[i].P))
		cs[i].PHolm = run
	}
}

// verdict fills Significant and Verdict.
func (c *Comparison) verdict(alpha float64, higherIsBetter bool) {
	switch {
	case c.N > 0 && c.Mean == 0 && c.P == 1 && c.Low == 0 && c.High == 0:
		c.Verdict = "identical"
	case !math.IsNaN(c.PHolm) && c.PHolm < alpha:
		c.Significant = true
		if (c.Mean > 0) == higherIsBetter {
			c.Verdict = "better"
		} else {
			c.Verdict = "worse"
		}
	case math.IsNaN(c.PHolm):
		c.Verdict = "not enough data"
	default:
		c.Verdict = "no significant difference"
	}
}

// analyse computes every metric's estimates and comparisons. values[m][a]
// holds metric m of arm a by replication.
func analyse(metrics []Metric, arms []string, baseline int, values [][][]float64, conf float64) []MetricResult {
	out := make([]MetricResult, len(metrics))
	for mi, m := range metrics {
		r := MetricResult{Metric: m}
		for ai := range arms {
			r.Estimates = append(r.Estimates, estimate(values[mi][ai], conf))
		}
		for ai, a := range arms {
			if ai != baseline {
				r.Diffs = append(r.Diffs, compare(a, values[mi][ai], values[mi][baseline], conf))
			}
		}
		if len(r.Diffs) > 1 {
			holm(r.Diffs)
		}
		for i := range r.Diffs {
			r.Diffs[i].verdict(1-conf, m.HigherIsBetter)
		}
		out[mi] = r
	}
	return out
}

// Replications-needed estimates for the warnings.

// precisionTarget is the relative half-width of an arm's confidence
// interval above which Report warns.
const precisionTarget = 0.05

// repsForPrecision returns the replications that would bring the
// half-width of e's interval to precisionTarget × |mean| (normal
// approximation, n ≈ (z·s / (r·|x̄|))²).
func repsForPrecision(e Estimate) int {
	z := normalQuantile(1 - float64((1-e.Confidence)/2))
	r := z * e.SD / (precisionTarget * math.Abs(e.Mean))
	return int(math.Ceil(r * r))
}

// repsToDetect returns the pairs a paired test at level 1 − conf would
// need to detect a true mean difference of c.Mean with 80 % power, given
// the observed spread (n ≈ ((z_{1−α/2} + z_{0.8})·s_d / |d̄|)²).
func repsToDetect(c Comparison, conf float64) int {
	z := normalQuantile(1-float64((1-conf)/2)) + normalQuantile(0.8)
	r := z * c.SD / math.Abs(c.Mean)
	return int(math.Ceil(r * r))
}

// quantiles returns the q-quantiles of xs (sorted copy) at probabilities ps.
func quantiles(xs []float64, ps []float64) []float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	out := make([]float64, len(ps))
	for i, p := range ps {
		if len(s) == 0 {
			out[i] = math.NaN()
			continue
		}
		out[i] = linInterpQuantile(p, s)
	}
	return out
}
