package twin

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// clientFrom returns an API client whose connections come from the
// loopback address ip (127.0.0.0/8 is all loopback on Linux), so that the
// server tells it apart from other clients.
func clientFrom(t *testing.T, c *client, ip string) *client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	if conn, err := d.Dial("tcp", strings.TrimPrefix(c.base, "http://")); err != nil {
		t.Skipf("cannot connect from %s: %v", ip, err)
	} else {
		conn.Close()
	}
	return &client{t: t, base: c.base, token: c.token, hc: &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}}
}

// code returns the error code of a refused request's body.
func code(t *testing.T, body []byte) string {
	t.Helper()
	var e ErrorBody
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Status == 0 || e.Error.Code == "" || e.Error.Message == "" {
		t.Errorf("body %.200s is not the JSON error shape", body)
	}
	return e.Error.Code
}

// overLimit checks that client a's next POST of body to path is refused
// with 429 and the error code want (what names the request in the
// message), and that client other may still send it.
func overLimit(t *testing.T, a, other *client, path, body, want, what string) {
	t.Helper()
	if st, b := a.do("POST", path, body, nil); st != 429 || code(t, b) != want {
		t.Errorf("%s: %d %s, want 429 %s", what, st, b, want)
	}
	other.must("POST", path, body, nil)
}

// TestDemandBudgets: what ran the twin out of memory is refused, and the
// trips still to depart stay within the budget.
func TestDemandBudgets(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	// A large per-client budget, so that the twin's own budget is what refuses.
	tw, c := startTwin(t, run, Options{Stepped: true, MaxTripsPerClient: 1 << 30}, ServerOptions{})
	scale8 := "[" + strings.TrimSuffix(strings.Repeat(`{"kind":"scale_demand","factor":10},`, 8), ",") + "]"
	var adds []string
	for i := range 100 {
		adds = append(adds, fmt.Sprintf(`{"kind":"add_demand","from":"road_0_1_0","to":"road_3_1_0","rate":20000,"begin":%d,"end":%d}`, i, 18000+i))
	}
	dup := `{"kind":"switch_policy","policy":"fixed_time","junctions":[` + strings.TrimSuffix(strings.Repeat(`"intersection_1_1",`, 50000), ",") + `]}`
	for _, tc := range []struct {
		name, path, body string
		status           int
		code             string
	}{
		{"eight scale_demand ×10 in one request", "/v1/commands", scale8, 413, "too_many_trips"},
		{"the same as a shadow candidate", "/v1/shadow", `{"commands":` + scale8 + `,"horizon":60}`, 422, "trip_budget"},
		{"100 add_demand in one request", "/v1/commands", "[" + strings.Join(adds, ",") + "]", 413, "too_many_trips"},
		{"switch_policy with 50,000 duplicate junctions", "/v1/commands", dup, 422, "invalid_command"},
		{"at 1e300", "/v1/commands", `{"kind":"close_road","road":"road_2_1_0","at":1e300}`, 422, "invalid_command"},
		{"field counts of 10^10 vehicles", "/v1/field/counts", `{"interval":60,"counts":[` + strings.TrimSuffix(strings.Repeat(`{"road":"road_0_1_0","count":1000000},`, 1), ",") + `]}`, 413, "too_many_trips"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, body := c.do("POST", tc.path, tc.body, nil)
			if st != tc.status || code(t, body) != tc.code {
				t.Errorf("status %d %.300s; want %d %s", st, body, tc.status, tc.code)
			}
		})
	}
	// Within a request's budget, the total budget still holds: scale by
	// ×2 until refused, stepping between.
	refused := false
	for range 30 {
		st, body := c.do("POST", "/v1/commands", `{"kind":"scale_demand","factor":2}`, nil)
		if st != 202 {
			if code(t, body) != "trip_budget" {
				t.Fatalf("status %d %s", st, body)
			}
			refused = true
			break
		}
		c.step(1, nil)
	}
	ctx := context.Background()
	var pending float64
	tw.do(ctx, func() { pending = tw.w.pendingTrips() })
	if !refused || pending > float64(tw.opt.MaxTrips) {
		t.Errorf("refused %v; %.0f trips still to depart, budget %d", refused, pending, tw.opt.MaxTrips)
	}
	t.Logf("budget %d trips; %.0f still to depart after doubling until refused", tw.opt.MaxTrips, pending)
}

// TestClientTripBudget: one client cannot take the whole trip budget.
func TestClientTripBudget(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	tw, c := startTwin(t, run, Options{Stepped: true, MaxTripsPerClient: 5000}, ServerOptions{})
	add := `{"kind":"add_demand","from":"road_0_1_0","to":"road_3_1_0","rate":2000,"end":3600}` // ~2,210 trips
	c.must("POST", "/v1/commands", add, nil)
	c.must("POST", "/v1/commands", add, nil)
	overLimit(t, c, clientFrom(t, c, "127.0.0.6"), "/v1/commands", add, "client_trip_budget", "third add_demand of one client")
	_ = tw
}

