package engine

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
