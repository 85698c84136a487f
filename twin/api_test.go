package twin

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestBadInput sends what a careless or hostile client might, and checks
// each gets a 4xx with a clear JSON error while the twin runs on.
func TestBadInput(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	_, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{Rate: -1, MaxBody: 4096})
	c.step(10, nil)
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"malformed JSON", "POST", "/v1/commands", `{"kind": "close_road", "road": `, 400, "bad_json"},
		{"not JSON", "POST", "/v1/commands", `close the road`, 400, "bad_json"},
		{"empty body", "POST", "/v1/commands", ``, 400, "bad_json"},
		{"trailing data", "POST", "/v1/commands", `{"kind":"close_road","road":"road_2_1_0"} {}`, 400, "bad_json"},
		{"wrong type", "POST", "/v1/commands", `{"kind":"close_lane","road":"road_2_1_0","lane":"left"}`, 400, "bad_json"},
		{"number too large", "POST", "/v1/commands", `{"kind":"speed_limit","road":"road_2_1_0","speed":1e999}`, 400, "bad_json"},
		{"no kind", "POST", "/v1/commands", `{"road":"road_2_1_0"}`, 422, "invalid_command"},
		{"unknown kind", "POST", "/v1/commands", `{"kind":"explode"}`, 422, "invalid_command"},
		{"unknown key", "POST", "/v1/commands", `{"kind":"close_road","road":"road_2_1_0","colour":"red"}`, 422, "invalid_command"},
		{"key of another kind", "POST", "/v1/commands", `{"kind":"close_road","road":"road_2_1_0","factor":2}`, 422, "invalid_command"},
		{"unknown road", "POST", "/v1/commands", `{"kind":"close_road","road":"road_9_9_9"}`, 422, "invalid_command"},
		{"lane out of range", "POST", "/v1/commands", `{"kind":"close_lane","road":"road_2_1_0","lane":7}`, 422, "invalid_command"},
		{"negative lane", "POST", "/v1/commands", `{"kind":"close_lane","road":"road_2_1_0","lane":-1}`, 422, "invalid_command"},
		{"speed out of range", "POST", "/v1/commands", `{"kind":"speed_limit","road":"road_2_1_0","speed":500}`, 422, "invalid_command"},
		{"factor out of range", "POST", "/v1/commands", `{"kind":"scale_demand","factor":50}`, 422, "invalid_command"},
		{"negative time", "POST", "/v1/commands", `{"kind":"close_road","road":"road_2_1_0","at":-5}`, 422, "invalid_command"},
		{"unsignalised junction", "POST", "/v1/commands", `{"kind":"force_phase","junction":"intersection_0_1","phase":0,"duration":10}`, 422, "invalid_command"},
		{"unknown junction", "POST", "/v1/commands", `{"kind":"force_phase","junction":"nowhere","phase":0,"duration":10}`, 422, "invalid_command"},
		{"phase out of range", "POST", "/v1/commands", `{"kind":"force_phase","junction":"intersection_1_1","phase":9,"duration":10}`, 422, "invalid_command"},
		{"unknown policy", "POST", "/v1/commands", `{"kind":"switch_policy","policy":"chaos"}`, 422, "invalid_command"},
		{"add demand without end", "POST", "/v1/commands", `{"kind":"add_demand","from":"road_0_1_0","to":"road_3_1_0","rate":100}`, 422, "invalid_command"},
		{"huge add demand", "POST", "/v1/commands", `{"kind":"add_demand","from":"road_0_1_0","to":"road_3_1_0","rate":20000,"end":1e9}`, 422, "invalid_command"},
		{"set phase, not external", "POST", "/v1/commands", `{"kind":"set_phase","junction":"intersection_1_1","phase":0}`, 409, "wrong_mode"},
		{"release, not mirrored", "POST", "/v1/commands", `{"kind":"release_signal","junction":"intersection_1_1"}`, 409, "wrong_mode"},
		{"one bad of two", "POST", "/v1/commands", `[{"kind":"close_road","road":"road_2_1_0"},{"kind":"close_road","road":"x"}]`, 422, "invalid_command"},
		{"field counts, bad road", "POST", "/v1/field/counts", `{"interval":60,"counts":[{"road":"x","count":3}]}`, 422, "invalid_command"},
		{"field counts, fractional", "POST", "/v1/field/counts", `{"interval":60,"counts":[{"road":"road_0_1_0","count":2.5}]}`, 422, "invalid_command"},
		{"field counts, twice", "POST", "/v1/field/counts", `{"interval":60,"counts":[{"road":"road_0_1_0","count":2},{"road":"road_0_1_0","lane":0,"count":1}]}`, 422, "invalid_command"},
		{"field counts, other kind", "POST", "/v1/field/counts", `{"kind":"close_road","road":"road_0_1_0"}`, 422, "invalid_command"},
		{"field signal, bad state", "POST", "/v1/field/signals", `{"junction":"intersection_1_1","state":"GGGG"}`, 422, "invalid_command"},
		{"field signal, phase and state", "POST", "/v1/field/signals", `{"junction":"intersection_1_1","phase":1,"state":"GGGG"}`, 422, "invalid_command"},
		{"oversized body", "POST", "/v1/commands", `{"kind":"close_road","road":"` + strings.Repeat("x", 5000) + `"}`, 413, "body_too_large"},
		{"too many commands", "POST", "/v1/commands", "[" + strings.Repeat(`{"kind":"open_road","road":"a"},`, 1000) + `{}]`, 413, "body_too_large"},
		{"steps out of range", "POST", "/v1/step", `{"n": 0.5}`, 400, "bad_json"},
		{"too many steps", "POST", "/v1/step", `{"n": 1000000}`, 422, "invalid_request"},
		{"unknown step key", "POST", "/v1/step", `{"n": 1, "fast": true}`, 400, "bad_json"},
		{"unknown part", "GET", "/v1/observe?include=lanes,weather", nil, 400, "bad_query"},
		{"bad hash flag", "GET", "/v1/status?hash=maybe", nil, 400, "bad_query"},
		{"pause in stepped mode", "POST", "/v1/pause", nil, 409, "wrong_mode"},
		{"resume in stepped mode", "POST", "/v1/resume", nil, 409, "wrong_mode"},
		{"bad pace", "POST", "/v1/pace", `{"pace": -3}`, 422, "invalid_request"},
		{"pace missing", "POST", "/v1/pace", `{}`, 422, "invalid_request"},
		{"bad mode", "POST", "/v1/mode", `{"mode": "turbo"}`, 422, "invalid_request"},
		{"shadow without candidate", "POST", "/v1/shadow", `{"horizon": 60}`, 422, "invalid_request"},
		{"shadow, both ways", "POST", "/v1/shadow", `{"policy":"sotl","horizon":60,"back":60}`, 422, "invalid_request"},
		{"shadow, long horizon", "POST", "/v1/shadow", `{"policy":"sotl","horizon":1e9}`, 422, "invalid_request"},
		{"shadow, bad junction", "POST", "/v1/shadow", `{"policy":"sotl","junctions":["x"]}`, 422, "invalid_command"},
		{"shadow, no checkpoint", "POST", "/v1/shadow", `{"policy":"sotl","back":3000}`, 422, "no_checkpoint"},
		{"unknown shadow", "GET", "/v1/shadow/s999", nil, 404, "not_found"},
		{"bad log query", "GET", "/v1/log?since=-1", nil, 400, "bad_query"},
		{"stream rate", "GET", "/v1/stream?rate=1000", nil, 400, "bad_query"},
		{"unknown path", "GET", "/v1/teleport", nil, 404, "not_found"},
		{"wrong method", "DELETE", "/v1/status", nil, 405, "method_not_allowed"},
		{"wrong method 2", "GET", "/v1/commands", nil, 405, "method_not_allowed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &client{t: t, base: c.base, hc: c.hc}
			got, body := c.do(tc.method, tc.path, tc.body, nil)
			var e ErrorBody
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("status %d, body %q: not a JSON error: %v", got, body, err)
			}
			if got != tc.status || e.Error.Code != tc.code || e.Error.Status != got || e.Error.Message == "" {
				t.Errorf("status %d, error %+v; want %d %s", got, e.Error, tc.status, tc.code)
			}
			t.Logf("%d %s", got, e.Error.Message)
		})
	}
	// The twin runs on, and nothing was queued.
	st := c.status(false)
	if st.Pending != 0 || st.Logged != 0 {
		t.Errorf("refused commands left traces: %d pending, %d logged", st.Pending, st.Logged)
	}
	o := c.step(5, nil)
	if o.Step != 15 {
		t.Errorf("after the bad requests: step %d, want 15", o.Step)
	}
}