// TestQueueFairness: one client filling the queue with far-off commands
// cannot lock the others out.
func TestQueueFairness(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	_, c := startTwin(t, run, Options{Stepped: true, MaxQueuedPerClient: 50}, ServerOptions{Rate: -1})
	a, b := clientFrom(t, c, "127.0.0.2"), clientFrom(t, c, "127.0.0.3")
	cmd := `{"kind":"speed_limit","road":"road_1_1_0","speed":5,"at":1700}`
	for range 50 {
		a.must("POST", "/v1/commands", cmd, nil)
	}
	overLimit(t, a, b, "/v1/commands", cmd, "client_queue_full", "client a's 51st command")
}

// TestStepCancelled: a step request whose client hangs up stops stepping.
func TestStepCancelled(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	_, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{})
	for range 4 {
		before := c.status(false).Step
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		req, _ := http.NewRequestWithContext(ctx, "POST", c.base+"/v1/step", strings.NewReader(`{"n":100000}`))
		req.Header.Set("Content-Type", "application/json")
		if resp, err := c.hc.Do(req); err == nil {
			resp.Body.Close()
			t.Fatal("100,000 steps answered in 50 ms")
		}
		cancel()
		// Each request on its own must stop short of its 100,000 steps
		// (together they may run more on a fast machine).
		time.Sleep(100 * time.Millisecond)
		if ran := c.status(false).Step - before; ran >= 100000 {
			t.Fatalf("a request abandoned after 50 ms ran %d steps", ran)
		}
	}
	a := c.status(false).Step
	time.Sleep(300 * time.Millisecond)
	b := c.status(false).Step
	if b != a {
		t.Errorf("after the clients left, the twin went from step %d to %d", a, b)
	}
	t.Logf("four abandoned requests for 100,000 steps each stopped at step %d", a)
}

// TestPerClientSlots: one client cannot hold every stream or shadow slot.
func TestPerClientSlots(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	_, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{MaxStreamsPerClient: 3})
	ctx := t.Context()
	for i := range 3 {
		ws, err := dialStream(t, ctx, c.base, "", "")
		if err != nil {
			t.Fatalf("stream %d: %v", i, err)
		}
		defer ws.CloseNow()
	}
	req, _ := http.NewRequest("GET", c.base+"/v1/stream", nil)
	for k, v := range map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="} {
		req.Header.Set(k, v)
	}
	resp, body := c.raw(t, req)
	if resp.StatusCode != 429 || code(t, body) != "too_many_streams" {
		t.Errorf("4th stream of one client: %d %s", resp.StatusCode, body)
	}
	other := clientFrom(t, c, "127.0.0.4")
	shadow := `{"policy":"max_pressure","horizon":3600}`
	c.must("POST", "/v1/shadow", shadow, nil)
	overLimit(t, c, other, "/v1/shadow", shadow, "shadow_busy", "second shadow of one client")
}

