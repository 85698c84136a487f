// Package raster draws CityTwin scenes to images in pure Go, with no cgo
// and no display: PNG snapshots of a simulation and animated GIFs of a run,
// for `citytwin run --snapshot` and for reports.
//
// It paints the render package's scene with golang.org/x/image/vector:
// polygons are batched per colour and each colour is rasterized once per
// layer, over the bounding box of its polygons only, so a picture of tens
// of thousands of vehicles takes a few dozen passes.
//
//	r := raster.New(net, sim.VehicleTypes())
//	r.HUD, r.Legend = true, true
//	err := raster.WritePNGFile("out.png", r.Picture(1200, 800, &snap))
package raster
