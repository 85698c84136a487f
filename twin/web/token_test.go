package web_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestDashboardToken runs the dashboard against a twin that asks for a
// bearer token: the page asks for it, a wrong one is refused (and the page
// shows nothing of the twin), the right one opens the map and the stream,
// and the token appears in no URL the page asked for and in no line of
// the server's request log; the WebSocket carried it in its
// Sec-WebSocket-Protocol header.
func TestDashboardToken(t *testing.T) {
	chromiumPath(t)
	const token = "0123456789abcdef0123456789abcdef"
	s := serve(t, []string{"CITYTWIN_TOKEN=" + token}, "-pace", "4", "testdata/dash.toml")
	if code, body := s.do("GET", "/v1/status", nil, nil); code != 401 || !strings.Contains(string(body), `"unauthorized"`) {
		t.Fatalf("no token: %d %s", code, body)
	}
	ctx := newBrowser(t, 1200, 800)
	log := listen(t, ctx)
	do(t, ctx, 30*time.Second, chromedp.Navigate(s.base+"/"))
	waitJS(t, ctx, 20*time.Second, "document.getElementById('token-dialog').open")

	// A wrong token is refused, and the page still has nothing.
	do(t, ctx, 10*time.Second, chromedp.SendKeys(chromedp.ID("token-input"), "not-the-token-0123456789"),
		chromedp.Click(chromedp.ID("token-ok")))
	waitJS(t, ctx, 10*time.Second, "document.getElementById('token-why').className === 'bad' && document.getElementById('token-dialog').open")
	if why := eval[string](t, ctx, "document.getElementById('token-why').textContent"); !strings.Contains(why, "refused") {
		t.Errorf("after a wrong token the page says %q", why)
	}
	if eval[bool](t, ctx, "!!window.citytwin.ready") {
		t.Fatal("the page shows the twin after a wrong token")
	}

	// The right one opens everything, the stream included.
	if v := eval[string](t, ctx, "document.getElementById('token-input').value"); v != "" {
		t.Errorf("the refused token is still in the field: %q", v)
	}
	do(t, ctx, 10*time.Second, chromedp.SendKeys(chromedp.ID("token-input"), token), chromedp.Click(chromedp.ID("token-ok")))
	waitJS(t, ctx, 20*time.Second, "window.citytwin.ready && window.citytwin.stats.received > 3 && !document.getElementById('token-dialog').open")

	enc := base64.RawURLEncoding.EncodeToString([]byte(token))
	urls, handshakes := log.snapshot()
	for _, u := range urls {
		if strings.Contains(u, token) || strings.Contains(u, enc) {
			t.Errorf("the token is in a URL the page asked for: %s", u)
		}
	}
	carried := false
	for _, h := range handshakes {
		for k, v := range h {
			if strings.EqualFold(k, "Sec-WebSocket-Protocol") && strings.Contains(fmt.Sprint(v), "citytwin.bearer."+enc) {
				carried = true
			}
		}
	}
	if !carried {
		t.Errorf("no WebSocket handshake carried the token in Sec-WebSocket-Protocol: %v", handshakes)
	}
	if out := s.stderr.String(); strings.Contains(out, token) || strings.Contains(out, enc) {
		t.Errorf("the server's log holds the token:\n%s", out)
	}
	if p := log.problems("401", "Unauthorized"); len(p) > 0 {
		t.Errorf("the page reported problems:\n%s", strings.Join(p, "\n"))
	}
}
