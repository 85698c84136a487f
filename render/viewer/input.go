//go:build cgo || windows || darwin

package viewer

import (
	"fmt"
	"image"
	"math"
	"time"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/render"
	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"
)

// input is the state of a mouse gesture.
type input struct {
	pressX, pressY int
	lastX, lastY   int
	pressed        bool
	dragging       bool
}

// Input constants.
const (
	dragThreshold = 4    // px of movement before a press becomes a drag
	panStep       = 12.0 // px per tick while an arrow key is held
	zoomStep      = 1.25 // per wheel notch or key press
	pickRadius    = 6.0  // px around the cursor that a click picks from
)

func (g *Game) handleInput() {
	g.handleKeys()
	g.handleMouse()
}

func (g *Game) handleKeys() {
	just := inpututil.IsKeyJustPressed
	switch {
	case just(ebiten.KeySpace):
		g.runner.TogglePause()
	case just(ebiten.KeyPeriod):
		g.runner.StepOnce()
	case just(ebiten.KeyBracketRight):
		g.setSpeed(g.speed + 1)
	case just(ebiten.KeyBracketLeft):
		g.setSpeed(g.speed - 1)
	case just(ebiten.KeyEqual), just(ebiten.KeyNumpadAdd):
		g.zoomAtCursor(zoomStep)
	case just(ebiten.KeyMinus), just(ebiten.KeyNumpadSubtract):
		g.zoomAtCursor(1 / zoomStep)
	case just(ebiten.KeyDigit0), just(ebiten.KeyHome):
		g.follow = false
		g.cam = render.Fit(g.scenes[0].Bounds(), g.cam.W, g.cam.H)
	case just(ebiten.KeyC):
		g.opts.Color = g.opts.Color.Next()
		g.flash("colour by " + g.opts.Color.String())
	case just(ebiten.KeyH):
		g.heat = !g.heat
		g.flash(onOff("heat map", g.heat))
	case just(ebiten.KeyQ):
		g.queues = !g.queues
		g.flash(onOff("queues", g.queues))
	case just(ebiten.KeyD):
		if g.opts.LoopOffset > 0 {
			g.opts.LoopOffset = 0
		} else {
			g.opts.LoopOffset = engine.DefaultLoopOffset
		}
		g.flash(onOff("detectors and roadside units", g.opts.LoopOffset > 0))
	case just(ebiten.KeyI):
		g.hud = !g.hud
	case just(ebiten.KeyL):
		g.legend = !g.legend
	case just(ebiten.KeyF):
		g.follow = !g.follow && g.selVehicle >= 0
		g.flash(onOff("follow", g.follow))
	case just(ebiten.KeyEscape):
		g.selVehicle, g.selNode, g.follow = -1, maps.None, false
		g.runner.Inspect(-1, maps.None)
	case just(ebiten.KeySlash), just(ebiten.KeyF1):
		g.help = !g.help
	case just(ebiten.KeyS):
		name := fmt.Sprintf("citytwin-%s.png", time.Now().Format("20060102-150405"))
		g.shot = name
		g.flash("saved " + name)
	}
	dx, dy := 0.0, 0.0
	if ebiten.IsKeyPressed(ebiten.KeyArrowLeft) {
		dx += panStep
	}
	if ebiten.IsKeyPressed(ebiten.KeyArrowRight) {
		dx -= panStep
	}
	if ebiten.IsKeyPressed(ebiten.KeyArrowUp) {
		dy += panStep
	}
	if ebiten.IsKeyPressed(ebiten.KeyArrowDown) {
		dy -= panStep
	}
	if dx != 0 || dy != 0 {
		g.follow = false
		g.cam = g.cam.Pan(dx, dy)
	}
}

func onOff(what string, on bool) string {
	if on {
		return what + " on"
	}
	return what + " off"
}

// flash shows a message for two seconds.
func (g *Game) flash(msg string) { g.msg, g.msgUntil = msg, time.Now().Add(2*time.Second) }

func (g *Game) setSpeed(i int) {
	g.speed = min(max(i, 0), len(Speeds)-1)
	g.runner.SetSpeed(Speeds[g.speed])
	if math.IsInf(Speeds[g.speed], 1) {
		g.flash("speed: as fast as possible")
	} else {
		g.flash(fmt.Sprintf("speed x%g", Speeds[g.speed]))
	}
}

// paneAt returns the pane under screen point (x, y) and the point in the
// pane's coordinates.
func (g *Game) paneAt(x, y int) (int, float64, float64) {
	for i, r := range panes(len(g.vars), g.w, g.h) {
		if (image.Point{x, y}).In(r) {
			return i, float64(x - r.Min.X), float64(y - r.Min.Y)
		}
	}
	return -1, 0, 0
}

func (g *Game) zoomAtCursor(f float64) {
	x, y := ebiten.CursorPosition()
	_, px, py := g.paneAt(x, y)
	if g.follow {
		px, py = float64(g.cam.W)/2, float64(g.cam.H)/2
	}
	g.cam = g.cam.Zoom(f, px, py)
}

func (g *Game) handleMouse() {
	x, y := ebiten.CursorPosition()
	if _, wy := ebiten.Wheel(); wy != 0 {
		g.zoomAtCursor(math.Pow(zoomStep, wy))
	}
	in := &g.in
	switch {
	case inpututil.IsMouseButtonJustPressed(ebiten.MouseButtonLeft):
		*in = input{pressX: x, pressY: y, lastX: x, lastY: y, pressed: true}
	case in.pressed && ebiten.IsMouseButtonPressed(ebiten.MouseButtonLeft):
		if !in.dragging && abs(x-in.pressX)+abs(y-in.pressY) > dragThreshold {
			in.dragging = true
			g.follow = false
		}
		if in.dragging {
			g.cam = g.cam.Pan(float64(x-in.lastX), float64(y-in.lastY))
		}
		in.lastX, in.lastY = x, y
	case in.pressed:
		if !in.dragging {
			g.click(x, y)
		}
		in.pressed, in.dragging = false, false
	}
}

func abs(a int) int {
	if a < 0 {
		return -a
	}
	return a
}

// click inspects the vehicle or junction under screen point (x, y).
func (g *Game) click(x, y int) {
	i, px, py := g.paneAt(x, y)
	if i < 0 || g.frame == nil {
		return
	}
	wx, wy := g.cam.ToWorld(px, py)
	r := pickRadius / g.cam.Scale
	g.selVehicle, g.selNode = -1, maps.None
	if k := render.PickVehicle(&g.frame.Snaps[i], wx, wy, r); k >= 0 {
		g.selVehicle = g.frame.Snaps[i].Vehicles[k].ID
	} else {
		g.selNode = g.scenes[i].PickNode(wx, wy, r)
		g.follow = false
	}
	g.runner.Inspect(g.selVehicle, g.selNode)
}
