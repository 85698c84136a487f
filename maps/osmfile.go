package maps

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"

	"github.com/citytwin/citytwin/internal/limitio"
	"github.com/citytwin/citytwin/internal/xmlfile"
	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmxml"
)

// SignalJoinDistance is how far (m, along the road) a highway=traffic_signals,
// stop or give_way node may lie from the junction it belongs to: OSM maps
// signals on the approaches of a junction as often as on the junction node.
// It is netconvert's --tls.guess-signals.dist default.
const SignalJoinDistance = 25.0

// LoadOSM reads an OpenStreetMap file and builds a Network: .osm XML
// (plain, gzip or bzip2 compressed) or .osm.pbf, told apart by content.
// The file is streamed twice — the ways first, keeping the drivable ones
// (see drivableTags and Classes), then only the nodes those ways use — so
// memory grows with the road network, not with the file.
//
// Each drivable way is split at the nodes it shares with other drivable
// ways (and at its ends); a two-way way gives a road in each direction.
// Road ids are the way id ("123", or "123#0", "123#1"... when the way is
// split), "-" in front for the direction against the way, as netconvert
// names edges; junction ids are OSM node ids. Tags read: highway, oneway,
// junction=roundabout, lanes, lanes:forward/backward, turn:lanes(:forward/
// :backward), maxspeed(:forward/:backward) in all its forms, width,
// layer, bridge, tunnel, name, and access (access, vehicle, motor_vehicle,
// motorcar). Nodes tagged highway=traffic_signals make their junction
// signalised, highway=stop or give_way give its approach the lowest
// priority; a node that is not itself a junction is joined to the first
// junction along its way within SignalJoinDistance (in the direction of
// traffic_signals:direction or direction when tagged), as netconvert's
// --tls.guess-signals does. Other signals (pedestrian crossings) are
// ignored and counted in a warning. Junctions closer than JoinDistance
// along a road are then joined into one, as netconvert's --junctions.join
// does (Options.NoJoin keeps them apart): OSM maps a dual carriageway
// crossing as four nodes a few metres apart, and roads that short would
// hold no vehicle.
//
// Errors name the file and the element ("way 123", "node 456"); unusable
// tag values fall back to defaults with a Warning. Nodes a way names but the
// file lacks (a cut extract) are dropped with a warning, and the way ends
// there. Options.BBox keeps the parts of ways inside a lon/lat box.
func LoadOSM(path string, opt Options) (*Network, error) {
	open := func() (io.ReadCloser, error) { return os.Open(path) }
	n, err := readOSM(open, filepath.Base(path), opt)
	if err != nil {
		return nil, fmt.Errorf("maps: %s: %w", path, err)
	}
	return n, nil
}

// ReadOSM builds a Network from OpenStreetMap data in memory (any format
// LoadOSM reads); name is used in messages and as Network.Source.
func ReadOSM(data []byte, name string, opt Options) (*Network, error) {
	open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	return readOSM(open, name, opt)
}

// Formats of OpenStreetMap data.
const (
	formatXML = "OSM XML"
	formatPBF = "OSM PBF"
)

// sniffOSM returns the format of the start of a (decompressed) stream, or "".
func sniffOSM(head []byte) string {
	if len(head) >= 8 {
		n := binary.BigEndian.Uint32(head)
		if n > 0 && n < pbfMaxHeader && head[4] == 0x0a && (bytes.Contains(head[:min(len(head), 4+int(n))], []byte("OSMHeader")) ||
			bytes.Contains(head[:min(len(head), 4+int(n))], []byte("OSMData"))) {
			return formatPBF
		}
	}
	if xmlRoot(head) == "osm" {
		return formatXML
	}
	return ""
}

// xmlRoot returns the name of the first element of an XML document's start
// (skipping the declaration, comments and a doctype), or "".
func xmlRoot(head []byte) string {
	h := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	for {
		h = bytes.TrimLeft(h, " \t\r\n")
		var end []byte
		switch {
		case bytes.HasPrefix(h, []byte("<?")):
			end = []byte("?>")
		case bytes.HasPrefix(h, []byte("<!--")):
			end = []byte("-->")
		case bytes.HasPrefix(h, []byte("<!")):
			end = []byte(">")
		case bytes.HasPrefix(h, []byte("<")):
			name := h[1:]
			if i := bytes.IndexAny(name, " \t\r\n/>"); i >= 0 {
				return string(name[:i])
			}
			return ""
		default:
			return ""
		}
		i := bytes.Index(h, end)
		if i < 0 {
			return ""
		}
		h = h[i+len(end):]
	}
}

