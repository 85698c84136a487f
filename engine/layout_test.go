package engine

import (
	"testing"
	"unsafe"
)

// TestSegmentLayout checks that a segment is two whole cache lines (see
// segment): what the step reads of segments only now and then, or of many
// at once, belongs in the Sim's dense arrays.
func TestSegmentLayout(t *testing.T) {
	const line = 64
	var s segment
	if size := unsafe.Sizeof(s); size != 2*line {
		t.Errorf("a segment takes %d bytes, want two cache lines (%d): keep what the step reads only now and then in a dense array of the Sim (segRoad, linkLane, acc, laneT, linkT, ...)", size, 2*line)
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
			"head": {unsafe.Offsetof(s.head), unsafe.Sizeof(s.head)},
			"cars": {unsafe.Offsetof(s.cars), unsafe.Sizeof(s.cars)},
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

// TestSegAccSize checks that a segment's statistics record stays at 40
// bytes (see segAcc): scale has 461,760 segments, so each byte of it is
// 0.44 bytes per vehicle against the 500-byte target.
func TestSegAccSize(t *testing.T) {
	if size := unsafe.Sizeof(segAcc{}); size != 40 {
		t.Errorf("segAcc takes %d bytes, want 40", size)
	}
}

// TestJunctionRecordSizes checks the junction phase's per-link record
// (jmLink, 24 bytes) and per-lane masks (jm.into, jm.out: 8 bytes each):
// scale has 345,600 links and 116,160 lanes, so each byte of jmLink is
// 0.33 bytes per vehicle against the 500-byte target (32 bytes, with the
// link's foes, took scale to 497.6).
func TestJunctionRecordSizes(t *testing.T) {
	var jm junctionMasks
	if size := unsafe.Sizeof(jmLink{}); size != 24 {
		t.Errorf("jmLink takes %d bytes, want 24", size)
	}
	if a, b := unsafe.Sizeof(jm.into[0]), unsafe.Sizeof(jm.out[0]); a != 8 || b != 8 {
		t.Errorf("a lane's masks take %d and %d bytes, want 8 each", a, b)
	}
}
