package engine

import (
	"hash"
	"hash/fnv"
	"math"
)

// hasher feeds fixed-width little-endian values to an FNV-64a hash.
type hasher struct {
	h hash.Hash64
	b [8]byte
}

func newHasher() *hasher { return &hasher{h: fnv.New64a()} }

func (h *hasher) u64(x uint64) {
	for i := range h.b {
		h.b[i] = byte(x >> (8 * i))
	}
	h.h.Write(h.b[:])
}

// f64 hashes the bits of x; every NaN hashes alike (their payloads and
// signs differ between architectures).
func (h *hasher) f64(x float64) {
	if x != x {
		h.u64(0x7ff8000000000001)
		return
	}
	h.u64(math.Float64bits(x))
}

func (h *hasher) str(s string) {
	h.u64(uint64(len(s)))
	h.h.Write([]byte(s))
}

// Hash returns an FNV-64a hash of the full simulation state: the clock,
// every vehicle's segment, position, speed and chosen link in driving order,
// the light of every movement and every signal plant's state, and the
// counters. Equal hashes after the same steps mean identical states; see
// [Sim.Digest] for a hash of the whole run.
func (s *Sim) Hash() uint64 {
	h := newHasher()
	h.f64(s.now)
	h.u64(uint64(s.step))
	for i := range s.segs {
		seg := &s.segs[i]
		if len(seg.cars) == 0 {
			continue
		}
		h.u64(uint64(i))
		for j := range seg.cars {
			c := &seg.cars[j]
			h.u64(uint64(c.id))
			h.f64(c.pos)
			h.f64(c.speed)
			h.u64(uint64(uint32(c.link)))
		}
	}
	for _, l := range s.lights {
		h.h.Write([]byte{byte(l)})
	}
	for i := range s.nodes {
		if p := s.nodes[i].plant; p != nil {
			st := p.State()
			h.u64(uint64(st.Phase))
			h.u64(uint64(st.Next))
			h.u64(uint64(st.Stage))
			h.f64(st.StageStart)
			h.f64(st.GreenStart)
		}
	}
	h.u64(uint64(s.stats.inserted))
	h.u64(uint64(s.stats.arrived))
	h.u64(uint64(s.stats.removed))
	h.u64(uint64(s.stats.teleports))
	return h.h.Sum64()
}

// Digest returns an FNV-64a hash of the whole run so far, not only of
// where it ended: the state [Sim.Hash], every trip's record (all fields of
// [Sim.Trip], at full precision, in id order), the order in which vehicles
// left the network, every counter, the time series (completed rows and
// the open interval), every segment's statistics (what [Sim.RoadStats],
// [Sim.LaneStats] and the V2X counters report), the detector loops and the
// signal guard's counts. Two runs that reach the same final state by
// different histories — another vehicle arriving first, one trip slower —
// have equal Hashes but different Digests. Digest reads the state and
// does not change it; it costs a pass over the trips and segments.
func (s *Sim) Digest() uint64 {
	h := newHasher()
	h.u64(s.Hash())
	for i := range s.trips {
		r := s.Trip(i)
		h.str(r.ID)
		h.str(r.VType)
		h.str(r.Origin)
		h.str(r.Destination)
		h.str(r.Status.String())
		for _, x := range [...]float64{r.Scheduled, r.Depart, r.Arrival, r.TravelTime, r.Delay, r.Waiting, r.RouteLength, r.Fuel, r.CO2} {
			h.f64(x)
		}
		h.u64(uint64(r.Stops))
		h.u64(uint64(r.Teleports))
		h.u64(uint64(r.MissedTurns))
		if r.Connected {
			h.u64(1)
		} else {
			h.u64(0)
		}
	}
	h.u64(uint64(len(s.finished)))
	for _, id := range s.finished {
		h.u64(uint64(id))
	}
	c := s.Counts()
	for _, x := range [...]int64{int64(c.Trips), int64(c.Unroutable), c.Inserted, c.Running, c.Arrived, c.Removed, c.Waiting,
		c.Teleports, c.LaneChanges, c.Reroutes, c.HardBrakes, c.Clamps, c.Peak, s.stats.stranded, c.MissedTurns, c.RepeatedMisses} {
		h.u64(uint64(x))
	}
	h.f64(c.VehicleSteps)
	rows := append(s.series[:len(s.series):len(s.series)], s.cur)
	h.u64(uint64(len(rows)))
	for _, r := range rows {
		for _, x := range [...]float64{r.Begin, r.End, r.MeanSpeed, r.TotalDelay, r.vehSteps, r.speedSum} {
			h.f64(x)
		}
		for _, x := range [...]int64{r.Running, r.Inserted, r.Arrived, r.Teleports, r.Waiting} {
			h.u64(uint64(x))
		}
	}
	for i := range s.segs {
		a := &s.acc[i]
		for _, x := range [...]float64{a.vehSteps, a.speedSum, a.lost, a.fuel} {
			h.f64(x)
		}
		var v v2xAcc
		if s.v2x != nil && i < len(s.v2x.acc) {
			v = s.v2x.acc[i]
		}
		for _, x := range [...]int64{int64(a.entered), int64(a.stops), v.spatRecv, v.spatLost, v.statRecv, v.statSent, v.statLost} {
			h.u64(uint64(x))
		}
	}
	for i := range s.loops {
		lp := &s.loops[i]
		h.u64(uint64(lp.count))
		h.f64(lp.lastPass)
		h.f64(lp.occ)
	}
	refused, forced := s.GuardCounts()
	h.u64(uint64(refused))
	h.u64(uint64(forced))
	return h.h.Sum64()
}
