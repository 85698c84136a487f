package twin

import (
	"encoding/json"
	"fmt"
	"image/color"
	"net/http"
	"sync"

	"github.com/citytwin/citytwin/engine/signal"
	"github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/render"
	"github.com/citytwin/citytwin/scenarios"
	"github.com/paulmach/orb"
)

// SceneInfo is the network as it is drawn (GET /v1/scene): the same
// geometry and colours as the pure-Go renderer (package render), so that
// the browser dashboard and the pictures of `citytwin run --snapshot`
// look alike. Coordinates are the network's planar metres (X east, Y
// north); polylines are flat lists x0, y0, x1, y1, ... (to 0.01 m).
type SceneInfo struct {
	// Bounds is [min x, min y, max x, max y] of everything drawn.
	Bounds   [4]float64 `json:"bounds"`
	LeftHand bool       `json:"left_hand,omitempty"`
	// Credit is the attribution the data's licence asks of a picture.
	Credit string `json:"credit,omitempty"`
	// Lanes are indexed by lane id, Links (the paths through junctions)
	// by link id: a stream frame's segment s is lane s, or link s −
	// len(Lanes).
	Lanes []SceneLane `json:"lanes"`
	Links []SceneLink `json:"links"`
	// Junctions are the areas of the nodes that have movements.
	Junctions []SceneJunction `json:"junctions"`
	// Bars are the stop lines of signalised junctions, one per lane and
	// movement leaving it, coloured by the light of their movement
	// (frames' lights).
	Bars []SceneBar `json:"bars"`
	// VTypes are the vehicle types (frames' type index).
	VTypes []SceneVType `json:"vtypes"`
	// Policies are the signal policies switch_policy and shadow runs take.
	Policies []string `json:"policies"`
	Palette  Palette  `json:"palette"`
}

// SceneLane is one lane: its road (index in /v1/network's roads), its
// index on the road, width (m), speed limit (m/s) and centre line.
type SceneLane struct {
	Road  int       `json:"r"`
	Index int       `json:"i"`
	Width float64   `json:"w"`
	Speed float64   `json:"v"`
	Pts   []float64 `json:"p"`
}

// SceneLink is a path through a junction from lane From to lane To of
// movement Movement, with its speed limit (m/s).
type SceneLink struct {
	From     int       `json:"f"`
	To       int       `json:"t"`
	Movement int       `json:"m"`
	Width    float64   `json:"w"`
	Speed    float64   `json:"v"`
	Pts      []float64 `json:"p"`
}

// SceneJunction is the area of node Node (a convex polygon).
type SceneJunction struct {
	Node       int       `json:"n"`
	ID         string    `json:"id"`
	Signalised bool      `json:"s,omitempty"`
	Pts        []float64 `json:"p"`
}

// SceneBar is the part of lane Lane's stop line that shows movement
// Movement's light: Pts is its two ends and the unit driving direction
// [ax, ay, bx, by, dx, dy]; it reaches render.BarDepth metres back.
type SceneBar struct {
	Movement int        `json:"m"`
	Lane     int        `json:"l"`
	Pts      [6]float64 `json:"p"`
}

// SceneVType is a vehicle type.
type SceneVType struct {
	ID     string  `json:"id"`
	Length float64 `json:"length"` // m
	Width  float64 `json:"width"`  // m, as drawn
}

// Palette holds the renderer's colours as CSS hex strings.
type Palette struct {
	Background  string            `json:"background"`
	Lane        string            `json:"lane"`
	Junction    string            `json:"junction"`
	Marking     string            `json:"marking"`
	Highlight   string            `json:"highlight"`
	Text        string            `json:"text"`
	Queue       string            `json:"queue"`
	Connected   string            `json:"connected"`
	Unconnected string            `json:"unconnected"`
	Lights      map[string]string `json:"lights"` // by light letter: G, g, y, r
	// Speed is the ramp of speed as a share of the limit, from standing
	// (first) to the limit (last), in render.SpeedLevels steps.
	Speed []string `json:"speed"`
	// Types colour vehicle types, cycling.
	Types []string `json:"types"`
}

// sceneCache holds the encoded scene (the network never changes).
type sceneCache struct {
	once sync.Once
	data []byte
	err  error
}

