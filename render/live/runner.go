package live

import (
	"math"
	"sync"
	"time"

	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/maps"
)

// Runner steps simulations on its own goroutine. Its methods are safe for
// concurrent use; the simulations are its own from Start until Stop
// returns, and nobody else may call their methods meanwhile.
type Runner struct {
	sims []*engine.Sim

	mu    sync.Mutex
	ready *Frame // the latest complete frame
	fresh bool   // ready has not been taken
	front *Frame // the frame the viewer draws
	ctl   control
	wake  chan struct{}
	stop  chan struct{}
	done  chan struct{}

	// Owned by the runner's goroutine.
	stepFn []func() error // per sim, how it steps (nil: its Step)
	err    error
	rsus   [][]maps.NodeID // per sim
}

// control is what the viewer asks of the runner.
type control struct {
	paused   bool
	speed    float64 // 0: as fast as possible
	steps    int     // single steps asked for while paused
	end      float64 // pause here (s); 0: never
	vehicle  int32
	junction maps.NodeID
	changed  bool // publish a frame even if nothing stepped
}

// New returns a runner of sims, paused or not, at speed (simulated s per
// wall s; 0 or +Inf: as fast as possible). All sims should have the same
// step length; they are stepped in lockstep.
func New(paused bool, speed float64, sims ...*engine.Sim) *Runner {
	if math.IsInf(speed, 1) || speed < 0 {
		speed = 0
	}
	r := &Runner{sims: sims, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		ctl: control{paused: paused, speed: speed, vehicle: -1, junction: maps.None, changed: true}}
	r.ready, r.front = newFrame(len(sims)), newFrame(len(sims))
	return r
}

func newFrame(n int) *Frame {
	return &Frame{Snaps: make([]engine.Snapshot, n), Queues: make([][]float64, n), Vehicles: make([]VehicleInfo, n),
		Junctions: make([]JunctionInfo, n), RSUs: make([][]maps.NodeID, n)}
}

// Start starts the runner's goroutine; the first frame is published at
// once.
func (r *Runner) Start() { go r.loop() }

// Stop ends the goroutine and waits for it. The simulations are the
// caller's again afterwards.
func (r *Runner) Stop() {
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
	<-r.done
}

// Take returns the latest frame, or nil before the first. The frame is the
// caller's until its next call to Take, which may return the same frame
// when no newer one exists (check Status.Frames).
func (r *Runner) Take() *Frame {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fresh {
		r.front, r.ready = r.ready, r.front
		r.fresh = false
	}
	if r.front.Status.Frames == 0 {
		return nil
	}
	return r.front
}

