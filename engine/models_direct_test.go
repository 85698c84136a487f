package engine

import (
	"math"
	"testing"

	"github.com/citytwin/citytwin/engine/follow"
)

// TestDirectModel checks the direct calls Config.check chooses (IDM with
// δ = 4: directIDM4, follow.IDM4Step; IDM with another δ: directIDM;
// CityFlow; any other model: none), that idm() holds for both IDM kinds
// alone, and that modelAccel answers as the model's interface does, bit
// for bit, over a grid of situations.
func TestDirectModel(t *testing.T) {
	cases := []struct {
		name  string
		model follow.Model
		delta float64
		want  directModel
	}{
		{"IDM δ=4", follow.IDM{}, 4, directIDM4},
		{"IDM default δ", follow.IDM{}, 0, directIDM4},
		{"IDM δ=2.5", follow.IDM{}, 2.5, directIDM},
		{"CityFlow", follow.CityFlow{}, 0, directCityFlow},
		{"Krauss", follow.Krauss{}, 0, directNone},
	}
	for _, tc := range cases {
		cfg := DefaultConfig()
		cfg.VTypes = cfg.VTypes[:1]
		cfg.VTypes[0].Model, cfg.VTypes[0].Follow.Delta = tc.model, tc.delta
		if err := cfg.check(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		vt := &cfg.VTypes[0]
		if vt.direct != tc.want || vt.direct.idm() != (tc.want == directIDM || tc.want == directIDM4) {
			t.Fatalf("%s: direct %d (idm %v), want %d", tc.name, vt.direct, vt.direct.idm(), tc.want)
		}
		if vt.drawsRand {
			continue
		}
		for _, v := range []float64{0, 0.1, 8, 13.9, 30} {
			for _, gap := range []float64{-1, 0, 0.005, 3, 40, math.Inf(1)} {
				for _, vl := range []float64{0, 8, 30} {
					for _, v0 := range []float64{0, 13.89, 20} {
						for _, dt := range []float64{0.5, 1} {
							got := modelAccel(vt, v, gap, vl, v0, dt, 0)
							want := vt.Model.Accel(&vt.Follow, follow.Situation{Speed: v, Gap: gap, LeaderSpeed: vl, DesiredSpeed: v0, Step: dt})
							if math.Float64bits(got) != math.Float64bits(want) {
								t.Fatalf("%s: modelAccel(v=%g, gap=%g, vl=%g, v0=%g, dt=%g) = %g, the model %g", tc.name, v, gap, vl, v0, dt, got, want)
							}
						}
					}
				}
			}
		}
	}
}
