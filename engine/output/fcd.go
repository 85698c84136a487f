package output

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/internal/atomicfile"
	"github.com/citytwin/citytwin/maps"
)

// FCD formats.
const (
	FCDCSV = "csv" // gzip-compressed CSV (the default)
	FCDXML = "xml" // SUMO's fcd-export XML
)

// FCDOptions say what an FCD (floating car data) file holds.
type FCDOptions struct {
	// Interval between records (s); 0 means every step. Records are
	// written after the steps that end on a multiple of it.
	Interval float64
	// Format is FCDCSV (default) or FCDXML.
	Format string
	// Geo writes lon/lat in the XML's x and y, as SUMO's
	// --fcd-output.geo does (the CSV always has both when the network is
	// geo-referenced).
	Geo bool
}

// FCDColumns are the columns of the CSV format.
var FCDColumns = []string{"time", "id", "road", "lane", "pos", "x", "y", "lon", "lat", "speed", "accel", "heading"}

// FCD writes the trajectory of every vehicle, as SUMO's fcd-export does:
// per record time and running vehicle its id (the trip id, as in
// trips.csv), where it is (road and lane ids as SUMO names them, position
// of its front along the lane in m), its front centre x, y (m) and, when
// the network is geo-referenced, lon, lat (WGS84 degrees), its speed (m/s),
// acceleration over the last step (m/s²) and heading (degrees clockwise
// from north, SUMO's angle). A vehicle inside a junction is on road
// ":JUNCTION", on the link's id (SUMO's internal lane, or
// ":JUNCTION_m_k" for link k of movement m).
//
// CSV: one row per vehicle and record, columns FCDColumns, gzip-compressed.
// XML: SUMO's format (fcd_file.xsd): <fcd-export> with a <timestep
// time=...> per record and a <vehicle id x y angle type speed pos lane
// slope acceleration/> per vehicle.
//
// Call Observe after every step (it needs each step's speeds for the
// accelerations), then Close. The output depends only on the simulation,
// so it is as deterministic as the run.
type FCD struct {
	opt    FCDOptions
	sim    *engine.Sim
	net    *maps.Network
	lonlat func(p [2]float64) [2]float64
	out    *bufio.Writer
	gz     *gzip.Writer
	prev   []float64 // per vehicle, its speed at the end of step at[id]
	at     []int64
	snap   engine.Snapshot
	next   float64 // time of the next record
	buf    []byte
	types  []string
}

// NewFCD starts an FCD file on w (the caller closes w after Close).
func NewFCD(w io.Writer, sim *engine.Sim, opt FCDOptions) (*FCD, error) {
	if opt.Format == "" {
		opt.Format = FCDCSV
	}
	if opt.Format != FCDCSV && opt.Format != FCDXML {
		return nil, fmt.Errorf("output: fcd format %q, want %q or %q", opt.Format, FCDCSV, FCDXML)
	}
	if !(opt.Interval >= 0) || math.IsInf(opt.Interval, 0) {
		return nil, fmt.Errorf("output: fcd interval %g s is not a time", opt.Interval)
	}
	net := sim.Network()
	f := &FCD{opt: opt, sim: sim, net: net, prev: make([]float64, sim.NumTrips()), at: make([]int64, sim.NumTrips())}
	for i := range f.at {
		f.at[i] = -1
	}
	if ll := net.LonLat(); ll != nil {
		f.lonlat = func(p [2]float64) [2]float64 { q := ll(p); return [2]float64{q[0], q[1]} }
	}
	if opt.Geo && f.lonlat == nil {
		return nil, fmt.Errorf("output: fcd geo: the network is not geo-referenced (no lon/lat)")
	}
	for _, vt := range sim.VehicleTypes() {
		f.types = append(f.types, vt.ID)
	}
	if opt.Format == FCDCSV {
		f.gz = gzip.NewWriter(w)
		f.out = bufio.NewWriterSize(f.gz, 1<<16)
		for i, c := range FCDColumns {
			if i > 0 {
				f.out.WriteByte(',')
			}
			f.out.WriteString(c)
		}
		f.out.WriteByte('\n')
	} else {
		f.out = bufio.NewWriterSize(w, 1<<16)
		f.out.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
		f.out.WriteString(`<fcd-export xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://sumo.dlr.de/xsd/fcd_file.xsd">` + "\n")
	}
	f.next = sim.Time() + sim.StepLength()
	if opt.Interval > 0 {
		f.next = math.Ceil((sim.Time()+1e-9)/opt.Interval) * opt.Interval
	}
	return f, nil
}

