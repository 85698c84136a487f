package engine

import (
	"testing"
	"unsafe"
)

// The fields a segment's own worker writes during the move start on a
// cache line of their own, and segments fill whole lines, so no line
// holds both those fields and what other workers read (see segment).
func TestSegmentLayout(t *testing.T) {
	const line = 64
	var s segment
	size, first := unsafe.Sizeof(s), unsafe.Offsetof(s.cars)
	if size%line != 0 {
		t.Errorf("a segment takes %d bytes, want a multiple of %d: adjust its padding", size, line)
	}
	if first%line != 0 {
		t.Errorf("the written block starts at byte %d, want a multiple of %d: adjust the padding before it", first, line)
	}
	for name, off := range map[string]uintptr{"out": unsafe.Offsetof(s.out), "acc": unsafe.Offsetof(s.acc)} {
		if off < first {
			t.Errorf("%s at byte %d is before the written block (byte %d)", name, off, first)
		}
	}
}

// TestSegmentLines checks that the fields read together from another
// segment share a cache line (see segment): what a vehicle entering a lane
// reads in line 0, what a foe or a merging vehicle reads in line 1.
func TestSegmentLines(t *testing.T) {
	var s segment
	lines := []struct {
		line   uintptr
		fields map[string][2]uintptr // offset, size
	}{
		{0, map[string][2]uintptr{
			"length":  {unsafe.Offsetof(s.length), unsafe.Sizeof(s.length)},
			"speed":   {unsafe.Offsetof(s.speed), unsafe.Sizeof(s.speed)},
			"tail":    {unsafe.Offsetof(s.tail), unsafe.Sizeof(s.tail)},
			"inLinks": {unsafe.Offsetof(s.inLinks), unsafe.Sizeof(s.inLinks)},
		}},
		{1, map[string][2]uintptr{
			"head":    {unsafe.Offsetof(s.head), unsafe.Sizeof(s.head)},
			"road":    {unsafe.Offsetof(s.road), unsafe.Sizeof(s.road)},
			"lane":    {unsafe.Offsetof(s.lane), unsafe.Sizeof(s.lane)},
			"mov":     {unsafe.Offsetof(s.mov), unsafe.Sizeof(s.mov)},
			"from":    {unsafe.Offsetof(s.from), unsafe.Sizeof(s.from)},
			"merging": {unsafe.Offsetof(s.merging), unsafe.Sizeof(s.merging)},
		}},
	}
	const line = 64
	for _, l := range lines {
		for name, f := range l.fields {
			if f[0]/line != l.line || (f[0]+f[1]-1)/line != l.line {
				t.Errorf("segment.%s at bytes %d–%d, want it within cache line %d", name, f[0], f[0]+f[1]-1, l.line)
			}
		}
	}
}
