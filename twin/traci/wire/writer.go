package wire

import (
	"encoding/binary"
	"math"
)

// A Writer appends TraCI values to a byte slice. The zero value is ready
// to use; Bytes returns what was written.
type Writer struct{ b []byte }

// Bytes returns the bytes written so far (aliased, not copied).
func (w *Writer) Bytes() []byte { return w.b }

// Reset empties the writer, keeping its buffer.
func (w *Writer) Reset() { w.b = w.b[:0] }

// Len returns the number of bytes written.
func (w *Writer) Len() int { return len(w.b) }

// U8 writes an unsigned byte.
func (w *Writer) U8(x uint8) { w.b = append(w.b, x) }

// I32 writes a big-endian int32.
func (w *Writer) I32(x int32) { w.b = binary.BigEndian.AppendUint32(w.b, uint32(x)) }

// F64 writes a big-endian double.
func (w *Writer) F64(x float64) { w.b = binary.BigEndian.AppendUint64(w.b, math.Float64bits(x)) }

// String writes an int32 length and the bytes of s.
func (w *Writer) String(s string) {
	w.I32(int32(len(s)))
	w.b = append(w.b, s...)
}

// StringList writes an int32 count and the strings.
func (w *Writer) StringList(l []string) {
	w.I32(int32(len(l)))
	for _, s := range l {
		w.String(s)
	}
}

// TypedUByte writes a TYPE_UBYTE value.
func (w *Writer) TypedUByte(x uint8) { w.b = append(w.b, TypeUByte, x) }

// TypedByte writes a TYPE_BYTE value.
func (w *Writer) TypedByte(x int8) { w.b = append(w.b, TypeByte, byte(x)) }

// TypedInt writes a TYPE_INTEGER value.
func (w *Writer) TypedInt(x int32) {
	w.U8(TypeInteger)
	w.I32(x)
}

// TypedDouble writes a TYPE_DOUBLE value.
func (w *Writer) TypedDouble(x float64) {
	w.U8(TypeDouble)
	w.F64(x)
}

// TypedString writes a TYPE_STRING value.
func (w *Writer) TypedString(s string) {
	w.U8(TypeString)
	w.String(s)
}

// TypedStringList writes a TYPE_STRINGLIST value.
func (w *Writer) TypedStringList(l []string) {
	w.U8(TypeStringList)
	w.StringList(l)
}

// Compound writes a TYPE_COMPOUND header for n items.
func (w *Writer) Compound(n int) {
	w.U8(TypeCompound)
	w.I32(int32(n))
}

// Polygon writes a TYPE_POLYGON value: a ubyte point count, or 0 and an
// int32 count above 255, then x, y per point (SUMO's
// writePositionVector).
func (w *Writer) Polygon(pts [][2]float64) {
	w.U8(TypePolygon)
	if len(pts) <= 255 {
		w.U8(uint8(len(pts)))
	} else {
		w.U8(0)
		w.I32(int32(len(pts)))
	}
	for _, p := range pts {
		w.F64(p[0])
		w.F64(p[1])
	}
}

// Position2D writes a POSITION_2D value.
func (w *Writer) Position2D(x, y float64) {
	w.U8(Position2D)
	w.F64(x)
	w.F64(y)
}

// Value writes any decoded Value back (the inverse of Reader.Value).
func (w *Writer) Value(v Value) {
	switch v.Tag {
	case TypeUByte:
		w.TypedUByte(uint8(v.Int))
	case TypeByte:
		w.TypedByte(int8(v.Int))
	case TypeInteger:
		w.TypedInt(v.Int)
	case TypeDouble:
		w.TypedDouble(v.Double)
	case TypeString:
		w.TypedString(v.Str)
	case TypeStringList:
		w.TypedStringList(v.Strs)
	case TypeDoubleList:
		w.U8(TypeDoubleList)
		w.I32(int32(len(v.Doubles)))
		for _, d := range v.Doubles {
			w.F64(d)
		}
	case TypeCompound:
		w.Compound(len(v.Items))
		for _, it := range v.Items {
			w.Value(it)
		}
	case TypePolygon:
		w.Polygon(v.Points)
	case TypeColor:
		w.U8(TypeColor)
		w.b = append(w.b, v.Color[:]...)
	case PositionLonLat, Position2D, Position3D:
		w.U8(v.Tag)
		for _, d := range v.Doubles {
			w.F64(d)
		}
	case PositionRoad:
		w.U8(v.Tag)
		w.String(v.Str)
		if len(v.Doubles) > 0 {
			w.F64(v.Doubles[0])
		} else {
			w.F64(0)
		}
		w.U8(uint8(v.Int))
	}
}