// Observe records the state after a step, when a record is due, and the
// speeds the next accelerations start from.
func (f *FCD) Observe() {
	f.sim.Snapshot(&f.snap)
	now := f.sim.Time()
	due := now >= f.next-1e-9
	if due {
		for f.next <= now+1e-9 {
			if f.opt.Interval > 0 {
				f.next += f.opt.Interval
			} else {
				f.next = now + f.sim.StepLength()
			}
		}
		f.record(now)
	}
	step := f.sim.Steps()
	for i := range f.snap.Vehicles {
		v := &f.snap.Vehicles[i]
		f.prev[v.ID], f.at[v.ID] = v.Speed, step
	}
}

// where returns the road and lane ids of a segment, as SUMO names them.
func (f *FCD) where(seg int32) (road, lane string) {
	net := f.net
	if int(seg) < len(net.Lanes) {
		l := &net.Lanes[seg]
		r := &net.Roads[l.Road]
		if l.ID != "" {
			return r.ID, l.ID
		}
		return r.ID, r.ID + "_" + strconv.Itoa(len(r.Lanes)-1-l.Index)
	}
	k := int(seg) - len(net.Lanes)
	lk := &net.Links[k]
	mv := &net.Movements[lk.Movement]
	node := ":" + net.Nodes[mv.Node].ID
	if lk.ID != "" {
		return node, lk.ID
	}
	idx := 0
	for i, x := range mv.Links {
		if int(x) == k {
			idx = i
		}
	}
	return node, node + "_" + strconv.Itoa(mv.Local) + "_" + strconv.Itoa(idx)
}

// angle converts a heading (radians counter-clockwise from east) to SUMO's
// angle (degrees clockwise from north, in [0, 360)).
func angle(h float64) float64 {
	a := math.Mod(90-h*180/math.Pi, 360)
	if a < 0 {
		a += 360
	}
	return a
}

