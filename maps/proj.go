package maps

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/citytwin/citytwin/internal/detmath"
)

// Projection ties a network's planar coordinates to WGS84 the way SUMO's
// <location> element does: network coordinates are projected coordinates
// plus NetOffset, the projection being the PROJ string Params. Only the
// transverse Mercator family is supported ("+proj=utm +zone=N [+south]"
// and "+proj=tmerc" with +lat_0, +lon_0, +k or +k_0, +x_0, +y_0) on the
// WGS84 or GRS80 ellipsoid, which covers what netconvert writes for
// OpenStreetMap input.
type Projection struct {
	NetOffset [2]float64 `json:"net_offset"` // m
	Params    string     `json:"params"`     // PROJ string

	tm tmParams
}

// tmParams are the constants of a transverse Mercator projection.
type tmParams struct {
	lon0, lat0 float64 // radians
	k0         float64
	x0, y0     float64 // false easting and northing (m)
	a, f       float64 // ellipsoid
	m0         float64 // northing of lat0 on the central meridian (m, before k0·A scaling: ξ units)
}

// NewProjection parses SUMO's netOffset and projParameter. It returns nil
// and no error for "!" or an empty string (a network without a
// projection), and an error for a projection this package cannot invert.
func NewProjection(netOffset [2]float64, params string) (*Projection, error) {
	params = strings.TrimSpace(params)
	if params == "" || params == "!" {
		return nil, nil
	}
	p := &Projection{NetOffset: netOffset, Params: params}
	kv := map[string]string{}
	for _, f := range strings.Fields(params) {
		f = strings.TrimPrefix(f, "+")
		k, v, _ := strings.Cut(f, "=")
		kv[k] = v
	}
	num := func(k string, def float64) (float64, error) {
		s, ok := kv[k]
		if !ok {
			return def, nil
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("projection %q: +%s=%q is not a number", params, k, s)
		}
		return v, nil
	}
	tm := tmParams{a: 6378137, f: 1 / 298.257223563}
	switch e := kv["ellps"]; e {
	case "", "WGS84":
	case "GRS80":
		tm.f = 1 / 298.257222101
	default:
		return nil, fmt.Errorf("projection %q: ellipsoid %q is not supported (WGS84 or GRS80)", params, e)
	}
	if d, ok := kv["datum"]; ok && d != "WGS84" {
		return nil, fmt.Errorf("projection %q: datum %q is not supported (WGS84)", params, d)
	}
	switch kv["proj"] {
	case "utm":
		zone, err := strconv.Atoi(kv["zone"])
		if err != nil || zone < 1 || zone > 60 {
			return nil, fmt.Errorf("projection %q: +zone=%q is not a UTM zone 1..60", params, kv["zone"])
		}
		tm.lon0 = float64(zone*6-183) * math.Pi / 180
		tm.k0, tm.x0 = 0.9996, 500000
		if _, south := kv["south"]; south {
			tm.y0 = 10000000
		}
	case "tmerc":
		lat0, err := num("lat_0", 0)
		if err != nil {
			return nil, err
		}
		lon0, err := num("lon_0", 0)
		if err != nil {
			return nil, err
		}
		k, err := num("k", 1)
		if err != nil {
			return nil, err
		}
		if k, err = num("k_0", k); err != nil {
			return nil, err
		}
		if tm.x0, err = num("x_0", 0); err != nil {
			return nil, err
		}
		if tm.y0, err = num("y_0", 0); err != nil {
			return nil, err
		}
		if !(k > 0) || math.Abs(lat0) > 90 || math.Abs(lon0) > 180 {
			return nil, fmt.Errorf("projection %q: scale or origin out of range", params)
		}
		tm.lat0, tm.lon0, tm.k0 = lat0*math.Pi/180, lon0*math.Pi/180, k
	default:
		return nil, fmt.Errorf("projection %q: only +proj=utm and +proj=tmerc are supported", params)
	}
	tm.m0 = tm.xi(tm.lat0)
	p.tm = tm
	return p, nil
}

