//go:build cgo || windows || darwin

package viewer

import (
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"time"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/render"
	"github.com/citytwin/citytwin/render/live"
	"github.com/citytwin/citytwin/render/raster"
	"github.com/hajimehoshi/ebiten/v2"
)

// Variant is one simulation the viewer shows, in its own pane.
type Variant struct {
	Name string
	Sim  *engine.Sim
	// Step, when set, advances Sim one step on the runner's goroutine
	// instead of Sim.Step (scenarios.Simulation.Step, which applies the
	// scenario's timed policy switches and events first).
	Step func() error
}

// Config sets up a viewer. The zero value opens a 1280×720 window running
// at Speeds[DefaultSpeed] with the HUD and the legend.
type Config struct {
	Title         string
	Width, Height int // window size (px)
	Paused        bool
	// Speed is the initial speed multiplier (simulated s per wall s);
	// 0 means Speeds[DefaultSpeed], and MaxSpeed as fast as possible.
	Speed float64
	// End pauses the simulation at this time (s; 0: never).
	End float64
	// Frames, when positive, closes the viewer after drawing this many
	// frames (counted from the first frame with a snapshot); Screenshot,
	// when set, names a PNG file the last of them is written to.
	Frames     int
	Screenshot string
	// NoHUD and NoLegend hide the status panel and the colour key.
	NoHUD, NoLegend bool
	// Options are the initial drawing options (colour mode, overlays).
	Options render.Options
	// Heat and Queues switch the heat map and queue overlays on.
	Heat, Queues bool
	// Camera, when not nil, is the initial view (its size is replaced by
	// the pane's); otherwise the network is fitted.
	Camera *render.Camera
	// NoVsync draws as fast as possible instead of at the display's rate.
	NoVsync bool
	// Stats, when not nil, receives a line of measured figures when the
	// viewer closes: frames per second and simulation steps per second.
	Stats io.Writer
}

// MaxSpeed is the speed multiplier meaning "as fast as possible".
var MaxSpeed = math.Inf(1)

// Speeds is the ladder of speed multipliers [ and ] move along.
var Speeds = []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, MaxSpeed}

// DefaultSpeed is the index in Speeds of the default multiplier (×10).
const DefaultSpeed = 3

// Game is the viewer as an ebiten.Game. Create it with NewGame; Run
// creates one and runs it.
type Game struct {
	cfg    Config
	runner *live.Runner
	vars   []Variant
	scenes []*render.Scene
	types  [][]string // vehicle type names per variant

	cam        render.Camera // the camera of every pane
	camSet     bool
	w, h       int // screen size
	static     []*ebiten.Image
	staticCam  render.Camera
	staticOK   bool
	canvas     *ebiten.Image // offscreen target for screenshots
	paint      painter
	frame      *live.Frame
	lastFrames int64

	opts              render.Options
	heat, queues      bool
	hud, legend, help bool
	heatSum, heatN    [][]float64
	heatTmp           []float64
	heatCnt           []int
	speed             int
	selVehicle        int32
	selNode           maps.NodeID
	follow            bool
	in                input
	msg               string
	msgUntil          time.Time

	shot       string // write the next frame to this PNG file
	frames     int    // frames drawn with a snapshot
	endedAt    time.Time
	endedSteps int64
	quit       bool
	err        error
	started    time.Time
	startSim   float64
	startSteps int64
}

// NewGame prepares a viewer of the variants and starts their runner. The
// simulations belong to the runner until Close.
func NewGame(cfg Config, vars ...Variant) (*Game, error) {
	if len(vars) == 0 {
		return nil, errors.New("viewer: no simulation to show")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		cfg.Width, cfg.Height = 1280, 720
	}
	g := &Game{cfg: cfg, vars: vars, opts: cfg.Options, heat: cfg.Heat, queues: cfg.Queues,
		hud: !cfg.NoHUD, legend: !cfg.NoLegend, selVehicle: -1, selNode: maps.None, speed: DefaultSpeed}
	for i, v := range vars {
		var sc *render.Scene
		if i > 0 && v.Sim.Network() == vars[0].Sim.Network() {
			sc = g.scenes[0]
		} else {
			sc = render.NewScene(v.Sim.Network())
		}
		g.scenes = append(g.scenes, sc)
		var names []string
		for _, vt := range v.Sim.VehicleTypes() {
			names = append(names, vt.ID)
		}
		g.types = append(g.types, names)
	}
	g.heatSum = make([][]float64, len(vars))
	g.heatN = make([][]float64, len(vars))
	speed := cfg.Speed
	if speed == 0 {
		speed = Speeds[DefaultSpeed]
	}
	g.speed = len(Speeds) - 1
	for i, s := range Speeds {
		if s >= speed {
			g.speed = i
			break
		}
	}
	sims := make([]*engine.Sim, len(vars))
	for i, v := range vars {
		sims[i] = v.Sim
	}
	g.runner = live.New(cfg.Paused, speed, sims...)
	for i, v := range vars {
		if v.Step != nil {
			g.runner.StepWith(i, v.Step)
		}
	}
	g.runner.SetEnd(cfg.End)
	g.runner.Start()
	return g, nil
}

