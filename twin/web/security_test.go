package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/citytwin/citytwin/twin"
	"github.com/citytwin/citytwin/twin/web"
)

// TestBrowserSecurity checks in a real headless Chromium, against a
// running `citytwin serve` without a token (the case where the browser is
// the only guard), that the page's Content-Security-Policy is the strict
// one and that the browser enforces it: a script element added to the
// page, a string evaluated as code, an inline style and a connection to
// another origin are all blocked and reported as violations. Then a page
// of another origin (another port of 127.0.0.1) tries the twin: its
// WebSocket handshake is refused (403), and neither a "simple" POST
// (text/plain, which needs no CORS preflight) nor a form's POST can pause
// the twin.
func TestBrowserSecurity(t *testing.T) {
	chromiumPath(t)
	s := serve(t, nil, "-pace", "4", "testdata/dash.toml")

	// The header on the page and on a module: exactly web.CSP, which
	// allows nothing unsafe and nothing from elsewhere.
	for _, path := range []string{"/", "/ui/main.js"} {
		req, _ := http.NewRequest("GET", s.base+path, nil)
		req.Header.Set("Accept", "text/html")
		resp, err := s.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Content-Security-Policy"); got != web.CSP {
			t.Errorf("%s: Content-Security-Policy %q, want %q", path, got, web.CSP)
		}
	}
	for _, d := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
		if !strings.Contains(web.CSP, d) {
			t.Errorf("the CSP lacks %q", d)
		}
	}
	if m := regexp.MustCompile(`'unsafe-[a-z-]+'|\*|data:|blob:|https?:`).FindString(web.CSP); m != "" {
		t.Errorf("the CSP allows %s", m)
	}

	ctx := newBrowser(t, 1200, 800)
	do(t, ctx, 30*time.Second, chromedp.Navigate(s.base+"/"))
	waitJS(t, ctx, 30*time.Second, "window.citytwin && window.citytwin.ready")

	t.Run("csp-enforced", func(t *testing.T) {
		type outcome struct {
			Inline     bool     `json:"inline"`
			Eval       string   `json:"eval"`
			Style      string   `json:"style"`
			Fetch      string   `json:"fetch"`
			Violations []string `json:"violations"`
		}
		got := eval[outcome](t, ctx, `(async () => {
			const violations = [];
			document.addEventListener("securitypolicyviolation", (e) => violations.push(e.effectiveDirective));
			window.__inline = false;
			const s = document.createElement("script");
			s.textContent = "window.__inline = true";
			document.body.append(s);
			// A string as code, run later by the page (not by this
			// evaluation, which the DevTools protocol exempts).
			window.__string = false;
			try { setTimeout("window.__string = true", 0); } catch (e) {}
			const d = document.createElement("div");
			d.setAttribute("style", "color: rgb(1, 2, 3)");
			document.body.append(d);
			const style = getComputedStyle(d).color;
			let fetched = "fetched";
			try { await fetch("http://127.0.0.2:9/elsewhere"); } catch (e) { fetched = e.name; }
			await new Promise((r) => setTimeout(r, 300));
			return { inline: window.__inline, eval: window.__string ? "ran" : "blocked", style, fetch: fetched, violations };
		})()`)
		if got.Inline {
			t.Error("an inline script added to the page ran")
		}
		if got.Eval == "ran" {
			t.Error("eval ran a string as code")
		}
		if got.Style == "rgb(1, 2, 3)" {
			t.Error("an inline style applied")
		}
		if got.Fetch == "fetched" {
			t.Error("the page fetched from another origin")
		}
		for _, want := range []string{"script-src-elem", "script-src", "style-src-attr", "connect-src"} {
			if !slices.Contains(got.Violations, want) {
				t.Errorf("no %s violation reported (got %v)", want, got.Violations)
			}
		}
		t.Logf("blocked: %+v", got)
	})

	t.Run("other-origin", func(t *testing.T) {
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<!doctype html><title>another site</title><form id="f" method="post" enctype="text/plain"><input name="a" value="b"></form>`)
		}))
		defer other.Close()
		if strings.TrimPrefix(other.URL, "http://") == strings.TrimPrefix(s.base, "http://") {
			t.Fatal("same origin")
		}
		tab := ctx
		do(t, tab, 30*time.Second, chromedp.Navigate(other.URL+"/"))
		ws := "ws://" + strings.TrimPrefix(s.base, "http://") + "/v1/stream?format=binary"
		res := eval[string](t, tab, fmt.Sprintf(`new Promise((resolve) => {
			const ws = new WebSocket(%q, ["citytwin.v1"]);
			ws.onopen = () => { resolve("open"); ws.close(); };
			ws.onerror = () => resolve("refused");
			setTimeout(() => resolve("timeout"), 10000);
		})`, ws))
		if res != "refused" {
			t.Errorf("a page of %s opening the twin's WebSocket: %s, want refused", other.URL, res)
		}
		eval[bool](t, tab, fmt.Sprintf(`fetch(%q, { method: "POST", mode: "no-cors", headers: { "Content-Type": "text/plain" }, body: "{}" }).then(() => true, () => true)`,
			s.base+"/v1/pause"))
		eval[bool](t, tab, fmt.Sprintf(`(() => { const f = document.getElementById("f"); f.action = %q; f.submit(); return true; })()`, s.base+"/v1/pause"))
		time.Sleep(time.Second)
		var st twin.Status
		s.must("GET", "/v1/status", nil, &st)
		if st.Paused {
			t.Error("a page of another origin paused the twin")
		}
		log := s.stderr.String()
		for _, want := range []string{"GET /v1/stream 403", "POST /v1/pause 403"} {
			if !strings.Contains(log, want) {
				t.Errorf("the server's log has no %q:\n%s", want, clipText(log, 4000))
			}
		}
	})
}
