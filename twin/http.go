package twin

import (
	"bufio"
	"context"
	"crypto/subtle"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ServerOptions configure the HTTP API of a twin.
type ServerOptions struct {
	// Token, when set, must come with every request as "Authorization:
	// Bearer TOKEN" (or, for the WebSocket stream, in the
	// Sec-WebSocket-Protocol header as StreamTokenPrefix + base64url, as
	// the dashboard sends it, or as ?access_token=TOKEN);
	// it must have at least MinTokenLength characters (CheckToken).
	// CheckListen requires one unless the server listens on loopback.
	// Without a token, only requests whose Host names the loopback
	// interface (localhost, 127.0.0.1, [::1]) are served, which defeats
	// DNS rebinding. A client's failed logins are rate-limited (burst
	// LoginFailures, then one per second; 429).
	Token string
	// MaxBody bounds request bodies (bytes; 0: 1 MiB).
	MaxBody int64
	// Rate and Burst bound the requests of each client address (per
	// second, and at once; 0: 100 and 2×Rate; a negative Rate: no bound).
	Rate  float64
	Burst int
	// MaxStreams bounds the WebSocket streams at once (0: 256), and
	// MaxStreamsPerClient those of one client address (0: 16).
	MaxStreams          int
	MaxStreamsPerClient int
	// Timeout bounds the wait for the twin's answer (0: 10 s). Steps and
	// shadow runs asked to wait have their own bounds.
	Timeout time.Duration
	// Origins lists the host patterns (path.Match, such as
	// "dash.example.org" or "*.example.org:8443") of the web pages
	// allowed to call the API from another origin. A request with an
	// Origin header is refused (403) unless the origin's host is the
	// request's Host (same origin) or matches one of them.
	Origins []string
	// ErrorLog receives server errors (panics caught); nil: log's default.
	ErrorLog *log.Logger
}

func (o *ServerOptions) defaults() {
	if o.MaxBody <= 0 {
		o.MaxBody = 1 << 20
	}
	if o.Rate == 0 {
		o.Rate = 100
	}
	if o.Burst <= 0 {
		o.Burst = int(math.Max(2*o.Rate, 1))
	}
	if o.MaxStreams <= 0 {
		o.MaxStreams = 256
	}
	if o.MaxStreamsPerClient <= 0 {
		o.MaxStreamsPerClient = 16
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.ErrorLog == nil {
		o.ErrorLog = log.Default()
	}
}

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI 3.1 description of the HTTP API.
func OpenAPI() []byte { return slices.Clone(openAPI) }

// MinTokenLength is the least length of a bearer token (characters).
const MinTokenLength = 16

// LoginFailures is how many failed logins a client may make at once
// before they are limited to one per second.
const LoginFailures = 10

// CheckToken reports whether token can be the server's bearer token: ""
// (none) or at least MinTokenLength characters, not blank.
func CheckToken(token string) error {
	switch t := strings.TrimSpace(token); {
	case token == "":
		return nil
	case t == "":
		return fmt.Errorf("twin: the token is blank (only spaces): set a real one, or none")
	case t != token:
		return fmt.Errorf("twin: the token starts or ends with spaces")
	case len([]rune(t)) < MinTokenLength:
		return fmt.Errorf("twin: the token has %d characters; use at least %d (such as the output of: openssl rand -hex 16)", len([]rune(t)), MinTokenLength)
	}
	return nil
}

// CheckListen refuses to listen on addr (host:port) beyond the loopback
// interface without a bearer token, and refuses tokens CheckToken does.
func CheckListen(addr, token string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("twin: listen address %q: %w", addr, err)
	}
	if err := CheckToken(token); err != nil {
		return err
	}
	if Loopback(host) || token != "" {
		return nil
	}
	return fmt.Errorf("twin: listening on %q reaches beyond this machine: set a bearer token (-token or CITYTWIN_TOKEN), or listen on 127.0.0.1", addr)
}

// Loopback reports whether host names only the loopback interface.
func Loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// server is the HTTP API of one twin.
type server struct {
	t        *Twin
	opt      ServerOptions
	mux      *http.ServeMux
	limit    *limiter
	failures *limiter // failed logins
	streams  atomic.Int64
	routes   []string

	mu        sync.Mutex
	streamsOf map[string]int // open streams by client
}

// Handler returns the HTTP API of the twin (see OpenAPI). Every response
// is JSON; every refused request gets a 4xx status with a JSON error
// {"error": {"status", "code", "message"}}, and the twin runs on.
//
// It panics if opt.Token is not a valid token (CheckToken).
func (t *Twin) Handler(opt ServerOptions) http.Handler {
	opt.defaults()
	if err := CheckToken(opt.Token); err != nil {
		panic(err)
	}
	s := &server{t: t, opt: opt, mux: http.NewServeMux(), limit: newLimiter(opt.Rate, float64(opt.Burst)),
		failures: newLimiter(1, LoginFailures), streamsOf: map[string]int{}}
	s.route("/v1/status", "GET", s.status)
	s.route("/v1/network", "GET", s.network)
	s.route("/v1/scene", "GET", s.scene)
	s.route("/v1/observe", "GET", s.observe)
	s.route("/v1/vehicles", "GET", s.part(PartVehicles))
	s.route("/v1/vehicles/{index}", "GET", s.vehicle)
	s.route("/v1/lanes", "GET", s.part(PartLanes))
	s.route("/v1/junctions", "GET", s.part(PartJunctions))
	s.route("/v1/junctions/{id}", "GET", s.junction)
	s.route("/v1/detectors", "GET", s.part(PartDetectors))
	s.route("/v1/commands", "POST", s.commands)
	s.route("/v1/step", "POST", s.step)
	s.route("/v1/pause", "POST", s.pause)
	s.route("/v1/resume", "POST", s.resume)
	s.route("/v1/pace", "POST", s.pace)
	s.route("/v1/mode", "POST", s.mode)
	s.route("/v1/field/counts", "POST", s.fieldCounts)
	s.route("/v1/field/signals", "POST", s.fieldSignals)
	s.route("/v1/shadow", "POST", s.shadow)
	s.route("/v1/shadow", "GET", s.shadowList)
	s.route("/v1/shadow/{id}", "GET", s.shadowGet)
	s.route("/v1/log", "GET", s.log)
	s.route("/v1/stream", "GET", s.stream)
	s.route("/v1/openapi.json", "GET", s.openapi)
	s.route("/{$}", "GET", s.index)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errorf(statusNotFound, "not_found", "no such path %q (see /v1/openapi.json)", clip(r.URL.Path, 80)))
	})
	return s
}

