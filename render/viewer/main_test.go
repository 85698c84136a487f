//go:build cgo || windows || darwin

package viewer

import (
	"os"
	"testing"

	"github.com/hajimehoshi/ebiten/v2"
)

// testGame runs the whole test suite inside its first Update, because
// ebiten allows one RunGame per process and reads pixels only while a game
// runs (the pattern of ebiten's own tests). The binary needs a display:
// run it under xvfb-run.
type testGame struct {
	m    *testing.M
	code int
}

func (g *testGame) Update() error {
	g.code = g.m.Run()
	return ebiten.Termination
}
func (*testGame) Draw(*ebiten.Image)         {}
func (*testGame) Layout(int, int) (int, int) { return 320, 240 }

func TestMain(m *testing.M) {
	g := &testGame{m: m, code: 1}
	ebiten.SetWindowSize(320, 240)
	ebiten.SetRunnableOnUnfocused(true)
	if err := ebiten.RunGame(g); err != nil {
		panic(err)
	}
	os.Exit(g.code)
}
