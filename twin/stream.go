package twin

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/citytwin/citytwin/maps"
	"github.com/coder/websocket"
)

// The stream (GET /v1/stream, a WebSocket) sends a "hello" message, then
// at most Rate frames per second: the latest step's compact snapshot,
// skipped while the step has not changed.
//
//	{"type":"frame","t":12.5,"step":25,"running":40,"arrived":3,"waiting":0,
//	 "v":[id,x,y,heading,speed, id,x,y,heading,speed, ...],
//	 "p":[phase of each signalised junction, in /v1/network's order],
//	 "l":"GGrryr..."}
//
// v holds five numbers per vehicle: its id, the front centre x and y (m,
// 0.1 m), the heading (rad, 0.01) and the speed (m/s, 0.1); l the light
// of every movement of the network (G green, g green yielding, y yellow,
// r red). With ?vehicles=false, v is left out. With ?format=binary the
// frames are binary messages instead (binframe.go, hub.go), as the browser
// dashboard reads them.

// Stream rates (frames per second).
const (
	DefaultStreamRate = 2.0
	MaxStreamRate     = 30.0
	MinStreamRate     = 0.1
)

// StreamHello is the first message of a stream.
type StreamHello struct {
	Type       string   `json:"type"` // "hello"
	Scenario   string   `json:"scenario"`
	StepLength float64  `json:"step_length"`
	Rate       float64  `json:"rate"`
	Signalised []string `json:"signalised"`
	// Vehicle names the five values of each vehicle in "v": its trip id
	// (a string, as in trips.csv), then four numbers.
	Vehicle []string `json:"vehicle"`
}

func (s *server) stream(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	rate := DefaultStreamRate
	if v := q.Get("rate"); v != "" {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || !(x >= MinStreamRate && x <= MaxStreamRate) {
			writeError(w, errorf(statusBadRequest, "bad_query", "rate must be in [%g, %g] frames per second, got %q", MinStreamRate, MaxStreamRate, clip(v, 20)))
			return
		}
		rate = x
	}
	vehicles := true
	if v := q.Get("vehicles"); v != "" {
		b, err := boolParam(r, "vehicles")
		if err != nil {
			writeError(w, err)
			return
		}
		vehicles = b
	}
	binary := false
	switch v := q.Get("format"); v {
	case "", "json":
	case "binary":
		binary = true
	default:
		writeError(w, errorf(statusBadRequest, "bad_query", "format must be json or binary, got %q", clip(v, 20)))
		return
	}
	if err := checkUpgrade(w, r); err != nil {
		writeError(w, err)
		return
	}
	client := clientOf(r.Context())
	if n := s.streams.Add(1); n > int64(s.opt.MaxStreams) {
		s.streams.Add(-1)
		writeError(w, errorf(statusTooMany, "too_many_streams", "%d streams are open; at most %d", n-1, s.opt.MaxStreams))
		return
	}
	defer s.streams.Add(-1)
	s.mu.Lock()
	if n := s.streamsOf[client]; n >= s.opt.MaxStreamsPerClient {
		s.mu.Unlock()
		writeError(w, errorf(statusTooMany, "too_many_streams", "%d of your streams are open; at most %d per client", n, s.opt.MaxStreamsPerClient))
		return
	}
	s.streamsOf[client]++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if s.streamsOf[client]--; s.streamsOf[client] <= 0 {
			delete(s.streamsOf, client)
		}
		s.mu.Unlock()
	}()
	// The origin was checked with the others (server.checkOrigin).
	// Browsers offer StreamProtocol (with their token beside it): it is
	// echoed, the token never is.
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true, Subprotocols: []string{StreamProtocol}})
	if err != nil {
		return // Accept has answered
	}
	defer c.CloseNow()
	c.SetReadLimit(4096)
	ctx := c.CloseRead(r.Context())
	if binary {
		s.streamBinary(ctx, c, rate)
		return
	}

	hello, _ := json.Marshal(StreamHello{Type: "hello", Scenario: s.t.run.Scenario.Name, StepLength: s.t.run.Scenario.Step,
		Rate: rate, Signalised: networkInfoSignalised(s.t), Vehicle: []string{"id", "x", "y", "heading", "speed"}})
	if err := write(ctx, c, hello); err != nil {
		return
	}
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	last := int64(-1)
	for {
		select {
		case <-ctx.Done():
			c.Close(websocket.StatusNormalClosure, "")
			return
		case <-tick.C:
		}
		qctx, cancel := context.WithTimeout(ctx, s.opt.Timeout)
		var f *frame
		err := s.t.do(qctx, func() { f = s.t.currentFrame() })
		cancel()
		if err != nil {
			if err == ErrStopped {
				c.Close(websocket.StatusGoingAway, "the twin has stopped")
				return
			}
			continue
		}
		if f.step == last {
			continue
		}
		last = f.step
		if err := write(ctx, c, f.streamBytes(s.t, vehicles)); err != nil {
			return
		}
	}
}