func (s *server) scene(w http.ResponseWriter, r *http.Request) {
	c := &s.t.sceneJSON
	c.once.Do(func() { c.data, c.err = json.Marshal(sceneInfo(s.t.run)) })
	if c.err != nil {
		writeError(w, &Error{Status: 500, Code: "internal", Msg: "cannot encode the scene: " + c.err.Error()})
		return
	}
	writeRaw(w, 200, c.data)
}

func sceneInfo(run *scenarios.Run) *SceneInfo {
	net := run.Network
	vts := run.Config.VTypes
	sc := render.NewScene(net)
	b := sc.Bounds()
	info := &SceneInfo{Bounds: [4]float64{round(b.Min[0], 2), round(b.Min[1], 2), round(b.Max[0], 2), round(b.Max[1], 2)},
		LeftHand: net.LeftHand, Credit: net.Credit, Lanes: make([]SceneLane, len(net.Lanes)), Links: make([]SceneLink, len(net.Links)),
		Junctions: []SceneJunction{}, Bars: []SceneBar{}, VTypes: make([]SceneVType, len(vts)),
		Policies: scenarios.PolicyNames(), Palette: palette()}
	for i := range net.Lanes {
		l := &net.Lanes[i]
		info.Lanes[i] = SceneLane{Road: int(l.Road), Index: l.Index, Width: round(l.Width, 2), Speed: round(l.Speed, 3), Pts: flat(l.Geometry)}
	}
	for k := range net.Links {
		lk := &net.Links[k]
		info.Links[k] = SceneLink{From: int(lk.From), To: int(lk.To), Movement: int(lk.Movement), Width: round(net.Lanes[lk.From].Width, 2),
			Speed: round(lk.Speed, 3), Pts: flat(lk.Path)}
	}
	for v, j := range sc.Junctions {
		if j == nil {
			continue
		}
		nd := &net.Nodes[v]
		info.Junctions = append(info.Junctions, SceneJunction{Node: v, ID: nd.ID, Signalised: nd.Kind == maps.Signalised && nd.Program != nil,
			Pts: flat(j)})
	}
	for _, bar := range sc.Bars {
		if nd := &net.Nodes[net.Movements[bar.Movement].Node]; nd.Kind != maps.Signalised || nd.Program == nil {
			continue // only signals have stop lines to colour (as render.DrawDynamic)
		}
		info.Bars = append(info.Bars, SceneBar{Movement: int(bar.Movement), Lane: int(bar.Lane), Pts: [6]float64{round(bar.A[0], 2), round(bar.A[1], 2),
			round(bar.B[0], 2), round(bar.B[1], 2), round(bar.Dir[0], 4), round(bar.Dir[1], 4)}})
	}
	for i, vt := range vts {
		info.VTypes[i] = SceneVType{ID: vt.ID, Length: vt.Length, Width: render.VehicleWidth(vt.Length)}
	}
	return info
}

// flat returns a polyline as x0, y0, x1, y1, ... to 0.01 m.
func flat(pts []orb.Point) []float64 {
	out := make([]float64, 0, 2*len(pts))
	for _, p := range pts {
		out = append(out, round(p[0], 2), round(p[1], 2))
	}
	return out
}

func palette() Palette {
	p := Palette{Background: hexColor(render.Background), Lane: hexColor(render.LaneColor), Junction: hexColor(render.JunctionColor),
		Marking: hexColor(render.MarkingColor), Highlight: hexColor(render.HighlightColor), Text: hexColor(render.TextColor),
		Queue: hexColor(render.QueueColor), Connected: hexColor(render.ConnectedColor), Unconnected: hexColor(render.UnconnectedColor),
		Lights: map[string]string{}}
	for _, l := range []signal.Light{signal.Green, signal.GreenMinor, signal.Yellow, signal.Red} {
		p.Lights[lightLetter(l)] = hexColor(render.LightColor(l))
	}
	for k := 0; k <= render.SpeedLevels; k++ {
		p.Speed = append(p.Speed, hexColor(render.SpeedColor(float64(k)/render.SpeedLevels)))
	}
	for k := 0; k < 10; k++ {
		p.Types = append(p.Types, hexColor(render.TypeColor(k)))
	}
	return p
}

// hexColor returns c as #rrggbb, or #rrggbbaa when not opaque.
func hexColor(c color.RGBA) string {
	if c.A == 255 {
		return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)
	}
	return fmt.Sprintf("#%02x%02x%02x%02x", c.R, c.G, c.B, c.A)
}
