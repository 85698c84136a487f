package output_test

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/output"
	"github.com/citytwin/citytwin/maps"
)

// fcdSim is a run on the SUMO grid of maps/testdata (or the projected
// crossing): a vehicle from every road to a far one, two per road, ids
// "veh.ROAD.k".
func fcdSim(t *testing.T, netFile string) *engine.Sim {
	t.Helper()
	net, err := maps.LoadSUMO(filepath.Join("..", "..", "maps", "testdata", "sumo", netFile), maps.Options{})
	if err != nil {
		t.Fatal(err)
	}
	router := maps.NewRouter(net)
	var trips []engine.Trip
	for k := 0; k < 2; k++ {
		for a := range net.Roads {
			for b := len(net.Roads) - 1; b >= 0; b-- {
				if _, _, err := router.RouteTree(maps.RoadID(a), maps.RoadID(b)); err == nil && a != b {
					trips = append(trips, engine.Trip{ID: fmt.Sprintf("veh.%s.%d", net.Roads[a].ID, k), Depart: float64(7*k + a),
						From: maps.RoadID(a), To: maps.RoadID(b)})
					break
				}
			}
		}
	}
	cfg := engine.DefaultConfig()
	cfg.Workers = 1
	sim, err := engine.New(net, cfg, trips)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	return sim
}

// fcdRow is what a record says about one vehicle.
type fcdRow struct {
	time, pos, x, y, lon, lat, speed, accel, angle float64
	id, lane                                       string
}

func (r fcdRow) String() string {
	return fmt.Sprintf("t=%g %s %s pos %.2f (%.2f, %.2f) v=%.2f a=%.2f angle %.2f", r.time, r.id, r.lane, r.pos, r.x, r.y, r.speed, r.accel, r.angle)
}