// IsOSM reports whether head, the first kilobytes of a file, starts
// OpenStreetMap data (XML or PBF, possibly gzip or bzip2 compressed).
func IsOSM(head []byte) bool {
	r, _, err := osmStream(bytes.NewReader(head), 0)
	if err != nil {
		return false
	}
	_, err = r.Peek(1)
	return err == nil || errors.Is(err, io.ErrUnexpectedEOF)
}

// osmStream decompresses r if needed and tells its format. Decompressed
// data longer than limit bytes (xmlfile.MaxBytes when limit <= 0) fails
// with a *limitio.TooLargeError.
func osmStream(r io.Reader, limit int64) (*bufio.Reader, string, error) {
	if limit <= 0 {
		limit = xmlfile.MaxBytes
	}
	br := bufio.NewReaderSize(r, 64<<10)
	for depth := 0; ; depth++ {
		head, _ := br.Peek(1024)
		if f := sniffOSM(head); f != "" {
			return br, f, nil
		}
		if depth > 0 {
			break
		}
		switch {
		case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
			zr, err := gzip.NewReader(br)
			if err != nil {
				return nil, "", fmt.Errorf("gzip: %w", err)
			}
			br = bufio.NewReaderSize(limitio.NewReader(zr, "the decompressed data", limit), 64<<10)
			continue
		case bytes.HasPrefix(head, []byte("BZh")):
			br = bufio.NewReaderSize(limitio.NewReader(bzip2.NewReader(br), "the decompressed data", limit), 64<<10)
			continue
		}
		break
	}
	return nil, "", errors.New("not OpenStreetMap data: neither OSM XML (<osm>) nor OSM PBF, plain or gzip/bzip2 compressed")
}

// scanOSM opens the data and hands its nodes and ways to sink.
func scanOSM(open func() (io.ReadCloser, error), sink *osmSink) (format string, err error) {
	f, err := open()
	if err != nil {
		return "", err
	}
	defer f.Close()
	r, format, err := osmStream(f, sink.limit)
	if err != nil {
		return "", err
	}
	if format == formatPBF {
		return format, scanPBF(r, sink)
	}
	if err := scanXML(r, sink); err != nil {
		var tl *limitio.TooLargeError
		if errors.As(err, &tl) {
			return format, err
		}
		if loc := locateXMLError(open); loc != "" {
			return format, errors.New(loc)
		}
		return format, err
	}
	return format, nil
}

// scanXML reads OSM XML with paulmach/osm's osmxml scanner.
func scanXML(r io.Reader, sink *osmSink) error {
	sc := osmxml.New(context.Background(), r)
	defer sc.Close()
	var tags []osmTag
	var refs []int64
	for sc.Scan() {
		switch o := sc.Object().(type) {
		case *osm.Node:
			if !sink.nodes {
				continue
			}
			if !(o.Lat >= -90 && o.Lat <= 90) || !(o.Lon >= -180 && o.Lon <= 180) {
				return fmt.Errorf("node %d: position lat %g, lon %g is not on Earth", o.ID, o.Lat, o.Lon)
			}
			tags = tags[:0]
			for _, t := range o.Tags {
				tags = append(tags, osmTag{t.Key, t.Value})
			}
			if err := sink.node(int64(o.ID), o.Lon, o.Lat, tags); err != nil {
				return err
			}
		case *osm.Way:
			if !sink.ways {
				continue
			}
			tags, refs = tags[:0], refs[:0]
			for _, t := range o.Tags {
				tags = append(tags, osmTag{t.Key, t.Value})
			}
			for _, nd := range o.Nodes {
				refs = append(refs, int64(nd.ID))
			}
			if err := sink.way(int64(o.ID), refs, tags); err != nil {
				return err
			}
		}
	}
	return sc.Err()
}

