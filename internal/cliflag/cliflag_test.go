package cliflag

import (
	"errors"
	"flag"
	"io"
	"slices"
	"strings"
	"testing"
)

func TestParseInterleaved(t *testing.T) {
	for _, c := range []struct {
		args    []string
		workers int
		quiet   bool
		pos     []string
	}{
		{[]string{"a.toml"}, 0, false, []string{"a.toml"}},
		{[]string{"--workers", "2", "a.toml"}, 2, false, []string{"a.toml"}},
		{[]string{"a.toml", "--workers", "2", "--quiet"}, 2, true, []string{"a.toml"}},
		{[]string{"a.toml", "--quiet", "b.toml", "-workers=3"}, 3, true, []string{"a.toml", "b.toml"}},
		{[]string{"--quiet", "--", "-odd.toml", "--workers"}, 0, true, []string{"-odd.toml", "--workers"}},
		{[]string{"a.toml", "--", "--quiet"}, 0, false, []string{"a.toml", "--quiet"}},
		{[]string{"-"}, 0, false, []string{"-"}},
		{nil, 0, false, nil},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		workers := fs.Int("workers", 0, "")
		quiet := fs.Bool("quiet", false, "")
		if err := ParseInterleaved(fs, c.args); err != nil {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		if *workers != c.workers || *quiet != c.quiet || !slices.Equal(fs.Args(), c.pos) && len(fs.Args())+len(c.pos) > 0 {
			t.Errorf("%q: workers %d quiet %t args %q; want %d %t %q", c.args, *workers, *quiet, fs.Args(), c.workers, c.quiet, c.pos)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Int("workers", 0, "")
	if err := ParseInterleaved(fs, []string{"a.toml", "--nope"}); err == nil {
		t.Error("an unknown flag after a positional argument: no error")
	}
}

// TestCommand checks Command: help on stdout with ErrHelp, a bad flag
// said on stderr with the usage line and ErrUsage, IsSet.
func TestCommand(t *testing.T) {
	for _, c := range []struct {
		args           []string
		err            error
		stdout, stderr string // contained
		workersSet     bool
	}{
		{[]string{"-h"}, ErrHelp, "usage: t [flags] FILE\n\nDoes t.\n\nFlags:\n  -workers int\n    \tworkers (default: all)\n", "", false},
		{[]string{"--help", "a"}, ErrHelp, "usage: t [flags] FILE", "", false},
		{[]string{"a", "--nope"}, ErrUsage, "", "t: flag provided but not defined: -nope\nusage: t [flags] FILE\nRun \"t -h\" for help.\n", false},
		{[]string{"a", "-workers", "0"}, nil, "", "", true},
		{[]string{"a"}, nil, "", "", false},
	} {
		var stdout, stderr strings.Builder
		cmd := New("t", "t [flags] FILE", "Does t.", &stdout, &stderr)
		cmd.Int("workers", -1, "workers (default: all)")
		err := cmd.Parse(c.args)
		if !errors.Is(err, c.err) && err != c.err || !strings.Contains(stdout.String(), c.stdout) || !strings.Contains(stderr.String(), c.stderr) ||
			c.stdout == "" && stdout.Len() > 0 || c.stderr == "" && stderr.Len() > 0 {
			t.Errorf("%q: error %v, stdout %q, stderr %q; want %v, %q, %q", c.args, err, stdout.String(), stderr.String(), c.err, c.stdout, c.stderr)
		}
		if err == nil && cmd.IsSet("workers") != c.workersSet {
			t.Errorf("%q: IsSet(workers) = %t", c.args, !c.workersSet)
		}
	}
}