// TestPaced runs a paced twin as fast as possible, pauses, resumes, sets
// the pace and switches modes.
func TestPaced(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	_, c := startTwin(t, run, Options{Pace: -1, Until: 600}, ServerOptions{Rate: -1})
	deadline := time.Now().Add(10 * time.Second)
	var st Status
	for {
		st = c.status(false)
		if st.Paused || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !st.Paused || st.Time != 600 || st.Note == "" {
		t.Fatalf("a paced twin with until = 600 s: %+v", st)
	}
	if code, _ := c.do("POST", "/v1/step", `{"n": 10}`, nil); code != 200 {
		t.Errorf("stepping a paused twin: status %d", code)
	}
	c.must("POST", "/v1/pace", `{"pace": 50}`, &st)
	c.must("POST", "/v1/resume", nil, &st)
	if st.Paused || st.Pace != 50 {
		t.Errorf("after resume at pace 50: %+v", st)
	}
	time.Sleep(300 * time.Millisecond)
	c.must("POST", "/v1/pause", nil, &st)
	if dt := st.Time - 610; dt < 5 || dt > 30 {
		t.Errorf("0.3 s at pace 50 ran %g simulated s", dt)
	}
	if code, _ := c.do("POST", "/v1/commands", `{"kind": "close_road", "road": "road_2_1_0"}`, nil); code != 202 {
		t.Errorf("queueing while paused: status %d", code)
	}
	paused := c.status(false)
	time.Sleep(50 * time.Millisecond)
	if again := c.status(false); again.Step != paused.Step || again.Pending != 1 {
		t.Errorf("paused twin moved from step %d to %d (pending %d)", paused.Step, again.Step, again.Pending)
	}
	c.must("POST", "/v1/mode", `{"mode": "stepped"}`, &st)
	if st.Mode != "stepped" {
		t.Errorf("mode %q", st.Mode)
	}
	o := c.step(1, nil)
	if st := c.status(false); st.Logged != 1 || st.Pending != 0 || o.Step != paused.Step+1 {
		t.Errorf("after one step: %+v", st)
	}
	c.must("POST", "/v1/mode", `{"mode": "paced"}`, &st)
	if st.Mode != "paced" || st.Paused {
		t.Errorf("back to paced: %+v", st)
	}
}

// TestAuthAndLimits checks the bearer token, the rate limit and
// CheckListen.
func TestAuthAndLimits(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	_, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{Token: "s3cret-0123456789abcdef", Rate: 20, Burst: 5})
	anon := &client{t: t, base: c.base, hc: c.hc}
	if code, body := anon.do("GET", "/v1/status", nil, nil); code != 401 || !strings.Contains(string(body), "unauthorized") {
		t.Errorf("without a token: %d %s", code, body)
	}
	wrong := &client{t: t, base: c.base, hc: c.hc, token: "guess"}
	if code, _ := wrong.do("GET", "/v1/status", nil, nil); code != 401 {
		t.Errorf("with a wrong token: %d", code)
	}
	time.Sleep(300 * time.Millisecond) // refill
	limited := 0
	for range 40 {
		code, body := c.do("GET", "/v1/status", nil, nil)
		switch code {
		case 200:
		case 429:
			limited++
			if !strings.Contains(string(body), "rate_limited") {
				t.Errorf("429 body %s", body)
			}
		default:
			t.Errorf("status %d %s", code, body)
		}
	}
	if limited == 0 {
		t.Errorf("40 requests at once with burst 5: none limited")
	}
	for _, tc := range []struct {
		addr, token string
		ok          bool
	}{
		{"127.0.0.1:8080", "", true}, {"localhost:0", "", true}, {"[::1]:8080", "", true},
		{":8080", "", false}, {"0.0.0.0:8080", "", false}, {"192.168.1.4:80", "", false}, {"0.0.0.0:8080", "t", false},
		{"0.0.0.0:8080", "0123456789abcdef", true}, {"0.0.0.0:8080", "                ", false}, {"127.0.0.1:80", " ", false},
		{"nonsense", "", false},
	} {
		if err := CheckListen(tc.addr, tc.token); (err == nil) != tc.ok {
			t.Errorf("CheckListen(%q, %q) = %v", tc.addr, tc.token, err)
		}
	}
}

