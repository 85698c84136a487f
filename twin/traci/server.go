package traci

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/citytwin/citytwin/twin/traci/wire"
)

// Main runs the server as the sumo executable would be run: it reads a
// sumo command line (see ParseArgs), listens on 127.0.0.1 at
// --remote-port, loads the network and routes, answers one client until
// it closes or hangs up, writes --tripinfo-output and returns the exit
// code (0 after a close, 1 on an error, printed to stderr).
//
// With the environment variable CITYTWIN_TRACI_RECORD set to a folder,
// the session is recorded there (as --citytwin.record does) under the
// name session-PORT.traci, for tools that build the sumo command line
// themselves.
func Main(args []string, stdout, stderr io.Writer) int {
	o, err := ParseArgs(args)
	if err == nil && o.Replay != "" && o.Net == "" {
		// A recording names its own command line.
		o, err = replayOptions(o)
	}
	if err != nil {
		fmt.Fprintf(stderr, "Error: %v\nQuitting (on error).\n", err)
		return 1
	}
	if dir := os.Getenv("CITYTWIN_TRACI_RECORD"); dir != "" && o.Record == "" && o.Replay == "" {
		o.Record = filepath.Join(dir, fmt.Sprintf("session-%d.traci", o.Port))
	}
	if err := Serve(o, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "Error: %v\nQuitting (on error).\n", err)
		return 1
	}
	return 0
}

// Recordings (--citytwin.record) start with a header line, then a line
// with the command line and the folder it ran in as JSON, then every
// message the client sent as it came on the wire; the run digest at the
// end of the session is written beside it, in FILE.digest.
const recordHeader = "citytwin-traci-session 1\n"

// replayOptions reads the command line a recording was made with and
// applies it, keeping the replay options of o.
func replayOptions(o Options) (Options, error) {
	cl, _, err := readRecording(o.Replay)
	if err != nil {
		return o, err
	}
	r, err := ParseArgs(append(cl.Args, "--remote-port", "1"))
	if err != nil {
		return o, fmt.Errorf("%s: the recorded command line: %w", o.Replay, err)
	}
	in := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(cl.Dir, p)
	}
	r.Net, r.Config = in(r.Net), in(r.Config)
	for i := range r.Routes {
		r.Routes[i] = in(r.Routes[i])
	}
	r.Replay, r.Digest, r.Workers, r.Record = o.Replay, o.Digest, o.Workers, ""
	if o.TripinfoOutput != "" {
		r.TripinfoOutput = o.TripinfoOutput
	}
	return r, nil
}

// commandLine is a recording's command line and the folder it ran in.
type commandLine struct {
	Args []string `json:"args"`
	Dir  string   `json:"dir"`
}

// readRecording returns a recording's command line and messages.
func readRecording(file string) (commandLine, []byte, error) {
	var cl commandLine
	data, err := os.ReadFile(file)
	if err != nil {
		return cl, nil, err
	}
	if !bytes.HasPrefix(data, []byte(recordHeader)) {
		return cl, nil, fmt.Errorf("%s: not a TraCI session recorded by CityTwin (no %q header)", file, strings.TrimSpace(recordHeader))
	}
	data = data[len(recordHeader):]
	nl := bytes.IndexByte(data, '\n')
	if nl < 0 {
		return cl, nil, fmt.Errorf("%s: the command line is missing", file)
	}
	if err := json.Unmarshal(data[:nl], &cl); err != nil {
		return cl, nil, fmt.Errorf("%s: the command line: %w", file, err)
	}
	return cl, data[nl+1:], nil
}

// Serve runs a session with options o (see Main).
func Serve(o Options, stdout, stderr io.Writer) error {
	if len(o.Ignored) > 0 {
		fmt.Fprintf(stderr, "citytwin-sumo: not modelled, ignored: %s\n", strings.Join(o.Ignored, ", "))
	}
	if o.Random {
		o.Seed = uint64(time.Now().UnixNano()) & (1<<31 - 1)
		fmt.Fprintf(stderr, "citytwin-sumo: --random: seed %d (give --seed %d to replay this run)\n", o.Seed, o.Seed)
	}
	var ln net.Listener
	if o.Replay == "" {
		// Listen before loading, so that the client's connection
		// attempts succeed while the network loads.
		var err error
		ln, err = net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(o.Port)))
		if err != nil {
			return fmt.Errorf("cannot listen for TraCI on 127.0.0.1:%d: %w", o.Port, err)
		}
		defer ln.Close()
	}
	w, notes, err := load(&o, o.Workers)
	if err != nil {
		return err
	}
	defer w.sim.Close()
	if !o.NoWarnings {
		for _, n := range notes {
			fmt.Fprintf(stderr, "Warning: %s\n", n)
		}
	}
	s := &session{w: w, maxMsg: wire.MaxMessage}
	var rec *bufio.Writer
	if o.Record != "" {
		f, err := os.Create(o.Record)
		if err != nil {
			return err
		}
		defer f.Close()
		rec = bufio.NewWriter(f)
		dir, _ := os.Getwd()
		args, _ := json.Marshal(commandLine{Args: o.args, Dir: dir})
		rec.WriteString(recordHeader)
		rec.Write(args)
		rec.WriteByte('\n')
		s.log = func(req, _ []byte) { rec.Write(wire.AppendMessage(nil, req)) }
	}
	var serveErr error
	if o.Replay != "" {
		serveErr = replay(s, o.Replay)
	} else {
		conn, err := ln.Accept()
		if err != nil {
			return fmt.Errorf("accepting the TraCI client: %w", err)
		}
		ln.Close()
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.SetNoDelay(true)
		}
		serveErr = s.serve(conn)
		conn.Close()
	}
	var errs []error
	if serveErr != nil {
		errs = append(errs, serveErr)
	}
	if rec != nil {
		if err := rec.Flush(); err != nil {
			errs = append(errs, err)
		}
		if err := os.WriteFile(o.Record+".digest", []byte(w.digestLine()+"\n"), 0o644); err != nil {
			errs = append(errs, err)
		}
	}
	if o.TripinfoOutput != "" {
		if err := w.writeTripinfo(o.TripinfoOutput, o.TripinfoUnfinished); err != nil {
			errs = append(errs, err)
		}
	}
	if o.Digest {
		fmt.Fprintln(stdout, w.digestLine())
	}
	return errors.Join(errs...)
}

// replay answers the messages recorded in file (by --citytwin.record), as
// if a client sent them, and discards the answers.
func replay(s *session, file string) error {
	_, msgs, err := readRecording(file)
	if err != nil {
		return err
	}
	r := bytes.NewReader(msgs)
	for !s.closed {
		body, err := wire.ReadMessage(r, nil, s.maxMsg)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		if _, fatal := s.handle(body); fatal != nil {
			return fatal
		}
	}
	return nil
}

// digest identifies the run so far: the engine's run digest (the state
// and everything the run has recorded).
func (w *world) digest() uint64 { return w.sim.Digest() }

// digestLine reports the digest with the time and step count it is for.
func (w *world) digestLine() string {
	return fmt.Sprintf("digest %016x at %s s after %d steps", w.digest(), sec(w.nowMs), w.steps)
}
