package twin

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/render"
	"github.com/coder/websocket"
)

// binFrameOf is a decoded binary stream frame.
type binFrameOf struct {
	Time, Step                float64
	Seq                       uint32
	Running, Arrived, Waiting uint32
	MeanSpeed                 float32
	Delay                     float64
	Paused, Stepped           bool
	IDs, Segs                 []uint32
	X, Y                      []float32
	Heading                   []int16
	Speed                     []uint16
	VType, Flags              []byte
	Phases                    []int16
	Lights                    string
	Closed                    []bool
}

// decodeBin decodes a binary frame of a network of lanes lanes as
// docs/live.md lays it out, checking its size.
func decodeBin(t testing.TB, b []byte, lanes int) binFrameOf {
	t.Helper()
	le := binary.LittleEndian
	if len(b) < BinaryHeader || le.Uint32(b) != BinaryMagic || le.Uint16(b[4:]) != BinaryVersion {
		t.Fatalf("not a binary frame: % x", b[:min(len(b), 16)])
	}
	H := int(le.Uint16(b[6:]))
	n := int(le.Uint32(b[28:]))
	S, M := int(le.Uint32(b[72:])), int(le.Uint32(b[76:]))
	P := (H + 22*n + 3) &^ 3
	if len(b) != P+2*S+M+(lanes+7)/8 {
		t.Fatalf("frame of %d bytes; the layout says %d (n %d, S %d, M %d, %d lanes)", len(b), P+2*S+M+(lanes+7)/8, n, S, M, lanes)
	}
	f := binFrameOf{Time: math.Float64frombits(le.Uint64(b[8:])), Step: math.Float64frombits(le.Uint64(b[16:])),
		Seq: le.Uint32(b[24:]), Running: le.Uint32(b[32:]), Arrived: le.Uint32(b[36:]), Waiting: le.Uint32(b[40:]),
		MeanSpeed: math.Float32frombits(le.Uint32(b[44:])), Delay: math.Float64frombits(le.Uint64(b[48:])),
		Paused: b[68]&1 != 0, Stepped: b[68]&2 != 0, Lights: string(b[P+2*S : P+2*S+M])}
	for l := range lanes {
		f.Closed = append(f.Closed, b[P+2*S+M+l/8]&(1<<(l%8)) != 0)
	}
	for i := range n {
		f.IDs = append(f.IDs, le.Uint32(b[H+4*i:]))
		f.X = append(f.X, math.Float32frombits(le.Uint32(b[H+4*n+4*i:])))
		f.Y = append(f.Y, math.Float32frombits(le.Uint32(b[H+8*n+4*i:])))
		f.Segs = append(f.Segs, le.Uint32(b[H+12*n+4*i:]))
		f.Heading = append(f.Heading, int16(le.Uint16(b[H+16*n+2*i:])))
		f.Speed = append(f.Speed, le.Uint16(b[H+18*n+2*i:]))
		f.VType = append(f.VType, b[H+20*n+i])
		f.Flags = append(f.Flags, b[H+21*n+i])
	}
	for k := range S {
		f.Phases = append(f.Phases, int16(le.Uint16(b[P+2*k:])))
	}
	return f
}

// readBinary reads messages until a binary frame (returned) or the
// context ends; text messages go to text.
func readBinary(ctx context.Context, c *websocket.Conn, text func([]byte)) ([]byte, error) {
	for {
		typ, b, err := c.Read(ctx)
		if err != nil {
			return nil, err
		}
		if typ == websocket.MessageBinary {
			return b, nil
		}
		if text != nil {
			text(b)
		}
	}
}