// The transverse Mercator series of Krüger to third order in the third
// flattening n, as given by Karney, "Transverse Mercator with an accuracy
// of a few nanometers", J. Geodesy 85 (2011) 475–485, eqs. 7–11 and 35–36
// (truncated: better than a millimetre within 1,000 km of the central
// meridian, plenty for positions of vehicles).
func (t *tmParams) series() (n, A float64, alpha, beta, delta [3]float64) {
	n = t.f / (2 - t.f)
	n2, n3 := float64(n*n), float64(n*n*n) // rounded: 2*n2 is compiled as n2+n2, which would fuse
	A = t.a / (1 + n) * (1 + float64(n2/4) + float64(n2*n2/64))
	alpha = [3]float64{float64(n/2) - float64(2*n2/3) + float64(5*n3/16), float64(13*n2/48) - float64(3*n3/5), 61 * n3 / 240}
	beta = [3]float64{float64(n/2) - float64(2*n2/3) + float64(37*n3/96), float64(n2/48) + float64(n3/15), 17 * n3 / 480}
	delta = [3]float64{float64(2*n) - float64(2*n2/3) - float64(2*n3), float64(7*n2/3) - float64(8*n3/5), 56 * n3 / 15}
	return
}

// xi returns the northing of latitude phi on the central meridian in units
// of A (ξ of the forward series at λ = λ0).
func (t *tmParams) xi(phi float64) float64 {
	n, _, alpha, _, _ := t.series()
	c := 2 * math.Sqrt(n) / (1 + n)
	tt := detmath.Sinh(detmath.Atanh(detmath.Sin(phi)) - float64(c*detmath.Atanh(c*detmath.Sin(phi))))
	xi := detmath.Atan(tt)
	out := xi
	for j := 1; j <= 3; j++ {
		out += float64(alpha[j-1] * detmath.Sin(2*float64(j)*xi))
	}
	return out
}

// forward projects lon/lat (degrees) to projected metres.
func (t *tmParams) forward(lon, lat float64) (x, y float64) {
	n, A, alpha, _, _ := t.series()
	phi, dl := lat*math.Pi/180, lon*math.Pi/180-t.lon0
	c := 2 * math.Sqrt(n) / (1 + n)
	tt := detmath.Sinh(detmath.Atanh(detmath.Sin(phi)) - float64(c*detmath.Atanh(c*detmath.Sin(phi))))
	xi := detmath.Atan2(tt, detmath.Cos(dl))
	eta := detmath.Atanh(detmath.Sin(dl) / math.Sqrt(1+float64(tt*tt)))
	e, nn := eta, xi
	for j := 1; j <= 3; j++ {
		k := 2 * float64(j)
		e += float64(alpha[j-1] * detmath.Cos(k*xi) * detmath.Sinh(k*eta))
		nn += float64(alpha[j-1] * detmath.Sin(k*xi) * detmath.Cosh(k*eta))
	}
	return t.x0 + float64(t.k0*A*e), t.y0 + float64(t.k0*A*(nn-t.m0))
}

// inverse returns lon/lat (degrees) of projected metres.
func (t *tmParams) inverse(x, y float64) (lon, lat float64) {
	_, A, _, beta, delta := t.series()
	xi := (y-t.y0)/(t.k0*A) + t.m0
	eta := (x - t.x0) / (t.k0 * A)
	xp, ep := xi, eta
	for j := 1; j <= 3; j++ {
		k := 2 * float64(j)
		xp -= float64(beta[j-1] * detmath.Sin(k*xi) * detmath.Cosh(k*eta))
		ep -= float64(beta[j-1] * detmath.Cos(k*xi) * detmath.Sinh(k*eta))
	}
	chi := detmath.Asin(detmath.Sin(xp) / detmath.Cosh(ep))
	phi := chi
	for j := 1; j <= 3; j++ {
		phi += float64(delta[j-1] * detmath.Sin(2*float64(j)*chi))
	}
	lam := t.lon0 + detmath.Atan2(detmath.Sinh(ep), detmath.Cos(xp))
	return lam * 180 / math.Pi, phi * 180 / math.Pi
}

