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