// route registers h for path and method; other methods get a JSON 405.
func (s *server) route(path, method string, h http.HandlerFunc) {
	s.mux.HandleFunc(method+" "+path, h)
	if !slices.Contains(s.routes, path) {
		s.routes = append(s.routes, path)
		s.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", s.allowed(path))
			writeError(w, errorf(405, "method_not_allowed", "%s %s: use %s", r.Method, path, s.allowed(path)))
		})
	}
}

func (s *server) allowed(path string) string {
	switch path {
	case "/v1/shadow":
		return "GET, POST"
	case "/v1/status", "/v1/network", "/v1/observe", "/v1/vehicles", "/v1/lanes", "/v1/junctions", "/v1/detectors",
		"/v1/shadow/{id}", "/v1/log", "/v1/stream", "/v1/openapi.json", "/{$}",
		"/v1/scene", "/v1/vehicles/{index}", "/v1/junctions/{id}":
		return "GET"
	}
	return "POST"
}

// ServeHTTP applies the safety checks, then routes.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.opt.ErrorLog.Printf("twin: panic serving %s %s: %v\n%s", r.Method, r.URL.Path, p, debug.Stack())
			writeError(w, &Error{Status: 500, Code: "internal", Msg: "internal error (the twin runs on)"})
		}
	}()
	client := clientKey(r)
	if s.opt.Token == "" && !loopbackHost(r.Host) {
		writeError(w, errorf(statusForbidden, "forbidden_host", "Host %q: without a token the twin answers only requests for localhost, 127.0.0.1 or [::1] (set a token to serve other names)", clip(r.Host, 80)))
		return
	}
	if err := s.checkOrigin(r); err != nil {
		writeError(w, err)
		return
	}
	if s.serveUI(w, r, client) {
		return
	}
	if s.opt.Token != "" {
		if ok, wait := s.failures.peek(client); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			writeError(w, errorf(statusTooMany, "too_many_failures", "too many failed logins from this client; retry in %.1f s", wait.Seconds()))
			return
		}
		if !s.authorized(r) {
			s.failures.allow(client)
			w.Header().Set("WWW-Authenticate", `Bearer realm="citytwin"`)
			writeError(w, errorf(401, "unauthorized", "a bearer token is required: Authorization: Bearer TOKEN"))
			return
		}
	}
	if ok, wait := s.limit.allow(client); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		writeError(w, errorf(statusTooMany, "rate_limited", "too many requests from this client; retry in %.1f s", wait.Seconds()))
		return
	}
	if r.Method == http.MethodPost && !jsonContent(r.Header.Get("Content-Type")) {
		writeError(w, errorf(statusUnsupported, "unsupported_media_type", "POST bodies must be sent as Content-Type: application/json, got %q", clip(r.Header.Get("Content-Type"), 60)))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.opt.MaxBody)
	sw := &statusRecorder{ResponseWriter: w}
	s.mux.ServeHTTP(sw, r.WithContext(WithClient(r.Context(), client)))
	if sw.status >= 400 && sw.status < 500 && sw.status != statusTooMany {
		s.limit.charge(client, RefusalCost-1)
	}
}

