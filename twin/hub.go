package twin

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Many viewers, one engine. Binary streams do not ask the twin for frames
// themselves: one hub per twin builds them, at the highest rate any open
// binary stream asked for (at most MaxStreamRate), and only while one is
// open. Building a frame takes the twin's goroutine for one snapshot
// (shared with the queries of the same step); encoding it happens on the
// hub's goroutine, once, whatever the number of streams. Each stream
// sends the newest frame when its own rate makes one due; a stream whose
// browser or connection is slow blocks only itself, holds one frame at a
// time, and skips to the newest frame when its write returns, so that it
// gets fewer frames, never a queue of old ones. Once a second a stream
// sends a small text message {"type":"stats", ...} saying how many frames
// it sent and how many due ones it skipped, from which a page can tell
// that it is behind. All the binary streams together send at most
// ServerOptions.StreamBudget bytes per second: a stream's frames come no
// more often than its share of it allows, so that however many viewers
// watch, the twin's processors go to the simulation first.

// DefaultStreamBudget is the bytes per second all the binary streams of a
// server may send together (ServerOptions.StreamBudget): 32 MiB/s.
const DefaultStreamBudget = 32 << 20

// hub builds the binary frames of a twin.
type hub struct {
	t   *Twin
	sig []int // signalised nodes, in /v1/network's order

	mu      sync.Mutex
	subs    map[*subscriber]struct{}
	running bool
	latest  *binFrame
	changed chan struct{} // closed when latest changes
	built   int64         // frames built so far
}

// binFrame is one encoded binary frame.
type binFrame struct {
	seq  uint32
	step int64
	meta frameMeta
	data []byte
}

type subscriber struct{ rate float64 }

// StreamStats is the text message a binary stream sends once a second.
type StreamStats struct {
	Type string  `json:"type"` // "stats"
	Rate float64 `json:"rate"` // frames per second asked for
	// Sent counts the frames sent over the last Interval; Skipped the
	// frames that were due at Rate but built while the stream was still
	// writing an earlier one (the page or its connection is behind);
	// Built the frames the twin built (it builds none while its state
	// does not change).
	Sent     int     `json:"sent"`
	Skipped  int     `json:"skipped"`
	Built    int64   `json:"built"`
	Interval float64 `json:"interval"` // s
	// Allowed is the frames per second the stream may get now: Rate, or
	// less when the streams' budget (ServerOptions.StreamBudget) is
	// shared by many viewers or large frames.
	Allowed float64 `json:"allowed"`
}

// BinaryHello is the first message of a binary stream (text).
type BinaryHello struct {
	Type       string   `json:"type"`   // "hello"
	Format     string   `json:"format"` // "binary"
	Version    int      `json:"version"`
	Header     int      `json:"header"` // bytes
	Scenario   string   `json:"scenario"`
	StepLength float64  `json:"step_length"`
	Rate       float64  `json:"rate"`
	Signalised []string `json:"signalised"`
	Lanes      int      `json:"lanes"` // segments below are lanes, the others links
}

func newHub(t *Twin) *hub {
	h := &hub{t: t, subs: map[*subscriber]struct{}{}, changed: make(chan struct{})}
	for v := range t.run.Network.Nodes {
		if signalisedNode(t, v) {
			h.sig = append(h.sig, v)
		}
	}
	return h
}

// subscribe adds a stream at rate frames per second, starting the hub's
// goroutine if it is not running.
func (h *hub) subscribe(rate float64) *subscriber {
	s := &subscriber{rate: rate}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.subs[s] = struct{}{}
	if !h.running {
		h.running = true
		go h.run()
	}
	return s
}

// count returns the number of open binary streams.
func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

func (h *hub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	delete(h.subs, s)
	h.mu.Unlock()
}

// rate returns the highest rate of the streams (0: none is open; the
// caller then stops).
func (h *hub) rate() float64 {
	r := 0.0
	for s := range h.subs {
		r = max(r, s.rate)
	}
	return r
}

// current returns the newest frame and the channel closed when a newer
// one is published.
func (h *hub) current() (*binFrame, <-chan struct{}, int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.latest, h.changed, h.built
}

