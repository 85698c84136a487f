package web_test

// The harness of the browser tests: a `citytwin serve` built from this
// tree and run as a child process, a small API client, and a real headless
// Chromium driven with chromedp.

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/citytwin/citytwin/internal/testbin"
)

// chromiumPath returns the Chromium to drive ($CITYTWIN_CHROMIUM, or
// Debian's chromium on PATH), or skips the test with a message.
func chromiumPath(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests skipped with -short")
	}
	if p := os.Getenv("CITYTWIN_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium: the browser tests need Debian's chromium package (bash test.sh installs it as root: apt-get install chromium), or CITYTWIN_CHROMIUM=/path/to/chrome")
	return ""
}

// citytwin is cmd/citytwin from this tree, built once per test run.
var citytwin = testbin.New("github.com/citytwin/citytwin/cmd/citytwin", "CGO_ENABLED=0")

func TestMain(m *testing.M) {
	code := m.Run()
	citytwin.Remove()
	os.Exit(code)
}

// citytwinBinary builds cmd/citytwin from this tree once per test run.
func citytwinBinary(t testing.TB) string {
	t.Helper()
	return citytwin.Path(t)
}

// lockedBuffer collects a child's output.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// served is a running `citytwin serve`.
type served struct {
	t      testing.TB
	base   string
	token  string
	stderr *lockedBuffer
	hc     *http.Client
}

var servingRE = regexp.MustCompile(`serving (http://[0-9.:]+)`)

// serve runs `citytwin serve -addr 127.0.0.1:0 args...` (with env added
// to its environment) until the test ends.
func serve(t testing.TB, env []string, args ...string) *served {
	t.Helper()
	bin := citytwinBinary(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	s := &served{t: t, stderr: &lockedBuffer{}, hc: &http.Client{Timeout: 30 * time.Second}}
	cmd.Stderr = s.stderr
	cmd.Stdout = s.stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := servingRE.FindStringSubmatch(s.stderr.String()); m != nil {
			s.base = m[1]
			return s
		}
		if cmd.ProcessState != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("citytwin serve did not start:\n%s", s.stderr.String())
	return nil
}

// do sends a request to the API and decodes a 2xx answer into out; it
// returns the status and body.
func (s *served) do(method, path string, body, out any) (int, []byte) {
	s.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.base+path, r)
	if err != nil {
		s.t.Fatal(err)
	}
	if body != nil || method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(b, out); err != nil {
			s.t.Fatalf("%s %s: %v\n%s", method, path, err, b)
		}
	}
	return resp.StatusCode, b
}

// must is do that fails the test unless the answer is 2xx.
func (s *served) must(method, path string, body, out any) {
	s.t.Helper()
	if code, b := s.do(method, path, body, out); code/100 != 2 {
		s.t.Fatalf("%s %s: %d %s", method, path, code, b)
	}
}

// browserOptions are the flags of the machine notes (headless, no
// sandbox as root, no GPU, no QUIC, no first-run, background networking,
// component updates or sync) with a fresh profile, one device pixel per
// CSS pixel and an sRGB colour profile, so that pixels can be compared.
func browserOptions(t testing.TB, exe string, w, h int) []chromedp.ExecAllocatorOption {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("force-device-scale-factor", "1"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(w, h),
	)
	return opts
}

// newBrowser starts a headless Chromium for the test and returns the
// context of its first tab.
func newBrowser(t testing.TB, w, h int, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	ctx, cancel := startBrowser(t, w, h, extra...)
	t.Cleanup(cancel)
	return ctx
}

// startBrowser is newBrowser that leaves closing the browser (cancel) to
// the caller.
func startBrowser(t testing.TB, w, h int, extra ...chromedp.ExecAllocatorOption) (context.Context, context.CancelFunc) {
	t.Helper()
	exe := chromiumPath(t)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), append(browserOptions(t, exe, w, h), extra...)...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	stop := func() {
		cancel()
		cancelA()
	}
	if err := chromedp.Do(ctx); err != nil {
		stop()
		t.Fatalf("starting %s: %v", exe, err)
	}
	return ctx, stop
}

// do runs actions with a timeout, failing the test on error.
func do(t testing.TB, ctx context.Context, timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := chromedp.Do(c, actions...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// eval evaluates a JavaScript expression in the page (awaiting a promise).
func eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %s: %v", clipText(expr, 200), err)
	}
	return v
}

