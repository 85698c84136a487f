package engine

import "math"

// Fuel and CO2 use the power-based instantaneous fuel model of Akçelik
// (Bowyer, Akçelik & Biggs 1985; in the form of Akçelik & Besley,
// "Operating cost, fuel consumption, and emission models in aaSIDRA and
// aaMOTION", 25th Conference of Australian Institutes of Transport
// Research, 2003):
//
//	f = α + β1·R_T·v + β2·M·a²·v/1000 (the last term only when a > 0)  if R_T > 0
//	f = α                                                              otherwise
//	R_T = b1 + b2·v² + M·a/1000  (kN, level road)
//
// with f in mL/s, v in m/s, a in m/s² and M the vehicle mass in kg. The
// light-vehicle parameters are α = 0.375 mL/s (idle), β1 = 0.09 mL/kJ,
// β2 = 0.03 mL/(kJ·m/s²), b1 = 0.333 kN, b2 = 0.00108 kN/(m/s)² and
// M = 1400 kg; heavier types scale M (and the idle rate with it). CO2 is
// 2.31 g per mL of petrol burnt (IPCC 2006 default emission factor).
//
// A cruising car at 50 km/h burns about 7.6 L/100 km and idles at 1.35 L/h.
type FuelModel struct {
	Mass  float64 // kg
	Idle  float64 // α, mL/s
	Beta1 float64 // mL/kJ
	Beta2 float64 // mL/(kJ·m/s²)
	B1    float64 // kN
	B2    float64 // kN/(m/s)²
}

// LightVehicleFuel is the Akçelik & Besley (2003) light-vehicle model.
var LightVehicleFuel = FuelModel{Mass: 1400, Idle: 0.375, Beta1: 0.09, Beta2: 0.03, B1: 0.333, B2: 0.00108}

// CO2PerML is the CO2 emitted per mL of petrol (g).
const CO2PerML = 2.31

// fuelFor returns the model of a vehicle type: the light-vehicle model,
// with mass scaled by length for types longer than 7 m (a 12 m bus weighs
// about 11 t, idling proportionally).
func fuelFor(vt *VType) FuelModel {
	m := LightVehicleFuel
	if vt.Length > 7 {
		k := 11000 / m.Mass * vt.Length / 12
		m.Mass *= k
		m.Idle *= math.Sqrt(k)
	}
	return m
}

// Rate returns the fuel rate (mL/s) at speed v (m/s) and acceleration a
// (m/s²).
func (m *FuelModel) Rate(v, a float64) float64 {
	rt := m.B1 + float64(m.B2*v*v)
	if a != 0 {
		// The inertia term; at a constant speed (a vehicle cruising at its
		// desired speed) it is ±0, which adds nothing, and its division
		// is skipped.
		rt += m.Mass * a / 1000
	}
	if rt <= 0 {
		return m.Idle
	}
	f := m.Idle + float64(m.Beta1*rt*v)
	if a > 0 {
		f += m.Beta2 * m.Mass * a * a * v / 1000
	}
	return f
}