// TestBinaryStream checks a binary frame against the observation of the
// same step: every vehicle's number, position, heading, speed, segment,
// type and flags, the counts, the phases and every movement's light.
func TestBinaryStream(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	tw, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{Rate: -1})
	c.step(150, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws, err := dialStream(t, ctx, c.base, "?format=binary&rate=30", "")
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	var hello BinaryHello
	b, err := readBinary(ctx, ws, func(b []byte) {
		if hello.Type == "" {
			json.Unmarshal(b, &hello)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if hello.Type != "hello" || hello.Format != "binary" || hello.Version != BinaryVersion || hello.Lanes != len(run.Network.Lanes) {
		t.Errorf("hello %+v", hello)
	}
	f := decodeBin(t, b, len(run.Network.Lanes))
	var o Observation
	c.must("GET", "/v1/observe?include=vehicles,junctions", nil, &o)
	if f.Step != float64(o.Step) || f.Time != o.Time || int64(f.Running) != o.Counts.Running || int64(f.Arrived) != o.Counts.Arrived ||
		len(f.IDs) != len(o.Vehicles) || math.Abs(float64(f.MeanSpeed)-o.Counts.MeanSpeed) > 1e-3 || !f.Stepped || f.Paused {
		t.Fatalf("frame step %g t %g running %d arrived %d n %d speed %g stepped %v; observation step %d t %g counts %+v n %d",
			f.Step, f.Time, f.Running, f.Arrived, len(f.IDs), f.MeanSpeed, f.Stepped, o.Step, o.Time, o.Counts, len(o.Vehicles))
	}
	if len(f.IDs) < 10 {
		t.Fatalf("only %d vehicles", len(f.IDs))
	}
	var snap *engine.Snapshot
	if err := tw.do(ctx, func() { snap = tw.currentFrame().snap }); err != nil {
		t.Fatal(err)
	}
	for i, v := range o.Vehicles {
		sv := snap.Vehicles[i]
		if f.IDs[i] != uint32(v.Index) || math.Abs(float64(f.X[i])-v.X) > 0.01 || math.Abs(float64(f.Y[i])-v.Y) > 0.01 ||
			math.Abs(wrapAngle(float64(f.Heading[i])/1e4-v.Heading)) > 2e-4 || math.Abs(float64(f.Speed[i])/100-v.Speed) > 0.006 ||
			f.Segs[i] != uint32(sv.Segment) || int(f.VType[i]) != int(sv.VType) ||
			(f.Flags[i]&BinaryConnected != 0) != sv.Connected || (f.Flags[i]&BinaryHalting != 0) != (sv.Speed < 0.1) {
			t.Fatalf("vehicle %d: frame (%d, %g, %g, %d, %d, seg %d, type %d, flags %b), observation %+v",
				i, f.IDs[i], f.X[i], f.Y[i], f.Heading[i], f.Speed[i], f.Segs[i], f.VType[i], f.Flags[i], v)
		}
	}
	if len(f.Lights) != len(run.Network.Movements) || len(f.Phases) != len(o.Junctions) {
		t.Fatalf("%d lights for %d movements, %d phases for %d junctions", len(f.Lights), len(run.Network.Movements), len(f.Phases), len(o.Junctions))
	}
	for k, j := range o.Junctions {
		if int(f.Phases[k]) != j.Phase {
			t.Errorf("junction %s: frame phase %d, observation %d", j.ID, f.Phases[k], j.Phase)
		}
		var b strings.Builder
		for _, m := range run.Network.Nodes[j.Node].Movements {
			b.WriteByte(f.Lights[m])
		}
		if b.String() != j.Lights {
			t.Errorf("junction %s: frame lights %s, observation %s", j.ID, b.String(), j.Lights)
		}
	}
	for l, closed := range f.Closed {
		if closed {
			t.Errorf("lane %d closed in the frame", l)
		}
	}
	// A step (closing a lane) makes a new frame, numbered next, which
	// shows the lane closed.
	c.step(1, []any{map[string]any{"kind": "close_lane", "road": "road_1_1_0", "lane": 1}})
	b, err = readBinary(ctx, ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	g := decodeBin(t, b, len(run.Network.Lanes))
	if g.Step != f.Step+1 || g.Seq != f.Seq+1 {
		t.Errorf("after a step: frame step %g seq %d, want %g and %d", g.Step, g.Seq, f.Step+1, f.Seq+1)
	}
	r, _ := run.Network.RoadByID("road_1_1_0")
	for l, closed := range g.Closed {
		if want := l == int(run.Network.Roads[r].Lanes[1]); closed != want {
			t.Errorf("lane %d: closed %v in the frame after closing lane 1 of road_1_1_0 (lane %d)", l, closed, run.Network.Roads[r].Lanes[1])
		}
	}
}

// TestStreamProtocolToken checks the browser's way to send the token: in
// Sec-WebSocket-Protocol beside the stream's subprotocol, which alone is
// echoed; a wrong token and a page of another origin are refused.
func TestStreamProtocolToken(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	const token = "0123456789abcdef-stream"
	_, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{Rate: -1, Token: token})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(c.base, "http") + "/v1/stream?format=binary"
	dial := func(tok string, h http.Header) (*websocket.Conn, *http.Response, error) {
		return websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: h,
			Subprotocols: []string{StreamProtocol, StreamTokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(tok))}})
	}
	ws, resp, err := dial(token, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ws.Subprotocol() != StreamProtocol || resp.Header.Get("Sec-WebSocket-Protocol") != StreamProtocol {
		t.Errorf("subprotocol %q, header %q", ws.Subprotocol(), resp.Header.Get("Sec-WebSocket-Protocol"))
	}
	if _, _, err := ws.Read(ctx); err != nil {
		t.Errorf("hello: %v", err)
	}
	ws.CloseNow()
	for _, tc := range []struct {
		tok    string
		origin string
		status int
	}{
		{"0123456789abcdef-wrong", "", 401},
		{"", "", 401},
		{token, "http://evil.example", 403},
	} {
		h := http.Header{}
		if tc.origin != "" {
			h.Set("Origin", tc.origin)
		}
		_, resp, err := dial(tc.tok, h)
		if err == nil || resp == nil || resp.StatusCode != tc.status {
			code := 0
			if resp != nil {
				code = resp.StatusCode
			}
			t.Errorf("token %q origin %q: %v, status %d, want %d", tc.tok, tc.origin, err, code, tc.status)
		}
	}
}

// TestSlowViewer: a viewer that stops reading blocks only itself. The
// twin steps on, another viewer gets its frames, and the slow one, once
// it reads again, gets the newest frame (not a backlog) and a stats
// message saying how many it skipped.
func TestSlowViewer(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	tw, err := New(run, Options{Pace: 50, Until: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tw.Run(ctx) }()
	// Small socket buffers, so that a viewer that does not read blocks
	// the server's writes at once.
	srv := httptest.NewUnstartedServer(tw.Handler(ServerOptions{Rate: -1}))
	srv.Listener = smallBuffers{srv.Listener}
	srv.Start()
	defer func() {
		srv.Close()
		cancel()
		<-done
	}()
	base := srv.URL
	rctx, rcancel := context.WithTimeout(ctx, 30*time.Second)
	defer rcancel()
	// The slow viewer's socket has a small receive buffer too.
	dialer := &net.Dialer{Control: nil}
	slowClient := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dialer.DialContext(ctx, network, addr)
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetReadBuffer(4096)
		}
		return c, err
	}}}
	slow, _, err := websocket.Dial(rctx, "ws"+strings.TrimPrefix(base, "http")+"/v1/stream?format=binary&rate=30",
		&websocket.DialOptions{HTTPClient: slowClient})
	if err != nil {
		t.Fatal(err)
	}
	slow.SetReadLimit(8 << 20)
	defer slow.CloseNow()
	fast, err := dialStream(t, rctx, base, "?format=binary&rate=10", "")
	if err != nil {
		t.Fatal(err)
	}
	defer fast.CloseNow()
	// The fast viewer reads for 3 s while the slow one reads nothing.
	step0 := statusOf(t, tw).Step
	got := 0
	stop := time.Now().Add(3 * time.Second)
	for time.Now().Before(stop) {
		if _, err := readBinary(rctx, fast, nil); err != nil {
			t.Fatal(err)
		}
		got++
	}
	step1 := statusOf(t, tw).Step
	if got < 15 {
		t.Errorf("the reading viewer got %d frames in 3 s at 10 per second while another did not read", got)
	}
	if step1-step0 < 50 {
		t.Errorf("the twin took %d steps in 3 s at pace 50 while a viewer did not read", step1-step0)
	}
	// The slow one now reads: within a few messages comes a frame of the
	// present (not one 3 s old) and a stats message with skipped frames.
	var skipped int
	var newest float64
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && (skipped == 0 || newest < float64(step1)) {
		b, err := readBinary(rctx, slow, func(b []byte) {
			var s StreamStats
			if json.Unmarshal(b, &s) == nil && s.Type == "stats" {
				skipped += s.Skipped
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		newest = decodeBin(t, b, len(run.Network.Lanes)).Step
	}
	if skipped == 0 || newest < float64(step1) {
		t.Errorf("the slow viewer: %d frames skipped reported, newest frame of step %g (the twin was at %d when it read again)", skipped, newest, step1)
	}
	t.Logf("fast viewer %d frames in 3 s; twin %d steps; slow viewer told of %d skipped frames", got, step1-step0, skipped)
}

// TestStreamBudget: the binary streams together send at most the
// server's stream budget, shared equally, and say so in their stats
// (allowed below the rate asked); without a budget to share they get the
// rate they asked for.
func TestStreamBudget(t *testing.T) {
	const budget = 40 << 10 // bytes per second
	tw, srv := startTwin(t, buildRun(t, gridScenario(t)), Options{Pace: 50, Until: -1}, ServerOptions{Rate: -1, StreamBudget: budget})
	rctx, rcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer rcancel()
	for statusOf(t, tw).Counts.Running < 50 {
		time.Sleep(50 * time.Millisecond)
	}
	type result struct {
		frames, bytes int
		allowed       []float64
		err           error
	}
	// read follows one stream of base for d after its first frame.
	read := func(base string, d time.Duration, out *result) {
		ws, err := dialStream(t, rctx, base, "?format=binary&rate=30", "")
		if err != nil {
			out.err = err
			return
		}
		defer ws.CloseNow()
		onText := func(b []byte) {
			var s StreamStats
			if json.Unmarshal(b, &s) == nil && s.Type == "stats" {
				out.allowed = append(out.allowed, s.Allowed)
			}
		}
		if _, err := readBinary(rctx, ws, onText); err != nil {
			out.err = err
			return
		}
		stop := time.Now().Add(d)
		for time.Now().Before(stop) {
			b, err := readBinary(rctx, ws, onText)
			if err != nil {
				out.err = err
				return
			}
			out.frames++
			out.bytes += len(b)
		}
	}
	const secs = 3
	var results [3]result
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() { read(srv.base, secs*time.Second, &results[i]) })
	}
	wg.Wait()
	total := 0
	for i, r := range results {
		if r.err != nil {
			t.Fatal(r.err)
		}
		total += r.bytes
		size := r.bytes / max(r.frames, 1)
		// Each gets about a third of the budget: far fewer than the 30
		// frames per second asked (the twin steps 50 times a second).
		if share := float64(r.bytes) / secs; share > budget/3*1.5+float64(size) || share < budget/3*0.4 {
			t.Errorf("stream %d: %.0f bytes/s (%d frames of about %d bytes), want about a third of %d", i, share, r.frames, size, budget)
		}
		if len(r.allowed) == 0 || slices.Max(r.allowed) >= 30 || slices.Min(r.allowed) <= 0 {
			t.Errorf("stream %d: stats say allowed %v frames per second, want some below the 30 asked", i, r.allowed)
		}
	}
	if float64(total)/secs > budget*1.5 {
		t.Errorf("the streams sent %.0f bytes/s together, over the budget of %d", float64(total)/secs, budget)
	}
	// One stream alone with room to spare gets what it asked for.
	var alone result
	ample := httptest.NewServer(tw.Handler(ServerOptions{Rate: -1, StreamBudget: 1 << 30}))
	defer ample.Close()
	read(ample.URL, 2*time.Second, &alone)
	if alone.err != nil {
		t.Fatal(alone.err)
	}
	if alone.frames < 2*20 {
		t.Errorf("one stream with an ample budget got %d frames in 2 s at 30 per second asked", alone.frames)
	}
	t.Logf("budget %d B/s: %d B/s sent by 3 streams (%d, %d, %d frames in %d s); alone %d frames in 2 s",
		budget, total/secs, results[0].frames, results[1].frames, results[2].frames, secs, alone.frames)
}

