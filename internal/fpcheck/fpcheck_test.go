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
