package raster_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/render/raster"
)

// A PNG of a simulation at t = 30 s: one car crossing a 2×2 grid.
func ExampleRenderer_Picture() {
	net, _ := maps.Grid(maps.GridOptions{Rows: 2, Cols: 2})
	from, _ := net.RoadByID("road_0_1_0")
	to, _ := net.RoadByID("road_2_1_0")
	cfg := engine.DefaultConfig()
	sim, err := engine.New(net, cfg, []engine.Trip{{From: from, To: to}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sim.Close()
	for sim.Time() < 30 {
		sim.Step()
	}
	var snap engine.Snapshot
	sim.Snapshot(&snap)

	r := raster.New(net, cfg.VTypes)
	r.HUD, r.Legend, r.Title = true, true, "grid 2x2"
	img := r.Picture(640, 480, &snap)
	var png bytes.Buffer
	if err := raster.WritePNG(&png, img); err != nil { // or raster.WritePNGFile("out.png", img)
		fmt.Println(err)
		return
	}
	fmt.Println(img.Bounds().Dx(), "x", img.Bounds().Dy(), "px,", len(snap.Vehicles), "vehicle")
	// Output: 640 x 480 px, 1 vehicle
}

// An animated GIF of the first minute, a frame every 10 s.
func ExampleGIF() {
	net, _ := maps.Grid(maps.GridOptions{Rows: 1, Cols: 1})
	from, _ := net.RoadByID("road_0_1_0")
	to, _ := net.RoadByID("road_1_1_0")
	cfg := engine.DefaultConfig()
	sim, err := engine.New(net, cfg, []engine.Trip{{From: from, To: to}, {Depart: 5, From: from, To: to}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sim.Close()
	anim := raster.NewGIF(200 * time.Millisecond)
	n := raster.New(net, cfg.VTypes).Record(sim, anim, 60, 10, 320, 240)
	var out bytes.Buffer
	if err := anim.Encode(&out); err != nil { // or anim.WriteFile("run.gif")
		fmt.Println(err)
		return
	}
	fmt.Println(n, "frames")
	// Output: 7 frames
}