func statusOf(t testing.TB, tw *Twin) Status {
	t.Helper()
	st, err := tw.Status(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// smallBuffers makes accepted connections with small send buffers.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(4096)
	}
	return c, err
}

// TestJunctionAndVehicleDetail checks GET /v1/junctions/{id} and
// /v1/vehicles/{n}: under fixed time, every decision after the first ends
// a green of its program's length.
func TestJunctionAndVehicleDetail(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	_, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{Rate: -1})
	c.step(400, nil)
	var net NetworkInfo
	c.must("GET", "/v1/network", nil, &net)
	id := net.Signalised[0]
	var d JunctionDetail
	c.must("GET", "/v1/junctions/"+id, nil, &d)
	v, _ := run.Network.NodeByID(id)
	nd := &run.Network.Nodes[v]
	if d.Signal == nil || d.Program == nil || len(d.Movements) != len(nd.Movements) || d.Kind != "signalised" || len(d.Lanes) == 0 {
		t.Fatalf("junction %s: %+v", id, d)
	}
	if len(d.Decisions) < 4 {
		t.Fatalf("junction %s: %d decisions in 400 s", id, len(d.Decisions))
	}
	for k, dec := range d.Decisions {
		if dec.Policy != "fixed_time" || dec.To != (dec.From+1)%len(d.Program.Phases) || (k > 0 && dec.Time <= d.Decisions[k-1].Time) {
			t.Errorf("decision %d: %+v", k, dec)
		}
		if want := d.Program.Phases[dec.From].Duration; k > 0 && math.Abs(dec.Green-want) > 1e-6 {
			t.Errorf("decision %d ends a green of %g s; phase %d lasts %g s", k, dec.Green, dec.From, want)
		}
	}
	for _, m := range d.Movements {
		if int(m.Movement) >= len(run.Network.Movements) || run.Network.Movements[m.Movement].Node != v || !strings.Contains("Ggyr", m.Light) {
			t.Errorf("movement %+v", m)
		}
	}
	for path, code := range map[string]int{"/v1/junctions/nope": 404, "/v1/vehicles/-1": 400, "/v1/vehicles/x": 400, "/v1/vehicles/99999999": 404} {
		if got, body := c.do("GET", path, nil, nil); got != code || !strings.Contains(string(body), `"error"`) {
			t.Errorf("%s: %d %s, want %d", path, got, body, code)
		}
	}
	var o Observation
	c.must("GET", "/v1/vehicles", nil, &o)
	veh := o.Vehicles[len(o.Vehicles)/2]
	var vd VehicleDetail
	c.must("GET", "/v1/vehicles/"+itoa(int(veh.Index)), nil, &vd)
	if vd.N != veh.Index || vd.ID != veh.ID || vd.Status != "running" || vd.Now == nil || *vd.Now != veh || len(vd.Route) < 1 ||
		vd.Route[vd.RouteIndex] != veh.Road && veh.Lane >= 0 {
		t.Errorf("vehicle %d: %+v (now %+v), observed %+v", veh.Index, vd, vd.Now, veh)
	}
	found := false
	for _, tr := range run.Trips {
		if tr.ID == vd.ID {
			found = true
			if run.Network.Roads[tr.From].ID != vd.Origin || run.Network.Roads[tr.To].ID != vd.Destination {
				t.Errorf("vehicle %d (trip %s): from %s to %s, the trip runs from %s to %s", veh.Index, vd.ID, vd.Origin, vd.Destination,
					run.Network.Roads[tr.From].ID, run.Network.Roads[tr.To].ID)
			}
		}
	}
	if !found {
		t.Errorf("vehicle %d: no trip %q in the scenario", veh.Index, vd.ID)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestScene checks GET /v1/scene against the renderer's scene and colours.
func TestScene(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	_, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{Rate: -1})
	var s SceneInfo
	c.must("GET", "/v1/scene", nil, &s)
	net := run.Network
	rs := render.NewScene(net)
	if len(s.Lanes) != len(net.Lanes) || len(s.Links) != len(net.Links) || len(s.VTypes) != len(run.Config.VTypes) || len(s.Policies) == 0 {
		t.Fatalf("scene: %d lanes, %d links, %d types, policies %v", len(s.Lanes), len(s.Links), len(s.VTypes), s.Policies)
	}
	bars := 0
	for _, b := range rs.Bars {
		if net.Nodes[net.Movements[b.Movement].Node].Kind == maps.Signalised {
			bars++
		}
	}
	if len(s.Bars) != bars || bars == 0 {
		t.Errorf("%d stop lines, the renderer has %d at signals", len(s.Bars), bars)
	}
	for i, l := range s.Lanes {
		g := net.Lanes[i].Geometry
		if len(l.Pts) != 2*len(g) || math.Abs(l.Pts[0]-g[0][0]) > 0.006 || l.Road != int(net.Lanes[i].Road) {
			t.Fatalf("lane %d: %+v", i, l)
		}
	}
	if len(s.Palette.Speed) != render.SpeedLevels+1 || s.Palette.Speed[0] != hexColor(render.SpeedColor(0)) ||
		s.Palette.Lights["r"] != "#eb1e1e" || s.Palette.Background != hexColor(render.Background) {
		t.Errorf("palette %+v", s.Palette)
	}
}

