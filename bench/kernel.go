package bench

import (
	"math"
	"time"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/follow"
)

// Ring is the state of the bare car-following kernel: vehicles on a ring
// road in contiguous arrays, front to back, each following the one before
// it (vehicle 0 follows the last, one lap ahead).
type Ring struct {
	Pos    []float64 // m, front bumper along the ring (grows without wrapping)
	Speed  []float64 // m/s
	Length float64   // m, the ring's length
	VehLen float64   // m, every vehicle's length
	V0     float64   // m/s, desired speed
	Dt     float64   // s, step length
	P      follow.Params
}

// NewRing places n default cars (engine.DefaultCar: IDM, δ = 4) evenly on
// a ring with spacing metres between fronts, standing, with a 13.89 m/s
// desired speed and 1 s steps.
func NewRing(n int, spacing float64) *Ring {
	car := engine.DefaultCar()
	r := &Ring{Pos: make([]float64, n), Speed: make([]float64, n), Length: float64(n) * spacing,
		VehLen: car.Length, V0: 50 / 3.6, Dt: 1, P: car.Follow}
	if err := r.P.Init(); err != nil {
		panic(err) // the default car's parameters are valid
	}
	for i := range r.Pos {
		r.Pos[i] = r.Length - float64(float64(i)*spacing) // front first
	}
	return r
}

// Step advances every vehicle by one step: IDM's acceleration (δ = 4)
// towards its leader as the leader was at the start of the step, the speed
// clamped at 0, the position advanced. IDM is written out in the loop with
// its constants hoisted: the least work a car-following update can do, and
// the lower bound the engine's cost per vehicle-update is judged against.
func (r *Ring) Step() {
	pos, speed := r.Pos, r.Speed
	n := len(pos)
	if n == 0 {
		return
	}
	dt, l := r.Dt, r.VehLen
	a0, s0, hw := r.P.Accel, r.P.MinGap, r.P.Headway
	inv2ab := 1 / (2 * math.Sqrt(r.P.Accel*r.P.Decel))
	inv0 := 1 / r.V0
	// The leader of vehicle 0 is the last vehicle, one lap ahead; keep its
	// old state before it moves.
	leadPos, leadSpeed := pos[n-1]+r.Length, speed[n-1]
	for i := range pos {
		v := speed[i]
		q := v * inv0
		q *= q
		ss := s0 + max(0, float64(v*hw)+float64(v*(v-leadSpeed)*inv2ab))
		z := ss / max(leadPos-l-pos[i], 0.01)
		a := a0 * (1 - float64(q*q) - float64(z*z))
		leadPos, leadSpeed = pos[i], v
		nv := max(0, v+float64(a*dt))
		speed[i] = nv
		pos[i] += float64(nv * dt)
	}
}

// StepCall is Step calling follow.IDMAccel, IDM's acceleration as the
// engine computes it (the engine calls follow.IDMStep, the same formula
// with the step limit), instead of the written-out formula: the
// difference is the cost of the call and of the general parameter
// handling.
func (r *Ring) StepCall() {
	pos, speed := r.Pos, r.Speed
	n := len(pos)
	if n == 0 {
		return
	}
	p, dt, v0, l := &r.P, r.Dt, r.V0, r.VehLen
	leadPos, leadSpeed := pos[n-1]+r.Length, speed[n-1]
	for i := range pos {
		v := speed[i]
		a := follow.IDMAccel(p, v, leadPos-l-pos[i], leadSpeed, v0)
		leadPos, leadSpeed = pos[i], v
		nv := max(0, v+float64(a*dt))
		speed[i] = nv
		pos[i] += float64(nv * dt)
	}
}

// KernelNs measures Step's wall nanoseconds per vehicle-update on a ring of
// 100,000 vehicles for about d: the fastest of 10-step slices, so that
// other work on the machine does not inflate the lower bound.
func KernelNs(d time.Duration) float64 {
	r := NewRing(100_000, 20)
	for range 10 {
		r.Step() // warm the caches and the branch predictors
	}
	best := math.Inf(1)
	for start := time.Now(); time.Since(start) < d; {
		t0 := time.Now()
		for range 10 {
			r.Step()
		}
		best = math.Min(best, float64(time.Since(t0).Nanoseconds())/float64(10*len(r.Pos)))
	}
	return best
}
