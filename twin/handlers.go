package twin

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The handlers of the API's routes (Twin.Handler lists them).

func (s *server) index(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, map[string]any{"name": "citytwin", "api": "/v1", "openapi": "/v1/openapi.json", "routes": s.routes})
}

func (s *server) openapi(w http.ResponseWriter, r *http.Request) { writeRaw(w, 200, openAPI) }

func (s *server) status(w http.ResponseWriter, r *http.Request) {
	withHash, err := boolParam(r, "hash")
	if err != nil {
		writeError(w, err)
		return
	}
	ctx, cancel := s.ctx(r)
	defer cancel()
	st, err := s.t.Status(ctx, withHash)
	reply(w, st, err)
}

func boolParam(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	switch v {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	}
	return false, errorf(statusBadRequest, "bad_query", "%s must be true or false, got %q", name, clip(v, 20))
}

func (s *server) network(w http.ResponseWriter, r *http.Request) {
	geom, err := boolParam(r, "geometry")
	if err != nil {
		writeError(w, err)
		return
	}
	writeRaw(w, 200, s.t.netJSON.get(s.t.run.Network, geom))
}

// parseParts parses a comma-separated list of observation parts.
func parseParts(v string) ([]string, error) {
	if v == "" {
		return nil, nil
	}
	var out []string
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if p == "all" {
			return slices.Clone(Parts), nil
		}
		if !slices.Contains(Parts, p) {
			return nil, errorf(statusBadRequest, "bad_query", "include: unknown part %q (want %s or all)", clip(p, 30), strings.Join(Parts, ", "))
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

func (s *server) observe(w http.ResponseWriter, r *http.Request) {
	parts, err := parseParts(r.URL.Query().Get("include"))
	if err != nil {
		writeError(w, err)
		return
	}
	s.writeObservation(w, r, parts)
}

func (s *server) part(p string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { s.writeObservation(w, r, []string{p}) }
}

func (s *server) writeObservation(w http.ResponseWriter, r *http.Request, parts []string) {
	ctx, cancel := s.ctx(r)
	defer cancel()
	f, err := s.t.observeFrame(ctx, parts)
	if err != nil {
		writeError(w, err)
		return
	}
	b, err := f.json(parts)
	if err != nil {
		writeError(w, &Error{Status: 500, Code: "internal", Msg: "cannot encode the observation: " + err.Error()})
		return
	}
	writeRaw(w, 200, b)
}

// Accepted is the answer to queued commands.
type Accepted struct {
	Accepted int `json:"accepted"`
	// Step is the number of steps taken when they were queued: immediate
	// commands apply before step Step+1.
	Step int64 `json:"step"`
}

func (s *server) commands(w http.ResponseWriter, r *http.Request) {
	b, err := body(r)
	if err != nil {
		writeError(w, err)
		return
	}
	cmds, err := DecodeCommands(b)
	if err != nil {
		writeError(w, err)
		return
	}
	s.submit(w, r, cmds)
}

func (s *server) submit(w http.ResponseWriter, r *http.Request, cmds []Command) {
	ctx, cancel := s.ctx(r)
	defer cancel()
	step, err := s.t.Submit(ctx, cmds)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, 202, Accepted{Accepted: len(cmds), Step: step})
}

// StepRequest is the body of POST /v1/step.
type StepRequest struct {
	// N is the number of steps (default 1).
	N int64 `json:"n,omitempty"`
	// Commands are queued before the steps (applied before the first).
	Commands []json.RawMessage `json:"commands,omitempty"`
	// Include lists the observation parts to return after the last step.
	Include []string `json:"include,omitempty"`
}

func (s *server) step(w http.ResponseWriter, r *http.Request) {
	var req StepRequest
	if err := decodeBody(r, &req, true); err != nil {
		writeError(w, err)
		return
	}
	if req.N == 0 {
		req.N = 1
	}
	parts, err := parseParts(strings.Join(req.Include, ","))
	if err != nil {
		writeError(w, err)
		return
	}
	var cmds []Command
	if len(req.Commands) > 0 {
		if len(req.Commands) > MaxCommandsPerRequest {
			writeError(w, errorf(statusTooLarge, "too_many_commands", "at most %d commands per request", MaxCommandsPerRequest))
			return
		}
		cmds = make([]Command, len(req.Commands))
		for i, raw := range req.Commands {
			if e := decodeCommand(raw, &cmds[i]); e != nil {
				e.Msg = fmt.Sprintf("commands[%d]: %s", i, e.Msg)
				writeError(w, e)
				return
			}
		}
	}
	// Stepping takes as long as it takes; the client's connection bounds it.
	o, err := s.t.Step(r.Context(), req.N, cmds, parts)
	reply(w, o, err)
}

func (s *server) controlReply(w http.ResponseWriter, r *http.Request, f func(context.Context) error) {
	ctx, cancel := s.ctx(r)
	defer cancel()
	if err := f(ctx); err != nil {
		writeError(w, err)
		return
	}
	st, err := s.t.Status(ctx, false)
	reply(w, st, err)
}

func (s *server) pause(w http.ResponseWriter, r *http.Request) {
	if err := decodeBody(r, &struct{}{}, true); err != nil {
		writeError(w, err)
		return
	}
	s.controlReply(w, r, s.t.Pause)
}

func (s *server) resume(w http.ResponseWriter, r *http.Request) {
	if err := decodeBody(r, &struct{}{}, true); err != nil {
		writeError(w, err)
		return
	}
	s.controlReply(w, r, s.t.Resume)
}

func (s *server) pace(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Pace *float64 `json:"pace"`
	}
	if err := decodeBody(r, &req, false); err != nil {
		writeError(w, err)
		return
	}
	if req.Pace == nil {
		writeError(w, errorf(statusUnprocess, "invalid_request", "needs {\"pace\": k}: simulated seconds per wall second, 0 for as fast as possible"))
		return
	}
	s.controlReply(w, r, func(ctx context.Context) error { return s.t.SetPace(ctx, *req.Pace) })
}

