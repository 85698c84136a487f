package raster

import (
	"image"
	"image/draw"
	"strings"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
	"github.com/citytwin/citytwin/render"
)

// Renderer draws pictures of one network. Set its fields before drawing;
// it caches the static layer of the last camera, so a series of pictures
// with one camera (an animation) draws the network once. A Renderer is not
// safe for concurrent use.
type Renderer struct {
	Scene   *render.Scene
	Options render.Options
	// HUD adds a panel with Title, the time, vehicle counts and mean
	// speed; Legend adds the colour keys, a scale bar and a north arrow.
	HUD, Legend bool
	Title       string
	// TypeNames names vehicle types in the legend of render.ColorType.
	TypeNames []string
	// Credit is the data credit printed in the bottom-right corner of
	// every picture; New sets it to the network's (maps.Network.Credit).
	Credit string

	static    *image.RGBA
	staticCam render.Camera
}

// New returns a renderer for net. vtypes (may be nil) are the run's
// vehicle types, for colouring by type or connected status.
func New(net *maps.Network, vtypes []engine.VType) *Renderer {
	r := &Renderer{Scene: render.NewScene(net), Credit: net.Credit}
	for _, vt := range vtypes {
		r.TypeNames = append(r.TypeNames, vt.ID)
	}
	return r
}

// Camera returns the camera that fits the whole network in a w×h picture.
func (r *Renderer) Camera(w, h int) render.Camera { return render.Fit(r.Scene.Bounds(), w, h) }

// Picture returns a w×h picture of snap (nil: the network alone) with the
// whole network in view.
func (r *Renderer) Picture(w, h int, snap *engine.Snapshot) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r.Draw(img, r.Camera(w, h), snap)
	return img
}

// Draw draws snap (nil: the network alone) into img, which must have its
// origin at (0, 0) and the camera's size.
func (r *Renderer) Draw(img *image.RGBA, cam render.Camera, snap *engine.Snapshot) {
	if r.static == nil || r.staticCam != cam {
		r.static = image.NewRGBA(img.Bounds())
		render.DrawStatic(NewCanvas(r.static), r.Scene, cam)
		r.staticCam = cam
	}
	draw.Draw(img, img.Bounds(), r.static, image.Point{}, draw.Src)
	c := NewCanvas(img)
	if snap != nil {
		render.DrawDynamic(c, r.Scene, cam, snap, &r.Options)
	}
	var creditH float32
	if r.Credit != "" {
		// The picture font is ASCII.
		_, creditH = render.DrawPanel(c, -8, -8, cam.W, cam.H, []string{strings.ReplaceAll(r.Credit, "©", "(c)")})
		creditH += 6
	}
	if r.Legend {
		render.DrawScaleBar(c, -8, -8-creditH, cam.W, cam.H, cam)
	}
	if snap == nil {
		return
	}
	if r.HUD {
		render.DrawPanel(c, 8, 8, cam.W, cam.H, render.HUDLines(r.Title, snap))
	}
	if r.Legend {
		render.DrawLegend(c, 8, -8, cam.W, cam.H, r.Options.Color, r.TypeNames)
	}
}
