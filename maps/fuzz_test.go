package maps

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// fuzzRoundTrip checks what every successfully loaded network must satisfy:
// it passes Check, and it survives WriteGeoJSON and ReadGeoJSON with the
// same structure.
func fuzzRoundTrip(t *testing.T, n *Network) {
	if err := n.Check(); err != nil {
		t.Fatalf("loaded network fails Check: %v", err)
	}
	_ = n.Summarize()
	m, _ := roundTrip(t, n)
	// 1 mm, more for projected networks spanning more than 10 km: far from
	// the origin the projection round trip loses more than that.
	b := n.Bounds()
	tol := 1e-3
	if n.Origin != nil {
		tol *= math.Max(1, math.Max(b.Max.X()-b.Min.X(), b.Max.Y()-b.Min.Y())/1e4)
	}
	if err := diffNetworks(n, m, tol); err != nil {
		t.Fatalf("export round trip: %v", err)
	}
}

// FuzzReadGeoJSON: ReadGeoJSON never panics, rejects input only with an
// error about the input (never a network failing its own check), and what it
// accepts passes Check and survives an export round trip.
func FuzzReadGeoJSON(f *testing.F) {
	seeds := []string{
		collection(way("1", residential, pt(-1, 0), pt(0, 0), pt(1, 0)), way("2", residential, pt(0, -1), pt(0, 0), pt(0, 1))),
		collection(
			way("g", residential, pt(-1, 0), pt(0, 0), pt(1, 0)),
			way("b", `{"highway":"residential","bridge":"yes","layer":1,"name":"Bridge"}`, pt(0, -1), pt(0, 0), pt(0, 1)),
			way("e", `{"highway":"primary","name":"North","lanes:forward":2,"maxspeed":"30 mph"}`, pt(0, 1), pt(0, 2)),
			point("s", `{"highway":"traffic_signals"}`, pt(0, 1)),
		),
		collection(
			way("a", `{"highway":"residential","oneway":"yes","lanes":3,"turn:lanes":"left|through|right"}`, pt(-1, 0), pt(0, 0)),
			way("n", `{"highway":"residential","oneway":"yes"}`, pt(0, 0), pt(0, 1)),
			way("e", `{"highway":"residential","oneway":"-1"}`, pt(1, 0), pt(0, 0)),
			way("s", `{"highway":"motorway"}`, pt(0, 0), pt(0, -1)),
		),
		collection(way("1", residential, pt(0, 0), pt(1, 0)), way("2", residential, pt(1, 0), pt(2, 0)), way("3", `{"highway":"residential","lanes":0,"maxspeed":"fast"}`, pt(2, 0), pt(3, 0))),
		collection(
			way("7", `{"highway":"primary","lanes":2,"max_speed":16.7,"turn":["L","SR"]}`, pt(0, 0), pt(1, 0)),
			way("8", `{"highway":"primary","lanes":1}`, pt(1, 0), pt(1, 1)),
			way("9", `{"highway":"primary","lanes":1}`, pt(1, 0), pt(2, 0)),
			`{"type":"Feature","properties":{"id":1,"in_ways":[7],"out_ways":[8,9]},"geometry":{"type":"MultiPoint","coordinates":[`+pt(1, 0)+`]}}`,
		),
		collection(way("e", `{"highway":"primary","oneway":"yes"}`, pt(0, 0), pt(1, 0)), way("w", `{"highway":"primary","oneway":"yes"}`, pt(1, 0.2), pt(0, 0.2))),
		`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3857"}},"features":[` +
			way("a", residential, "[0,0]", "[0,0.002]") + "," + way("b", residential, "[0,0.002]", "[0.0015,0.003]") + `]}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s), false)
	}
	g, err := Grid(GridOptions{Rows: 1, Cols: 1, Lanes: 1})
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if err := g.WriteGeoJSON(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes(), false)
	for _, tc := range badGeoJSON {
		f.Add([]byte(tc.src), false)
	}
	f.Add([]byte(collection(way("a", residential, "[0,0]", "[100,0]"), way("b", residential, "[100,0]", "[100,100]"))), true)
	f.Fuzz(func(t *testing.T, data []byte, planar bool) {
		n, err := ReadGeoJSON(data, "fuzz", Options{Planar: planar})
		if err != nil {
			if strings.Contains(err.Error(), errBuiltCheck) {
				t.Fatalf("ReadGeoJSON built a broken network: %v", err)
			}
			if n != nil {
				t.Fatalf("ReadGeoJSON returned a network and the error %v", err)
			}
			return
		}
		fuzzRoundTrip(t, n)
	})
}

// FuzzReadOSM: ReadOSM never panics on any bytes (XML, PBF, compressed or
// not), rejects input only with an error about the input, and what it
// accepts passes Check and survives an export round trip. The second
// argument picks options: bit 0 left-hand, bit 1 no junction joining, bit 2
// guessed signals.
func FuzzReadOSM(f *testing.F) {
	nodes, ways := osmTown()
	xml := osmXML(nodes, ways)
	for _, d := range [][]byte{xml, gzipped(xml), osmPBF(nodes, ways, true), osmPBF(nodes, ways, false)} {
		f.Add(d, byte(0))
	}
	f.Add(osmPBF(nodes, ways, false), byte(7))
	f.Add(xml, byte(3))
	// A roundabout with four arms and a loop.
	ring := []tNode{{id: 1, x: 20}, {id: 2, y: 20}, {id: 3, x: -20}, {id: 4, y: -20},
		{id: 5, x: 200}, {id: 6, y: 200}, {id: 7, x: -200}, {id: 8, y: -200, tags: tags("highway", "give_way")}}
	f.Add(osmXML(ring, []tWay{
		{1, []int64{1, 2, 3, 4, 1}, tags("highway", "primary", "junction", "roundabout")},
		{2, []int64{5, 1}, tags("highway", "secondary")}, {3, []int64{6, 2}, tags("highway", "secondary")},
		{4, []int64{7, 3}, tags("highway", "secondary", "lanes:forward", "2", "maxspeed:backward", "20")},
		{5, []int64{8, 4}, tags("highway", "secondary")},
	}), byte(1))
	f.Add([]byte(`<osm><node id="1" lat="0" lon="0"/><way id="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/></way></osm>`), byte(0))
	f.Fuzz(func(t *testing.T, data []byte, flags byte) {
		opt := Options{NoJoin: flags&2 != 0, GuessSignals: flags&4 != 0}
		if flags&1 != 0 {
			opt.DrivingSide = LeftHand
		}
		n, err := ReadOSM(data, "fuzz", opt)
		if err != nil {
			if strings.Contains(err.Error(), errBuiltCheck) {
				t.Fatalf("ReadOSM built a broken network: %v", err)
			}
			if n != nil {
				t.Fatalf("ReadOSM returned a network and the error %v", err)
			}
			return
		}
		if n.LeftHand != (flags&1 != 0) {
			t.Fatalf("LeftHand %v with flags %b", n.LeftHand, flags)
		}
		fuzzRoundTrip(t, n)
	})
}

// FuzzReadCityFlow: ReadCityFlow never panics and what it accepts passes
// Check and survives an export round trip.
func FuzzReadCityFlow(f *testing.F) {
	f.Add(marshal(f, tinyRoadnet()))
	for _, tc := range badCityFlow {
		f.Add(marshal(f, tc.change(tinyRoadnet())))
	}
	f.Add([]byte(`{"intersections": [`))
	f.Add([]byte(`{"intersections":[{"id":"a","point":{"x":0,"y":0}},{"id":"b","point":{"x":1,"y":0}}],"roads":[{"id":"r","points":[{"x":0,"y":0},{"x":1,"y":0}],"lanes":[{"width":3,"maxSpeed":10}],"startIntersection":"a","endIntersection":"b"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := ReadCityFlow(data, "fuzz")
		if err != nil {
			if n != nil {
				t.Fatalf("ReadCityFlow returned a network and the error %v", err)
			}
			return
		}
		fuzzRoundTrip(t, n)
	})
}

// FuzzParseMaxSpeed: an accepted speed is in (0, 80] m/s.
func FuzzParseMaxSpeed(f *testing.F) {
	for _, s := range []string{"50", "30 mph", "50 km/h", "10 knots", "walk", "DE:urban", "none", "fast", "NaN", "1e400"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseMaxSpeed(s)
		if err == nil && !(v > 0 && v <= 80) {
			t.Fatalf("ParseMaxSpeed(%q) = %g, want a speed in (0, 80] m/s or an error", s, v)
		}
	})
}
