package signal

// LaneSensors are the detector readings of one lane at the start of a
// step: an induction loop at a fixed distance before the stop line, and a
// lane-area detector over the lane's last stretch.
type LaneSensors struct {
	Lane int32 // the lane (maps.LaneID)

	// Induction loop.
	Count     int64   // vehicles that have passed the loop since the start
	Gap       float64 // s since the last vehicle passed the loop (since the start if none has)
	Occupied  bool    // a vehicle is over the loop
	Occupancy float64 // share of recent time the loop was occupied (exponential average, 0..1)
	// Near is the number of vehicles whose front is past the loop: those
	// within the loop offset of the stop line (SOTL's ω).
	Near int

	// Lane-area detector.
	Vehicles int     // vehicles in the area
	Halting  int     // of which standing (speed < 0.1 m/s)
	Queue    float64 // m, length of the standing queue back from the stop line
}

// NodeSensors are the readings a junction's controller sees: its incoming
// and outgoing lanes, and which of them each movement uses.
type NodeSensors struct {
	In  []LaneSensors // incoming lanes, in a fixed order
	Out []LaneSensors // outgoing lanes, in a fixed order
	// MovIn[m] lists the indices into In of the lanes with links of
	// movement m (Local order); MovOut[m] the indices into Out of the lanes
	// it feeds.
	MovIn, MovOut [][]int
	// MovLinks[m] lists movement m's lane-to-lane connections (its links)
	// as indices into In and Out, each pair once.
	MovLinks [][]LanePair
}

// LanePair is a connection from incoming lane In to outgoing lane Out
// (indices into NodeSensors.In and Out).
type LanePair struct{ In, Out int }

// MovementQueue returns the number of vehicles on the lanes feeding
// movement m and on the lanes it feeds (each lane counted once per
// movement), the usual inputs of max-pressure control.
func (s *NodeSensors) MovementQueue(m int) (up, down int) {
	for _, i := range s.MovIn[m] {
		up += s.In[i].Vehicles
	}
	for _, i := range s.MovOut[m] {
		down += s.Out[i].Vehicles
	}
	return up, down
}
