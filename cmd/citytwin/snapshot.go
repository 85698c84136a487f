package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/output"
	"github.com/citytwin/citytwin/render/raster"
	"github.com/citytwin/citytwin/scenarios"
)

// snapAt is a picture to draw during a run (-snapshot-at).
type snapAt struct {
	at   float64 // s, simulated time
	path string
}

// checkOutputs checks, before a run, the paths it will write: the output
// directory (created if needed, so its nearest existing folder must be a
// writable directory) and the pictures (-snapshot must end in .png, its
// folder must exist and be writable unless it is the output directory or
// inside it). It returns the pictures of -snapshot-at with their paths.
func checkOutputs(dir string, o runOpts) ([]snapAt, error) {
	if err := writableDir(dir, true); err != nil {
		return nil, fmt.Errorf("output directory %s: %w", dir, err)
	}
	if p := o.snapshot; p != "" {
		if !strings.EqualFold(filepath.Ext(p), ".png") {
			return nil, fmt.Errorf("-snapshot %s: want a .png file", p)
		}
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return nil, fmt.Errorf("-snapshot %s: is a directory", p)
		}
		if !inside(dir, p) {
			if err := writableDir(filepath.Dir(p), false); err != nil {
				return nil, fmt.Errorf("-snapshot %s: %w", p, err)
			}
		}
	}
	var snaps []snapAt
	for _, t := range o.snapshotAt {
		name := "snapshot-" + strconv.FormatFloat(t, 'f', -1, 64) + "s.png"
		p := filepath.Join(dir, name)
		if o.snapshot != "" {
			p = strings.TrimSuffix(o.snapshot, filepath.Ext(o.snapshot)) + "-" + strings.TrimPrefix(name, "snapshot-")
		}
		snaps = append(snaps, snapAt{at: t, path: p})
	}
	return snaps, nil
}

// writableDir checks that dir is a directory this process may create
// files in; with create, dir may also not exist yet when its nearest
// existing ancestor is such a directory (the run creates it).
func writableDir(dir string, create bool) error {
	d := dir
	for {
		st, err := os.Stat(d)
		if err == nil {
			if !st.IsDir() {
				return fmt.Errorf("%s is not a directory", d)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return err
		}
		if !create {
			return fmt.Errorf("no folder %s", d)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return err
		}
		d = parent
	}
	f, err := os.CreateTemp(d, ".citytwin-check-*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", d, err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// snapshotter draws the pictures of a run: at the times of -snapshot-at
// as a collector (scenarios.Collector), and the final one.
type snapshotter struct {
	r       *raster.Renderer
	snaps   []snapAt // still to draw, by time
	snap    engine.Snapshot
	written []string
	err     error // the first error, which stops the run
}

func newSnapshotter(run *scenarios.Run, snaps []snapAt) *snapshotter {
	// The whole network, 1200×900 px, with the clock, counts and legend.
	r := raster.New(run.Network, run.Config.VTypes)
	r.HUD, r.Legend, r.Title = true, true, run.Scenario.Name
	return &snapshotter{r: r, snaps: snaps}
}

// Observe draws the pictures whose time has come.
func (s *snapshotter) Observe(sim *engine.Sim) {
	if s.err == nil {
		s.err = s.observe(sim)
	}
}

func (s *snapshotter) observe(sim *engine.Sim) error {
	for len(s.snaps) > 0 && s.snaps[0].at <= sim.Time()+1e-9 {
		if err := s.write(sim, s.snaps[0].path); err != nil {
			return err
		}
		s.snaps = s.snaps[1:]
	}
	return nil
}

// write draws the state of sim now into the PNG file path (its folder
// created if needed: it was checked before the run).
func (s *snapshotter) write(sim *engine.Sim, path string) error {
	sim.Snapshot(&s.snap)
	img := s.r.Picture(1200, 900, &s.snap)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := output.WriteFile(path, func(w io.Writer) error { return raster.WritePNG(w, img) }); err != nil {
		return err
	}
	s.written = append(s.written, path)
	return nil
}