// RefusalCost is how many requests of a client's rate budget a refused
// request (4xx) costs: a client sending what the twin refuses (malformed,
// oversized, out of budget, cross-site) is slowed down ten times sooner
// than one whose requests succeed.
const RefusalCost = 10

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = 200
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController and the WebSocket upgrade reach
// the connection.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// jsonContent reports whether a Content-Type is application/json (with
// any parameters, such as a charset). Web pages cannot send it to another
// origin without the browser asking first (a CORS preflight, which the
// twin never grants), so it keeps other sites from posting commands.
func jsonContent(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

// loopbackHost reports whether a Host header names the loopback
// interface (with or without a port).
func loopbackHost(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	return strings.EqualFold(h, "localhost") || Loopback(h)
}

// checkOrigin refuses a request from a web page of another origin that
// Origins does not allow.
func (s *server) checkOrigin(r *http.Request) *Error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil // not from a browser's cross-origin request
	}
	u, err := url.Parse(origin)
	if err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host) {
		return nil
	}
	if err == nil && u.Host != "" {
		for _, p := range s.opt.Origins {
			if ok, _ := path.Match(strings.ToLower(p), strings.ToLower(u.Host)); ok {
				return nil
			}
		}
	}
	return errorf(statusForbidden, "forbidden_origin", "Origin %q may not call this twin (same origin only, or one of -origins)", clip(origin, 80))
}

func (s *server) authorized(r *http.Request) bool {
	got := ""
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return false
		}
		got = strings.TrimSpace(tok)
	} else if r.URL.Path == "/v1/stream" {
		var ok bool
		if got, ok = protocolToken(r); !ok {
			got = r.URL.Query().Get("access_token")
		}
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.opt.Token)) == 1
}

// clientKey is the rate-limit key of a request: its remote address.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ctx returns the request context bounded by the answer timeout.
func (s *server) ctx(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), s.opt.Timeout)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, &Error{Status: 500, Code: "internal", Msg: "cannot encode the response: " + err.Error()})
		return
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte{'\n'})
}

// ErrorBody is the body of every refused request.
type ErrorBody struct {
	Error struct {
		Status  int    `json:"status"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, err error) {
	var e *Error
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &e):
	case errors.As(err, &mb):
		e = errorf(statusTooLarge, "body_too_large", "the request body exceeds %d bytes", mb.Limit)
	default:
		e = &Error{Status: 500, Code: "internal", Msg: err.Error()}
	}
	var b ErrorBody
	b.Error.Status, b.Error.Code, b.Error.Message = e.Status, e.Code, e.Msg
	data, _ := json.Marshal(b)
	writeRaw(w, e.Status, data)
}

// body reads the request body (bounded by MaxBody).
func body(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return nil, err
		}
		return nil, errorf(statusBadRequest, "bad_body", "cannot read the request body: %v", err)
	}
	return b, nil
}

// decodeBody decodes a JSON object body strictly into v; an empty body
// leaves v as it is when optional.
func decodeBody(r *http.Request, v any, optional bool) error {
	b, err := body(r)
	if err != nil {
		return err
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		if optional {
			return nil
		}
		return errorf(statusBadRequest, "bad_json", "empty body: want a JSON object")
	}
	if e := strictUnmarshal(b, v); e != nil {
		return e
	}
	return nil
}

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
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, 200, st)
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
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, 200, o)
}

func (s *server) controlReply(w http.ResponseWriter, r *http.Request, f func(context.Context) error) {
	ctx, cancel := s.ctx(r)
	defer cancel()
	if err := f(ctx); err != nil {
		writeError(w, err)
		return
	}
	st, err := s.t.Status(ctx, false)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, 200, st)
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
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, 200, res)
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

// limiter is a token bucket per client.
type limiter struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	clients map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate, burst float64) *limiter {
	return &limiter{rate: rate, burst: burst, clients: map[string]*bucket{}}
}

// peek says whether key has a token left (without taking it), or how
// long until it has one.
func (l *limiter) peek(key string) (bool, time.Duration) {
	if l.rate < 0 {
		return true, 0
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.clients[key]
	if b == nil {
		return true, 0
	}
	tokens := math.Min(l.burst, b.tokens+float64(now.Sub(b.last).Seconds()*l.rate))
	if tokens >= 1 {
		return true, 0
	}
	return false, time.Duration((1 - tokens) / l.rate * float64(time.Second))
}

// charge takes n more tokens from key (its bucket may go below zero, so
// that it waits longer).
func (l *limiter) charge(key string, n float64) {
	if l.rate < 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.clients[key]; b != nil {
		b.tokens = math.Max(b.tokens-n, -l.burst)
	}
}

// allow takes a token for key, or says how long until one is there.
func (l *limiter) allow(key string) (bool, time.Duration) {
	if l.rate < 0 {
		return true, 0
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute || len(l.clients) > 100000 {
		for k, b := range l.clients {
			if now.Sub(b.last) > time.Minute {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	b := l.clients[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.clients[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+float64(now.Sub(b.last).Seconds()*l.rate))
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}
