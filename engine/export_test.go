package engine

import "unsafe"

// CheckInvariants exposes checkInvariants to the external test package
// (engine_test), whose tests also import scenarios and engine/output.
func (s *Sim) CheckInvariants() error { return s.checkInvariants() }

// SetExactOnly turns the move phase's short ways off (on = true) or on,
// and returns a function that restores the previous setting.
func SetExactOnly(on bool) (restore func()) {
	old := exactOnly
	exactOnly = on
	return func() { exactOnly = old }
}

// SetHeldHook sets the function called for each vehicle the move phase
// leaves standing without its constraints (nil: none).
func SetHeldHook(f func()) { heldHook = f }

// SetPackEvery sets how many steps apart the simulation packs its lanes'
// vehicle lists (0: never; see pack), however few vehicles run.
func (s *Sim) SetPackEvery(k int64) { s.packEvery, s.packMin = k, 0 }

// Pack packs the lanes' vehicle lists now.
func (s *Sim) Pack() { s.pack() }

// LaneCars returns lane l's vehicle list as the engine holds it (its
// capacity too), for tests of where it lies.
func (s *Sim) LaneCars(l int) (n, capacity int, first unsafe.Pointer) {
	cars := s.segs[l].cars
	return len(cars), cap(cars), unsafe.Pointer(unsafe.SliceData(cars))
}

// AppendToLane appends a copy of lane l's last vehicle to its list and
// returns the list's new address: what roomForCar does when a vehicle
// arrives.
func (s *Sim) AppendToLane(l int) unsafe.Pointer {
	seg := &s.segs[l]
	seg.cars = append(roomForCar(seg.cars), seg.cars[len(seg.cars)-1])
	return unsafe.Pointer(unsafe.SliceData(seg.cars))
}

// CarSize is the size of a vehicle record in a lane's list, bytes.
const CarSize = unsafe.Sizeof(car{})