func (f *FCD) record(now float64) {
	dt := f.sim.StepLength()
	b := f.buf[:0]
	num := func(x float64, prec int) { b = strconv.AppendFloat(b, x, 'f', prec, 64) }
	if f.opt.Format == FCDXML {
		b = append(b, `    <timestep time="`...)
		num(now, 2)
		b = append(b, "\">\n"...)
	}
	for i := range f.snap.Vehicles {
		v := &f.snap.Vehicles[i]
		road, lane := f.where(v.Segment)
		accel := 0.0 // on the step it entered
		if f.at[v.ID] == f.sim.Steps()-1 {
			accel = (v.Speed - f.prev[v.ID]) / dt
		}
		pos := math.Max(v.Pos, 0)
		x, y := v.X, v.Y
		var ll [2]float64
		if f.lonlat != nil {
			ll = f.lonlat([2]float64{x, y})
		}
		id := f.sim.TripID(v.ID)
		if f.opt.Format == FCDCSV {
			num(now, 2)
			b = append(b, ',')
			b = appendCSV(b, id)
			b = append(b, ',')
			b = appendCSV(b, road)
			b = append(b, ',')
			b = appendCSV(b, lane)
			b = append(b, ',')
			num(pos, 2)
			b = append(b, ',')
			num(x, 2)
			b = append(b, ',')
			num(y, 2)
			b = append(b, ',')
			if f.lonlat != nil {
				num(ll[0], 7)
				b = append(b, ',')
				num(ll[1], 7)
			} else {
				b = append(b, ',')
			}
			b = append(b, ',')
			num(v.Speed, 2)
			b = append(b, ',')
			num(accel, 2)
			b = append(b, ',')
			num(angle(v.Heading), 2)
			b = append(b, '\n')
		} else {
			b = append(b, `        <vehicle id="`...)
			b = appendXML(b, id)
			b = append(b, `" x="`...)
			if f.opt.Geo {
				num(ll[0], 7)
				b = append(b, `" y="`...)
				num(ll[1], 7)
			} else {
				num(x, 2)
				b = append(b, `" y="`...)
				num(y, 2)
			}
			b = append(b, `" angle="`...)
			num(angle(v.Heading), 2)
			b = append(b, `" type="`...)
			b = appendXML(b, f.types[v.VType])
			b = append(b, `" speed="`...)
			num(v.Speed, 2)
			b = append(b, `" pos="`...)
			num(pos, 2)
			b = append(b, `" lane="`...)
			b = appendXML(b, lane)
			b = append(b, `" slope="0.00" acceleration="`...)
			num(accel, 2)
			b = append(b, "\"/>\n"...)
		}
		if len(b) > 1<<15 {
			f.out.Write(b)
			b = b[:0]
		}
	}
	if f.opt.Format == FCDXML {
		b = append(b, "    </timestep>\n"...)
	}
	f.out.Write(b)
	f.buf = b[:0]
}

// Close ends the file (the XML's closing tag, the gzip trailer) and
// flushes it.
func (f *FCD) Close() error {
	if f.opt.Format == FCDXML {
		f.out.WriteString("</fcd-export>\n")
	}
	if err := f.out.Flush(); err != nil {
		return err
	}
	if f.gz != nil {
		return f.gz.Close()
	}
	return nil
}

// appendCSV appends a CSV field, quoted when it needs to be.
func appendCSV(b []byte, s string) []byte {
	quote := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ',' || c == '"' || c == '\n' || c == '\r' {
			quote = true
			break
		}
	}
	if !quote {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// appendXML appends an attribute value with XML's special characters escaped.
func appendXML(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '"':
			b = append(b, "&quot;"...)
		case '\'':
			b = append(b, "&apos;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// FCDFile is an FCD written into a folder crash-safely, like every output
// (see WriteFile): fcd.csv.gz or fcd.xml under a temporary name until
// Commit.
type FCDFile struct {
	*FCD
	f *atomicfile.File
}

// FCDFileName returns the file name of the format: fcd.csv.gz or fcd.xml.
func FCDFileName(format string) string {
	if format == FCDXML {
		return "fcd.xml"
	}
	return "fcd.csv.gz"
}

// CreateFCD starts an FCD file in dir (created if needed).
func CreateFCD(dir string, sim *engine.Sim, opt FCDOptions) (*FCDFile, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	f, err := atomicfile.Create(filepath.Join(dir, FCDFileName(opt.Format)))
	if err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	w, err := NewFCD(f, sim, opt)
	if err != nil {
		f.Abort()
		return nil, err
	}
	return &FCDFile{FCD: w, f: f}, nil
}

// Commit ends the file and gives it its name; it returns the path.
func (f *FCDFile) Commit() (string, error) {
	if err := f.FCD.Close(); err != nil {
		f.f.Abort()
		return "", fmt.Errorf("output: %s: %w", f.f.Name(), err)
	}
	if err := f.f.Commit(); err != nil {
		return "", fmt.Errorf("output: %s: %w", f.f.Name(), err)
	}
	return f.f.Name(), nil
}

// Abort drops the file (a no-op after Commit).
func (f *FCDFile) Abort() { f.f.Abort() }