// ToLonLat converts network coordinates (m) to WGS84 lon/lat (degrees).
func (p *Projection) ToLonLat(q orb.Point) orb.Point {
	lon, lat := p.tm.inverse(q[0]-p.NetOffset[0], q[1]-p.NetOffset[1])
	return orb.Point{lon, lat}
}

// FromLonLat converts WGS84 lon/lat (degrees) to network coordinates (m).
func (p *Projection) FromLonLat(q orb.Point) orb.Point {
	x, y := p.tm.forward(q[0], q[1])
	return orb.Point{x + p.NetOffset[0], y + p.NetOffset[1]}
}

// LonLat returns the function that converts the network's planar
// coordinates to WGS84 lon/lat, or nil when the network is not
// geo-referenced (planar input, or a SUMO network without a projection).
func (n *Network) LonLat() func(orb.Point) orb.Point {
	switch {
	case n.Proj != nil:
		return n.Proj.ToLonLat
	case n.Origin != nil:
		return LocalUnprojection(*n.Origin)
	}
	return nil
}

// project2local projects every lon/lat once to local metres around the
// centre of the data (spherical Mercator scaled by the cosine of the
// origin's latitude) and returns the origin.
func project2local(feats []feature) *orb.Point {
	var b orb.Bound
	first := true
	for i := range feats {
		for _, ls := range feats[i].lines {
			for _, p := range ls {
				if first {
					b = orb.Bound{Min: p, Max: p}
					first = false
				}
				b = b.Extend(p)
			}
		}
		for _, p := range feats[i].points {
			if first {
				b = orb.Bound{Min: p, Max: p}
				first = false
			}
			b = b.Extend(p)
		}
	}
	o := b.Center()
	tr := LocalProjection(o)
	for i := range feats {
		for _, ls := range feats[i].lines {
			for j := range ls {
				ls[j] = tr(ls[j])
			}
		}
		for j := range feats[i].points {
			feats[i].points[j] = tr(feats[i].points[j])
		}
	}
	return &o
}

// earthRadiusPi is orb.EarthRadius·π (m), as in orb's project package.
const earthRadiusPi = orb.EarthRadius * math.Pi

// toMercator is orb's WGS84-to-spherical-Mercator projection (project.WGS84
// .ToMercator), written with detmath so that it gives the same bits on
// every architecture: x = R·λ, y = R·ln tan(π/4 + φ/2), y clamped to ±R·π.
func toMercator(g orb.Point) orb.Point {
	y := detmath.Log(detmath.Tan((90.0+g[1])*math.Pi/360.0)) * orb.EarthRadius
	return orb.Point{earthRadiusPi / 180.0 * g[0], max(-earthRadiusPi, min(y, earthRadiusPi))}
}

// fromMercator is the inverse of toMercator (orb's project.Mercator.ToWGS84):
// φ = 2·atan(e^(y/R)) − π/2.
func fromMercator(p orb.Point) orb.Point {
	return orb.Point{180.0 * p[0] / earthRadiusPi,
		180.0 / math.Pi * (float64(2*detmath.Atan(detmath.Exp(p[1]/orb.EarthRadius))) - math.Pi/2.0)}
}

// LocalProjection returns a projection from WGS84 lon/lat to metres east
// and north of origin: spherical Mercator scaled by cos(latitude of
// origin). For points within 10 km of the origin, distances are within
// 0.1% of great-circle distances at latitude 30°, 0.16% at 45° and 0.28% at
// 60° (the error grows with tan(latitude) and the distance from the origin).
func LocalProjection(origin orb.Point) func(orb.Point) orb.Point {
	o := toMercator(origin)
	k := detmath.Cos(origin[1] * math.Pi / 180)
	return func(p orb.Point) orb.Point {
		m := toMercator(p)
		return orb.Point{(m[0] - o[0]) * k, (m[1] - o[1]) * k}
	}
}

// LocalUnprojection is the inverse of LocalProjection.
func LocalUnprojection(origin orb.Point) func(orb.Point) orb.Point {
	o := toMercator(origin)
	k := detmath.Cos(origin[1] * math.Pi / 180)
	return func(p orb.Point) orb.Point {
		return fromMercator(orb.Point{p[0]/k + o[0], p[1]/k + o[1]})
	}
}
