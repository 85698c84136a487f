//go:build !(cgo || windows || darwin)

// This build has no cgo, which the viewer (ebiten) needs on this system:
// the command only says so.

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "citytwin-view: built without cgo; the viewer needs it (and the X11 and OpenGL headers).\n"+
		"Build with CGO_ENABLED=1, or use `citytwin run --snapshot out.png` for pictures without a display.")
	os.Exit(1)
}