// Close stops the runner; the simulations are the caller's again.
func (g *Game) Close() { g.runner.Stop() }

// Run opens the viewer window and returns when it is closed (or after
// cfg.Frames frames).
func Run(cfg Config, vars ...Variant) error {
	g, err := NewGame(cfg, vars...)
	if err != nil {
		return err
	}
	defer g.Close()
	title := cfg.Title
	if title == "" {
		title = "CityTwin"
	}
	ebiten.SetWindowTitle(title)
	ebiten.SetWindowSize(g.cfg.Width, g.cfg.Height)
	ebiten.SetWindowResizingMode(ebiten.WindowResizingModeEnabled)
	ebiten.SetRunnableOnUnfocused(true)
	ebiten.SetVsyncEnabled(!cfg.NoVsync)
	ebiten.SetScreenClearedEveryFrame(false) // drawAll covers every pixel
	if err := ebiten.RunGame(g); err != nil && !errors.Is(err, ebiten.Termination) {
		return fmt.Errorf("viewer: %w", err)
	}
	g.report()
	return g.err
}

// Layout implements ebiten.Game: the screen has the window's size.
func (g *Game) Layout(outsideWidth, outsideHeight int) (int, int) {
	return outsideWidth, outsideHeight
}

// panes returns the rectangles of the variants' panes in a w×h screen.
func panes(n, w, h int) []image.Rectangle {
	const gap = 2
	out := make([]image.Rectangle, n)
	pw := (w - gap*(n-1)) / n
	for i := range out {
		x := i * (pw + gap)
		out[i] = image.Rect(x, 0, x+pw, h)
	}
	return out
}

// Update implements ebiten.Game: it takes the newest frame and handles
// input. It never waits for the simulation.
func (g *Game) Update() error {
	if g.quit {
		return ebiten.Termination
	}
	if f := g.runner.Take(); f != nil {
		g.frame = f
		if f.Status.Frames != g.lastFrames {
			g.lastFrames = f.Status.Frames
			g.updateHeat()
		}
	}
	g.handleInput()
	if g.follow && g.frame != nil && g.selVehicle >= 0 {
		if v := findVehicle(&g.frame.Snaps[0], g.selVehicle); v != nil {
			g.cam.X, g.cam.Y = v.X, v.Y
		}
	}
	return nil
}

func findVehicle(s *engine.Snapshot, id int32) *engine.VehicleView {
	for i := range s.Vehicles {
		if s.Vehicles[i].ID == id {
			return &s.Vehicles[i]
		}
	}
	return nil
}

// updateHeat folds the newest frame into the heat map's moving averages
// of vehicle count and speed ratio per road.
func (g *Game) updateHeat() {
	if !g.heat {
		return
	}
	const a = 0.15 // weight of the newest frame
	for i := range g.vars {
		sc := g.scenes[i]
		n := len(sc.Net.Roads)
		if len(g.heatSum[i]) != n {
			g.heatSum[i], g.heatN[i] = make([]float64, n), make([]float64, n)
		}
		if len(g.heatCnt) < n {
			g.heatCnt = make([]int, n)
		}
		g.heatTmp = sc.RoadSpeeds(&g.frame.Snaps[i], g.heatTmp, g.heatCnt)
		for r := 0; r < n; r++ {
			s, c := 0.0, float64(g.heatCnt[r])
			if c > 0 {
				s = g.heatTmp[r] * c
			}
			g.heatSum[i][r] = (1-a)*g.heatSum[i][r] + a*s
			g.heatN[i][r] = (1-a)*g.heatN[i][r] + a*c
		}
	}
}

// heatOf returns the smoothed heat map of variant i.
func (g *Game) heatOf(i int) []float64 {
	out := make([]float64, len(g.heatSum[i]))
	for r := range out {
		if g.heatN[i][r] < 0.05 {
			out[r] = math.NaN()
		} else {
			out[r] = g.heatSum[i][r] / g.heatN[i][r]
		}
	}
	return out
}

