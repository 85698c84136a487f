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
// oriented rectangles, highlights). Stop lines go over the vehicles when
// vehicles are drawn larger than life, so that no queue hides its light.
// DrawLegend and DrawScaleBar add the keys: the colour scales, a scale bar
// of a round length and a north arrow (cameras never rotate: north is up).
//
// # Colour scheme
//
// Vehicles and signals have separate scales that share no hue, so that a
// standing vehicle is never taken for a red light:
//
//   - signals (LightColor): red, yellow, green, and a darker green for a
//     green that yields (SUMO's 'g'), as traffic lights and sumo-gui show
//     them;
//   - vehicles by speed (SpeedColor, the default): the speed as a share of
//     the speed limit, magenta when standing, through violet and blue, to
//     cyan at the limit, getting lighter as it goes (matplotlib's "cool"
//     map reversed, bluer in the middle); the heat map colours roads with
//     the same scale, the queue overlay is a translucent magenta;
//   - vehicles by type (TypeColor): Tableau 10 without its red, orange,
//     green and yellow; by V2X equipment: cyan and grey.
//
// Every vehicle has a dark rim and is at least MinVehLenPx × MinVehWidePx,
// so vehicles show at every zoom: at a city-wide zoom each is a visible
// mark and a queue a bar of magenta as long as the queue.
//
// sumo-gui's defaults, for comparison: vehicles in their given (by default
// yellow) colour; its "by speed" scheme is absolute, red at 0 through
// yellow (30 km/h), green (55), cyan (80), blue (120) to magenta (150 km/h),
// so standing vehicles and red signals share its red there too; signals
// are bars across the lane ends in red, yellow, green and dark green (0,
// 179, 0) for a yielding green; the network is grey on white; vehicles
// have a minimum size setting (minVehicleSize, 1 px by default) and an
// exaggeration factor. CityTwin keeps sumo-gui's signal colours and its
// stop-line bars, colours by speed relative to the limit (so a 30 km/h
// street at its limit looks like a motorway at its limit) on a scale of
// its own, and holds vehicles at a larger minimum size.
package render
