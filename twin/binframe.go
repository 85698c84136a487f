package twin

import (
	"encoding/binary"
	"math"
	"time"

	"github.com/citytwin/citytwin/maps"
)

// Binary stream frames (GET /v1/stream?format=binary). A frame is one
// binary WebSocket message, little-endian throughout, laid out so that a
// browser can view every column as a typed array without copying (each
// starts at a multiple of its element size):
//
//	offset  type     field
//	0       u32      magic 0x31465443 ("CTF1")
//	4       u16      version (1)
//	6       u16      header length H (bytes, 80 in version 1)
//	8       f64      time (s, the start of the next step)
//	16      f64      steps taken
//	24      u32      frame number (consecutive for the frames the twin built;
//	                 a gap is frames this stream did not get)
//	28      u32      N, vehicles in the frame
//	32      u32      running vehicles
//	36      u32      arrived vehicles
//	40      u32      vehicles waiting to enter
//	44      f32      mean speed of running vehicles (m/s)
//	48      f64      delay so far (veh·s lost against desired speeds, after
//	                 the warm-up; as shadow runs count it)
//	56      f32      measured steps per second
//	60      f32      lag behind the pace (s of wall time)
//	64      f32      pace (simulated s per wall s; 0: as fast as possible)
//	68      u8       flags: 1 paused, 2 client-stepped
//	69      3 bytes  zero
//	72      u32      S, signalised junctions (/v1/network's signalised order)
//	76      u32      M, movements of the network
//	H       u32[N]   vehicle numbers (the engine's index, 0..trips−1;
//	                 GET /v1/vehicles/{n})
//	H+4N    f32[N]   x of the front centre (m)
//	H+8N    f32[N]   y of the front centre (m)
//	H+12N   u32[N]   segment: a lane id, or the lane count + a link id
//	                 (GET /v1/scene)
//	H+16N   i16[N]   heading (rad × 10,000, counter-clockwise from east)
//	H+18N   u16[N]   speed (m/s × 100)
//	H+20N   u8[N]    vehicle type (index in /v1/scene's vtypes; 255: 255 or more)
//	H+21N   u8[N]    flags: 1 connected (V2X), 2 halting (below 0.1 m/s)
//	P       i16[S]   phase of each signalised junction (P = H+22N rounded
//	                 up to a multiple of 4)
//	P+2S    u8[M]    light of every movement as its letter: G green,
//	                 g green yielding, y yellow, r red
//	P+2S+M  u8[⌈L/8⌉] closed lanes: bit l%8 of byte l/8 is set when lane l
//	                 is closed (L lanes, as in the hello and /v1/scene)
//
// A frame takes H + 22 bytes per vehicle + 2 per signalised junction + 1
// per movement + 1 per 8 lanes (+ at most 3 bytes of padding).

// Binary frame constants.
const (
	BinaryMagic   = 0x31465443 // "CTF1" read as a little-endian u32
	BinaryVersion = 1
	BinaryHeader  = 80 // bytes
	// BinaryVehicleBytes is the size of one vehicle in a frame.
	BinaryVehicleBytes = 22
)

// Vehicle flags of binary frames.
const (
	BinaryConnected = 1
	BinaryHalting   = 2
)

// haltingSpeed is the speed below which a vehicle counts as halting (m/s),
// as for SUMO's lane-area detectors.
const haltingSpeed = 0.1

// frameMeta is the state of the twin a binary frame carries besides the
// snapshot, read on the twin's goroutine when the frame is built.
type frameMeta struct {
	stepsPerSecond float64
	lag            float64
	pace           float64
	paused         bool
	stepped        bool
	delay          float64
	closed         []byte // bitmap of closed lanes
}

// meta reads the frame metadata (on the twin's goroutine). The delay and
// the closed lanes change only with a step: from is the metadata of the
// last frame, when it was of the same step.
func (t *Twin) meta(from *frameMeta) frameMeta {
	m := frameMeta{lag: t.lag, pace: math.Max(t.pace, 0), paused: t.paused, stepped: t.stepped}
	if !t.lastStep.IsZero() && time.Since(t.lastStep) < 2*time.Second {
		m.stepsPerSecond = t.rate
	}
	if from != nil {
		m.delay, m.closed = from.delay, from.closed
		return m
	}
	s := t.w.sim
	m.delay = totalDelay(s)
	m.closed = make([]byte, (len(t.run.Network.Lanes)+7)/8)
	for l := range t.run.Network.Lanes {
		if s.LaneClosed(maps.LaneID(l)) {
			m.closed[l/8] |= 1 << (l % 8)
		}
	}
	return m
}

