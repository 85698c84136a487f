package scenarios

import (
	"github.com/citytwin/citytwin/engine"
	"github.com/citytwin/citytwin/engine/signal"
)

// ExternalParams are the parameters of the external policy: none.
type ExternalParams struct{}

// The external policy leaves the phases to Go code or the live API
// (signal.External; Simulation.External returns a junction's).
var externalPolicy = Policy[ExternalParams]{
	Name: "external",
	New:  func(*ExternalParams, Junction) engine.Controller { return &signal.External{} },
}
