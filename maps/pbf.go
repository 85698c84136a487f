package maps

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protowire"
)

// The OpenStreetMap PBF format (wiki.openstreetmap.org/wiki/PBF_Format): a
// sequence of blocks, each a 4-byte big-endian BlobHeader length, a
// BlobHeader (type "OSMHeader" or "OSMData", datasize) and a Blob holding
// a zlib-compressed (or raw) HeaderBlock or PrimitiveBlock. A
// PrimitiveBlock has a string table, a coordinate granularity and offsets,
// and groups of dense nodes, nodes, ways and relations whose tags index the
// string table.
//
// CityTwin decodes it here with protowire rather than with paulmach/osm's
// osmpbf scanner: that scanner decodes in goroutines that panic on some
// malformed blocks (string indexes out of range; non-dense nodes), which a
// caller cannot recover from, and the loader must answer bad input with an
// error naming the element. Limits follow the format's: a BlobHeader under
// 64 KiB, a Blob and its uncompressed data at most 32 MiB.

// PBF size limits of the format (bytes).
const (
	pbfMaxHeader = 64 << 10
	pbfMaxBlob   = 32 << 20
)

// osmTag is one key=value tag of an element.
type osmTag struct{ k, v string }

// tagOf returns the value of key k in tags, or "".
func tagOf(tags []osmTag, k string) string {
	for _, t := range tags {
		if t.k == k {
			return t.v
		}
	}
	return ""
}

// osmSink receives the elements of an OpenStreetMap file in file order.
// Returning an error stops the scan with it.
type osmSink struct {
	nodes, ways bool // which elements are wanted
	node        func(id int64, lon, lat float64, tags []osmTag) error
	way         func(id int64, refs []int64, tags []osmTag) error
	limit       int64 // bytes the decompressed file may hold (0: xmlfile.MaxBytes)
}

// pbfFeatures are the HeaderBlock required_features the reader supports.
var pbfFeatures = map[string]bool{"OsmSchema-V0.6": true, "DenseNodes": true, "Sort.Type_then_ID": true,
	"LocationsOnWays": true}

// pbfDecoder holds the buffers reused from block to block.
type pbfDecoder struct {
	sink    *osmSink
	raw     []byte   // decompressed block
	strs    []string // string table of the current block
	gran    int64    // nanodegrees per coordinate unit
	lat0    int64    // latitude offset, nanodegrees
	lon0    int64    // longitude offset, nanodegrees
	ids     []int64
	lats    []int64
	lons    []int64
	kv      []uint64
	keys    []uint64
	vals    []uint64
	refs    []int64
	tags    []osmTag
	headers int
}

// scanPBF reads a PBF stream and hands its nodes and ways to sink.
func scanPBF(r io.Reader, sink *osmSink) error {
	d := &pbfDecoder{sink: sink}
	var size [4]byte
	offset := int64(0)
	for block := 0; ; block++ {
		if _, err := io.ReadFull(r, size[:]); err != nil {
			if err == io.EOF {
				if block == 0 {
					return fmt.Errorf("empty file")
				}
				return nil
			}
			return fmt.Errorf("block %d (byte %d): truncated block length: %w", block, offset, err)
		}
		hlen := binary.BigEndian.Uint32(size[:])
		if hlen == 0 || hlen >= pbfMaxHeader {
			return fmt.Errorf("block %d (byte %d): blob header length %d is not in (0, 64 KiB)", block, offset, hlen)
		}
		hdr := make([]byte, hlen)
		if _, err := io.ReadFull(r, hdr); err != nil {
			return fmt.Errorf("block %d (byte %d): truncated blob header: %w", block, offset, err)
		}
		typ, dlen, err := parseBlobHeader(hdr)
		if err != nil {
			return fmt.Errorf("block %d (byte %d): blob header: %w", block, offset, err)
		}
		// Grow the buffer as the data comes: a truncated file may claim
		// 32 MiB it does not have.
		buf := bytes.NewBuffer(make([]byte, 0, min(dlen, 1<<20)))
		if k, err := io.CopyN(buf, r, int64(dlen)); err != nil {
			return fmt.Errorf("block %d (byte %d): truncated blob (%d of %d bytes): %w", block, offset, k, dlen, err)
		}
		blob := buf.Bytes()
		if err := d.blob(typ, blob, block); err != nil {
			return fmt.Errorf("block %d (byte %d, %s): %w", block, offset, typ, err)
		}
		offset += 4 + int64(hlen) + int64(dlen)
	}
}

