package maps

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
)

// TestCompressedBomb: a small compressed file that expands far beyond
// Options.MaxInputBytes is refused while it is read, with an error saying
// so, instead of filling memory (issue 17).
func TestCompressedBomb(t *testing.T) {
	gz := func(head string) []byte {
		var b bytes.Buffer
		w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		w.Write([]byte(head))
		pad := []byte(strings.Repeat(" ", 1<<16))
		for range 64 { // 4 MiB of blanks from a few kB
			w.Write(pad)
		}
		w.Close()
		return b.Bytes()
	}
	opt := Options{MaxInputBytes: 1 << 20}
	for _, tc := range []struct {
		name string
		read func([]byte) error
		data []byte
	}{
		{"SUMO network", func(d []byte) error { _, err := ReadSUMO(bytes.NewReader(d), "bomb.net.xml.gz", opt); return err },
			gz(`<?xml version="1.0"?><net version="1.9">`)},
		{"OSM XML", func(d []byte) error { _, err := ReadOSM(d, "bomb.osm.gz", opt); return err },
			gz(`<?xml version="1.0"?><osm version="0.6">`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.data) > 64<<10 {
				t.Fatalf("the test's bomb is %d bytes; want a small file", len(tc.data))
			}
			err := tc.read(tc.data)
			if err == nil || !strings.Contains(err.Error(), "decompresses to more than 1048576 bytes") {
				t.Errorf("got %v, want a refusal of the decompressed size", err)
			}
		})
	}
}
