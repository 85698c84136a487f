// Package cliflag holds what CityTwin's commands share in parsing their
// command lines.
package cliflag

import "flag"

// ParseInterleaved parses args with fs, letting flags come before, between
// or after the positional arguments (the flag package stops at the first
// positional one): `citytwin run my.toml --workers 2`. A "--" ends the
// flags: everything after it is positional, even when it starts with a
// dash. Afterwards fs.Args() holds the positional arguments in order.
func ParseInterleaved(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if i := len(args) - len(rest) - 1; i >= 0 && args[i] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	// The positional arguments, none of them read as a flag.
	return fs.Parse(append([]string{"--"}, pos...))
}