func (r *Runner) set(f func(c *control)) {
	r.mu.Lock()
	f(&r.ctl)
	r.ctl.changed = true
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// SetPaused pauses or resumes the simulations.
func (r *Runner) SetPaused(p bool) { r.set(func(c *control) { c.paused = p }) }

// TogglePause pauses running simulations and resumes paused ones.
func (r *Runner) TogglePause() { r.set(func(c *control) { c.paused = !c.paused }) }

// StepOnce pauses and advances one step.
func (r *Runner) StepOnce() { r.set(func(c *control) { c.paused = true; c.steps++ }) }

// SetSpeed sets the speed multiplier (simulated s per wall s; 0 or +Inf:
// as fast as possible).
func (r *Runner) SetSpeed(k float64) {
	if math.IsInf(k, 1) || k < 0 {
		k = 0
	}
	r.set(func(c *control) { c.speed = k })
}

// SetEnd makes the runner pause when the simulations reach time t (s; 0:
// never).
func (r *Runner) SetEnd(t float64) { r.set(func(c *control) { c.end = t }) }

// Inspect asks for the details of a vehicle (−1: none) and a junction
// (maps.None: none) in the following frames.
func (r *Runner) Inspect(vehicle int32, junction maps.NodeID) {
	r.set(func(c *control) { c.vehicle, c.junction = vehicle, junction })
}

func (r *Runner) loop() {
	defer close(r.done)
	back := newFrame(len(r.sims))
	var (
		anchorWall          = time.Now()
		anchorSim           = r.now()
		lastSpeed           = -1.0
		lastPaused          = true
		rateWall            = time.Now()
		rateSteps           int64
		rateSim             = r.now()
		stepRate, rtf       float64
		frames              int64
		steps               int64
		timer               = time.NewTimer(time.Hour)
		publishedAt         time.Time
		dt                  = r.sims[0].StepLength()
		ended               bool
		measureEvery        = time.Second
		minPublishWhenStale = 100 * time.Millisecond
	)
	for {
		select {
		case <-r.stop:
			return
		default:
		}
		r.mu.Lock()
		c := r.ctl
		r.ctl.changed, r.ctl.steps = false, 0
		fresh := r.fresh
		r.mu.Unlock()

		now := time.Now()
		if c.speed != lastSpeed || c.paused != lastPaused {
			anchorWall, anchorSim = now, r.now()
			lastSpeed, lastPaused = c.speed, c.paused
		}
		stepped := false
		ended = c.end > 0 && r.now() >= c.end-1e-9
		switch {
		case c.steps > 0:
			for range c.steps {
				r.step()
				steps++
			}
			stepped = true
		case c.paused || ended:
		default:
			if c.speed > 0 {
				target := anchorSim + c.speed*now.Sub(anchorWall).Seconds()
				if r.now()+dt > target+1e-9 {
					// Not due yet: sleep until the next step is, or a control
					// changes.
					wait := min(time.Duration((r.now()+dt-target)/c.speed*float64(time.Second)), 50*time.Millisecond)
					if c.changed {
						break // publish first
					}
					timer.Reset(wait)
					select {
					case <-r.stop:
						return
					case <-r.wake:
					case <-timer.C:
					}
					continue
				}
				if target-(r.now()+dt) > c.speed*0.25 {
					// More than a quarter second behind: drop the backlog
					// rather than racing to catch up.
					anchorWall, anchorSim = now, r.now()
				}
			}
			r.step()
			steps++
			stepped = true
		}
		if el := time.Since(rateWall); el >= measureEvery {
			stepRate = float64(steps-rateSteps) / el.Seconds()
			rtf = (r.now() - rateSim) / el.Seconds()
			rateWall, rateSteps, rateSim = time.Now(), steps, r.now()
		}
		publish := c.changed || stepped && (!fresh || time.Since(publishedAt) > minPublishWhenStale)
		if publish {
			frames++
			r.fill(back, c)
			back.Status = Status{Paused: c.paused || ended, Speed: c.speed, StepRate: stepRate, RealTime: rtf, End: c.end,
				Ended: ended, Frames: frames}
			r.mu.Lock()
			back, r.ready = r.ready, back
			r.fresh = true
			r.mu.Unlock()
			publishedAt = time.Now()
		}
		if !stepped && (c.paused || ended) {
			select {
			case <-r.stop:
				return
			case <-r.wake:
			case <-time.After(measureEvery):
				// Let the measured rates fall to zero while paused.
				r.set(func(*control) {})
			}
		}
	}
}

// now returns the simulation time (s): the least over the simulations.
func (r *Runner) now() float64 {
	t := math.Inf(1)
	for _, s := range r.sims {
		t = math.Min(t, s.Time())
	}
	return t
}

// StepWith sets how simulation i advances one step, on the runner's
// goroutine, instead of its Step: scenarios.Simulation.Step applies the
// scenario's switches and events first. The first error fn returns stops
// nothing but is kept (Err). Call it before Start.
func (r *Runner) StepWith(i int, fn func() error) {
	if r.stepFn == nil {
		r.stepFn = make([]func() error, len(r.sims))
	}
	r.stepFn[i] = fn
}

// step advances every simulation to the next step of the slowest.
func (r *Runner) step() {
	target := r.now() + r.sims[0].StepLength()
	for i, s := range r.sims {
		for s.Time() < target-1e-9 {
			if r.stepFn == nil || r.stepFn[i] == nil {
				s.Step()
			} else if err := r.stepFn[i](); err != nil && r.err == nil {
				r.err = err
			}
		}
	}
}

// Err returns the first error a StepWith function returned. Call it after
// the runner has stopped.
func (r *Runner) Err() error { return r.err }

// fill writes the state of every simulation into f.
func (r *Runner) fill(f *Frame, c control) {
	if r.rsus == nil {
		r.rsus = make([][]maps.NodeID, len(r.sims))
		for i, s := range r.sims {
			for _, rc := range s.RSUCounts() {
				r.rsus[i] = append(r.rsus[i], rc.Node)
			}
		}
	}
	for i, s := range r.sims {
		f.RSUs[i] = r.rsus[i]
		s.Snapshot(&f.Snaps[i])
		ls := s.LaneSensors()
		q := f.Queues[i][:0]
		for k := range ls {
			q = append(q, ls[k].Queue)
		}
		f.Queues[i] = q
		f.Vehicles[i] = vehicleInfo(s, c.vehicle)
		f.Junctions[i] = junctionInfo(s, c.junction, &f.Snaps[i])
	}
}

func vehicleInfo(s *engine.Sim, id int32) VehicleInfo {
	v := VehicleInfo{ID: -1}
	if id < 0 || int(id) >= s.NumTrips() {
		return v
	}
	v.ID = id
	v.Trip = s.Trip(int(id))
	route, ri := s.VehicleRoute(id)
	net := s.Network()
	for _, rd := range route {
		v.Route = append(v.Route, net.Roads[rd].ID)
	}
	v.RouteIndex = ri
	return v
}

func junctionInfo(s *engine.Sim, v maps.NodeID, snap *engine.Snapshot) JunctionInfo {
	j := JunctionInfo{Node: maps.None}
	net := s.Network()
	if v < 0 || int(v) >= len(net.Nodes) {
		return j
	}
	nd := &net.Nodes[v]
	j.Node, j.ID, j.Kind = v, nd.ID, nd.Kind
	if p := s.Plant(v); p != nil {
		st := p.State()
		nc, _ := s.NodeControl(v)
		j.Controller, j.Held = nc.Controller.Name(), nc.Held
		j.Phase, j.Next, j.Stage, j.Phases = st.Phase, st.Next, st.Stage, len(p.Program.Phases)
		j.StageFor = s.Time() - st.StageStart
		j.GreenFor = s.Time() - st.GreenStart
		for _, m := range nd.Movements {
			if int(m) < len(snap.Lights) {
				j.Lights += snap.Lights[m].String()
			}
		}
	}
	ls := s.LaneSensors()
	for _, rd := range nd.In {
		a := Approach{Road: net.Roads[rd].ID}
		for _, l := range net.Roads[rd].Lanes {
			if int(l) < len(ls) {
				a.Vehicles += ls[l].Vehicles
				a.Halting += ls[l].Halting
				a.Queue = math.Max(a.Queue, ls[l].Queue)
			}
		}
		j.Approaches = append(j.Approaches, a)
	}
	return j
}