// TestCrossSite: requests a hostile web page (or a DNS-rebound name) can
// make are refused in the JSON error shape.
func TestCrossSite(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	_, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{Origins: []string{"dash.example.org"}})
	host := strings.TrimPrefix(c.base, "http://")
	ws := map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
	for _, tc := range []struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
		code                     string
	}{
		{"text/plain POST from another site", "POST", "/v1/commands", `{"kind":"close_road","road":"road_2_1_0"}`,
			map[string]string{"Content-Type": "text/plain", "Origin": "http://evil.example"}, 403, "forbidden_origin"},
		{"text/plain POST without Origin", "POST", "/v1/commands", `{"kind":"close_road","road":"road_2_1_0"}`,
			map[string]string{"Content-Type": "text/plain"}, 415, "unsupported_media_type"},
		{"form POST", "POST", "/v1/pause", "", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"},
		{"JSON POST from another site", "POST", "/v1/pause", "", map[string]string{"Content-Type": "application/json", "Origin": "https://evil.example"}, 403, "forbidden_origin"},
		{"Host evil.example (DNS rebinding)", "GET", "/v1/status", "", map[string]string{"Host": "evil.example"}, 403, "forbidden_host"},
		{"WebSocket with a foreign Host", "GET", "/v1/stream", "", merge(ws, map[string]string{"Host": "evil.example:80"}), 403, "forbidden_host"},
		{"WebSocket with a foreign Origin", "GET", "/v1/stream", "", merge(ws, map[string]string{"Origin": "http://evil.example"}), 403, "forbidden_origin"},
		{"null Origin", "GET", "/v1/status", "", map[string]string{"Origin": "null"}, 403, "forbidden_origin"},
		{"not a WebSocket", "GET", "/v1/stream", "", nil, 426, "upgrade_required"},
		{"an old WebSocket", "GET", "/v1/stream", "", merge(ws, map[string]string{"Sec-WebSocket-Version": "8"}), 426, "upgrade_required"},
		{"same origin", "POST", "/v1/pause", "", map[string]string{"Content-Type": "application/json; charset=utf-8", "Origin": "http://" + host}, 409, "wrong_mode"},
		{"an allowed origin", "GET", "/v1/status", "", map[string]string{"Origin": "https://dash.example.org"}, 200, ""},
		{"localhost by name", "GET", "/v1/status", "", map[string]string{"Host": "localhost:1234"}, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r io.Reader
			if tc.body != "" {
				r = strings.NewReader(tc.body)
			}
			req, _ := http.NewRequest(tc.method, c.base+tc.path, r)
			for k, v := range tc.header {
				if k == "Host" {
					req.Host = v
					continue
				}
				req.Header.Set(k, v)
			}
			resp, body := c.raw(t, req)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d %.200s, want %d", resp.StatusCode, body, tc.status)
			}
			if tc.code != "" && code(t, body) != tc.code {
				t.Errorf("code %s, want %s", code(t, body), tc.code)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	if st := c.status(false); st.Step != 0 || st.Pending != 0 {
		t.Errorf("something was queued or run: %+v", st)
	}
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// TestLoginFailuresLimited: guessing tokens is limited to LoginFailures
// at once, then one per second, even with the right token.
func TestLoginFailuresLimited(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	const token = "0123456789abcdef-right"
	_, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{Token: token, Rate: -1})
	guess := &client{t: t, base: c.base, hc: c.hc, token: "0123456789abcdef-wrong"}
	counts := map[int]int{}
	start := time.Now()
	for range 3000 {
		st, _ := guess.do("GET", "/v1/status", nil, nil)
		counts[st]++
	}
	t.Logf("3000 wrong tokens in %v: %v", time.Since(start).Round(time.Millisecond), counts)
	if counts[401] > LoginFailures+2 || counts[429] < 2900 {
		t.Errorf("statuses %v: want at most %d tries, the rest 429", counts, LoginFailures)
	}
	if st, body := c.do("GET", "/v1/status", nil, nil); st != 429 || code(t, body) != "too_many_failures" {
		t.Errorf("the right token while locked out: %d %s", st, body)
	}
	other := clientFrom(t, c, "127.0.0.5")
	other.token = token
	other.must("GET", "/v1/status", nil, nil)
}

// TestLogBudget: the command log in memory stays within its bytes, and
// GET /v1/log streams a long reply.
func TestLogBudget(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	tw, c := startTwin(t, run, Options{Stepped: true, MaxLogBytes: 64 << 10}, ServerOptions{Rate: -1})
	junctions := `"intersection_1_1","intersection_2_1","intersection_3_1","intersection_1_2","intersection_2_2","intersection_3_2"`
	for range 100 {
		var cmds []any
		for range 20 {
			cmds = append(cmds, json.RawMessage(`{"kind":"switch_policy","policy":"fixed_time","junctions":[`+junctions+`]}`))
		}
		c.step(1, cmds)
	}
	var bytes, entries int
	tw.do(context.Background(), func() { bytes, entries = tw.logBytes, len(tw.log) })
	if bytes > 64<<10 || entries == 0 {
		t.Errorf("%d entries, %d bytes in memory; budget 65536", entries, bytes)
	}
	var reply struct {
		Entries []LogEntry `json:"entries"`
	}
	c.must("GET", "/v1/log?limit=100000", nil, &reply)
	if len(reply.Entries) != entries || reply.Entries[len(reply.Entries)-1].Seq != 1999 {
		t.Errorf("GET /v1/log: %d entries (last %d), want the %d kept ending at 1999", len(reply.Entries), reply.Entries[len(reply.Entries)-1].Seq, entries)
	}
	t.Logf("2,000 commands: %d entries (%d bytes) kept", entries, bytes)
}

// TestBadTokenRefused: a blank or short token cannot configure a server.
func TestBadTokenRefused(t *testing.T) {
	for _, tok := range []string{" ", "   \t", "x", "short-token"} {
		if err := CheckToken(tok); err == nil {
			t.Errorf("CheckToken(%q) accepted", tok)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Handler accepted a one-character token")
		}
	}()
	tw, _ := New(buildRun(t, gridScenario(t)), Options{})
	httptest.NewServer(tw.Handler(ServerOptions{Token: "x"}))
}
