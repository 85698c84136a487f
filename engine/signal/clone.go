package signal

import "slices"

// Clone returns a copy of the plant's state sharing its program and
// controller (a simulation's Clone replaces stateful controllers).
func (p *Plant) Clone() *Plant {
	c := *p
	c.redSince = slices.Clone(p.redSince)
	c.waitFrom = slices.Clone(p.waitFrom)
	c.shown = slices.Clone(p.shown)
	return &c
}

// The stateful controllers implement Clone() Controller (engine.Cloner),
// so that a cloned simulation gets its own copies.

// Clone returns an independent copy of w.
func (w *Webster) Clone() Controller {
	c := *w
	c.l = w.l.clone()
	c.green, c.counts = slices.Clone(w.green), slices.Clone(w.counts)
	return &c
}

// Clone returns an independent copy of a.
func (a *Actuated) Clone() Controller {
	c := *a
	c.l = a.l.clone()
	return &c
}

// Clone returns an independent copy of mp.
func (mp *MaxPressure) Clone() Controller {
	c := *mp
	c.l = mp.l.clone()
	return &c
}

// Clone returns an independent copy of so.
func (so *SOTL) Clone() Controller {
	c := *so
	c.l = so.l.clone()
	c.kappa = slices.Clone(so.kappa)
	return &c
}

// Clone returns a new External holding the same request.
func (e *External) Clone() Controller {
	c := &External{}
	c.req.Store(e.req.Load())
	return c
}

// clone returns a copy of l that rebuilds its lane lists for the sensors
// it is next given (a clone's sensors are its own).
func (l layout) clone() layout {
	l.sens, l.lanes = nil, nil
	return l
}
