package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRunRefusesBadArguments(t *testing.T) {
	for _, tc := range []struct {
		name          string
		steps, rounds int
	}{
		{"no step", 0, 1},
		{"no round", 1, 0},
	} {
		if err := run(new(bytes.Buffer), "grid10", 10, tc.steps, tc.rounds, []int{1, 2}, 0, 1); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	if err := run(new(bytes.Buffer), "nosuchcase", 10, 1, 1, []int{1}, 0, 1); err == nil {
		t.Error("unknown case: no error")
	}
}

// A short run reports every worker count, and its clones end in the same
// state (run fails otherwise).
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, "grid10", 30, 3, 2, []int{1, 2, 3}, -1, 1); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"grid10: 2 rounds of 3 steps after 30 s", "workers 1: ", "workers 2: ", "workers 3: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