// Draw implements ebiten.Game.
func (g *Game) Draw(screen *ebiten.Image) {
	b := screen.Bounds()
	g.setSize(b.Dx(), b.Dy())
	if g.frame == nil {
		screen.Fill(render.Background)
		g.paint.reset(screen, 0, 0, false)
		render.DrawPanel(&g.paint, 8, 8, g.w, g.h, []string{"starting the simulation..."})
		return
	}
	if g.frames == 0 {
		g.started, g.startSim, g.startSteps = time.Now(), g.frame.Snaps[0].Time, g.frame.Snaps[0].Step
	}
	g.frames++
	if st := g.frame.Status; st.Ended && g.endedAt.IsZero() {
		g.endedAt, g.endedSteps = time.Now(), g.frame.Snaps[0].Step
	}
	last := g.cfg.Frames > 0 && g.frames >= g.cfg.Frames
	if last && g.cfg.Screenshot != "" {
		g.shot = g.cfg.Screenshot
	}
	if g.shot != "" {
		if g.canvas == nil || g.canvas.Bounds() != b {
			g.canvas = ebiten.NewImage(b.Dx(), b.Dy())
		}
		g.drawAll(g.canvas)
		if err := g.saveScreenshot(g.shot); err != nil {
			g.err = err
			g.flash(err.Error())
		}
		g.shot = ""
		screen.DrawImage(g.canvas, nil)
	} else {
		g.drawAll(screen)
	}
	if last {
		g.quit = true
		g.report()
	}
}

// saveScreenshot writes the canvas as a PNG.
func (g *Game) saveScreenshot(name string) error {
	return raster.WritePNGFile(name, readImage(g.canvas))
}

// readImage copies an ebiten image into memory.
func readImage(img *ebiten.Image) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	img.ReadPixels(out.Pix)
	return out
}

func (g *Game) setSize(w, h int) {
	if w == g.w && h == g.h && g.camSet {
		return
	}
	g.w, g.h = w, h
	r := panes(len(g.vars), w, h)[0]
	switch {
	case !g.camSet && g.cfg.Camera != nil:
		g.cam = g.cfg.Camera.Resize(r.Dx(), r.Dy())
	case !g.camSet:
		g.cam = render.Fit(g.scenes[0].Bounds(), r.Dx(), r.Dy())
	default:
		g.cam = g.cam.Resize(r.Dx(), r.Dy())
	}
	g.camSet = true
	g.staticOK = false
}

// drawAll draws every pane and the overlays onto dst.
func (g *Game) drawAll(dst *ebiten.Image) {
	rects := panes(len(g.vars), g.w, g.h)
	if !g.staticOK || g.staticCam != g.cam {
		g.redrawStatic()
	}
	g.paint.reset(dst, 0, 0, false)
	for i := 1; i < len(rects); i++ {
		// The gaps between panes (the panes are covered by their static
		// layers, so the screen needs no clearing).
		x0, x1, h := float32(rects[i-1].Max.X), float32(rects[i].Min.X), float32(g.h)
		g.paint.Fill([]render.Pt{{X: x0, Y: 0}, {X: x1, Y: 0}, {X: x1, Y: h}, {X: x0, Y: h}}, render.MarkingColor)
	}
	g.paint.Flush()
	for i, r := range rects {
		op := &ebiten.DrawImageOptions{Blend: ebiten.BlendCopy}
		op.GeoM.Translate(float64(r.Min.X), float64(r.Min.Y))
		dst.DrawImage(g.static[i], op)
		pane := dst.SubImage(r).(*ebiten.Image)
		g.drawPane(pane, i, r)
	}
	g.paint.reset(dst, 0, 0, false)
	if g.help {
		lines := helpLines()
		bw, bh := panelSizeOf(&g.paint, lines)
		render.DrawPanel(&g.paint, float32(g.w)/2-bw/2, float32(g.h)/2-bh/2, g.w, g.h, lines)
	}
	if g.msg != "" && time.Now().Before(g.msgUntil) {
		// Bottom centre: the legend and the scale bar take the corners.
		bw, _ := panelSizeOf(&g.paint, []string{g.msg})
		render.DrawPanel(&g.paint, float32(g.w)/2-bw/2, -8, g.w, g.h, []string{g.msg})
	}
}

func panelSizeOf(p render.Painter, lines []string) (w, h float32) {
	for _, l := range lines {
		lw, lh := p.TextSize(l)
		w = max(w, lw)
		h += lh + 2
	}
	return w + 12, h + 10
}

// redrawStatic draws the network layer of every pane for the current
// camera.
func (g *Game) redrawStatic() {
	if len(g.static) != len(g.vars) {
		g.static = make([]*ebiten.Image, len(g.vars))
	}
	for i := range g.vars {
		img := g.static[i]
		if img == nil || img.Bounds().Dx() != g.cam.W || img.Bounds().Dy() != g.cam.H {
			if img != nil {
				img.Deallocate()
			}
			img = ebiten.NewImage(g.cam.W, g.cam.H)
			g.static[i] = img
		}
		if i > 0 && g.scenes[i] == g.scenes[0] {
			img.Clear()
			img.DrawImage(g.static[0], nil)
			continue
		}
		g.paint.reset(img, 0, 0, true)
		render.DrawStatic(&g.paint, g.scenes[i], g.cam)
		g.paint.Flush()
	}
	g.staticCam, g.staticOK = g.cam, true
}

