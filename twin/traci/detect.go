package traci

import "math"

// Detectors of actuated traffic lights: induction loops on the incoming
// lanes of a light's links, detector-gap seconds of travel at the lane's
// speed limit before the stop line (SUMO's placement: 28 m at 50 km/h
// with the default 2 s), built when an actuated program first needs
// them. A loop sees a vehicle when the vehicle stands over it or its
// front crossed it during the last step.

// detector is one loop: its SUMO lane, its position (m from the lane's
// start) and the end of the last step in which it saw a vehicle (ms).
type detector struct {
	lane int32
	pos  float64
	last int64
}

// noDetection is the gap of a loop that has seen no vehicle yet.
const noDetection = math.MaxInt64 / 4

// detectorAt returns the loop of a lane at a position, creating it.
func (w *world) detectorAt(lane int32, pos float64) int32 {
	for _, d := range w.laneDets[lane] {
		if w.dets[d].pos == pos {
			return d
		}
	}
	d := int32(len(w.dets))
	w.dets = append(w.dets, detector{lane: lane, pos: pos, last: -noDetection})
	w.laneDets[lane] = append(w.laneDets[lane], d)
	return d
}

// programDetectors returns, per phase of program p of light t, the loops
// that extend it: those of the incoming lanes of its green links, except
// links green in every phase (as SUMO's actuated lights and the engine's
// signal.GapActuated do).
func (w *world) programDetectors(t *tlsState, p *program) [][]int32 {
	if p.det != nil {
		return p.det
	}
	_, gapMs := p.gapParams()
	p.det = make([][]int32, len(p.phases))
	for k, ph := range p.phases {
		for idx, links := range t.view.links {
			if idx >= len(ph.state) || !isGreen(ph.state[idx]) {
				continue
			}
			always := true
			for _, o := range p.phases {
				always = always && idx < len(o.state) && isGreen(o.state[idx])
			}
			if always {
				continue
			}
			for _, l := range links {
				li, ok := w.view.laneIdx[l.from]
				if !ok {
					continue
				}
				lv := &w.view.lanes[li]
				pos := max(0, lv.length-float64(msToS(gapMs)*lv.speed))
				d := w.detectorAt(int32(li), pos)
				if !containsInt32(p.det[k], d) {
					p.det[k] = append(p.det[k], d)
				}
			}
		}
	}
	return p.det
}

func isGreen(c byte) bool { return c == 'G' || c == 'g' }

func containsInt32(s []int32, x int32) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

// gap is the gapFunc of the lights: the shortest time since one of the
// phase's loops saw a vehicle.
func (w *world) gap(t *tlsState) gapFunc {
	return func(p *program, i int) int64 {
		g := int64(noDetection)
		for _, d := range w.programDetectors(t, p)[i] {
			g = min(g, w.nowMs-w.dets[d].last)
		}
		return g
	}
}

// detect updates the loops after a step, from a vehicle's lane position
// before (prev, −1 lane when it entered the lane this step) and now.
func (w *world) detect(st *vehState, prev laneRef) {
	lane := st.laneRef.lane
	if lane < 0 || int(lane) >= len(w.laneDets) {
		return
	}
	for _, d := range w.laneDets[lane] {
		det := &w.dets[d]
		front := st.laneRef.pos
		over := front >= det.pos && front-st.length <= det.pos
		crossed := front >= det.pos && (prev.lane != lane || prev.pos < det.pos)
		if over || crossed {
			det.last = w.nowMs
		}
	}
}
