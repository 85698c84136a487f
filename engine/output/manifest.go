package output

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/citytwin/citytwin/internal/atomicfile"
)

// ManifestFile is the name of a run's manifest in its output folder.
const ManifestFile = "run.json"

// ManifestFormat names the format of run.json.
const ManifestFormat = "citytwin-run/1"

// A Manifest (run.json) says what an output folder holds: which scenario
// and build wrote it, when, and whether the run finished. It is written
// with Complete false before any output (BeginRun) and with Complete
// true, listing every file with its size and SHA-256, after the last
// (FinishRun). A folder whose run.json is missing, unreadable or says
// Complete false does not hold a finished run, whatever its other files:
// a reader must check it. Unlike the other outputs it holds wall-clock
// times.
type Manifest struct {
	Format string `json:"format"`
	// Scenario is the scenario's name; ScenarioSHA256 the SHA-256 of its
	// file (empty for a scenario built in code).
	Scenario       string `json:"scenario"`
	ScenarioSHA256 string `json:"scenario_sha256,omitempty"`
	Seed           uint64 `json:"seed"`
	// Version is the citytwin module version and VCS revision of the
	// build (BuildVersion).
	Version string `json:"version"`
	// Start and End are the wall-clock times the run started and ended
	// (RFC 3339, UTC; End empty until it ends).
	Start string `json:"start"`
	End   string `json:"end,omitempty"`
	// Complete is true once the run has reached its end and every file
	// is written.
	Complete bool `json:"complete"`
	// Interrupted says why a run that ended early stopped.
	Interrupted string `json:"interrupted,omitempty"`
	// SimTime is the simulated time reached (s); EndTime the time the
	// run was to reach.
	SimTime float64 `json:"sim_time"`
	EndTime float64 `json:"end_time"`
	// Files are the outputs written, with their sizes (bytes) and
	// SHA-256, by name relative to the folder.
	Files []ManifestEntry `json:"files"`
}

// ManifestEntry is one output file of a manifest.
type ManifestEntry struct {
	Name   string `json:"name"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// BuildVersion returns the module version and VCS revision of the
// running binary, as far as the build recorded them.
func BuildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v += " " + s.Value
		case "vcs.modified":
			if s.Value == "true" {
				v += "+modified"
			}
		}
	}
	return v + " " + bi.GoVersion
}

// BeginRun removes the temporary files a killed run left in dir and
// writes m to dir/run.json with Complete false and Start now, before any
// output is written: from then on, until FinishRun, the folder says it
// holds no finished run. It creates dir if needed.
func BeginRun(dir string, m *Manifest) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	if _, err := atomicfile.CleanTemps(dir); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	m.Format = ManifestFormat
	if m.Version == "" {
		m.Version = BuildVersion()
	}
	m.Start = time.Now().UTC().Format(time.RFC3339Nano)
	m.Complete, m.End, m.Files = false, "", []ManifestEntry{}
	return writeManifest(dir, m)
}

// FinishRun lists files (paths inside dir) in m with their sizes and
// hashes and writes it, with End now and Complete set as given (false for
// a run that was interrupted), as the last file of the run.
func FinishRun(dir string, m *Manifest, files []string, complete bool) error {
	m.Files = m.Files[:0]
	for _, p := range files {
		e, err := entryOf(dir, p)
		if err != nil {
			return err
		}
		m.Files = append(m.Files, e)
	}
	m.End = time.Now().UTC().Format(time.RFC3339Nano)
	m.Complete = complete
	return writeManifest(dir, m)
}

func entryOf(dir, p string) (ManifestEntry, error) {
	rel, err := filepath.Rel(dir, p)
	if err != nil {
		return ManifestEntry{}, fmt.Errorf("output: %w", err)
	}
	f, err := os.Open(p)
	if err != nil {
		return ManifestEntry{}, fmt.Errorf("output: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return ManifestEntry{}, fmt.Errorf("output: %s: %w", p, err)
	}
	return ManifestEntry{Name: filepath.ToSlash(rel), Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

func writeManifest(dir string, m *Manifest) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, ManifestFile), append(data, '\n')); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return nil
}

// ReadManifest reads dir/run.json.
func ReadManifest(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil || m.Format != ManifestFormat {
		return nil, fmt.Errorf("output: %s: not a %s manifest", filepath.Join(dir, ManifestFile), ManifestFormat)
	}
	return &m, nil
}

// Verify checks that every file m lists is in dir with its size and
// hash; it says nothing of Complete.
func (m *Manifest) Verify(dir string) error {
	for _, e := range m.Files {
		got, err := entryOf(dir, filepath.Join(dir, filepath.FromSlash(e.Name)))
		if err != nil {
			return err
		}
		if got != e {
			return fmt.Errorf("output: %s: %d bytes, SHA-256 %.12s…; run.json says %d bytes, %.12s…", e.Name, got.Bytes, got.SHA256, e.Bytes, e.SHA256)
		}
	}
	return nil
}
