// Command citytwin-view opens CityTwin's desktop viewer on a scenario:
//
//	citytwin-view [flags] [SCENARIO.toml]
//
// With no scenario it opens the embedded default (the Wuhan network). The
// simulation runs on its own goroutine; the window shows the newest state
// each frame. Press ? in the window for the keys.
//
// --compare B.toml shows a second scenario beside the first, with one
// camera and one clock (an A/B comparison, e.g. two signal policies on the
// same demand). --frames N --screenshot out.png draws N frames, writes the
// last as a PNG and exits: with --at T --paused the picture shows exactly
// the state at time T.
//
// The viewer needs cgo and a display. Without a display it still answers
// --help and --version, and otherwise says so in one line, pointing to
// `citytwin run --snapshot` (package internal/cli answers before the
// graphics library starts). Headless, run it under Xvfb:
//
//	xvfb-run -a -s "-screen 0 1280x720x24" citytwin-view --frames 5 --screenshot out.png
package main
