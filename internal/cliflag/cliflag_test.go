package cliflag

import (
	"flag"
	"io"
	"slices"
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