// TestOpenAPICoversRoutes checks that the OpenAPI description lists
// exactly the routes the server has.
func TestOpenAPICoversRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	run := buildRun(t, gridScenario(t))
	tw, err := New(run, Options{Stepped: true})
	if err != nil {
		t.Fatal(err)
	}
	s := tw.Handler(ServerOptions{}).(*server)
	for _, r := range s.routes {
		p := r
		if r == "/{$}" {
			p = "/"
		}
		ops, ok := doc.Paths[p]
		if !ok {
			t.Errorf("route %s is not described", r)
			continue
		}
		for _, m := range strings.Split(s.allowed(r), ", ") {
			if _, ok := ops[strings.ToLower(m)]; !ok {
				t.Errorf("%s %s is not described", m, r)
			}
		}
	}
	for p := range doc.Paths {
		if !slices.Contains(s.routes, p) && !(p == "/" && slices.Contains(s.routes, "/{$}")) {
			t.Errorf("described path %s has no route", p)
		}
	}
	tw.w.close()
	for _, cp := range tw.checks {
		cp.w.close()
	}
}

// TestQueries checks the query endpoints' shapes.
func TestQueries(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	_, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{Rate: -1})
	c.step(120, []any{map[string]any{"kind": "close_lane", "road": "road_1_1_0", "lane": 1}})
	var net NetworkInfo
	c.must("GET", "/v1/network?geometry=1", nil, &net)
	if len(net.Signalised) != 6 || len(net.Roads) != len(run.Network.Roads) || len(net.Roads[0].Geometry) < 2 {
		t.Errorf("network: %d signalised, %d roads, geometry %v", len(net.Signalised), len(net.Roads), net.Roads[0].Geometry)
	}
	var o Observation
	c.must("GET", "/v1/observe?include=all", nil, &o)
	if o.Step != 120 || len(o.Lanes) != len(run.Network.Lanes) || len(o.Junctions) != 6 || len(o.Detectors) != len(run.Network.Lanes) ||
		int64(len(o.Vehicles)) != o.Counts.Running {
		t.Errorf("observation at step %d: %d lanes, %d junctions, %d detectors, %d vehicles of %d running",
			o.Step, len(o.Lanes), len(o.Junctions), len(o.Detectors), len(o.Vehicles), o.Counts.Running)
	}
	closed := 0
	moving := 0
	for _, l := range o.Lanes {
		if l.Closed {
			closed++
		}
		if l.MeanSpeed > 0 {
			moving++
		}
	}
	if closed != 1 || moving == 0 {
		t.Errorf("%d closed lanes, %d with moving vehicles", closed, moving)
	}
	for _, j := range o.Junctions {
		if len(j.Lights) != len(j.MovementHalting) || j.Policy != "fixed_time" || j.Stage == "" {
			t.Errorf("junction %+v", j)
		}
	}
	var lanes Observation
	c.must("GET", "/v1/lanes", nil, &lanes)
	if lanes.Lanes == nil || lanes.Vehicles != nil || lanes.Junctions != nil {
		t.Errorf("/v1/lanes gave other parts")
	}
	code, body := c.do("GET", "/", nil, nil)
	if code != 200 || !strings.Contains(string(body), "openapi") {
		t.Errorf("index: %d %s", code, body)
	}
	resp, err := c.hc.Get(c.base + "/v1/openapi.json")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("openapi: %v", err)
	} else {
		resp.Body.Close()
	}
}

