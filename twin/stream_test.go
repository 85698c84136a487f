package twin

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// streamFrame is a decoded stream message.
type streamFrame struct {
	Type    string  `json:"type"`
	T       float64 `json:"t"`
	Step    int64   `json:"step"`
	Running int64   `json:"running"`
	V       []any   `json:"v"`
	P       []int   `json:"p"`
	L       string  `json:"l"`
}

func dialStream(t testing.TB, ctx context.Context, base, query, token string) (*websocket.Conn, error) {
	t.Helper()
	opts := &websocket.DialOptions{}
	if token != "" {
		opts.HTTPHeader = http.Header{"Authorization": {"Bearer " + token}}
	}
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/v1/stream"+query, opts)
	if err == nil {
		c.SetReadLimit(8 << 20)
	}
	return c, err
}

func readFrame(ctx context.Context, c *websocket.Conn) (streamFrame, error) {
	var f streamFrame
	_, b, err := c.Read(ctx)
	if err != nil {
		return f, err
	}
	err = json.Unmarshal(b, &f)
	return f, err
}

// TestStream reads the hello and frames of a running twin.
func TestStream(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	_, c := startTwin(t, run, Options{Pace: 100, Until: -1}, ServerOptions{Rate: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, err := dialStream(t, ctx, c.base, "?rate=20", "")
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	_, b, err := ws.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var hello StreamHello
	if err := json.Unmarshal(b, &hello); err != nil || hello.Type != "hello" || len(hello.Signalised) != 6 || hello.Rate != 20 {
		t.Fatalf("hello %s: %v", b, err)
	}
	last := int64(-1)
	sawVehicles := false
	for range 8 {
		f, err := readFrame(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		if f.Type != "frame" || f.Step <= last || len(f.P) != 6 || len(f.L) != len(run.Network.Movements) || len(f.V) != 5*int(f.Running) {
			t.Fatalf("frame after step %d: %+v", last, f)
		}
		sawVehicles = sawVehicles || len(f.V) > 0
		for k := 0; k+4 < len(f.V); k += 5 {
			// Vehicles are named by their trip ids, as in trips.csv.
			if id, ok := f.V[k].(string); !ok || id == "" {
				t.Fatalf("vehicle %d of the frame: id %v is not a trip id", k/5, f.V[k])
			}
			if _, ok := f.V[k+1].(float64); !ok {
				t.Fatalf("vehicle %d of the frame: x %v", k/5, f.V[k+1])
			}
		}
		last = f.Step
	}
	if !sawVehicles {
		t.Errorf("no vehicles in 8 frames")
	}
	ws.Close(websocket.StatusNormalClosure, "")

	// Without vehicles.
	ws2, err := dialStream(t, ctx, c.base, "?rate=10&vehicles=false", "")
	if err != nil {
		t.Fatal(err)
	}
	defer ws2.CloseNow()
	readFrame(ctx, ws2) // hello
	f, err := readFrame(ctx, ws2)
	if err != nil || f.V != nil || f.Type != "frame" {
		t.Errorf("frame without vehicles: %+v %v", f, err)
	}
}

// Vehicles in observations carry their trip ids, as in trips.csv and the
// FCD output, beside the engine's index.
func TestVehicleIDsAreTripIDs(t *testing.T) {
	run := buildRun(t, gridScenario(t))
	ids := map[string]bool{}
	for _, tr := range run.Trips {
		ids[tr.ID] = true
	}
	_, c := startTwin(t, run, Options{Stepped: true}, ServerOptions{Rate: -1})
	o := c.step(120, nil, PartVehicles)
	if len(o.Vehicles) == 0 {
		t.Fatal("no vehicles after 120 steps")
	}
	seen := map[int32]bool{}
	for _, v := range o.Vehicles {
		if !ids[v.ID] || seen[v.Index] {
			t.Errorf("vehicle %q (index %d) is not a trip id of the scenario, or its index repeats", v.ID, v.Index)
		}
		seen[v.Index] = true
	}
}
