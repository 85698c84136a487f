package scenarios

import (
	"embed"
	"fmt"
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
// users who want a copy to edit.
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