// TestSteppingClientBudget checks that a client stepping a client-stepped
// twin in a tight loop under the default Rate is not refused (issue 18:
// 429 after the first 200 steps): POST /v1/step draws from a budget of
// its own (ServerOptions.StepRate, no bound by default), other requests
// still from Rate, and a StepRate, when set, bounds the steps.
func TestSteppingClientBudget(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	count := func(c *client, n int, method, path string, body any) (ok, limited int) {
		for range n {
			switch code, data := c.do(method, path, body, nil); code {
			case 200:
				ok++
			case 429:
				limited++
				if !strings.Contains(string(data), "rate_limited") {
					t.Errorf("%s %s: 429 %s", method, path, data)
				}
			default:
				t.Fatalf("%s %s: %d %s", method, path, code, data)
			}
		}
		return ok, limited
	}
	_, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{}) // Rate 100, burst 200
	if ok, limited := count(c, 400, "POST", "/v1/step", `{"n": 1}`); limited != 0 {
		t.Errorf("400 steps in a tight loop under the default rate: %d refused, %d done", limited, ok)
	}
	if _, limited := count(c, 400, "GET", "/v1/status", nil); limited == 0 {
		t.Errorf("400 status requests at once under the default rate: none refused")
	}
	_, c = startTwin(t, run, Options{Stepped: true}, ServerOptions{StepRate: 5})
	if _, limited := count(c, 40, "POST", "/v1/step", `{"n": 1}`); limited == 0 {
		t.Errorf("40 steps at once with StepRate 5: none refused")
	}
}
