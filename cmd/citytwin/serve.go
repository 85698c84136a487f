package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/citytwin/citytwin/internal/cliflag"
	"github.com/citytwin/citytwin/scenarios"
	"github.com/citytwin/citytwin/twin"
)

// serveOpts are the flags of `citytwin serve`.
type serveOpts struct {
	addr     string
	token    string
	pace     float64
	stepped  bool
	paused   bool
	until    float64
	workers  int
	field    string
	logFile  string
	replay   string
	steps    int64
	rate     float64
	stepRate float64
	maxBody  int64
	origins  string
	quiet    bool
	checkEvr float64
	maxTrips int
}

func serveCmd(args []string, stdout, stderr io.Writer) error {
	fs := cliflag.New("citytwin serve", "citytwin serve [flags] [SCENARIO.toml]", `Runs the scenario (default: the embedded Wuhan scenario) as a live twin
with an HTTP JSON API and a WebSocket stream: see docs/live.md and
GET /v1/openapi.json.`, stdout, stderr)
	var o serveOpts
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen address; beyond loopback a token is required")
	fs.StringVar(&o.token, "token", "", "bearer token clients must send (default $CITYTWIN_TOKEN)")
	fs.Float64Var(&o.pace, "pace", 1, "simulated seconds per wall second; 0: as fast as possible")
	fs.BoolVar(&o.stepped, "stepped", false, "client-stepped: step only on POST /v1/step")
	fs.BoolVar(&o.paused, "paused", false, "start paused")
	fs.Float64Var(&o.until, "until", 0, "pause at this simulated time (s); 0: the scenario's end; -1: never")
	fs.IntVar(&o.workers, "workers", 0, "worker goroutines, 0 for all cores (default: the scenario's workers key, or all cores)")
	fs.StringVar(&o.field, "field", "", "JSON-lines file of field data to follow (field_counts, field_signal, release_signal)")
	fs.StringVar(&o.logFile, "log", "", "append every applied command to this JSON-lines file (for -replay)")
	fs.StringVar(&o.replay, "replay", "", "replay a command log headless and print the state hash (no server)")
	fs.Int64Var(&o.steps, "steps", 0, "with -replay: steps to run (default: the last logged step + 1)")
	fs.Float64Var(&o.rate, "rate", 100, "requests per second per client address; -1: no bound")
	fs.Float64Var(&o.stepRate, "step-rate", 0, "POST /v1/step requests per second per client, a budget apart from -rate; 0: no bound (at most 4 of a client's step requests run at once)")
	fs.Int64Var(&o.maxBody, "max-body", 1<<20, "largest request body (bytes)")
	fs.StringVar(&o.origins, "origins", "", "comma-separated host patterns of web pages allowed to call the API from another origin (default: same origin only)")
	fs.IntVar(&o.maxTrips, "max-trips", 0, "most trips still to depart the twin holds (default: twice the scenario's, at least 100,000, at most its limits.trips)")
	fs.Float64Var(&o.checkEvr, "checkpoint", 300, "simulated seconds between checkpoints for shadow runs that look back; -1: none")
	fs.BoolVar(&o.quiet, "quiet", false, "no request log")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return fs.Usagef("want one scenario file, got %d: %s", fs.NArg(), strings.Join(fs.Args(), " "))
	}
	workersSet := fs.IsSet("workers")
	if workersSet && o.workers < 0 {
		return fs.Usagef("-workers: want 0 (all cores) or more, got %d", o.workers)
	}
	if o.token == "" {
		o.token = os.Getenv("CITYTWIN_TOKEN")
	}
	sc, err := scenarios.LoadOrDefault(fs.Arg(0)) // "" without one
	if err != nil {
		return err
	}
	if workersSet {
		sc.Workers = o.workers
	}
	run, err := scenarios.Build(sc)
	if err != nil {
		return err
	}
	for _, n := range run.Notes {
		fmt.Fprintln(stderr, "note:", n)
	}
	if o.replay != "" {
		return replayLog(run, o, stdout)
	}
	if err := twin.CheckListen(o.addr, o.token); err != nil {
		return err
	}
	topt := twin.Options{Pace: o.pace, Stepped: o.stepped, Paused: o.paused, Until: o.until, CheckpointEvery: o.checkEvr, MaxTrips: o.maxTrips}
	if o.pace == 0 {
		topt.Pace = -1
	}
	if o.logFile != "" {
		l, err := openCommandLog(o.logFile, logSyncEvery)
		if err != nil {
			return err
		}
		defer l.Close()
		topt.Log = l
	}
	tw, err := twin.New(run, topt)
	if err != nil {
		return err
	}
	sopt := twin.ServerOptions{Token: o.token, Rate: o.rate, StepRate: o.stepRate, MaxBody: o.maxBody}
	if o.origins != "" {
		sopt.Origins = strings.Split(o.origins, ",")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	var h http.Handler = tw.Handler(sopt)
	if !o.quiet {
		h = logRequests(h, stderr)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute,
		MaxHeaderBytes: 64 << 10, ErrorLog: log.New(stderr, "citytwin serve: ", 0)}
	mode := fmt.Sprintf("paced ×%g", o.pace)
	switch {
	case o.stepped:
		mode = "client-stepped"
	case o.pace == 0:
		mode = "as fast as possible"
	}
	fmt.Fprintf(stderr, "%s: %d roads, %d lanes, %d trips; %s; serving http://%s (API /v1, description /v1/openapi.json)\n",
		sc.Name, len(run.Network.Roads), len(run.Network.Lanes), len(run.Trips), mode, ln.Addr())
	errc := make(chan error, 3)
	go func() { errc <- tw.Run(ctx) }()
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	if o.field != "" {
		go tw.TailField(ctx, o.field, 0, func(line int, err error) {
			fmt.Fprintf(stderr, "citytwin serve: %s:%d: %v\n", o.field, line, err)
		})
	}
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	stop()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	return err
}

