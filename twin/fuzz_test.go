package twin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var commandSeeds = []string{
	`{"kind":"close_lane","road":"road_1_1_0","lane":0}`,
	`{"kind":"open_lane","road":"road_1_1_0","lane":0}`,
	`{"kind":"close_road","road":"road_2_1_0","at":30}`,
	`{"kind":"open_road","road":"road_2_1_0"}`,
	`{"kind":"speed_limit","road":"road_1_2_2","speed":6.5}`,
	`{"kind":"scale_demand","factor":1.5,"begin":10,"end":600}`,
	`{"kind":"add_demand","from":"road_0_2_0","to":"road_3_1_0","rate":400,"end":900,"distribution":"uniform"}`,
	`{"kind":"switch_policy","policy":"max_pressure","junctions":["intersection_1_1"],"phases":[0,2]}`,
	`{"kind":"switch_policy","policy":"external"}`,
	`{"kind":"force_phase","junction":"intersection_2_2","phase":2,"duration":60}`,
	`{"kind":"set_phase","junction":"intersection_2_2","phase":1}`,
	`{"kind":"field_counts","interval":60,"counts":[{"road":"road_0_1_0","count":20},{"road":"road_0_2_0","lane":1,"count":3}]}`,
	`{"kind":"field_signal","junction":"intersection_1_1","state":"gGGrrrrrrgGG"}`,
	`{"kind":"release_signal","junction":"intersection_1_1"}`,
	`[{"kind":"close_road","road":"road_2_1_0"},{"kind":"open_road","road":"road_2_1_0","at":100}]`,
	`{"commands":[{"kind":"field_signal","junction":"intersection_2_1","phase":3}]}`,
	`{"kind":"close_lane","road":"road_1_1_0","lane":99}`,
	`{"kind":"speed_limit","road":"road_1_2_2","speed":1e308}`,
	`{"kind":"add_demand","from":"zone:x","to":"road_3_1_0","rate":1,"end":1}`,
	`{"kind":"field_counts","interval":1e-300,"counts":[{"road":"road_0_1_0","count":1e6}]}`,
	`[]`, `{}`, `null`, `[null]`, `"x"`, `{"kind":null}`, `{"kind":"close_road","road":{"x":1}}`,
}

// TestDecodeCommands checks the decoder's forms and that every error it
// returns is a 4xx *Error.
func TestDecodeCommands(t *testing.T) {
	for _, s := range commandSeeds {
		cmds, err := DecodeCommands([]byte(s))
		var e *Error
		if err != nil && (!errors.As(err, &e) || e.Status/100 != 4 || e.Msg == "") {
			t.Errorf("%s: error %#v is not a 4xx *Error", s, err)
		}
		if err == nil && len(cmds) == 0 {
			t.Errorf("%s: no command and no error", s)
		}
	}
	many := "[" + strings.Repeat(`{"kind":"open_road","road":"a"},`, MaxCommandsPerRequest) + `{"kind":"open_road","road":"a"}]`
	if _, err := DecodeCommands([]byte(many)); err == nil || err.(*Error).Code != "too_many_commands" {
		t.Errorf("%d commands: %v", MaxCommandsPerRequest+1, err)
	}
	c, err := DecodeCommand([]byte(`{"kind":"close_lane","road":"r","lane":1,"at":5}`))
	if err != nil || c.Kind != "close_lane" || *c.Lane != 1 || c.At != 5 || c.Road != "r" {
		t.Errorf("decoded %+v, %v", c, err)
	}
}