// waitJS polls expression until it is true.
func waitJS(t testing.TB, ctx context.Context, timeout time.Duration, expr string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(c, chromedp.Evaluate[bool]("!!("+expr+")"))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s (last error %v)", timeout, expr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// nextPaint is a script that resolves once the page has drawn twice more
// (two animation frames), so that what it was told to show is on screen.
const nextPaint = `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`

// screenshot captures the viewport as an image.
func screenshot(t testing.TB, ctx context.Context) image.Image {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	buf, err := chromedp.Run(c, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// near reports whether two colours differ by at most tol in each channel.
func near(a, b color.RGBA, tol int) bool {
	d := func(x, y uint8) bool { return int(x)-int(y) <= tol && int(y)-int(x) <= tol }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B)
}

func rgba(c color.Color) color.RGBA {
	r, g, b, a := c.RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
}

// pageView is the map's camera and the canvas's place on the page.
type pageView struct {
	X, Y, Scale   float64
	Width, Height float64
	Left, Top     float64
}

// view reads the map's camera.
func view(t testing.TB, ctx context.Context) pageView {
	t.Helper()
	return eval[pageView](t, ctx, `(() => { const c = window.citytwin.camera; const r = document.getElementById("dyn").getBoundingClientRect();
		return {X: c.x, Y: c.y, Scale: c.scale, Width: c.width, Height: c.height, Left: r.left, Top: r.top}; })()`)
}

// pixel returns the page coordinates of world point (x, y) m in view v.
func (v pageView) pixel(x, y float64) (float64, float64) {
	return v.Left + (x-v.X)*v.Scale + v.Width/2, v.Top + v.Height/2 - (y-v.Y)*v.Scale
}

// colorAt returns the colour that most of the 3×3 pixels around (x, y) have.
func colorAt(img image.Image, x, y float64) color.RGBA {
	count := map[color.RGBA]int{}
	var best color.RGBA
	for dy := -1; dy <= 1; dy++ {
		for dx := -1; dx <= 1; dx++ {
			c := rgba(img.At(int(x)+dx, int(y)+dy))
			count[c]++
			if count[c] > count[best] {
				best = c
			}
		}
	}
	return best
}

func clipText(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// pageLog collects what the page wrote to its console, its exceptions and
// the browser's log (CSP violations among them), and every URL it asked
// for, with the handshake headers of its WebSockets.
type pageLog struct {
	mu        sync.Mutex
	console   []string
	urls      []string
	wsHeaders []map[string]any
}

func listen(t testing.TB, ctx context.Context) *pageLog {
	t.Helper()
	l := &pageLog{}
	err := chromedp.Listen(ctx, func(ev any) {
		l.mu.Lock()
		defer l.mu.Unlock()
		switch e := ev.(type) {
		case *cdpruntime.EventConsoleAPICalled:
			if e.Type == cdpruntime.ConsoleAPICalledTypeError || e.Type == cdpruntime.ConsoleAPICalledTypeWarning {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				l.console = append(l.console, string(e.Type)+": "+strings.Join(parts, " "))
			}
		case *cdpruntime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			l.console = append(l.console, "exception: "+msg)
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError || e.Entry.Level == cdplog.EntryLevelWarning {
				l.console = append(l.console, string(e.Entry.Level)+" ("+string(e.Entry.Source)+"): "+e.Entry.Text+" "+e.Entry.URL)
			}
		case *network.EventRequestWillBeSent:
			l.urls = append(l.urls, e.Request.URL)
		case *network.EventWebSocketCreated:
			l.urls = append(l.urls, e.URL)
		case *network.EventWebSocketWillSendHandshakeRequest:
			l.wsHeaders = append(l.wsHeaders, e.Request.Headers)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// problems returns the console errors and warnings so far, leaving out
// those of the request the test made fail on purpose (want).
func (l *pageLog) problems(want ...string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
next:
	for _, m := range l.console {
		for _, w := range want {
			if strings.Contains(m, w) {
				continue next
			}
		}
		out = append(out, m)
	}
	return out
}

func (l *pageLog) snapshot() ([]string, []map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string{}, l.urls...), append([]map[string]any{}, l.wsHeaders...)
}