// replayLog runs a command log headless and prints the state hash.
func replayLog(run *scenarios.Run, o serveOpts, stdout io.Writer) error {
	f, err := os.Open(o.replay)
	if err != nil {
		return err
	}
	defer f.Close()
	entries, torn, err := readCommandLog(f, o.replay)
	if err != nil {
		return err
	}
	if torn {
		fmt.Fprintf(stdout, "note: %s ends in a partial entry (written when the server was killed): left out\n", o.replay)
	}
	steps := o.steps
	if steps == 0 && len(entries) > 0 {
		steps = entries[len(entries)-1].Step + 1
	}
	sim, err := twin.Replay(run, entries, steps)
	if err != nil {
		return err
	}
	defer sim.Close()
	fmt.Fprintf(stdout, "replayed %d commands over %d steps (t = %g s)\nstate hash %016x\nrun digest %016x\n",
		len(entries), steps, sim.Time(), sim.Hash(), sim.Digest())
	return nil
}

// logSyncEvery bounds the time between a command's log entry and the
// sync that makes it survive a power cut.
const logSyncEvery = 50 * time.Millisecond

// commandLog is the file of `serve -log`. Each entry (one line, one Write
// by the twin) goes to the file with one unbuffered write(2), so a kill
// loses at most the entry being written; a background group commit syncs
// the file at most syncEvery after a write, so a power cut loses at most
// the entries of that interval.
type commandLog struct {
	f     *os.File
	mu    sync.Mutex
	dirty bool
	err   error
	stop  chan struct{}
	done  chan struct{}
}

func openCommandLog(path string, syncEvery time.Duration) (*commandLog, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	l := &commandLog{f: f, stop: make(chan struct{}), done: make(chan struct{})}
	go l.syncer(syncEvery)
	return l, nil
}

// Write appends one entry.
func (l *commandLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.f.Write(p)
	if err != nil {
		l.err = fmt.Errorf("command log %s: %w", l.f.Name(), err)
	}
	l.dirty = true
	return n, err
}

func (l *commandLog) sync() {
	l.mu.Lock()
	dirty := l.dirty
	l.dirty = false
	l.mu.Unlock()
	if dirty {
		l.f.Sync()
	}
}

func (l *commandLog) syncer(every time.Duration) {
	defer close(l.done)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-tick.C:
			l.sync()
		}
	}
}

// Close syncs and closes the file.
func (l *commandLog) Close() error {
	close(l.stop)
	<-l.done
	l.sync()
	return l.f.Close()
}

// readCommandLog reads the entries of a command log (`serve -log`). A
// last line without its newline is the entry a killed server was writing:
// it is left out and torn is true. Any other bad line is an error.
func readCommandLog(r io.Reader, name string) (entries []twin.LogEntry, torn bool, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var b []byte
	for line := 1; ; line++ {
		b = b[:0]
		var rerr error
		for {
			var chunk []byte
			chunk, rerr = br.ReadSlice('\n')
			b = append(b, chunk...)
			if len(b) > twin.MaxLogLine {
				return nil, false, fmt.Errorf("%s:%d: line longer than %d bytes", name, line, twin.MaxLogLine)
			}
			if rerr != bufio.ErrBufferFull {
				break
			}
		}
		if rerr == io.EOF && len(b) > 0 {
			return entries, true, nil
		}
		if rerr == io.EOF {
			return entries, false, nil
		}
		if rerr != nil {
			return nil, false, rerr
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		var e twin.LogEntry
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, false, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		entries = append(entries, e)
	}
}

// logRequests logs each request's method, path, status and duration.
func logRequests(h http.Handler, w io.Writer) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: rw, status: 200}
		h.ServeHTTP(sw, r)
		fmt.Fprintf(w, "%s %s %s %d %.1f ms\n", r.RemoteAddr, r.Method, r.URL.Path, sw.status, float64(time.Since(start).Microseconds())/1000)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController (and the WebSocket upgrade) reach
// the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
