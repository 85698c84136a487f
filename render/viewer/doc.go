//go:build cgo || windows || darwin

// Package viewer is CityTwin's desktop viewer, built on ebiten. It is the
// only package (with the citytwin-view command) that imports ebiten, which
// on Linux needs cgo and the X11 and OpenGL headers; everything else builds
// with CGO_ENABLED=0.
//
// The simulations run on their own goroutine (render/live) and hand the
// viewer plain snapshots; the viewer draws the latest one each frame, so
// drawing never blocks stepping. The scene is drawn by the render package
// through an ebiten painter: the static network layer once per camera into
// an offscreen image, then the overlays, lights and vehicles each frame as
// one batch of triangles per layer.
//
// Controls (also shown by the help overlay, key ?):
//
//	drag, arrow keys      pan
//	wheel, + and -        zoom around the cursor
//	0 or Home             fit the network
//	space                 pause / run
//	. (period)            single step (pauses)
//	[ and ]               slower / faster (real time … as fast as possible)
//	click                 inspect a vehicle or a junction
//	F                     follow the inspected vehicle
//	Esc                   stop inspecting
//	C                     colour by speed / type / connected status
//	H, Q, D               heat map, queues, detectors and roadside units
//	I, L                  HUD, legend
//	S                     save a screenshot (PNG)
//
// With two variants the window is split in two panes sharing one camera
// and one clock: an A/B comparison of, say, two signal policies on the
// same demand.
//
// Tests need a display; run them under Xvfb:
//
//	xvfb-run -a -s "-screen 0 1280x720x24" go test ./render/viewer/
package viewer