func (h *hub) run() {
	var tick *time.Ticker
	rate := 0.0
	defer func() {
		if tick != nil {
			tick.Stop()
		}
	}()
	var seq uint32
	for {
		h.mu.Lock()
		r := h.rate()
		if r == 0 {
			h.running = false
			h.latest = nil // hold no frame while nobody watches
			h.mu.Unlock()
			return
		}
		h.mu.Unlock()
		if r != rate {
			rate = r
			d := time.Duration(float64(time.Second) / rate)
			if tick == nil {
				tick = time.NewTicker(d)
			} else {
				tick.Reset(d)
			}
		}
		select {
		case <-tick.C:
		case <-h.t.stopped:
			h.mu.Lock()
			h.running = false
			h.mu.Unlock()
			return
		}
		h.mu.Lock()
		last := h.latest
		h.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		var f *frame
		var m frameMeta
		err := h.t.do(ctx, func() {
			f = h.t.currentFrame()
			if last != nil && last.step == f.step {
				m = h.t.meta(&last.meta)
			} else {
				m = h.t.meta(nil)
			}
		})
		cancel()
		if err != nil {
			continue // stopped (seen above next time) or busy
		}
		if last != nil && last.step == f.step && sameState(last.meta, m) {
			continue
		}
		seq++
		bf := &binFrame{seq: seq, step: f.step, meta: m, data: encodeBinary(f, m, seq, h.sig)}
		h.mu.Lock()
		h.latest = bf
		h.built++
		close(h.changed)
		h.changed = make(chan struct{})
		h.mu.Unlock()
	}
}

// sameState reports whether two frames of one step show the same state
// (a pause or a pace change is news even without a step).
func sameState(a, b frameMeta) bool {
	return a.paused == b.paused && a.stepped == b.stepped && a.pace == b.pace
}

// streamBinary sends binary frames on c at rate frames per second until
// ctx is done or the twin stops.
func (s *server) streamBinary(ctx context.Context, c *websocket.Conn, rate float64) {
	t := s.t
	hello, _ := json.Marshal(BinaryHello{Type: "hello", Format: "binary", Version: BinaryVersion, Header: BinaryHeader,
		Scenario: t.run.Scenario.Name, StepLength: t.run.Scenario.Step, Rate: rate, Signalised: networkInfoSignalised(t),
		Lanes: len(t.run.Network.Lanes)})
	if err := write(ctx, c, hello); err != nil {
		return
	}
	h := t.streamHub()
	sub := h.subscribe(rate)
	defer h.unsubscribe(sub)
	asked := time.Duration(float64(time.Second) / rate)
	interval := asked
	stats := time.NewTicker(time.Second)
	defer stats.Stop()
	_, _, built0 := h.current()
	statStart := time.Now()
	var lastSeq uint32
	var lastSent time.Time
	sent, skipped := 0, 0
	for {
		f, changed, _ := h.current()
		if f != nil {
			// The streams share the budget: with many viewers or large
			// frames each gets fewer frames, and the twin keeps its pace.
			interval = max(asked, time.Duration(float64(len(f.data))*float64(h.count())/float64(s.opt.StreamBudget)*float64(time.Second)))
		}
		if f != nil && f.seq != lastSeq && time.Since(lastSent) >= interval-interval/8 {
			if lastSeq != 0 && !lastSent.IsZero() {
				// Frames built since the last one sent that were due at
				// this stream's rate but came while it was writing.
				gap := int(f.seq - lastSeq - 1)
				due := int(time.Since(lastSent)/interval) - 1
				skipped += max(0, min(gap, due))
			}
			lastSeq, lastSent = f.seq, time.Now()
			wctx, cancel := context.WithTimeout(ctx, streamWriteTimeout)
			err := c.Write(wctx, websocket.MessageBinary, f.data)
			cancel()
			if err != nil {
				return
			}
			sent++
			continue // a newer frame may have come while writing
		}
		var wake <-chan time.Time
		if f != nil && f.seq != lastSeq {
			wake = time.After(interval - time.Since(lastSent)) // due later
		}
		select {
		case <-ctx.Done():
			c.Close(websocket.StatusNormalClosure, "")
			return
		case <-t.stopped:
			c.Close(websocket.StatusGoingAway, "the twin has stopped")
			return
		case <-changed:
		case <-wake:
		case <-stats.C:
			_, _, built := h.current()
			b, _ := json.Marshal(StreamStats{Type: "stats", Rate: rate, Sent: sent, Skipped: skipped, Built: built - built0,
				Interval: round(time.Since(statStart).Seconds(), 3), Allowed: round(float64(time.Second)/float64(interval), 2)})
			if err := write(ctx, c, b); err != nil {
				return
			}
			sent, skipped, built0, statStart = 0, 0, built, time.Now()
		}
	}
}

// streamWriteTimeout bounds the write of one frame: a browser that takes
// longer is disconnected (the page reconnects and says so).
const streamWriteTimeout = 10 * time.Second

// streamHub returns the twin's hub, made on first use.
func (t *Twin) streamHub() *hub {
	t.hubOnce.Do(func() { t.hub = newHub(t) })
	return t.hub
}
