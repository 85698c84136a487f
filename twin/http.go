package twin

import (
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
	// StepRate bounds each client's POST /v1/step requests per second,
	// on a budget of their own apart from Rate (burst: 2×StepRate), so
	// that a learning agent stepping a client-stepped twin in a tight
	// loop is not refused under the default Rate. 0: no bound in rate:
	// a step request holds its client until its steps are done, and at
	// most Options.MaxStepWaitsPerClient of one client run at once.
	// Refused step requests still cost RefusalCost of the Rate budget.
	StepRate float64
	// MaxStreams bounds the WebSocket streams at once (0: 256), and
	// MaxStreamsPerClient those of one client address (0: 16).
	MaxStreams          int
	MaxStreamsPerClient int
	// StreamBudget bounds the bytes per second the binary streams send
	// together (0: DefaultStreamBudget); each gets an equal share.
	StreamBudget int64
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
	if o.StreamBudget <= 0 {
		o.StreamBudget = DefaultStreamBudget
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
	steps    *limiter // POST /v1/step (ServerOptions.StepRate)
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
	stepRate := opt.StepRate
	if stepRate <= 0 {
		stepRate = -1 // no bound
	}
	s := &server{t: t, opt: opt, mux: http.NewServeMux(), limit: newLimiter(opt.Rate, float64(opt.Burst)),
		steps:    newLimiter(stepRate, math.Max(2*stepRate, 1)),
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
	limit := s.limit
	if r.Method == http.MethodPost && r.URL.Path == "/v1/step" {
		limit = s.steps // a budget of their own (ServerOptions.StepRate)
	}
	if ok, wait := limit.allow(client); !ok {
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
		if limit != s.limit {
			s.limit.allow(client) // a refused step costs the general budget too
		}
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

// reply writes err, or else v as a 200 reply.
func reply(w http.ResponseWriter, v any, err error) {
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, 200, v)
}

// onTwin runs f on the twin's goroutine (Twin.do) and returns what it
// returns, or the error of getting it run.
func onTwin[T any](ctx context.Context, t *Twin, f func() (T, error)) (T, error) {
	var v T
	var err error
	if e := t.do(ctx, func() { v, err = f() }); e != nil {
		return v, e
	}
	return v, err
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