// FuzzCommands feeds arbitrary bytes to the command decoder, checks what
// it accepts against a twin's world and applies what passes, stepping
// after each input: nothing may panic, and every refusal is a 4xx.
func FuzzCommands(f *testing.F) {
	for _, s := range commandSeeds {
		f.Add([]byte(s))
	}
	run := buildRun(f, gridScenario(f))
	exits := newExitCache(run.Network)
	var w *world
	inputs := 0
	f.Fuzz(func(t *testing.T, data []byte) {
		if w == nil || inputs%500 == 0 || w.sim.NumTrips() > 50000 {
			if w != nil {
				w.close()
			}
			var err error
			if w, err = newWorld(run, exits); err != nil {
				t.Fatal(err)
			}
			w.maxTrips = 50000
		}
		inputs++
		cmds, err := DecodeCommands(data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Status/100 != 4 {
				t.Fatalf("decoding %q: %#v is not a 4xx *Error", data, err)
			}
			return
		}
		var ok []*Command
		for i := range cmds {
			if err := w.check(&cmds[i]); err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Status/100 != 4 {
					t.Fatalf("checking %q: %#v is not a 4xx *Error", data, err)
				}
				continue
			}
			ok = append(ok, &cmds[i])
		}
		w.step(ok)
		if p := w.pendingTrips(); p > float64(w.maxTrips) {
			t.Fatalf("after %q: %.0f trips still to depart, budget %d", data, p, w.maxTrips)
		}
	})
}

// FuzzAPI sends arbitrary bodies to every POST route (and arbitrary query
// strings to the GET ones) of a client-stepped twin: every answer is 2xx
// or a 4xx in the JSON error shape, never a 5xx or a panic, and the twin
// stays within its trip budget.
func FuzzAPI(f *testing.F) {
	routes := []string{"/v1/commands", "/v1/step", "/v1/pause", "/v1/resume", "/v1/pace", "/v1/mode", "/v1/field/counts",
		"/v1/field/signals", "/v1/shadow", "/v1/log", "/v1/observe", "/v1/status", "/v1/shadow/s1", "/v1/stream", "/v1/network"}
	for i, s := range commandSeeds {
		f.Add(uint8(i), "", []byte(s))
	}
	for i, s := range []string{`{"n":3,"commands":[{"kind":"close_road","road":"road_2_1_0"}],"include":["lanes"]}`, `{}`, `{"pace":0}`,
		`{"mode":"paced"}`, `{"interval":60,"counts":[{"road":"road_0_1_0","count":5}]}`, `{"signals":[{"junction":"intersection_1_1","phase":1}]}`,
		`{"policy":"max_pressure","horizon":60}`, `{"commands":[{"kind":"scale_demand","factor":10}],"back":300}`} {
		f.Add(uint8(i+1), "", []byte(s))
	}
	f.Add(uint8(9), "since=0&limit=100000", []byte(nil))
	f.Add(uint8(10), "include=all", []byte(nil))
	f.Add(uint8(11), "hash=1", []byte(nil))
	run := buildRun(f, gridScenario(f))
	tw, err := New(run, Options{Stepped: true, MaxTrips: 20000, CheckpointEvery: 60})
	if err != nil {
		f.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tw.Run(ctx) }()
	f.Cleanup(func() { cancel(); <-done })
	h := tw.Handler(ServerOptions{Rate: -1, Timeout: 5 * time.Second})
	f.Fuzz(func(t *testing.T, route uint8, query string, body []byte) {
		path := routes[int(route)%len(routes)]
		method := "POST"
		switch path {
		case "/v1/log", "/v1/observe", "/v1/status", "/v1/shadow/s1", "/v1/stream", "/v1/network":
			method = "GET"
		}
		if len(body) > 1<<16 {
			body = body[:1<<16]
		}
		req := httptest.NewRequest(method, "http://127.0.0.1"+path, bytes.NewReader(body))
		req.URL.RawQuery = query
		if method == "POST" {
			req.Header.Set("Content-Type", "application/json")
		}
		if path == "/v1/step" { // bounded, so that the fuzzer moves on
			var sr map[string]any
			if json.Unmarshal(body, &sr) == nil {
				if n, ok := sr["n"].(float64); ok && n > 50 {
					return
				}
			}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s?%s %q: %d %s", method, path, query, body, rec.Code, rec.Body.Bytes())
		}
		if rec.Code >= 400 {
			var e ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Status != rec.Code || e.Error.Code == "" {
				t.Fatalf("%s %s %q: %d body %q is not the JSON error shape", method, path, body, rec.Code, rec.Body.Bytes())
			}
		}
		var pending float64
		tw.do(context.Background(), func() { pending = tw.w.pendingTrips() })
		if pending > 20000 {
			t.Fatalf("after %s %s %q: %.0f trips still to depart, budget 20000", method, path, body, pending)
		}
	})
}
