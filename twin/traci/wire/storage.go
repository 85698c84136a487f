package wire

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
)

// MaxDepth is how deeply compound values may nest in a decoded Value.
const MaxDepth = 8

// A Reader decodes TraCI values from a byte slice. The first problem
// (too few bytes, a count larger than the bytes left could hold, an
// unexpected type tag) is kept in Err; from then on every read returns a
// zero value. A Reader never panics and allocates no more than the input
// could describe.
type Reader struct {
	b   []byte
	off int
	err error
}

// NewReader returns a Reader of b.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Err returns the first problem met, or nil.
func (r *Reader) Err() error { return r.err }

// Len returns the number of bytes not yet read.
func (r *Reader) Len() int { return len(r.b) - r.off }

// Skip moves past the rest of the input (even after an error).
func (r *Reader) Skip() { r.off = len(r.b) }

// Offset returns the number of bytes read.
func (r *Reader) Offset() int { return r.off }

// Fail records err as the reader's problem unless it already has one.
func (r *Reader) Fail(format string, a ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, a...)
	}
}

// take returns the next n bytes, or nil (and an error) when fewer remain.
func (r *Reader) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > r.Len() {
		r.Fail("wire: want to read %d bytes of %s, %d left", n, what, r.Len())
		return nil
	}
	p := r.b[r.off : r.off+n]
	r.off += n
	return p
}

// U8 reads an unsigned byte.
func (r *Reader) U8() uint8 {
	p := r.take(1, "ubyte")
	if p == nil {
		return 0
	}
	return p[0]
}

// I32 reads a big-endian int32.
func (r *Reader) I32() int32 {
	p := r.take(4, "int")
	if p == nil {
		return 0
	}
	return int32(binary.BigEndian.Uint32(p))
}

// F64 reads a big-endian IEEE-754 double.
func (r *Reader) F64() float64 {
	p := r.take(8, "double")
	if p == nil {
		return 0
	}
	return math.Float64frombits(binary.BigEndian.Uint64(p))
}

// count reads an int32 count of items of at least min bytes each and
// checks it against the bytes left.
func (r *Reader) count(min int, what string) int {
	n := r.I32()
	if r.err != nil {
		return 0
	}
	if n < 0 || int64(n)*int64(min) > int64(r.Len()) {
		r.Fail("wire: a %s of %d items announced, %d bytes left", what, n, r.Len())
		return 0
	}
	return int(n)
}

// Str reads an int32 length and that many bytes (Latin-1, as the Python
// client encodes; returned byte for byte).
func (r *Reader) Str() string {
	n := r.count(1, "string")
	return string(r.take(n, "string"))
}

// StrList reads an int32 count and that many strings.
func (r *Reader) StrList() []string {
	n := r.count(4, "string list")
	if r.err != nil {
		return nil
	}
	out := make([]string, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		out = append(out, r.Str())
	}
	return out
}

// Tag reads a type tag and checks that it is want.
func (r *Reader) Tag(want byte) bool {
	got := r.U8()
	if r.err != nil {
		return false
	}
	if got != want {
		r.Fail("wire: expected a value of type %s, got type 0x%02x", TagName(want), got)
		return false
	}
	return true
}

// TypedInt reads a TYPE_INTEGER value.
func (r *Reader) TypedInt() int32 {
	if !r.Tag(TypeInteger) {
		return 0
	}
	return r.I32()
}

// TypedDouble reads a TYPE_DOUBLE value.
func (r *Reader) TypedDouble() float64 {
	if !r.Tag(TypeDouble) {
		return 0
	}
	return r.F64()
}

// TypedString reads a TYPE_STRING value.
func (r *Reader) TypedString() string {
	if !r.Tag(TypeString) {
		return ""
	}
	return r.Str()
}

// TypedStringList reads a TYPE_STRINGLIST value.
func (r *Reader) TypedStringList() []string {
	if !r.Tag(TypeStringList) {
		return nil
	}
	return r.StrList()
}

// Compound reads a TYPE_COMPOUND header and returns its item count,
// checked against the bytes left (every item takes at least two).
func (r *Reader) Compound() int {
	if !r.Tag(TypeCompound) {
		return 0
	}
	return r.count(2, "compound")
}

// A Value is one decoded typed value. Tag says which fields are set:
// Int (ubyte, byte, integer), Double, Str, Strs (string list), Doubles
// (double list and positions: 2 or 3 coordinates, or for a road-map
// position the offset), Items (compound), Points (polygon), Color.
type Value struct {
	Tag     byte
	Int     int32
	Double  float64
	Str     string
	Strs    []string
	Doubles []float64
	Items   []Value
	Points  [][2]float64
	Color   [4]uint8
}

// Value reads any typed value; compounds nest at most MaxDepth deep.
func (r *Reader) Value() Value { return r.value(0) }

