package engine

// CheckInvariants exposes checkInvariants to the external test package
// (engine_test), whose tests also import scenarios and engine/output.
func (s *Sim) CheckInvariants() error { return s.checkInvariants() }
