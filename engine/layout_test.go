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
	if size := unsafe.Sizeof(s); size != 3*line {
		t.Errorf("a segment takes %d bytes, want three cache lines (%d): keep what the step reads only now and then in Sim.laneT, Sim.linkT or Sim.acc", size, 3*line)
	}
}

// TestSegmentLines checks that the fields read together from another
// segment share a cache line (see segment): what a vehicle entering a lane
// reads in line 0, what a foe or a merging vehicle reads in line 1; and
// that the segment's own vehicles, which its worker writes, are apart from
// both, in line 2.
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
		{2, map[string][2]uintptr{
			"cars":     {unsafe.Offsetof(s.cars), unsafe.Sizeof(s.cars)},
			"yieldAt":  {unsafe.Offsetof(s.yieldAt), unsafe.Sizeof(s.yieldAt)},
			"yieldLen": {unsafe.Offsetof(s.yieldLen), unsafe.Sizeof(s.yieldLen)},
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
