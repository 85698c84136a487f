// Package render turns a network and an engine.Snapshot into pictures,
// independently of how they are shown: it holds the static geometry of a
// network (Scene), the mapping from metres to pixels (Camera), the colour
// scheme, hit testing, and one drawing routine that emits convex polygons
// and text to a Painter.
//
// Two painters exist: render/raster draws to an *image.RGBA in pure Go (no
// cgo, no display) for PNG and GIF output, and render/viewer draws with
// ebiten in the desktop viewer. Both draw the same scene from the same
// calls, so a pixel test of one says much about the other.
//
// Coordinates: the world is in metres, X east and Y north (as in
// maps.Network); pixels have X right and Y down, with (0, 0) the top-left
// corner of the view.
//
// Draw order: DrawStatic (lane areas, junction areas, lane markings when
// zoomed in), then DrawDynamic (heat map and queue overlays, detector
// markers, stop lines coloured by the light of their movement, vehicles as
// oriented rectangles, highlights).
package render