// fields walks the fields of a protobuf message, calling f with each field's
// number, wire type and value bytes (for varints, the value in v).
func fields(b []byte, f func(num protowire.Number, typ protowire.Type, v uint64, data []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		var v uint64
		var data []byte
		switch typ {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			data, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("field %d: %w", num, protowire.ParseError(n))
		}
		b = b[n:]
		if err := f(num, typ, v, data); err != nil {
			return err
		}
	}
	return nil
}

func parseBlobHeader(b []byte) (typ string, size int, err error) {
	size = -1
	err = fields(b, func(num protowire.Number, wt protowire.Type, v uint64, data []byte) error {
		switch {
		case num == 1 && wt == protowire.BytesType:
			typ = string(data)
		case num == 3 && wt == protowire.VarintType:
			if v > pbfMaxBlob {
				return fmt.Errorf("blob size %d exceeds 32 MiB", v)
			}
			size = int(v)
		}
		return nil
	})
	if err == nil && (typ == "" || size < 0) {
		err = errors.New("no type or no data size")
	}
	return typ, size, err
}

// blob decompresses one blob and decodes its block.
func (d *pbfDecoder) blob(typ string, b []byte, block int) error {
	var raw, zdata []byte
	rawSize := -1
	compression := ""
	err := fields(b, func(num protowire.Number, wt protowire.Type, v uint64, data []byte) error {
		switch num {
		case 1:
			raw = data
		case 2:
			if v > pbfMaxBlob {
				return fmt.Errorf("raw size %d exceeds 32 MiB", v)
			}
			rawSize = int(v)
		case 3:
			zdata = data
		case 4:
			compression = "lzma"
		case 5:
			compression = "bzip2"
		case 6:
			compression = "lz4"
		case 7:
			compression = "zstd"
		}
		return nil
	})
	switch {
	case err != nil:
		return err
	case raw != nil:
		d.raw = raw
	case zdata != nil:
		if rawSize < 0 {
			return errors.New("zlib data without a raw size")
		}
		zr, err := zlib.NewReader(bytes.NewReader(zdata))
		if err != nil {
			return fmt.Errorf("zlib: %w", err)
		}
		// zlib compresses at most 1032:1: a raw size beyond that is a lie
		// the buffer need not be sized for.
		if want := min(rawSize+1, 1032*len(zdata)+64); cap(d.raw) < want {
			d.raw = make([]byte, 0, want)
		}
		buf := bytes.NewBuffer(d.raw[:0])
		n, err := buf.ReadFrom(io.LimitReader(zr, int64(rawSize)+1))
		if err != nil {
			return fmt.Errorf("zlib: %w", err)
		}
		if int(n) != rawSize {
			return fmt.Errorf("zlib data holds %d bytes, the blob says %d", n, rawSize)
		}
		d.raw = buf.Bytes()
	case compression != "":
		return fmt.Errorf("%s-compressed blocks are not supported (re-encode the file with zlib, e.g. osmium cat -o out.osm.pbf)", compression)
	default:
		return errors.New("blob holds no data")
	}
	switch typ {
	case "OSMHeader":
		d.headers++
		return d.header(d.raw)
	case "OSMData":
		if d.headers == 0 && block == 0 {
			return errors.New("the file does not start with an OSMHeader block")
		}
		return d.primitive(d.raw)
	}
	return nil // unknown block types are skipped, as the format asks
}

// header checks the HeaderBlock's required features.
func (d *pbfDecoder) header(b []byte) error {
	return fields(b, func(num protowire.Number, wt protowire.Type, _ uint64, data []byte) error {
		if num == 4 && wt == protowire.BytesType && !pbfFeatures[string(data)] {
			if string(data) == "HistoricalInformation" {
				return errors.New("history files (several versions per element) are not supported")
			}
			return fmt.Errorf("required feature %q is not supported", data)
		}
		return nil
	})
}

