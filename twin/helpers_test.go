package twin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/citytwin/citytwin/internal/testrun"
	"github.com/citytwin/citytwin/scenarios"
)

// gridScenario is the text of testdata/grid.toml.
func gridScenario(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/grid.toml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// buildRun parses and builds scenario text (relative paths from testdata).
func buildRun(t testing.TB, text string) *scenarios.Run {
	t.Helper()
	sc := testrun.Parse(t, text, "testdata/test.toml")
	run, err := scenarios.Build(sc)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// startTwin runs a twin of run behind an httptest server until the test
// ends.
func startTwin(t testing.TB, run *scenarios.Run, opt Options, sopt ServerOptions) (*Twin, *client) {
	t.Helper()
	tw, err := New(run, opt)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tw.Run(ctx) }()
	srv := httptest.NewServer(tw.Handler(sopt))
	t.Cleanup(func() {
		srv.Close()
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return tw, &client{t: t, base: srv.URL, hc: srv.Client(), token: sopt.Token}
}

// client is a minimal API client for tests.
type client struct {
	t     testing.TB
	base  string
	hc    *http.Client
	token string
}

// do sends a request with a JSON body (a string is sent as it is) and
// decodes a 2xx response into out. It returns the status and the body.
func (c *client) do(method, path string, body, out any) (int, []byte) {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if method == "POST" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, data := c.raw(c.t, req)
	if resp.StatusCode/100 == 2 && out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
	return resp.StatusCode, data
}

// raw sends req as the caller built it (no token or Content-Type added)
// and returns the response with its body, read and closed; t is the
// (sub)test to fail.
func (c *client) raw(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, data
}

// must is do that fails the test unless the status is 2xx.
func (c *client) must(method, path string, body, out any) {
	c.t.Helper()
	if st, data := c.do(method, path, body, out); st/100 != 2 {
		c.t.Fatalf("%s %s: status %d: %s", method, path, st, data)
	}
}

func (c *client) status(hash bool) Status {
	c.t.Helper()
	var st Status
	p := "/v1/status"
	if hash {
		p += "?hash=1"
	}
	c.must("GET", p, nil, &st)
	return st
}

// step steps n times with commands and returns the observation.
func (c *client) step(n int, cmds []any, include ...string) Observation {
	c.t.Helper()
	var o Observation
	c.must("POST", "/v1/step", map[string]any{"n": n, "commands": cmds, "include": include}, &o)
	return o
}

// eventTOML writes events as [[events]] tables.
func eventTOML(t testing.TB, evs []scenarios.Event) string {
	t.Helper()
	var b strings.Builder
	for _, e := range evs {
		data, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		json.Unmarshal(data, &m)
		b.WriteString("\n[[events]]\n")
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s = %s\n", k, tomlValue(m[k]))
		}
	}
	return b.String()
}

func tomlValue(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case float64:
		if x == float64(int64(x)) {
			return fmt.Sprintf("%d", int64(x))
		}
		return fmt.Sprint(x)
	case []any:
		parts := make([]string, len(x))
		for i, y := range x {
			parts[i] = tomlValue(y)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

func ptr[T any](v T) *T { return &v }

// laneCount sums the loop counts of a road's lanes in an observation.
func laneCount(o Observation, road string) (count int64, vehicles int) {
	for _, l := range o.Lanes {
		if l.Road == road {
			count += l.Count
			vehicles += l.Vehicles
		}
	}
	return
}
