package traci

import "fmt"

// statusError is a request the server refuses with SUMO's error status;
// its text is what the client sees (raised as traci.TraCIException),
// worded as SUMO words it where SUMO has the same error.
type statusError struct{ msg string }

func (e *statusError) Error() string { return e.msg }

// errf makes a statusError.
func errf(format string, a ...any) error { return &statusError{fmt.Sprintf(format, a...)} }
