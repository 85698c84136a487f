package signal

import "slices"

// Clone returns a copy of the plant's state sharing its program and
// controller (a simulation's Clone replaces stateful controllers).
func (p *Plant) Clone() *Plant {
	c := *p
	c.redSince = slices.Clone(p.redSince)
	return &c
}