// encodeBinary encodes frame f as a binary stream frame with number seq;
// sig lists the signalised nodes.
func encodeBinary(f *frame, m frameMeta, seq uint32, sig []int) []byte {
	snap := f.snap
	n := len(snap.Vehicles)
	S, M := len(sig), len(snap.Lights)
	p := (BinaryHeader + BinaryVehicleBytes*n + 3) &^ 3
	b := make([]byte, p+2*S+M+len(m.closed))
	le := binary.LittleEndian
	le.PutUint32(b[0:], BinaryMagic)
	le.PutUint16(b[4:], BinaryVersion)
	le.PutUint16(b[6:], BinaryHeader)
	le.PutUint64(b[8:], math.Float64bits(f.time))
	le.PutUint64(b[16:], math.Float64bits(float64(f.step)))
	le.PutUint32(b[24:], seq)
	le.PutUint32(b[28:], uint32(n))
	le.PutUint32(b[32:], clampU32(f.counts.Running))
	le.PutUint32(b[36:], clampU32(f.counts.Arrived))
	le.PutUint32(b[40:], clampU32(f.counts.Waiting))
	le.PutUint32(b[44:], math.Float32bits(float32(snap.MeanSpeed)))
	le.PutUint64(b[48:], math.Float64bits(m.delay))
	le.PutUint32(b[56:], math.Float32bits(float32(m.stepsPerSecond)))
	le.PutUint32(b[60:], math.Float32bits(float32(m.lag)))
	le.PutUint32(b[64:], math.Float32bits(float32(m.pace)))
	var flags byte
	if m.paused {
		flags |= 1
	}
	if m.stepped {
		flags |= 2
	}
	b[68] = flags
	le.PutUint32(b[72:], uint32(S))
	le.PutUint32(b[76:], uint32(M))
	ids, xs, ys, segs := b[BinaryHeader:], b[BinaryHeader+4*n:], b[BinaryHeader+8*n:], b[BinaryHeader+12*n:]
	hs, vs, ts, fs := b[BinaryHeader+16*n:], b[BinaryHeader+18*n:], b[BinaryHeader+20*n:], b[BinaryHeader+21*n:]
	for i := range snap.Vehicles {
		v := &snap.Vehicles[i]
		le.PutUint32(ids[4*i:], uint32(v.ID))
		le.PutUint32(xs[4*i:], math.Float32bits(float32(v.X)))
		le.PutUint32(ys[4*i:], math.Float32bits(float32(v.Y)))
		le.PutUint32(segs[4*i:], uint32(v.Segment))
		le.PutUint16(hs[2*i:], uint16(int16(math.Round(wrapAngle(v.Heading)*10000))))
		le.PutUint16(vs[2*i:], uint16(math.Min(math.Round(math.Max(v.Speed, 0)*100), math.MaxUint16)))
		ts[i] = byte(min(int(v.VType), 255))
		var fl byte
		if v.Connected {
			fl |= BinaryConnected
		}
		if v.Speed < haltingSpeed {
			fl |= BinaryHalting
		}
		fs[i] = fl
	}
	for k, v := range sig {
		ph := -1
		if v < len(snap.Phases) {
			ph = snap.Phases[v]
		}
		le.PutUint16(b[p+2*k:], uint16(int16(ph)))
	}
	lights := b[p+2*S:]
	for k, l := range snap.Lights {
		lights[k] = lightLetter(l)[0]
	}
	copy(b[p+2*S+M:], m.closed)
	return b
}

// wrapAngle returns a in (−π, π].
func wrapAngle(a float64) float64 {
	if a > -math.Pi && a <= math.Pi {
		return a
	}
	a = math.Mod(a, 2*math.Pi)
	switch {
	case a > math.Pi:
		a -= 2 * math.Pi
	case a <= -math.Pi:
		a += 2 * math.Pi
	}
	return a
}

func clampU32(x int64) uint32 {
	if x < 0 {
		return 0
	}
	return uint32(min(x, math.MaxUint32))
}
