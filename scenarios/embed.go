package scenarios

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// defaultFiles holds the built-in default scenario: the Wuhan Optics Valley
// network (© OpenStreetMap contributors, ODbL; see defaults/NOTICE.md) and
// its one-hour demand.
//
//go:embed defaults/wuhan.toml defaults/wuhan.geojson defaults/NOTICE.md
var defaultFiles embed.FS

// DefaultFile is the file name of the embedded default scenario.
const DefaultFile = "defaults/wuhan.toml"

// Default returns the embedded default scenario: the Wuhan network with a
// plausible one-hour demand. Its relative paths name embedded files, so it
// runs with nothing on disk.
func Default() (*Scenario, error) {
	data, err := defaultFiles.ReadFile(DefaultFile)
	if err != nil {
		return nil, fmt.Errorf("scenarios: %w", err)
	}
	s, err := Parse(data, DefaultFile)
	if err != nil {
		return nil, err
	}
	s.embedded = true
	return s, nil
}

// DefaultSource returns the text of the embedded default scenario, for
// users who want a copy to edit. It names its network as a built-in file
// (BuiltinPrefix), so that the copy runs as it is from any folder.
func DefaultSource() []byte {
	data, _ := defaultFiles.ReadFile(DefaultFile)
	return data
}

// LoadOrDefault loads the scenario file at path, or the embedded default
// scenario when path is empty: what the commands run when given a
// scenario or none.
func LoadOrDefault(path string) (*Scenario, error) {
	if path == "" {
		return Default()
	}
	return Load(path)
}

// BuiltinPrefix marks a path in a scenario that names a data file built
// into the binary rather than a file on disk: "builtin:wuhan.geojson" is
// the default scenario's network. BuiltinFiles lists them.
const BuiltinPrefix = "builtin:"

// BuiltinFiles returns the names of the data files built into the binary,
// sorted (each usable as BuiltinPrefix + name).
func BuiltinFiles() []string {
	var names []string
	entries, _ := fs.ReadDir(defaultFiles, "defaults")
	for _, e := range entries {
		if n := e.Name(); n != path.Base(DefaultFile) && !strings.HasSuffix(n, ".md") {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// builtinName returns the name of the built-in file p names, if it does.
func builtinName(p string) (string, bool) { return strings.CutPrefix(p, BuiltinPrefix) }

// ReadBuiltin reads built-in data file name (one of BuiltinFiles).
func ReadBuiltin(name string) ([]byte, error) {
	if !slices.Contains(BuiltinFiles(), name) {
		return nil, fmt.Errorf("no built-in file %q (built in: %s)", name, strings.Join(BuiltinFiles(), ", "))
	}
	return defaultFiles.ReadFile("defaults/" + name)
}