// TestDashboardFiles checks how the page and its files are served: to
// browsers at /, without the token, with a strict CSP; the JSON index to
// API clients; foreign origins and hosts refused as for the API.
func TestDashboardFiles(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	const token = "0123456789abcdef-files"
	_, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{Rate: -1, Token: token})
	get := func(path string, h map[string]string) *http.Response {
		req, _ := http.NewRequest("GET", c.base+path, nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	page := get("/", map[string]string{"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
	csp := page.Header.Get("Content-Security-Policy")
	if page.StatusCode != 200 || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") || page.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("page: %d %v", page.StatusCode, page.Header)
	}
	for path, want := range map[string]int{"/ui/main.js": 200, "/ui/": 200, "/ui/nope.js": 404, "/ui/../v1/status": 404, "/": 401} {
		if resp := get(path, nil); resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	if resp := get("/ui/main.js", nil); resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" || resp.Header.Get("ETag") == "" {
		t.Errorf("main.js: %v", resp.Header)
	} else if again := get("/ui/main.js", map[string]string{"If-None-Match": resp.Header.Get("ETag")}); again.StatusCode != 304 {
		t.Errorf("main.js revalidated: %d", again.StatusCode)
	}
	if resp := get("/ui/main.js", map[string]string{"Origin": "http://evil.example"}); resp.StatusCode != 403 {
		t.Errorf("main.js for another origin: %d", resp.StatusCode)
	}
	// Without a token, other Host names get nothing, the page included.
	_, open := startTwin(t, run, Options{Stepped: true}, ServerOptions{Rate: -1})
	req, _ := http.NewRequest("GET", open.base+"/", nil)
	req.Host = "evil.example"
	req.Header.Set("Accept", "text/html")
	resp, err := open.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("page for Host evil.example: %d", resp.StatusCode)
	}
	if code, body := open.do("GET", "/", nil, nil); code != 200 || !strings.Contains(string(body), `"openapi"`) {
		t.Errorf("API index: %d %s", code, body)
	}
}