func (s *server) mode(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Mode string `json:"mode"`
	}
	if err := decodeBody(r, &req, false); err != nil {
		writeError(w, err)
		return
	}
	s.controlReply(w, r, func(ctx context.Context) error { return s.t.SetMode(ctx, req.Mode) })
}

// withKind decodes a command object that may leave out its kind.
func withKind(raw []byte, kind string) (Command, error) {
	var m map[string]json.RawMessage
	if e := strictUnmarshal(raw, &m); e != nil {
		return Command{}, e
	}
	if m == nil {
		return Command{}, errorf(statusBadRequest, "bad_json", "want a JSON object")
	}
	if k, ok := m["kind"]; ok {
		var got string
		if json.Unmarshal(k, &got) != nil || got != kind {
			return Command{}, errorf(statusUnprocess, "invalid_command", "kind must be %q here (or left out)", kind)
		}
		return DecodeCommand(raw)
	}
	m["kind"], _ = json.Marshal(kind)
	b, _ := json.Marshal(m)
	return DecodeCommand(b)
}

func (s *server) fieldCounts(w http.ResponseWriter, r *http.Request) {
	b, err := body(r)
	if err != nil {
		writeError(w, err)
		return
	}
	c, err := withKind(b, KindFieldCounts)
	if err != nil {
		writeError(w, err)
		return
	}
	s.submit(w, r, []Command{c})
}

func (s *server) fieldSignals(w http.ResponseWriter, r *http.Request) {
	b, err := body(r)
	if err != nil {
		writeError(w, err)
		return
	}
	var list struct {
		Signals []json.RawMessage `json:"signals"`
	}
	raws := []json.RawMessage{b}
	if strictUnmarshal(b, &list) == nil && list.Signals != nil {
		raws = list.Signals
	}
	if len(raws) == 0 || len(raws) > MaxCommandsPerRequest {
		writeError(w, errorf(statusUnprocess, "invalid_command", "want 1 to %d signal states", MaxCommandsPerRequest))
		return
	}
	cmds := make([]Command, len(raws))
	for i, raw := range raws {
		c, err := withKind(raw, KindFieldSignal)
		if err != nil {
			writeError(w, err)
			return
		}
		cmds[i] = c
	}
	s.submit(w, r, cmds)
}

// MaxShadowWait bounds how long POST /v1/shadow?wait=1 waits.
const MaxShadowWait = 10 * time.Minute

func (s *server) shadow(w http.ResponseWriter, r *http.Request) {
	wait, err := boolParam(r, "wait")
	if err != nil {
		writeError(w, err)
		return
	}
	var req ShadowRequest
	if err := decodeBody(r, &req, false); err != nil {
		writeError(w, err)
		return
	}
	ctx, cancel := s.ctx(r)
	id, err := s.t.Shadow(ctx, req) // the client is in r's context
	cancel()
	if err != nil {
		writeError(w, err)
		return
	}
	if !wait {
		res, _ := s.t.ShadowResult(id)
		w.Header().Set("Location", "/v1/shadow/"+id)
		writeJSON(w, 202, res)
		return
	}
	wctx, cancel := context.WithTimeout(r.Context(), MaxShadowWait)
	defer cancel()
	res, err := s.t.WaitShadow(wctx, id)
	reply(w, res, err)
}

func (s *server) shadowList(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, map[string]any{"shadows": s.t.Shadows()})
}

func (s *server) shadowGet(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	res, ok := s.t.ShadowResult(id)
	if !ok {
		writeError(w, errorf(statusNotFound, "not_found", "no shadow run %q", clip(id, 20)))
		return
	}
	writeJSON(w, 200, res)
}

func (s *server) log(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since, limit := int64(0), 1000
	if v := q.Get("since"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			writeError(w, errorf(statusBadRequest, "bad_query", "since must be a log sequence number ≥ 0, got %q", clip(v, 20)))
			return
		}
		since = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			writeError(w, errorf(statusBadRequest, "bad_query", "limit must be in [1, 100000], got %q", clip(v, 20)))
			return
		}
		limit = n
	}
	// The entries are fetched and written in chunks, so the reply never
	// sits whole in memory.
	ctx, cancel := s.ctx(r)
	entries, err := s.t.Log(ctx, since, min(limit, logChunk))
	cancel()
	if err != nil {
		writeError(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(200)
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(`{"entries":[`)
	sent := 0
	for len(entries) > 0 {
		for _, e := range entries {
			b := e.raw // encoded once, when logged
			if b == nil {
				var err error
				if b, err = json.Marshal(e); err != nil {
					return
				}
			}
			if sent > 0 {
				bw.WriteByte(',')
			}
			bw.Write(b)
			sent++
		}
		if sent >= limit || len(entries) < logChunk {
			break
		}
		since = entries[len(entries)-1].Seq + 1
		ctx, cancel := s.ctx(r)
		entries, err = s.t.Log(ctx, since, min(limit-sent, logChunk))
		cancel()
		if err != nil {
			return // the reply is cut short: its JSON does not close
		}
	}
	bw.WriteString("]}\n")
	bw.Flush()
}

// logChunk is how many log entries GET /v1/log fetches at a time.
const logChunk = 4096
