package fpcheck_test

import (
	"os"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/internal/fpcheck"
)

// TestNoFusedMultiplyAdd fails on every fused multiply-add instruction in
// the results packages, compiled for arm64 and for the architectures in
// CITYTWIN_FPCHECK_ARCHS (space-separated; test.sh lists them all).
func TestNoFusedMultiplyAdd(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the cross-compilation is left to the full run")
	}
	root, err := fpcheck.Root()
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := fpcheck.Packages(root)
	if err != nil {
		t.Fatal(err)
	}
	archs := strings.Fields(os.Getenv("CITYTWIN_FPCHECK_ARCHS"))
	if len(archs) == 0 {
		archs = []string{"arm64"}
	}
	for _, arch := range archs {
		sites, err := fpcheck.Fused(root, arch, pkgs)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d packages, %d fused multiply-adds", arch, len(pkgs), len(sites))
		for _, s := range sites {
			t.Error(fpcheck.Advice(root, s))
		}
	}
}

// TestNoNonPortableMath fails on every call of a floating-point function
// whose results differ between architectures.
func TestNoNonPortableMath(t *testing.T) {
	root, err := fpcheck.Root()
	if err != nil {
		t.Fatal(err)
	}
	found, err := fpcheck.Calls(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		t.Error(f)
	}
}

// TestFusedFindsFusion checks the check: in testdata/fused, the three
// fusable functions are reported for arm64 with the rewrite, the one
// written by the rule is not.
func TestFusedFindsFusion(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the cross-compilation is left to the full run")
	}
	root, err := fpcheck.Root()
	if err != nil {
		t.Fatal(err)
	}
	sites, err := fpcheck.Fused(root, "arm64", []string{"./internal/fpcheck/testdata/fused"})
	if err != nil {
		t.Fatal(err)
	}
	lines := map[int]string{}
	for _, s := range sites {
		lines[s.Line] = s.Op
	}
	for line, want := range map[int]string{7: "FMADDD", 18: "FMSUBD", 23: "FMADDS"} {
		if got := lines[line]; got != want {
			t.Errorf("testdata/fused/fused.go:%d: got %q, want a %s reported (all: %v)", line, got, want, sites)
		}
	}
	if op, ok := lines[12]; ok {
		t.Errorf("testdata/fused/fused.go:12 (float64(a*x) + y) reported as %s; the conversion must prevent fusion", op)
	}
	for _, s := range sites {
		if s.Line == 7 {
			if adv := fpcheck.Advice(root, s); !strings.Contains(adv, "float64(a*x) + y") || !strings.Contains(adv, "fused.go:7") {
				t.Errorf("advice for line 7 does not give the rewrite:\n%s", adv)
			}
		}
		if s.Line == 23 {
			if adv := fpcheck.Advice(root, s); !strings.Contains(adv, "float32(a*x) + y") {
				t.Errorf("advice for line 23 does not give the float32 rewrite:\n%s", adv)
			}
		}
	}
}

// TestCallsFindsCalls checks the call check on testdata/calls.
func TestCallsFindsCalls(t *testing.T) {
	root, err := fpcheck.Root()
	if err != nil {
		t.Fatal(err)
	}
	found, err := fpcheck.FileCalls(root, "internal/fpcheck/testdata/calls/calls.go")
	if err != nil {
		t.Fatal(err)
	}
	got := map[int]string{}
	for _, f := range found {
		got[f.Pos.Line] = f.Msg
	}
	for line, want := range map[int]string{14: "detmath.Sin", 16: "detmath.NormFloat64", 17: "planar.Length", 18: "math.Log2"} {
		if !strings.Contains(got[line], want) {
			t.Errorf("calls.go:%d: got %q, want a finding naming %s", line, got[line], want)
		}
	}
	if msg, ok := got[15]; ok {
		t.Errorf("calls.go:15 (math.Sqrt, exact) reported: %s", msg)
	}
}
