package twin

import (
	"encoding/base64"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/citytwin/citytwin/twin/web"
)

// The browser dashboard (package twin/web) is served by the API's own
// handler: GET / to a browser (Accept: text/html) is the page, GET
// /ui/NAME its modules and style sheet. They are public files, served
// without the token (the page must load to ask for it), but under the
// same Host and Origin rules and rate limit as the API, with a strict
// Content-Security-Policy.

// uiPrefix is the path of the dashboard's files.
const uiPrefix = "/ui/"

// StreamProtocol is the WebSocket subprotocol of the stream. A browser,
// which cannot set headers on a WebSocket, offers it together with
// StreamTokenPrefix + the token in base64url (no padding), so that the
// token travels in the Sec-WebSocket-Protocol header and never in the
// URL; the server answers with StreamProtocol alone.
const (
	StreamProtocol    = "citytwin.v1"
	StreamTokenPrefix = "citytwin.bearer."
)

// serveUI answers the dashboard's requests and reports whether r was one.
func (s *server) serveUI(w http.ResponseWriter, r *http.Request, client string) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	name := ""
	switch p := r.URL.Path; {
	case p == "/" && wantsHTML(r):
		name = web.Index
	case strings.HasPrefix(p, uiPrefix):
		name = strings.TrimPrefix(p, uiPrefix)
		if name == "" {
			name = web.Index
		}
	default:
		return false
	}
	if ok, wait := s.limit.allow(client); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		writeError(w, errorf(statusTooMany, "rate_limited", "too many requests from this client; retry in %.1f s", wait.Seconds()))
		return true
	}
	if !web.Has(name) {
		writeError(w, errorf(statusNotFound, "not_found", "no such file of the dashboard %q", clip(name, 80)))
		return true
	}
	web.Serve(w, r, name)
	return true
}

// wantsHTML reports whether a request for / comes from a browser
// navigating to it (Accept names text/html); API clients get the JSON
// index.
func wantsHTML(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept") {
		for _, t := range strings.Split(v, ",") {
			mt, _, _ := strings.Cut(strings.TrimSpace(t), ";")
			if strings.EqualFold(strings.TrimSpace(mt), "text/html") {
				return true
			}
		}
	}
	return false
}

// protocolToken returns the token a WebSocket handshake carries in its
// Sec-WebSocket-Protocol header (StreamTokenPrefix), and whether it has
// one.
func protocolToken(r *http.Request) (string, bool) {
	for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if enc, ok := strings.CutPrefix(p, StreamTokenPrefix); ok {
				b, err := base64.RawURLEncoding.DecodeString(enc)
				if err != nil {
					return "", true // a token that cannot be the right one
				}
				return string(b), true
			}
		}
	}
	return "", false
}