// drawPane draws variant i's dynamic layer and panels in its pane.
func (g *Game) drawPane(pane *ebiten.Image, i int, r image.Rectangle) {
	f := g.frame
	snap := &f.Snaps[i]
	o := g.opts
	if g.heat && len(g.heatSum[i]) > 0 {
		o.Heat = g.heatOf(i)
	}
	if g.queues {
		o.Queues = f.Queues[i]
	}
	if o.LoopOffset > 0 {
		o.RSUs = f.RSUs[i]
	}
	if g.selVehicle >= 0 {
		o.Selected = []int32{g.selVehicle}
	}
	if g.selNode != maps.None {
		o.SelectedNodes = []maps.NodeID{g.selNode}
	}
	p := &g.paint
	p.reset(pane, float32(r.Min.X), float32(r.Min.Y), false)
	render.DrawDynamic(p, g.scenes[i], g.cam, snap, &o)
	if g.hud {
		lines := render.HUDLines(g.vars[i].Name, snap)
		if i == 0 {
			lines = append(lines, g.statusLine())
		}
		render.DrawPanel(p, 8, 8, r.Dx(), r.Dy(), lines)
	}
	var insp []string
	if v := f.Vehicles[i]; v.ID >= 0 {
		insp = append(insp, v.Lines()...)
		if vv := findVehicle(snap, v.ID); vv != nil {
			insp = append(insp, fmt.Sprintf("speed %.1f km/h (limit %.0f)  standing %.0f s", vv.Speed*3.6,
				g.scenes[i].SegmentSpeed(vv.Segment)*3.6, vv.Waiting))
		}
	}
	if j := f.Junctions[i]; j.Node != maps.None {
		if insp != nil {
			insp = append(insp, "")
		}
		insp = append(insp, j.Lines()...)
	}
	if insp != nil {
		render.DrawPanel(p, -8, 8, r.Dx(), r.Dy(), insp)
	}
	if g.legend {
		render.DrawLegend(p, 8, -8, r.Dx(), r.Dy(), o.Color, g.types[i])
		render.DrawScaleBar(p, -8, -8, r.Dx(), r.Dy(), g.cam)
	}
	p.Flush()
}

// statusLine is the HUD line on speed and rates.
func (g *Game) statusLine() string {
	st := g.frame.Status
	speed := "max"
	if st.Speed > 0 {
		speed = fmt.Sprintf("x%g", st.Speed)
	}
	state := ""
	switch {
	case st.Ended:
		state = "  [end]"
	case st.Paused:
		state = "  [paused]"
	}
	return fmt.Sprintf("speed %s  real time x%.1f  %.1f steps/s  %.0f fps%s  (? help)", speed, st.RealTime, st.StepRate,
		ebiten.ActualFPS(), state)
}

// report writes the measured figures to cfg.Stats, once.
func (g *Game) report() {
	if g.cfg.Stats == nil || g.frames == 0 || g.started.IsZero() {
		return
	}
	el := time.Since(g.started).Seconds()
	s := &g.frame.Snaps[0]
	steps, run := s.Step-g.startSteps, el
	if !g.endedAt.IsZero() {
		// Steps per second while the simulation ran, not after its end.
		steps, run = g.endedSteps-g.startSteps, g.endedAt.Sub(g.started).Seconds()
	}
	fmt.Fprintf(g.cfg.Stats, "viewer: %d frames in %.2f s (%.1f fps); %d steps in %.2f s (%.1f steps/s, %.0f s simulated); %d vehicles drawn at the end\n",
		g.frames, el, float64(g.frames)/el, steps, run, float64(steps)/math.Max(run, 1e-9), s.Time-g.startSim, len(s.Vehicles))
	g.cfg.Stats = nil
}

func helpLines() []string {
	return []string{
		"CityTwin viewer - keys",
		"",
		"drag, arrows     pan",
		"wheel, + -       zoom at the cursor",
		"0, Home          fit the network",
		"space            pause / run",
		".                single step",
		"[ ]              slower / faster",
		"click            inspect vehicle or junction",
		"F                follow the inspected vehicle",
		"Esc              stop inspecting",
		"C                colour: speed / type / connected",
		"H                heat map (road speed)",
		"Q                queues",
		"D                detectors, roadside units",
		"I, L             HUD, legend",
		"S                save screenshot",
		"?                this help",
	}
}
