package render

import (
	"image/color"
	"math"

	"github.com/citytwin/citytwin/engine/signal"
)

// The colour scheme (straight alpha). Vehicles and signals have separate
// scales that share no hue: signals keep the traffic-light red, yellow and
// green (LightColor), vehicles by speed run from magenta (standing)
// through violet and blue to cyan (at the speed limit; SpeedColor), so a
// standing vehicle is never taken for a red light. The network is grey on
// a near-black ground. doc.go compares the scheme with sumo-gui's.
var (
	Background = color.RGBA{22, 24, 28, 255}
	LaneColor  = color.RGBA{68, 71, 78, 255}
	// JunctionColor fills junction areas.
	JunctionColor = color.RGBA{84, 87, 95, 255}
	MarkingColor  = color.RGBA{205, 205, 200, 255}
	CentreColor   = color.RGBA{214, 174, 60, 255}
	// DetectorColor marks induction loops (tan: no hue of either scale).
	DetectorColor = color.RGBA{200, 160, 110, 255}
	// RSUColor marks V2X roadside units.
	RSUColor = color.RGBA{240, 240, 240, 255}
	// QueueColor marks standing queues: the hue of standing vehicles,
	// translucent.
	QueueColor     = color.RGBA{255, 64, 255, 110}
	HighlightColor = color.RGBA{255, 255, 255, 255}
	TextColor      = color.RGBA{235, 235, 235, 255}
	PanelColor     = color.RGBA{0, 0, 0, 170}
	// OutlineColor rims every vehicle so that neighbours in a queue and
	// vehicles on a grey road stand out.
	OutlineColor = color.RGBA{12, 13, 16, 255}
	// ConnectedColor and UnconnectedColor colour vehicles in ColorConnected mode.
	ConnectedColor   = color.RGBA{0, 200, 255, 255}
	UnconnectedColor = color.RGBA{150, 150, 150, 255}
)

// LightColor returns the colour of a signal light at a stop line: the
// signal scale (red, yellow, green, and a darker green for a green that
// yields), as in sumo-gui.
func LightColor(l signal.Light) color.RGBA {
	switch l {
	case signal.Red:
		return color.RGBA{235, 30, 30, 255}
	case signal.Yellow:
		return color.RGBA{250, 200, 0, 255}
	case signal.Green:
		return color.RGBA{40, 210, 70, 255}
	case signal.GreenMinor:
		return color.RGBA{25, 120, 45, 255}
	}
	return color.RGBA{255, 0, 255, 255}
}

// SpeedLevels is the number of steps of the speed colour ramp above zero:
// colours are quantised so a raster painter needs few passes.
const SpeedLevels = 10

// speedRamp is the vehicle scale: magenta (standing) through violet and
// blue to cyan (at the speed limit), lighter as it goes (matplotlib's
// "cool" map reversed, with a bluer middle), so that it shares no hue
// with the signals' red, yellow and green.
var speedRamp = [...]color.RGBA{{255, 40, 220, 255}, {190, 80, 255, 255}, {110, 120, 255, 255}, {60, 175, 255, 255},
	{110, 235, 255, 255}}

// SpeedColor returns the colour of a vehicle driving at ratio times its
// speed limit (clamped to [0, 1], quantised to SpeedLevels steps).
func SpeedColor(ratio float64) color.RGBA {
	if !(ratio > 0) {
		return speedColors[0]
	}
	return speedColors[int(math.Round(math.Min(ratio, 1)*SpeedLevels))]
}

// speedColors holds the quantised ramp.
var speedColors = func() (out [SpeedLevels + 1]color.RGBA) {
	for k := range out {
		f := float64(k) / SpeedLevels * float64(len(speedRamp)-1)
		i := int(f)
		if i >= len(speedRamp)-1 {
			out[k] = speedRamp[len(speedRamp)-1]
		} else {
			out[k] = lerp(speedRamp[i], speedRamp[i+1], f-float64(i))
		}
	}
	return out
}()

func lerp(a, b color.RGBA, t float64) color.RGBA {
	m := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + t*(float64(y)-float64(x)))) }
	return color.RGBA{m(a.R, b.R), m(a.G, b.G), m(a.B, b.B), m(a.A, b.A)}
}

// typePalette colours vehicle types in ColorType mode: Tableau 10 without
// its red, orange, green and yellow (near the signals'), with a lilac and
// two blues instead.
var typePalette = [...]color.RGBA{{78, 121, 167, 255}, {197, 176, 213, 255}, {118, 183, 178, 255}, {176, 122, 161, 255},
	{255, 157, 167, 255}, {156, 117, 95, 255}, {186, 176, 172, 255}, {160, 203, 232, 255}, {148, 103, 189, 255}, {23, 190, 207, 255}}

// TypeColor returns the colour of vehicle type vt in ColorType mode.
func TypeColor(vt int) color.RGBA { return typePalette[vt%len(typePalette)] }

// ColorMode chooses what a vehicle's colour shows.
type ColorMode uint8

// Colour modes.
const (
	// ColorSpeed: speed as a share of the speed limit (SpeedColor).
	ColorSpeed ColorMode = iota
	// ColorType: the vehicle type (TypeColor).
	ColorType
	// ColorConnected: vehicles equipped for V2X
	// (engine.VehicleView.Connected) in ConnectedColor, the others in
	// UnconnectedColor.
	ColorConnected
	numColorModes
)

// Next returns the following mode, cycling.
func (m ColorMode) Next() ColorMode { return (m + 1) % numColorModes }

func (m ColorMode) String() string {
	switch m {
	case ColorSpeed:
		return "speed"
	case ColorType:
		return "type"
	case ColorConnected:
		return "connected"
	}
	return "?"
}