// checkUpgrade refuses, in the API's JSON shape, a request to the stream
// that is not a WebSocket handshake (426 Upgrade Required) or not one
// this server speaks.
func checkUpgrade(w http.ResponseWriter, r *http.Request) *Error {
	if !headerHas(r.Header, "Connection", "upgrade") || !headerHas(r.Header, "Upgrade", "websocket") {
		w.Header().Set("Connection", "Upgrade")
		w.Header().Set("Upgrade", "websocket")
		return errorf(statusUpgrade, "upgrade_required", "GET /v1/stream is a WebSocket: open it with a WebSocket client (Upgrade: websocket)")
	}
	if v := r.Header.Get("Sec-WebSocket-Version"); v != "13" {
		w.Header().Set("Sec-WebSocket-Version", "13")
		return errorf(statusUpgrade, "upgrade_required", "WebSocket version %q: this server speaks version 13", clip(v, 20))
	}
	if r.Header.Get("Sec-WebSocket-Key") == "" {
		return errorf(statusBadRequest, "bad_handshake", "the WebSocket handshake has no Sec-WebSocket-Key")
	}
	return nil
}

// headerHas reports whether the comma-separated values of header key
// include token (case-insensitive).
func headerHas(h http.Header, key, token string) bool {
	for _, v := range h.Values(key) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

func write(ctx context.Context, c *websocket.Conn, b []byte) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return c.Write(ctx, websocket.MessageText, b)
}

func networkInfoSignalised(t *Twin) []string {
	var out []string
	net := t.run.Network
	for v := range net.Nodes {
		if signalisedNode(t, v) {
			out = append(out, net.Nodes[v].ID)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}

func signalisedNode(t *Twin, v int) bool {
	nd := &t.run.Network.Nodes[v]
	return nd.Program != nil && nd.Kind == maps.Signalised
}

// streamBytes returns the frame's stream message, encoding it once per
// variant (with or without vehicles) on the first stream that needs it.
func (f *frame) streamBytes(t *Twin, vehicles bool) []byte {
	i := 0
	if !vehicles {
		i = 1
	}
	f.streamOnce[i].Do(func() { f.stream[i] = f.encode(t, vehicles) })
	return f.stream[i]
}

func (f *frame) encode(t *Twin, vehicles bool) []byte {
	snap := f.snap
	b := make([]byte, 0, 128+len(snap.Vehicles)*40+len(snap.Lights))
	b = append(b, `{"type":"frame","t":`...)
	b = strconv.AppendFloat(b, f.time, 'f', -1, 64)
	b = append(b, `,"step":`...)
	b = strconv.AppendInt(b, f.step, 10)
	b = append(b, `,"running":`...)
	b = strconv.AppendInt(b, f.counts.Running, 10)
	b = append(b, `,"arrived":`...)
	b = strconv.AppendInt(b, f.counts.Arrived, 10)
	b = append(b, `,"waiting":`...)
	b = strconv.AppendInt(b, f.counts.Waiting, 10)
	if vehicles {
		b = append(b, `,"v":[`...)
		for i, v := range snap.Vehicles {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, f.names[i])
			b = append(b, ',')
			b = strconv.AppendFloat(b, round(v.X, 1), 'f', -1, 64)
			b = append(b, ',')
			b = strconv.AppendFloat(b, round(v.Y, 1), 'f', -1, 64)
			b = append(b, ',')
			b = strconv.AppendFloat(b, round(v.Heading, 2), 'f', -1, 64)
			b = append(b, ',')
			b = strconv.AppendFloat(b, round(v.Speed, 1), 'f', -1, 64)
		}
		b = append(b, ']')
	}
	b = append(b, `,"p":[`...)
	first := true
	for v, ph := range snap.Phases {
		if !signalisedNode(t, v) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = strconv.AppendInt(b, int64(ph), 10)
	}
	b = append(b, `],"l":"`...)
	for _, l := range snap.Lights {
		b = append(b, lightLetter(l)...)
	}
	b = append(b, `"}`...)
	return b
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
