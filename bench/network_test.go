package bench

import (
	"testing"

	"github.com/citytwin/citytwin/maps"
)

// BenchmarkScaleNetwork builds the road network of the scale case (the
// 120×120 grid: 58,080 roads, 116,160 lanes, 345,600 links) and reports
// the heap the built network keeps (MB-live), its share of the case's
// memory (bench/README.md, "Memory per vehicle at scale"):
//
//	go test ./bench -run '^$' -bench ScaleNetwork -benchtime 1x
func BenchmarkScaleNetwork(b *testing.B) {
	benchMem(b, func() any {
		n, err := maps.Grid(maps.GridOptions{Rows: scaleSize, Cols: scaleSize, Block: scaleBlock})
		if err != nil {
			b.Fatal(err)
		}
		return n
	})
}
