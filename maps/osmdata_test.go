package maps

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"slices"

	"google.golang.org/protobuf/encoding/protowire"
)

// Test OpenStreetMap data: elements written as OSM XML or PBF by the
// helpers below, positions given in metres around a lon/lat origin.

type tNode struct {
	id   int64
	x, y float64 // m east and north of osmOrigin
	tags map[string]string
}

type tWay struct {
	id   int64
	refs []int64
	tags map[string]string
}

var writeTown = flag.Bool("write-town", false, "write testdata/town.osm from osmTown")

// osmOrigin is where the test data lies (Monaco, a right-hand country).
var osmOrigin = [2]float64{7.42, 43.73}

func (n tNode) lonlat() (float64, float64) {
	lat := osmOrigin[1] + n.y/110574
	lon := osmOrigin[0] + n.x/(111320*math.Cos(osmOrigin[1]*math.Pi/180))
	return lon, lat
}

func sortedTags(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// osmXML writes the elements as an OSM XML document.
func osmXML(nodes []tNode, ways []tWay) []byte {
	var b bytes.Buffer
	b.WriteString("<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" generator=\"citytwin test\">\n")
	for _, n := range nodes {
		lon, lat := n.lonlat()
		fmt.Fprintf(&b, "  <node id=\"%d\" lat=\"%.7f\" lon=\"%.7f\" version=\"1\">\n", n.id, lat, lon)
		for _, k := range sortedTags(n.tags) {
			fmt.Fprintf(&b, "    <tag k=%q v=%q/>\n", k, n.tags[k])
		}
		b.WriteString("  </node>\n")
	}
	for _, w := range ways {
		fmt.Fprintf(&b, "  <way id=\"%d\" version=\"1\">\n", w.id)
		for _, r := range w.refs {
			fmt.Fprintf(&b, "    <nd ref=\"%d\"/>\n", r)
		}
		for _, k := range sortedTags(w.tags) {
			fmt.Fprintf(&b, "    <tag k=%q v=%q/>\n", k, w.tags[k])
		}
		b.WriteString("  </way>\n")
	}
	b.WriteString("</osm>\n")
	return b.Bytes()
}

func gzipped(data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// pbfBlock frames one block: length, BlobHeader, Blob (zlib or raw).
func pbfBlock(typ string, data []byte, compress bool) []byte {
	var blob []byte
	if compress {
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		w.Write(data)
		w.Close()
		blob = protowire.AppendTag(blob, 2, protowire.VarintType)
		blob = protowire.AppendVarint(blob, uint64(len(data)))
		blob = protowire.AppendTag(blob, 3, protowire.BytesType)
		blob = protowire.AppendBytes(blob, z.Bytes())
	} else {
		blob = protowire.AppendTag(blob, 1, protowire.BytesType)
		blob = protowire.AppendBytes(blob, data)
	}
	var hdr []byte
	hdr = protowire.AppendTag(hdr, 1, protowire.BytesType)
	hdr = protowire.AppendString(hdr, typ)
	hdr = protowire.AppendTag(hdr, 3, protowire.VarintType)
	hdr = protowire.AppendVarint(hdr, uint64(len(blob)))
	out := binary.BigEndian.AppendUint32(nil, uint32(len(hdr)))
	return append(append(out, hdr...), blob...)
}

func pbfHeader(features ...string) []byte {
	var h []byte
	for _, f := range append([]string{"OsmSchema-V0.6", "DenseNodes"}, features...) {
		h = protowire.AppendTag(h, 4, protowire.BytesType)
		h = protowire.AppendString(h, f)
	}
	return h
}

func packedVarints(b []byte, num protowire.Number, vs []uint64) []byte {
	var p []byte
	for _, v := range vs {
		p = protowire.AppendVarint(p, v)
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, p)
}

func zigzagDeltas(vs []int64) []uint64 {
	out := make([]uint64, len(vs))
	prev := int64(0)
	for i, v := range vs {
		out[i] = protowire.EncodeZigZag(v - prev)
		prev = v
	}
	return out
}

// pbfData encodes one PrimitiveBlock: dense nodes, then ways.
func pbfData(nodes []tNode, ways []tWay) []byte {
	strs := []string{""}
	index := map[string]uint64{"": 0}
	str := func(s string) uint64 {
		if i, ok := index[s]; ok {
			return i
		}
		index[s] = uint64(len(strs))
		strs = append(strs, s)
		return index[s]
	}
	var groups [][]byte
	if len(nodes) > 0 {
		var ids, lats, lons []int64
		var kv []uint64
		for _, n := range nodes {
			lon, lat := n.lonlat()
			ids = append(ids, n.id)
			lats = append(lats, int64(math.Round(lat*1e7)))
			lons = append(lons, int64(math.Round(lon*1e7)))
			for _, k := range sortedTags(n.tags) {
				kv = append(kv, str(k), str(n.tags[k]))
			}
			kv = append(kv, 0)
		}
		var dense []byte
		dense = packedVarints(dense, 1, zigzagDeltas(ids))
		dense = packedVarints(dense, 8, zigzagDeltas(lats))
		dense = packedVarints(dense, 9, zigzagDeltas(lons))
		dense = packedVarints(dense, 10, kv)
		var g []byte
		g = protowire.AppendTag(g, 2, protowire.BytesType)
		groups = append(groups, protowire.AppendBytes(g, dense))
	}
	if len(ways) > 0 {
		var g []byte
		for _, w := range ways {
			var wb []byte
			wb = protowire.AppendTag(wb, 1, protowire.VarintType)
			wb = protowire.AppendVarint(wb, uint64(w.id))
			var keys, vals []uint64
			for _, k := range sortedTags(w.tags) {
				keys, vals = append(keys, str(k)), append(vals, str(w.tags[k]))
			}
			wb = packedVarints(wb, 2, keys)
			wb = packedVarints(wb, 3, vals)
			wb = packedVarints(wb, 8, zigzagDeltas(w.refs))
			g = protowire.AppendTag(g, 3, protowire.BytesType)
			g = protowire.AppendBytes(g, wb)
		}
		groups = append(groups, g)
	}
	var st []byte
	for _, s := range strs {
		st = protowire.AppendTag(st, 1, protowire.BytesType)
		st = protowire.AppendString(st, s)
	}
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendBytes(b, st)
	for _, g := range groups {
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendBytes(b, g)
	}
	return b
}

// osmPBF writes the elements as a PBF file: a header block, a block of
// nodes and a block of ways.
func osmPBF(nodes []tNode, ways []tWay, compress bool) []byte {
	out := pbfBlock("OSMHeader", pbfHeader(), compress)
	out = append(out, pbfBlock("OSMData", pbfData(nodes, nil), compress)...)
	return append(out, pbfBlock("OSMData", pbfData(nil, ways), compress)...)
}

func tags(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// osmTown is a small town with one of each thing the reader handles.
//
//	     F(200,200) ── G(400,200)        w3 C–F residential, stop sign 12 m
//	      │                              north of C; w8 F→G one-way 30 mph;
//	A ─── B ─── C ──── H(400,0)          w1 A–B–C–H primary, 4 lanes, 50;
//	      │ S                            w2 D–B–E residential with a signal
//	      D                              S 15 m south of B; X a signal
//	                                     100 m from any junction.
func osmTown() ([]tNode, []tWay) {
	nodes := []tNode{
		{id: 1, x: -200}, {id: 2}, {id: 3, x: 200}, {id: 4, x: 400},
		{id: 5, y: -200}, {id: 6, y: -15, tags: tags("highway", "traffic_signals")}, {id: 7, y: 200},
		{id: 8, x: 200, y: 200}, {id: 9, x: 200, y: 12, tags: tags("highway", "stop")},
		{id: 10, x: 400, y: 200}, {id: 11, x: 300, tags: tags("highway", "traffic_signals", "crossing", "traffic_signals")},
		{id: 12, x: -100, y: -100}, {id: 13, x: -120, y: -150}, {id: 14, x: -50, y: 300}, {id: 15, x: 100, y: 300},
		{id: 16, x: 600, y: 300},
	}
	ways := []tWay{
		{1, []int64{1, 2, 3, 11, 4}, tags("highway", "primary", "lanes", "4", "maxspeed", "50", "name", "Avenue")},
		{2, []int64{5, 6, 2, 7}, tags("highway", "residential")},
		{3, []int64{3, 9, 8}, tags("highway", "residential", "maxspeed", "FR:zone30")},
		{8, []int64{8, 10}, tags("highway", "unclassified", "oneway", "yes", "maxspeed", "30 mph")},
		{20, []int64{2, 12, 13}, tags("highway", "service", "service", "parking_aisle")},
		{21, []int64{1, 12}, tags("highway", "footway")},
		{22, []int64{7, 14}, tags("highway", "residential", "access", "private")},
		{23, []int64{14, 15, 7, 14}, tags("building", "yes")},
		{24, []int64{10, 16}, tags("highway", "tertiary", "oneway", "-1", "lanes", "2", "turn:lanes", "left|through")},
	}
	return nodes, ways
}
