package maps

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// syntheticCity writes a PBF file of a rows×cols grid city with 100 m
// blocks, each block side a way of 7 nodes (every tenth street a primary
// road with two lanes each way and a speed limit, signals at every 20th
// crossing), and three buildings of 5 nodes per road way, as in a raw
// extract. It returns the file and its way counts.
func syntheticCity(b *testing.B, rows, cols int) (path string, roadWays, allWays int) {
	b.Helper()
	path = filepath.Join(b.TempDir(), "city.osm.pbf")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(pbfBlock("OSMHeader", pbfHeader(), true)); err != nil {
		b.Fatal(err)
	}
	nextNode := int64(1)
	var nodes []tNode
	var ways []tWay
	flushNodes := func(force bool) {
		if len(nodes) >= 8000 || force && len(nodes) > 0 {
			f.Write(pbfBlock("OSMData", pbfData(nodes, nil), true))
			nodes = nodes[:0]
		}
	}
	node := func(x, y float64, tg map[string]string) int64 {
		id := nextNode
		nextNode++
		nodes = append(nodes, tNode{id: id, x: x, y: y, tags: tg})
		flushNodes(false)
		return id
	}
	junction := make([][]int64, rows)
	for r := range junction {
		junction[r] = make([]int64, cols)
		for c := range junction[r] {
			var tg map[string]string
			if (r*cols+c)%20 == 0 {
				tg = tags("highway", "traffic_signals")
			}
			junction[r][c] = node(float64(c)*100, float64(r)*100, tg)
		}
	}
	type wayPlan struct {
		refs []int64
		tags map[string]string
	}
	var plans []wayPlan
	street := func(major bool, name string) map[string]string {
		if major {
			return tags("highway", "primary", "lanes", "4", "maxspeed", "50", "name", name)
		}
		return tags("highway", "residential", "name", name)
	}
	side := func(a, bID int64, x0, y0, x1, y1 float64, tg map[string]string) {
		refs := []int64{a}
		for k := 1; k < 6; k++ {
			t := float64(k) / 6
			refs = append(refs, node(x0+t*(x1-x0), y0+t*(y1-y0), nil))
		}
		plans = append(plans, wayPlan{append(refs, bID), tg})
		roadWays++
		for k := 0; k < 3; k++ { // buildings beside the street
			x, y := x0+float64(k+1)*25+5, y0+12
			if x0 == x1 {
				x, y = x0+12, y0+float64(k+1)*25+5
			}
			first := node(x, y, nil)
			bld := []int64{first, node(x+8, y, nil), node(x+8, y+8, nil), node(x, y+8, nil), first}
			plans = append(plans, wayPlan{bld, tags("building", "yes")})
		}
	}
	for r := 0; r < rows; r++ {
		for c := 0; c+1 < cols; c++ {
			side(junction[r][c], junction[r][c+1], float64(c)*100, float64(r)*100, float64(c+1)*100, float64(r)*100, street(r%10 == 0, fmt.Sprint("Row ", r)))
		}
	}
	for c := 0; c < cols; c++ {
		for r := 0; r+1 < rows; r++ {
			side(junction[r][c], junction[r+1][c], float64(c)*100, float64(r)*100, float64(c)*100, float64(r+1)*100, street(c%10 == 0, fmt.Sprint("Column ", c)))
		}
	}
	flushNodes(true)
	for i, p := range plans {
		ways = append(ways, tWay{int64(i + 1), p.refs, p.tags})
		if len(ways) == 8000 || i == len(plans)-1 {
			if _, err := f.Write(pbfBlock("OSMData", pbfData(nil, ways), true)); err != nil {
				b.Fatal(err)
			}
			ways = ways[:0]
		}
	}
	return path, roadWays, len(plans)
}

// peakHeap samples the live heap every 5 ms until stop is called and
// returns the largest value seen (bytes).
func peakHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	var mu sync.Mutex
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			mu.Lock()
			peak = max(peak, sample[0].Value.Uint64())
			mu.Unlock()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// BenchmarkReadOSM measures the OSM reader on a synthetic city of 100,000
// road ways and 300,000 building ways (about 1.6 million nodes): seconds
// and peak live heap per 100,000 ways of the file, reading only (the two
// passes and the splitting into raw roads) and reading and building the
// network. bench/README.md lists the figures.
func BenchmarkReadOSM(b *testing.B) {
	path, roads, all := syntheticCity(b, 224, 224)
	fi, _ := os.Stat(path)
	b.Logf("%s: %.1f MB, %d road ways, %d ways", filepath.Base(path), float64(fi.Size())/1e6, roads, all)
	open := func() (io.ReadCloser, error) { return os.Open(path) }
	for _, full := range []bool{false, true} {
		name := "read"
		if full {
			name = "read+build"
		}
		b.Run(name, func(b *testing.B) {
			var peak uint64
			for b.Loop() {
				runtime.GC()
				var base runtime.MemStats
				runtime.ReadMemStats(&base)
				stop := peakHeap()
				var err error
				var keep any
				if full {
					keep, err = readOSM(open, "city", Options{})
				} else {
					keep, err = readOSMRaw(open, "city", Options{})
				}
				p := stop()
				if err != nil {
					b.Fatal(err)
				}
				runtime.KeepAlive(keep)
				peak = max(peak, p-min(p, base.HeapAlloc))
			}
			per := 1e5 / float64(all)
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)*per, "s/100k-ways")
			b.ReportMetric(float64(peak)/1e6*per, "peak-MB/100k-ways")
			b.ReportMetric(float64(peak)/1e6, "peak-MB")
		})
	}
}
