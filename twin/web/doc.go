// Package web holds the browser dashboard of the live twin: one HTML page,
// a style sheet and plain ES modules (no build step, nothing fetched from
// elsewhere), embedded in the binary. twin.Handler serves it at / (to
// browsers, which ask for text/html) and its files at /ui/NAME.
//
// The files are public: they are served without the bearer token (the
// page asks for the token when the API answers 401, keeps it in memory
// only and sends it in the Authorization header, or for the WebSocket in
// the Sec-WebSocket-Protocol header, never in a URL). Every response
// carries a strict Content-Security-Policy (CSP): scripts and styles from
// the server itself only, no inline code, connections to the same origin
// only, no framing.
//
// The page, its modules and the binary stream frame they decode are
// described in docs/live.md ("The dashboard").
package web
