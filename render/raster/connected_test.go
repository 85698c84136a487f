package raster

import (
	"bytes"
	"image"
	"math"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/render"
	"github.com/citytwin/citytwin/render/rendertest"
)

// TestConnectedColour checks the V2X colour mode against the engine's own
// flag: in the tiny scenario with every northbound vehicle equipped
// (connected = 1 on its flow) and none eastbound, the equipped vehicle is
// drawn in render.ConnectedColor and the other in render.UnconnectedColor.
func TestConnectedColour(t *testing.T) {
	toml := bytes.Replace(rendertest.TOML, []byte("id = \"north\"\n"), []byte("id = \"north\"\nconnected = 1.0\n"), 1)
	if bytes.Equal(toml, rendertest.TOML) {
		t.Fatal("the tiny scenario has no flow \"north\" to equip")
	}
	run, err := rendertest.BuildFrom(toml, "tiny-connected.toml")
	if err != nil {
		t.Fatal(err)
	}
	_, sim, err := rendertest.RunAt(run, rendertest.At)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	var snap engine.Snapshot
	sim.Snapshot(&snap)
	r := New(run.Network, run.Config.VTypes)
	r.Options.Color = render.ColorConnected
	seen := map[bool]int{}
	for _, c := range cameras {
		cam := c.cam(r)
		img := image.NewRGBA(image.Rect(0, 0, cam.W, cam.H))
		r.Draw(img, cam, &snap)
		for i := range snap.Vehicles {
			v := &snap.Vehicles[i]
			trip := sim.TripID(v.ID)
			equipped := strings.HasPrefix(trip, "north")
			if !equipped && !strings.HasPrefix(trip, "east") {
				t.Fatalf("vehicle %d: trip %q, want one of flow north or east", v.ID, trip)
			}
			if v.Connected != equipped {
				t.Fatalf("vehicle %d (trip %s): Connected = %v, want %v", v.ID, trip, v.Connected, equipped)
			}
			if !cam.View().Pad(-5).Contains([2]float64{v.X, v.Y}) {
				continue
			}
			want, other := render.UnconnectedColor, render.ConnectedColor
			if v.Connected {
				want, other = other, want
			}
			dx, dy := math.Cos(v.Heading), math.Sin(v.Heading)
			back := math.Max(v.Length/2, render.MinVehLenPx/2/cam.Scale)
			got := pixel(img, cam, v.X-dx*back, v.Y-dy*back)
			if !near(got, want, c.tol) || near(got, other, c.tol) {
				t.Errorf("%s: vehicle %d (connected %v): pixel %v, want %v", c.name, v.ID, v.Connected, got, want)
			}
			seen[v.Connected]++
		}
	}
	if seen[true] == 0 || seen[false] == 0 {
		t.Errorf("checked %d connected and %d unconnected vehicle pictures, want some of each", seen[true], seen[false])
	}
}