// primitive decodes a PrimitiveBlock.
func (d *pbfDecoder) primitive(b []byte) error {
	d.strs = d.strs[:0]
	d.gran, d.lat0, d.lon0 = 100, 0, 0
	var groups [][]byte
	err := fields(b, func(num protowire.Number, wt protowire.Type, v uint64, data []byte) error {
		switch {
		case num == 1 && wt == protowire.BytesType:
			return fields(data, func(num protowire.Number, wt protowire.Type, _ uint64, s []byte) error {
				if num == 1 && wt == protowire.BytesType {
					d.strs = append(d.strs, string(s))
				}
				return nil
			})
		case num == 2 && wt == protowire.BytesType:
			groups = append(groups, data)
		case num == 17 && wt == protowire.VarintType:
			d.gran = int64(int32(v))
		case num == 19 && wt == protowire.VarintType:
			d.lat0 = int64(v)
		case num == 20 && wt == protowire.VarintType:
			d.lon0 = int64(v)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if d.gran <= 0 {
		return fmt.Errorf("granularity %d is not positive", d.gran)
	}
	for _, g := range groups {
		err := fields(g, func(num protowire.Number, wt protowire.Type, _ uint64, data []byte) error {
			if wt != protowire.BytesType {
				return nil
			}
			switch {
			case num == 1 && d.sink.nodes:
				return d.plainNode(data)
			case num == 2 && d.sink.nodes:
				return d.denseNodes(data)
			case num == 3 && d.sink.ways:
				return d.way(data)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// packed appends the varints of a repeated field, packed or not.
func packed(dst []uint64, wt protowire.Type, v uint64, data []byte) ([]uint64, error) {
	if wt == protowire.VarintType {
		return append(dst, v), nil
	}
	if wt != protowire.BytesType {
		return dst, fmt.Errorf("wire type %d where varints are expected", wt)
	}
	for len(data) > 0 {
		x, n := protowire.ConsumeVarint(data)
		if n < 0 {
			return dst, protowire.ParseError(n)
		}
		dst = append(dst, x)
		data = data[n:]
	}
	return dst, nil
}

// deltas decodes zig-zag delta-coded values into running sums.
func deltas(dst []int64, raw []uint64) []int64 {
	var acc int64
	for _, x := range raw {
		acc += protowire.DecodeZigZag(x)
		dst = append(dst, acc)
	}
	return dst
}

// str returns string-table entry i.
func (d *pbfDecoder) str(i uint64) (string, error) {
	if i >= uint64(len(d.strs)) {
		return "", fmt.Errorf("string index %d is beyond the block's string table (%d strings)", i, len(d.strs))
	}
	return d.strs[i], nil
}

// coord converts stored coordinates to degrees and checks them.
func (d *pbfDecoder) coord(lat, lon int64) (float64, float64, error) {
	la := 1e-9 * float64(d.lat0+d.gran*lat)
	lo := 1e-9 * float64(d.lon0+d.gran*lon)
	if !(la >= -90 && la <= 90) || !(lo >= -180 && lo <= 180) {
		return 0, 0, fmt.Errorf("position lat %g, lon %g is not on Earth", la, lo)
	}
	return lo, la, nil
}

func (d *pbfDecoder) denseNodes(b []byte) error {
	var rawIDs, rawLats, rawLons []uint64
	d.kv = d.kv[:0]
	var err error
	err = fields(b, func(num protowire.Number, wt protowire.Type, v uint64, data []byte) error {
		switch num {
		case 1:
			rawIDs, err = packed(rawIDs, wt, v, data)
		case 8:
			rawLats, err = packed(rawLats, wt, v, data)
		case 9:
			rawLons, err = packed(rawLons, wt, v, data)
		case 10:
			d.kv, err = packed(d.kv, wt, v, data)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("dense nodes: %w", err)
	}
	if len(rawLats) != len(rawIDs) || len(rawLons) != len(rawIDs) {
		return fmt.Errorf("dense nodes: %d ids, %d latitudes and %d longitudes", len(rawIDs), len(rawLats), len(rawLons))
	}
	d.ids = deltas(d.ids[:0], rawIDs)
	d.lats = deltas(d.lats[:0], rawLats)
	d.lons = deltas(d.lons[:0], rawLons)
	k := 0
	for i, id := range d.ids {
		d.tags = d.tags[:0]
		for len(d.kv) > 0 {
			if k >= len(d.kv) {
				return fmt.Errorf("node %d: its tags run past the end of the block's keys_vals", id)
			}
			if d.kv[k] == 0 {
				k++
				break
			}
			if k+1 >= len(d.kv) {
				return fmt.Errorf("node %d: a tag key without a value", id)
			}
			key, err := d.str(d.kv[k])
			if err != nil {
				return fmt.Errorf("node %d: tag key: %w", id, err)
			}
			val, err := d.str(d.kv[k+1])
			if err != nil {
				return fmt.Errorf("node %d: tag %s: %w", id, key, err)
			}
			d.tags = append(d.tags, osmTag{key, val})
			k += 2
		}
		lon, lat, err := d.coord(d.lats[i], d.lons[i])
		if err != nil {
			return fmt.Errorf("node %d: %w", id, err)
		}
		if err := d.sink.node(id, lon, lat, d.tags); err != nil {
			return err
		}
	}
	return nil
}

// tagsOf resolves parallel key and value index lists.
func (d *pbfDecoder) tagsOf(kind string, id int64) error {
	if len(d.keys) != len(d.vals) {
		return fmt.Errorf("%s %d: %d tag keys but %d values", kind, id, len(d.keys), len(d.vals))
	}
	d.tags = d.tags[:0]
	for i := range d.keys {
		key, err := d.str(d.keys[i])
		if err != nil {
			return fmt.Errorf("%s %d: tag key: %w", kind, id, err)
		}
		val, err := d.str(d.vals[i])
		if err != nil {
			return fmt.Errorf("%s %d: tag %s: %w", kind, id, key, err)
		}
		d.tags = append(d.tags, osmTag{key, val})
	}
	return nil
}

func (d *pbfDecoder) plainNode(b []byte) error {
	var id, lat, lon int64
	var hasID, hasLat, hasLon bool
	d.keys, d.vals = d.keys[:0], d.vals[:0]
	var err error
	err = fields(b, func(num protowire.Number, wt protowire.Type, v uint64, data []byte) error {
		switch num {
		case 1:
			id, hasID = protowire.DecodeZigZag(v), true
		case 2:
			d.keys, err = packed(d.keys, wt, v, data)
		case 3:
			d.vals, err = packed(d.vals, wt, v, data)
		case 8:
			lat, hasLat = protowire.DecodeZigZag(v), true
		case 9:
			lon, hasLon = protowire.DecodeZigZag(v), true
		}
		return err
	})
	switch {
	case err != nil && hasID:
		return fmt.Errorf("node %d: %w", id, err)
	case err != nil:
		return fmt.Errorf("node: %w", err)
	case !hasID || !hasLat || !hasLon:
		return fmt.Errorf("node %d: needs an id, lat and lon", id)
	}
	if err := d.tagsOf("node", id); err != nil {
		return err
	}
	lo, la, err := d.coord(lat, lon)
	if err != nil {
		return fmt.Errorf("node %d: %w", id, err)
	}
	return d.sink.node(id, lo, la, d.tags)
}

func (d *pbfDecoder) way(b []byte) error {
	var id int64
	hasID := false
	d.keys, d.vals = d.keys[:0], d.vals[:0]
	var rawRefs []uint64
	var err error
	err = fields(b, func(num protowire.Number, wt protowire.Type, v uint64, data []byte) error {
		switch num {
		case 1:
			id, hasID = int64(v), true
		case 2:
			d.keys, err = packed(d.keys, wt, v, data)
		case 3:
			d.vals, err = packed(d.vals, wt, v, data)
		case 8:
			rawRefs, err = packed(rawRefs, wt, v, data)
		}
		return err
	})
	switch {
	case err != nil && hasID:
		return fmt.Errorf("way %d: %w", id, err)
	case err != nil:
		return fmt.Errorf("way: %w", err)
	case !hasID:
		return errors.New("a way without an id")
	}
	if err := d.tagsOf("way", id); err != nil {
		return err
	}
	d.refs = deltas(d.refs[:0], rawRefs)
	return d.sink.way(id, d.refs, d.tags)
}