// expect runs sim for steps steps with the FCD writers, and returns what
// the snapshots say the records must hold at the multiples of interval.
func expect(t *testing.T, sim *engine.Sim, steps int, interval float64, writers ...*output.FCD) []fcdRow {
	t.Helper()
	var want []fcdRow
	var snap engine.Snapshot
	prev := map[int32]float64{}
	net := sim.Network()
	for k := 0; k < steps; k++ {
		sim.Step()
		for _, w := range writers {
			w.Observe()
		}
		sim.Snapshot(&snap)
		due := math.Abs(math.Remainder(sim.Time(), interval)) < 1e-9
		next := map[int32]float64{}
		for _, v := range snap.Vehicles {
			next[v.ID] = v.Speed
			if !due {
				continue
			}
			lane := ""
			if int(v.Segment) < len(net.Lanes) {
				lane = net.Lanes[v.Segment].ID
			} else {
				lane = net.Links[int(v.Segment)-len(net.Lanes)].ID
			}
			accel := 0.0
			if p, ok := prev[v.ID]; ok {
				accel = v.Speed - p
			}
			a := math.Mod(90-v.Heading*180/math.Pi+720, 360)
			r := fcdRow{time: sim.Time(), id: sim.TripID(v.ID), lane: lane, pos: v.Pos, x: v.X, y: v.Y, speed: v.Speed, accel: accel, angle: a}
			if ll := net.LonLat(); ll != nil {
				p := ll([2]float64{v.X, v.Y})
				r.lon, r.lat = p[0], p[1]
			}
			want = append(want, r)
		}
		prev = next
	}
	for _, w := range writers {
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return want
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func sameRows(t *testing.T, format string, got, want []fcdRow, geo bool) {
	t.Helper()
	if len(got) != len(want) || len(want) < 50 {
		t.Fatalf("%s: %d records, want %d (and more than 50)", format, len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		ok := g.time == w.time && g.id == w.id && g.lane == w.lane && near(g.pos, w.pos, 0.006) && near(g.speed, w.speed, 0.006) &&
			near(g.accel, w.accel, 0.006) && (near(g.angle, w.angle, 0.006) || near(math.Abs(g.angle-w.angle), 360, 0.006))
		if geo {
			ok = ok && near(g.x, w.lon, 6e-8) && near(g.y, w.lat, 6e-8)
		} else {
			ok = ok && near(g.x, w.x, 0.006) && near(g.y, w.y, 0.006)
		}
		if format == "csv" && w.lon != 0 {
			ok = ok && near(g.lon, w.lon, 6e-8) && near(g.lat, w.lat, 6e-8)
		}
		if !ok {
			t.Fatalf("%s record %d:\n got %v (lon %.7f lat %.7f)\nwant %v (lon %.7f lat %.7f)", format, i, g, g.lon, g.lat, w, w.lon, w.lat)
		}
	}
}

func readCSV(t *testing.T, data []byte) []fcdRow {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(zr).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != strings.Join(output.FCDColumns, ",") {
		t.Fatalf("header %v", recs[0])
	}
	var out []fcdRow
	for _, r := range recs[1:] {
		f := func(i int) float64 {
			if r[i] == "" {
				return 0
			}
			x, err := strconv.ParseFloat(r[i], 64)
			if err != nil {
				t.Fatalf("row %v: %v", r, err)
			}
			return x
		}
		out = append(out, fcdRow{time: f(0), id: r[1], lane: r[3], pos: f(4), x: f(5), y: f(6), lon: f(7), lat: f(8), speed: f(9), accel: f(10), angle: f(11)})
	}
	return out
}

type xmlFCD struct {
	Steps []struct {
		Time     float64 `xml:"time,attr"`
		Vehicles []struct {
			ID    string  `xml:"id,attr"`
			X     float64 `xml:"x,attr"`
			Y     float64 `xml:"y,attr"`
			Angle float64 `xml:"angle,attr"`
			Type  string  `xml:"type,attr"`
			Speed float64 `xml:"speed,attr"`
			Pos   float64 `xml:"pos,attr"`
			Lane  string  `xml:"lane,attr"`
			Accel float64 `xml:"acceleration,attr"`
		} `xml:"vehicle"`
	} `xml:"timestep"`
}

func readXML(t *testing.T, data []byte) []fcdRow {
	t.Helper()
	var doc xmlFCD
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var out []fcdRow
	for _, s := range doc.Steps {
		for _, v := range s.Vehicles {
			out = append(out, fcdRow{time: s.Time, id: v.ID, lane: v.Lane, pos: v.Pos, x: v.X, y: v.Y, speed: v.Speed, accel: v.Accel, angle: v.Angle})
		}
	}
	return out
}

// The FCD files hold, for every record time, exactly the vehicles and
// positions the engine's snapshot gives, with SUMO's lane ids.
func TestFCDMatchesEngine(t *testing.T) {
	for _, interval := range []float64{1, 5} {
		sim := fcdSim(t, "grid3x2.net.xml")
		var csvBuf, xmlBuf bytes.Buffer
		cw, err := output.NewFCD(&csvBuf, sim, output.FCDOptions{Interval: interval})
		if err != nil {
			t.Fatal(err)
		}
		xw, err := output.NewFCD(&xmlBuf, sim, output.FCDOptions{Interval: interval, Format: output.FCDXML})
		if err != nil {
			t.Fatal(err)
		}
		want := expect(t, sim, 300, interval, cw, xw)
		sameRows(t, "csv", readCSV(t, csvBuf.Bytes()), want, false)
		sameRows(t, "xml", readXML(t, xmlBuf.Bytes()), want, false)
		if interval == 1 {
			checkSchema(t, xmlBuf.Bytes())
			checkSumolib(t, xmlBuf.Bytes(), len(want))
		}
	}
}

// On a geo-referenced network the CSV has lon/lat, and the XML carries
// them in x and y on request (SUMO's --fcd-output.geo).
func TestFCDLonLat(t *testing.T) {
	sim := fcdSim(t, "cross.net.xml")
	var csvBuf, xmlBuf bytes.Buffer
	cw, err := output.NewFCD(&csvBuf, sim, output.FCDOptions{})
	if err != nil {
		t.Fatal(err)
	}
	xw, err := output.NewFCD(&xmlBuf, sim, output.FCDOptions{Format: output.FCDXML, Geo: true})
	if err != nil {
		t.Fatal(err)
	}
	want := expect(t, sim, 200, 1, cw, xw)
	if want[0].lon < 7.41 || want[0].lon > 7.43 || want[0].lat < 43.72 || want[0].lat > 43.74 {
		t.Fatalf("lon/lat %v", want[0])
	}
	sameRows(t, "csv", readCSV(t, csvBuf.Bytes()), want, false)
	sameRows(t, "xml", readXML(t, xmlBuf.Bytes()), want, true)
	// Geo output needs a geo-referenced network.
	if _, err := output.NewFCD(io.Discard, fcdSim(t, "grid3x2.net.xml"), output.FCDOptions{Format: output.FCDXML, Geo: true}); err == nil {
		t.Error("geo output accepted on a planar network")
	}
}

// checkSchema validates the XML against SUMO's fcd_file.xsd with xmllint,
// when both are installed.
func checkSchema(t *testing.T, data []byte) {
	xsd := filepath.Join(sumoHome(), "data", "xsd", "fcd_file.xsd")
	if _, err := os.Stat(xsd); err != nil {
		t.Logf("SUMO's fcd_file.xsd is not installed (apt-get install sumo): schema check skipped")
		return
	}
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Logf("xmllint is not installed (apt-get install libxml2-utils): schema check skipped")
		return
	}
	p := filepath.Join(t.TempDir(), "fcd.xml")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("xmllint", "--noout", "--schema", xsd, p).CombinedOutput()
	if err != nil {
		t.Errorf("fcd.xml does not validate against %s: %v\n%s", xsd, err, out)
	}
}

// checkSumolib reads the XML with SUMO's own Python reader, when present.
func checkSumolib(t *testing.T, data []byte, vehicles int) {
	tools := filepath.Join(sumoHome(), "tools")
	if _, err := os.Stat(filepath.Join(tools, "sumolib")); err != nil {
		t.Logf("sumolib is not installed (apt-get install sumo-tools): sumolib check skipped")
		return
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Logf("no python3: sumolib check skipped")
		return
	}
	p := filepath.Join(t.TempDir(), "fcd.xml")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	script := "import sys; sys.path.insert(0, sys.argv[1]); import sumolib\n" +
		"print(sum(len(ts.vehicle or []) for ts in sumolib.xml.parse(sys.argv[2], 'timestep')))"
	out, err := exec.Command("python3", "-c", script, tools, p).CombinedOutput()
	if err != nil {
		t.Fatalf("sumolib: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != strconv.Itoa(vehicles) {
		t.Errorf("sumolib read %s vehicle records, want %d", got, vehicles)
	}
}

func sumoHome() string {
	if h := os.Getenv("SUMO_HOME"); h != "" {
		return h
	}
	return "/usr/share/sumo"
}
