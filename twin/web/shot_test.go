package web_test

import (
	"bytes"
	"image/png"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/citytwin/citytwin/twin"
)

// TestScreenshot makes the README's picture of the dashboard: the default
// scenario (Wuhan) at 30 times real time after a quarter of an hour, its
// busiest junction selected, and a shadow comparison of max-pressure there.
// It runs only when CITYTWIN_WEB_SHOT names the PNG file to write:
//
//	CITYTWIN_WEB_SHOT=$PWD/docs/dashboard.png go test ./twin/web -run TestScreenshot
func TestScreenshot(t *testing.T) {
	out := os.Getenv("CITYTWIN_WEB_SHOT")
	if out == "" {
		t.Skip("set CITYTWIN_WEB_SHOT=FILE.png to make the dashboard's screenshot")
	}
	chromiumPath(t)
	s := serve(t, nil, "-pace", "30")
	ctx := newBrowser(t, 1600, 1000)
	do(t, ctx, 30*time.Second, chromedp.EmulateViewport(1600, 1000), chromedp.Navigate(s.base+"/"))
	waitJS(t, ctx, 60*time.Second, "window.citytwin.ready && window.citytwin.frame.time >= 900")

	var obs twin.Observation
	s.must("GET", "/v1/junctions", nil, &obs)
	busiest := obs.Junctions[0]
	for _, j := range obs.Junctions {
		if j.Halting > busiest.Halting {
			busiest = j
		}
	}
	var scene twin.SceneInfo
	s.must("GET", "/v1/scene", nil, &scene)
	for _, j := range scene.Junctions {
		if j.ID == busiest.ID {
			clickJunction(t, ctx, j, 4)
		}
	}
	do(t, ctx, 10*time.Second, chromedp.Click(chromedp.ID("zoom-fit")))
	eval[bool](t, ctx, `(() => { document.getElementById('shadow-horizon').value = '900';
		document.getElementById('shadow-policy').value = 'max_pressure'; return true; })()`)
	do(t, ctx, 10*time.Second, chromedp.Click(chromedp.ID("shadow-start")))
	waitJS(t, ctx, 120*time.Second, "document.getElementById('shadow-result').dataset.status === 'done'")
	eval[bool](t, ctx, "(document.getElementById('side').scrollTop = 0, true)")
	time.Sleep(2 * time.Second) // a few more frames and a chart redraw
	img := screenshot(t, ctx)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes): junction %s selected, %d halting", out, buf.Len(), busiest.ID, busiest.Halting)
}