func (r *Reader) value(depth int) Value {
	v := Value{Tag: r.U8()}
	if r.err != nil {
		return Value{}
	}
	switch v.Tag {
	case TypeUByte:
		v.Int = int32(r.U8())
	case TypeByte:
		v.Int = int32(int8(r.U8()))
	case TypeInteger:
		v.Int = r.I32()
	case TypeDouble:
		v.Double = r.F64()
	case TypeString:
		v.Str = r.Str()
	case TypeStringList:
		v.Strs = r.StrList()
	case TypeDoubleList:
		n := r.count(8, "double list")
		for i := 0; i < n && r.err == nil; i++ {
			v.Doubles = append(v.Doubles, r.F64())
		}
	case TypeCompound:
		if depth >= MaxDepth {
			r.Fail("wire: compound values nested more than %d deep", MaxDepth)
			return Value{}
		}
		n := r.count(2, "compound")
		for i := 0; i < n && r.err == nil; i++ {
			v.Items = append(v.Items, r.value(depth+1))
		}
	case TypePolygon:
		n := int(r.U8())
		if n == 0 && r.err == nil {
			n = r.count(16, "polygon")
		} else if n*16 > r.Len() {
			r.Fail("wire: polygon of %d points in %d bytes", n, r.Len())
			n = 0
		}
		for i := 0; i < n && r.err == nil; i++ {
			v.Points = append(v.Points, [2]float64{r.F64(), r.F64()})
		}
	case TypeColor:
		p := r.take(4, "color")
		if p != nil {
			copy(v.Color[:], p)
		}
	case PositionLonLat, Position2D:
		v.Doubles = []float64{r.F64(), r.F64()}
	case Position3D:
		v.Doubles = []float64{r.F64(), r.F64(), r.F64()}
	case PositionRoad:
		v.Str = r.Str()
		v.Doubles = []float64{r.F64()}
		v.Int = int32(r.U8())
	default:
		r.Fail("wire: unknown type tag 0x%02x", v.Tag)
		return Value{}
	}
	if r.err != nil {
		return Value{}
	}
	return v
}

// TagName names a type tag as constants.py does ("TYPE_DOUBLE"...).
func TagName(t byte) string {
	switch t {
	case PositionLonLat:
		return "POSITION_LON_LAT"
	case Position2D:
		return "POSITION_2D"
	case Position3D:
		return "POSITION_3D"
	case PositionRoad:
		return "POSITION_ROADMAP"
	case TypePolygon:
		return "TYPE_POLYGON"
	case TypeUByte:
		return "TYPE_UBYTE"
	case TypeByte:
		return "TYPE_BYTE"
	case TypeInteger:
		return "TYPE_INTEGER"
	case TypeDouble:
		return "TYPE_DOUBLE"
	case TypeString:
		return "TYPE_STRING"
	case TypeStringList:
		return "TYPE_STRINGLIST"
	case TypeCompound:
		return "TYPE_COMPOUND"
	case TypeDoubleList:
		return "TYPE_DOUBLELIST"
	case TypeColor:
		return "TYPE_COLOR"
	}
	return fmt.Sprintf("0x%02x", t)
}

// Layout describes the shape of v without its values: type names, with
// compound items in brackets and a run of equal items written once with
// its count ("compound[double,string]x4"). Use SameLayout to compare
// values whose lists differ in length.
func (v Value) Layout() string {
	if v.Tag != TypeCompound {
		return strings.ToLower(strings.TrimPrefix(TagName(v.Tag), "TYPE_"))
	}
	var out []string
	for i := 0; i < len(v.Items); {
		s := v.Items[i].Layout()
		n := 1
		for i+n < len(v.Items) && v.Items[i+n].Layout() == s {
			n++
		}
		if n > 1 {
			s = fmt.Sprintf("%sx%d", s, n)
		}
		out = append(out, s)
		i += n
	}
	return "compound[" + strings.Join(out, ",") + "]"
}

// SameLayout reports whether a and b encode the same kinds of values in
// the same order, allowing lists of different positive lengths: two
// compounds match when their items match one by one, or when they share
// a head of at most two items followed, in both, by one or more
// repetitions of the same group of up to eight items (vehicle.getNextTLS
// is an integer and a group of string, integer, double and byte per
// traffic light; getAllProgramLogics a list of logics).
func SameLayout(a, b Value) bool {
	if a.Tag != b.Tag {
		return false
	}
	if a.Tag != TypeCompound {
		return true
	}
	la, lb := layouts(a.Items), layouts(b.Items)
	if len(la) == len(lb) && equal(la, lb) {
		return true
	}
	for p := 0; p <= 2 && p <= len(la) && p <= len(lb); p++ {
		if !equal(la[:p], lb[:p]) {
			return false
		}
		ra, rb := la[p:], lb[p:]
		for g := 1; g <= 8 && g <= len(ra) && g <= len(rb); g++ {
			if len(ra)%g == 0 && len(rb)%g == 0 && equal(ra[:g], rb[:g]) && periodic(ra, g) && periodic(rb, g) {
				return true
			}
		}
	}
	return false
}

// layouts returns the canonical layout of each item: nested compounds
// are compared by SameLayout's rule too, so their canonical form names
// the group that repeats.
func layouts(items []Value) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.canonical()
	}
	return out
}

// canonical is Layout with repeated groups reduced to one occurrence, so
// that compounds which SameLayout matches have equal canonical forms.
func (v Value) canonical() string {
	if v.Tag != TypeCompound {
		return v.Layout()
	}
	items := layouts(v.Items)
	for p := 0; p <= 2 && p <= len(items); p++ {
		rest := items[p:]
		for g := 1; g <= 8 && g <= len(rest); g++ {
			if len(rest)%g == 0 && periodic(rest, g) {
				return "compound[" + strings.Join(items[:p], ",") + "|(" + strings.Join(rest[:g], ",") + ")*]"
			}
		}
	}
	return "compound[" + strings.Join(items, ",") + "]"
}

// periodic reports whether s repeats its first g items.
func periodic(s []string, g int) bool {
	for i := g; i < len(s); i++ {
		if s[i] != s[i-g] {
			return false
		}
	}
	return true
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