// locateXMLError reads the XML again with encoding/xml, decoding every
// node, way and relation as osmxml does, and describes the first failure
// with its line and element id ("line 12: node 34: ..."), or "".
func locateXMLError(open func() (io.ReadCloser, error)) string {
	f, err := open()
	if err != nil {
		return ""
	}
	defer f.Close()
	r, _, err := osmStream(f, 0)
	if err != nil {
		return ""
	}
	d := xml.NewDecoder(r)
	last := ""
	for {
		tok, err := d.Token()
		line, _ := d.InputPos()
		if err != nil {
			if err == io.EOF {
				return ""
			}
			if last != "" {
				return fmt.Sprintf("line %d (after %s): %v", line, last, err)
			}
			return fmt.Sprintf("line %d: %v", line, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		var v any
		switch se.Name.Local {
		case "node":
			v = &osm.Node{}
		case "way":
			v = &osm.Way{}
		case "relation":
			v = &osm.Relation{}
		default:
			continue
		}
		id := ""
		for _, a := range se.Attr {
			if a.Name.Local == "id" {
				id = a.Value
			}
		}
		last = se.Name.Local + " " + id
		if err := d.DecodeElement(v, &se); err != nil {
			return fmt.Sprintf("line %d: %s %s: %v", line, se.Name.Local, id, err)
		}
	}
}

// osmWay is a drivable way kept from the first pass.
type osmWay struct {
	id    int64
	refs  []int64
	attrs roadAttrs
}

// osmControl is a node tagged with a signal or a priority sign.
type osmControl struct {
	node int   // index into osmReader.ids
	kind uint8 // signNone for traffic signals, else the sign
	dir  int   // +1 forward, −1 backward along its way, 0 both
}

// osmReader gathers what the two passes keep.
type osmReader struct {
	raw  *rawNet
	ways []osmWay
	ids  []int64      // sorted ids of the nodes the ways use
	pos  [][2]float64 // lon, lat of ids[i]
	have []bool
	ctrl []osmControl
	bbox *orb.Bound
	proj func(orb.Point) orb.Point // lon/lat to local metres
	// joinDist joins junctions closer than this (m); 0: none.
	joinDist float64
}

// OSMCredit is the credit the Open Database License asks of anything
// made from OpenStreetMap data.
const OSMCredit = "© OpenStreetMap contributors (ODbL)"

func readOSM(open func() (io.ReadCloser, error), name string, opt Options) (*Network, error) {
	raw, err := readOSMRaw(open, name, opt)
	if err != nil {
		return nil, err
	}
	n, err := build(raw, opt)
	if err != nil {
		return nil, err
	}
	n.Credit = OSMCredit
	return n, nil
}

// readOSMRaw reads the roads and junctions of OSM data, before building.
func readOSMRaw(open func() (io.ReadCloser, error), name string, opt Options) (*rawNet, error) {
	rd := &osmReader{raw: &rawNet{source: name, skipped: map[string]int{}}, bbox: opt.BBox, joinDist: JoinDistance}
	if opt.NoJoin {
		rd.joinDist = 0
	}
	format, err := scanOSM(open, &osmSink{ways: true, way: rd.way, limit: opt.MaxInputBytes})
	if err != nil {
		return nil, err
	}
	if len(rd.ways) == 0 {
		return nil, fmt.Errorf("no drivable roads in the %s data (ways skipped: %s)", format, skippedSummary(rd.raw.skipped))
	}
	sort.SliceStable(rd.ways, func(i, j int) bool { return rd.ways[i].id < rd.ways[j].id })
	for i := 1; i < len(rd.ways); i++ {
		if rd.ways[i].id == rd.ways[i-1].id {
			return nil, fmt.Errorf("way %d appears twice", rd.ways[i].id)
		}
	}
	for _, w := range rd.ways {
		rd.ids = append(rd.ids, w.refs...)
	}
	slices.Sort(rd.ids)
	rd.ids = slices.Compact(rd.ids)
	rd.pos = make([][2]float64, len(rd.ids))
	rd.have = make([]bool, len(rd.ids))
	if _, err := scanOSM(open, &osmSink{nodes: true, node: rd.node, limit: opt.MaxInputBytes}); err != nil {
		return nil, err
	}
	if err := rd.assemble(); err != nil {
		return nil, err
	}
	return rd.raw, nil
}

// way keeps a drivable way of the first pass.
func (rd *osmReader) way(id int64, refs []int64, tags []osmTag) error {
	hw := tagOf(tags, "highway")
	if hw == "" {
		rd.raw.skipped["no highway tag"]++
		return nil
	}
	tag := func(k string) string { return tagOf(tags, k) }
	if why, ok := drivableTags(hw, tag); !ok {
		rd.raw.skipped[why]++
		return nil
	}
	props := make(map[string]any, len(tags))
	for _, t := range tags {
		props[t.k] = t.v
	}
	delete(props, "turn")      // a mosstool key; in OSM it means something else
	delete(props, "max_speed") // likewise
	f := &feature{index: -1, id: "way " + strconv.FormatInt(id, 10), props: props}
	a, err := rd.raw.parseAttrs(f, false)
	if err != nil {
		return err
	}
	rd.ways = append(rd.ways, osmWay{id: id, refs: slices.Clone(refs), attrs: a})
	return nil
}

// node keeps the position (and control tags) of a node the ways use.
func (rd *osmReader) node(id int64, lon, lat float64, tags []osmTag) error {
	i, ok := slices.BinarySearch(rd.ids, id)
	if !ok {
		return nil
	}
	if rd.have[i] {
		return fmt.Errorf("node %d appears twice", id)
	}
	rd.have[i], rd.pos[i] = true, [2]float64{lon, lat}
	var kind uint8
	dirKey := "direction"
	switch tagOf(tags, "highway") {
	case "traffic_signals":
		kind, dirKey = signNone, "traffic_signals:direction"
	case "stop":
		kind = signStop
	case "give_way":
		kind = signGiveWay
	default:
		return nil
	}
	dir := 0
	switch tagOf(tags, dirKey) {
	case "forward":
		dir = 1
	case "backward":
		dir = -1
	}
	rd.ctrl = append(rd.ctrl, osmControl{node: i, kind: kind, dir: dir})
	return nil
}

// osmPiece is a stretch of a way between two junctions.
type osmPiece struct {
	from, to int   // raw node indices
	pts      []int // indices into osmReader.ids, from → to
	fwd, bwd int   // raw road index of each direction, or −1
}

// assemble turns the kept ways and nodes into raw roads and nodes.
func (rd *osmReader) assemble() error {
	raw := rd.raw
	missing, outside := 0, 0
	inBox := func(i int) bool {
		if rd.bbox == nil {
			return true
		}
		p := orb.Point{rd.pos[i][0], rd.pos[i][1]}
		return rd.bbox.Contains(p)
	}
	// Runs of consecutive usable nodes of each way.
	runs := make([][][]int, len(rd.ways))
	uses := make([]uint8, len(rd.ids))
	end := make([]bool, len(rd.ids))
	for w, way := range rd.ways {
		var cur []int
		flush := func() {
			if len(cur) >= 2 {
				runs[w] = append(runs[w], cur)
				end[cur[0]], end[cur[len(cur)-1]] = true, true
				for _, i := range cur {
					uses[i] = min(uses[i]+1, 2)
				}
			}
			cur = nil
		}
		for _, ref := range way.refs {
			i, _ := slices.BinarySearch(rd.ids, ref)
			switch {
			case !rd.have[i]:
				missing++
				flush()
			case !inBox(i):
				outside++
				flush()
			case len(cur) > 0 && cur[len(cur)-1] == i:
			default:
				cur = append(cur, i)
			}
		}
		flush()
		// A node visited twice by one way (a loop) is a junction too.
		if len(runs[w]) > 0 {
			seen := map[int]bool{}
			for _, run := range runs[w] {
				for k, i := range run {
					if seen[i] && !(k == len(run)-1 && i == run[0]) {
						end[i] = true
					}
					seen[i] = true
				}
			}
		}
	}
	if missing > 0 {
		raw.warn(-1, "", "%d way nodes are not in the file (a cut extract); the ways end there", missing)
	}
	if outside > 0 {
		raw.warn(-1, "", "%d way nodes lie outside the bounding box; the ways end there", outside)
	}
	// Project around the centre of the used nodes.
	var b orb.Bound
	first := true
	for i := range rd.ids {
		if uses[i] == 0 {
			continue
		}
		p := orb.Point{rd.pos[i][0], rd.pos[i][1]}
		if first {
			b, first = orb.Bound{Min: p, Max: p}, false
		}
		b = b.Extend(p)
	}
	if first {
		return errors.New("no drivable way has two nodes in the data")
	}
	if b.Min[1] < -85 || b.Max[1] > 85 {
		return fmt.Errorf("roads beyond latitude ±85° cannot be projected")
	}
	o := b.Center()
	raw.origin = &o
	proj := LocalProjection(o)
	rd.proj = proj
	// Junctions: way ends and nodes shared by ways, in node id order.
	nodeOf := make([]int32, len(rd.ids))
	for i := range rd.ids {
		nodeOf[i] = -1
		if uses[i] >= 2 || end[i] {
			nodeOf[i] = int32(len(raw.nodes))
			raw.nodes = append(raw.nodes, rawNode{id: strconv.FormatInt(rd.ids[i], 10), feature: -1, pos: proj(orb.Point{rd.pos[i][0], rd.pos[i][1]})})
		}
	}
	// A stretch from a junction back to itself (a loop with one way in)
	// gets a node at its middle vertex, as a road cannot be a self-loop.
	for _, wr := range runs {
		for _, run := range wr {
			last := 0
			for j := 1; j < len(run); j++ {
				if nodeOf[run[j]] < 0 {
					continue
				}
				if nodeOf[run[j]] == nodeOf[run[last]] && j-last >= 2 && nodeOf[run[(last+j)/2]] < 0 {
					m := run[(last+j)/2]
					nodeOf[m] = int32(len(raw.nodes))
					raw.nodes = append(raw.nodes, rawNode{id: strconv.FormatInt(rd.ids[m], 10), feature: -1, pos: proj(orb.Point{rd.pos[m][0], rd.pos[m][1]})})
				}
				last = j
			}
		}
	}
	// Roads: split each run at junctions.
	var pieces []osmPiece
	for w, way := range rd.ways {
		a := &way.attrs
		count := 0
		for _, run := range runs[w] {
			for _, i := range run[1:] {
				if nodeOf[i] >= 0 {
					count++
				}
			}
		}
		k := 0
		for _, run := range runs[w] {
			start := 0
			for j := 1; j < len(run); j++ {
				if nodeOf[run[j]] < 0 {
					continue
				}
				pts := run[start : j+1]
				start = j
				id := strconv.FormatInt(way.id, 10)
				if count > 1 {
					id += "#" + strconv.Itoa(k)
				}
				k++
				geom := make(orb.LineString, len(pts))
				for q, i := range pts {
					geom[q] = proj(orb.Point{rd.pos[i][0], rd.pos[i][1]})
				}
				geom = dedupe(geom)
				if len(geom) < 2 {
					raw.warn(-1, "way "+strconv.FormatInt(way.id, 10), "a piece shorter than 1 mm was dropped")
					continue
				}
				pc := osmPiece{from: int(nodeOf[pts[0]]), to: int(nodeOf[pts[len(pts)-1]]), pts: pts, fwd: -1, bwd: -1}
				src := []string{strconv.FormatInt(way.id, 10)}
				mk := func(id string, from, to int, g orb.LineString, lanes int, speed float64, turns []TurnSet) int {
					raw.roads = append(raw.roads, rawRoad{
						id: id, feature: -1, sources: src, name: a.name, class: a.class, priority: a.def.Priority,
						from: from, to: to, geom: g, lanes: lanes, speed: speed, width: a.width, turns: turns, layer: a.layer,
						roundabout: a.roundabout,
					})
					return len(raw.roads) - 1
				}
				if a.lanesFwd > 0 {
					pc.fwd = mk(id, pc.from, pc.to, geom, a.lanesFwd, a.speedFwd, a.turnsFwd)
				}
				if a.lanesBwd > 0 {
					pc.bwd = mk("-"+id, pc.to, pc.from, reversed(geom), a.lanesBwd, a.speedBwd, a.turnsBwd)
				}
				pieces = append(pieces, pc)
			}
		}
	}
	rd.joinControls(pieces, nodeOf)
	if err := dropSelfLoops(raw); err != nil {
		return err
	}
	if rd.joinDist > 0 {
		joinJunctions(raw, rd.joinDist)
	}
	return dropSelfLoops(raw)
}

// xy is the projected position of node index i.
func (rd *osmReader) xy(i int) orb.Point {
	return rd.proj(orb.Point{rd.pos[i][0], rd.pos[i][1]})
}
