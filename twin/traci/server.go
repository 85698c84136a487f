package traci

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
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
func Main(args []string, stdout, stderr io.Writer) int {
	o, err := ParseArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "Error: %v\nQuitting (on error).\n", err)
		return 1
	}
	if err := Serve(o, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "Error: %v\nQuitting (on error).\n", err)
		return 1
	}
	return 0
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
		defer rec.Flush()
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
	if o.TripinfoOutput != "" {
		if err := w.writeTripinfo(o.TripinfoOutput, o.TripinfoUnfinished); err != nil {
			return errors.Join(serveErr, err)
		}
	}
	if o.Digest {
		fmt.Fprintf(stdout, "digest %016x at %s s after %d steps\n", w.digest(), sec(w.nowMs), w.steps)
	}
	return serveErr
}

// replay answers the messages recorded in file (by --citytwin.record), as
// if a client sent them, and discards the answers.
func replay(s *session, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	r := bytes.NewReader(data)
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

// digest identifies the run so far: the engine's state hash.
func (w *world) digest() uint64 { return w.sim.Hash() }
