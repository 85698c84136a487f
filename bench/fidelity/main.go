package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/citytwin/citytwin/bench"
	"github.com/citytwin/citytwin/internal/atomicfile"
)

func main() {
	out := flag.String("o", "", "write the report to this `file` (default: standard output)")
	doCF := flag.Bool("cityflow", true, "run the CityFlow comparisons (needs CITYTWIN_DATASETS)")
	doSUMO := flag.Bool("sumo", true, "run the SUMO comparisons (needs sumo, netgenerate, duarouter and randomTrips.py)")
	keep := flag.String("keep", "", "keep the generated SUMO cases in this `dir`")
	flag.Parse()
	var r report
	r.date = time.Now().UTC().Format("2006-01-02")
	r.goVersion = runtime.Version()
	if *doCF {
		if root := os.Getenv(bench.DatasetsEnv); root == "" {
			r.cfSkipped = bench.DatasetsEnv + " is not set"
		} else if err := r.runCityFlow(root, os.Stderr); err != nil {
			fail(err)
		}
	} else {
		r.cfSkipped = "left out (-cityflow=false)"
	}
	if *doSUMO {
		if err := r.runSUMO(*keep, os.Stderr); err != nil {
			fail(err)
		}
	} else {
		r.sumoSkipped = "left out (-sumo=false)"
	}
	var b bytes.Buffer
	r.write(&b)
	if *out == "" {
		if _, err := io.Copy(os.Stdout, &b); err != nil {
			fail(err)
		}
		return
	}
	f, err := atomicfile.Create(*out)
	if err != nil {
		fail(err)
	}
	defer f.Abort()
	if _, err := f.Write(b.Bytes()); err != nil {
		fail(err)
	}
	if err := f.Commit(); err != nil {
		fail(err)
	}
	fmt.Fprintln(os.Stderr, "wrote", *out)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench/fidelity:", err)
	os.Exit(1)
}
