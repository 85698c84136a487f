package cliflag

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// ErrUsage reports a bad command line whose problem and usage have been
// printed already: commands exit with status 2.
var ErrUsage = errors.New("usage")

// ErrHelp reports that the usage was asked for (-h, -help, --help) and
// printed on stdout: commands exit with status 0. It is flag.ErrHelp.
var ErrHelp = flag.ErrHelp

// Command is a command's flag set with its help text: the synopsis
// ("citytwin run [flags] [SCENARIO.toml]") and what it does.
type Command struct {
	*flag.FlagSet
	Synopsis string // the usage line, without "usage: "
	About    string // what the command does, printed after the usage line
	stdout   io.Writer
	stderr   io.Writer
}

// New returns a command named name (as in "citytwin run") whose help goes
// to stdout when asked for and whose errors go to stderr.
func New(name, synopsis, about string, stdout, stderr io.Writer) *Command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // printed by Parse
	return &Command{FlagSet: fs, Synopsis: synopsis, About: about, stdout: stdout, stderr: stderr}
}

// Parse parses args, flags and positional arguments interleaved
// (ParseInterleaved). On -h, -help or --help it prints the usage on stdout
// and returns ErrHelp; on a bad flag it says what is wrong on stderr, with
// the usage line, and returns ErrUsage.
func (c *Command) Parse(args []string) error {
	c.SetOutput(io.Discard) // the flag package's own messages: see below
	err := ParseInterleaved(c.FlagSet, args)
	c.SetOutput(c.stderr)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		c.WriteUsage(c.stdout)
		return ErrHelp
	default:
		return c.Usagef("%v", err)
	}
}

// IsSet reports whether the flag name was given on the command line
// (after Parse), as opposed to left at its default.
func (c *Command) IsSet(name string) bool {
	set := false
	c.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// Usagef says what is wrong with the command line on stderr ("citytwin
// run: ..."), with the usage line and where to find the rest, and returns
// ErrUsage.
func (c *Command) Usagef(format string, args ...any) error {
	fmt.Fprintf(c.stderr, "%s: %s\nusage: %s\nRun \"%s -h\" for help.\n", c.Name(), fmt.Sprintf(format, args...), c.Synopsis, c.Name())
	return ErrUsage
}

// WriteUsage writes the usage line, the description and the flags.
func (c *Command) WriteUsage(w io.Writer) {
	fmt.Fprintf(w, "usage: %s\n", c.Synopsis)
	if c.About != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(c.About, "\n"))
	}
	has := false
	c.VisitAll(func(*flag.Flag) { has = true })
	if has {
		fmt.Fprintln(w, "\nFlags:")
		PrintFlags(w, c.FlagSet)
	}
}

// PrintFlags writes the flags of fs as flag.PrintDefaults does, except
// that a default is shown only when the flag's usage does not already say
// what it is ("(default ...", "default: ..."), so that no flag reads
// "(default: the scenario's) (default -1)".
func PrintFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  -" + f.Name
		if name != "" {
			line += " " + name
		}
		if len(line) <= 4 { // a one-letter boolean flag: usage on the same line
			line += "\t"
		} else {
			line += "\n    \t"
		}
		line += strings.ReplaceAll(usage, "\n", "\n    \t")
		if !strings.Contains(usage, "(default") && !strings.Contains(usage, "default:") && !zeroValue(f.DefValue) {
			if name == "string" {
				line += fmt.Sprintf(" (default %q)", f.DefValue)
			} else {
				line += fmt.Sprintf(" (default %v)", f.DefValue)
			}
		}
		fmt.Fprintln(w, line)
	})
}

// zeroValue reports whether a flag's default, as text, is its type's zero
// value, which flag.PrintDefaults does not show either.
func zeroValue(v string) bool {
	switch v {
	case "", "0", "false", "0s", "[]":
		return true
	}
	return false
}
