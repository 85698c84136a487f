package maps

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/paulmach/orb"
)

// DrivingSide says on which side of the road vehicles drive.
type DrivingSide uint8

// Driving sides. The zero value asks the loader to tell it from the data
// (see DetectCountry).
const (
	SideAuto DrivingSide = iota
	RightHand
	LeftHand
)

var sideNames = [...]string{"auto", "right", "left"}

func (s DrivingSide) String() string {
	if int(s) < len(sideNames) {
		return sideNames[s]
	}
	return fmt.Sprintf("DrivingSide(%d)", s)
}

// ParseDrivingSide reads "left", "right" or "auto" (or "").
func ParseDrivingSide(s string) (DrivingSide, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return SideAuto, nil
	case "right":
		return RightHand, nil
	case "left":
		return LeftHand, nil
	}
	return SideAuto, fmt.Errorf("driving side %q: want \"left\", \"right\" or \"auto\"", s)
}

// LeftHandCountries lists the ISO 3166-1 alpha-2 codes of the countries
// and territories that drive on the left.
var LeftHandCountries = []string{
	"AG", "AI", "AU", "BB", "BD", "BM", "BN", "BS", "BT", "BW", "CC", "CK", "CX", "CY", "DM", "FJ", "FK", "GB",
	"GD", "GG", "GY", "HK", "ID", "IE", "IM", "IN", "JE", "JM", "JP", "KE", "KI", "KN", "KY", "LC", "LK", "LS",
	"MO", "MS", "MT", "MU", "MV", "MW", "MY", "MZ", "NA", "NF", "NP", "NR", "NU", "NZ", "PG", "PK", "PN", "SB",
	"SC", "SG", "SH", "SR", "SZ", "TC", "TH", "TL", "TO", "TT", "TV", "TZ", "UG", "VC", "VG", "VI", "WS", "ZA",
	"ZM", "ZW",
}

// LeftHandCountry reports whether vehicles drive on the left in the country
// with ISO 3166-1 alpha-2 code cc.
func LeftHandCountry(cc string) bool {
	_, ok := slices.BinarySearch(LeftHandCountries, strings.ToUpper(cc))
	return ok
}

// leftRegion is a coarse outline (lon/lat, a few km of slack) of land that
// drives on the left, with the country whose speed defaults apply there.
type leftRegion struct {
	cc   string
	ring orb.Ring
}

func box(cc string, lon0, lat0, lon1, lat1 float64) leftRegion {
	return leftRegion{cc, orb.Ring{{lon0, lat0}, {lon1, lat0}, {lon1, lat1}, {lon0, lat1}, {lon0, lat0}}}
}

func poly(cc string, pts ...float64) leftRegion {
	r := orb.Ring{}
	for i := 0; i+1 < len(pts); i += 2 {
		r = append(r, orb.Point{pts[i], pts[i+1]})
	}
	return leftRegion{cc, append(r, r[0])}
}

// leftRegions outlines the left-hand-traffic areas where cities are (the
// British Isles, Japan, Hong Kong, Macau, South Asia, South-East Asia,
// Australasia, southern and eastern Africa, the Caribbean islands that drive
// on the left, Guyana and Suriname, Malta and Cyprus). The outlines are
// hand-drawn and coarse; borders with right-hand neighbours follow them
// within some kilometres, so data right at such a border (Hong Kong and
// Shenzhen, Macau and Zhuhai) should say its driving side. The cities of
// TestDetectCountry are checked against them.
var leftRegions = []leftRegion{
	box("GB", -10.7, 49.85, 1.8, 60.9), // Great Britain, Ireland, Isle of Man
	box("GG", -2.75, 49.15, -1.95, 49.75),
	box("MT", 14.1, 35.75, 14.6, 36.1),
	box("CY", 32.2, 34.5, 34.65, 35.75),
	// Japan: the Sea of Japan side keeps clear of Korea and Vladivostok,
	// the south-west end of Taiwan.
	poly("JP", 122.5, 23.5, 132, 23.5, 146.5, 42, 146.5, 45.8, 141.5, 45.8, 139.8, 42.5, 133, 37.5, 129.6, 34.9,
		128.9, 34.0, 127.5, 31.0),
	// Hong Kong, along the Shenzhen River and Deep Bay.
	poly("HK", 113.82, 22.13, 114.45, 22.13, 114.45, 22.5, 114.26, 22.56, 114.15, 22.535, 114.08, 22.515,
		114.02, 22.5, 113.96, 22.47, 113.82, 22.4),
	box("MO", 113.52, 22.1, 113.6, 22.215),
	// India, Pakistan, Bangladesh, Nepal, Bhutan and Sri Lanka, clear of
	// Iran, Afghanistan, China and Myanmar.
	poly("IN", 61.7, 25.0, 61.7, 29.4, 64.0, 29.5, 66.2, 29.8, 66.8, 31.1, 69.3, 31.9, 70.0, 33.5, 71.0, 34.0,
		71.3, 35.5, 71.6, 36.5, 74.5, 37.1, 75.6, 36.9, 77.8, 35.5, 79.5, 32.5, 81.0, 30.2, 85.5, 28.3, 88.1, 27.9,
		88.9, 28.0, 90.5, 28.2, 92.0, 27.9, 94.3, 29.2, 96.0, 29.4, 97.3, 28.2, 96.8, 27.3, 95.2, 26.6, 94.8, 25.4,
		94.2, 23.9, 93.4, 23.0, 93.2, 22.1, 92.65, 21.3, 92.3, 20.7, 90.0, 17.0, 82.5, 5.5, 79.0, 5.5, 72.5, 7.0,
		66.5, 22.0),
	// Thailand and the Malay Peninsula (with Singapore), clear of Myanmar,
	// Laos (along the Mekong) and Cambodia.
	poly("TH", 97.5, 5.0, 104.6, 0.5, 104.6, 6.0, 102.2, 9.5, 102.9, 11.6, 102.35, 13.0, 102.53, 13.7, 103.0, 14.3,
		105.2, 14.3, 105.45, 15.0, 105.6, 15.8, 105.4, 16.0, 104.76, 16.5, 104.8, 17.4, 104.0, 17.9, 103.65, 18.37,
		102.65, 17.925, 101.7, 17.9, 101.1, 17.5, 101.3, 19.6, 100.5, 20.3, 99.88, 20.44, 98.4, 19.7, 97.7, 18.5,
		97.8, 17.7, 98.535, 16.7, 98.8, 16.3, 98.2, 15.2, 98.4, 14.2, 99.1, 13.0, 99.6, 11.8, 98.6, 10.0, 97.5, 8.0),
	// Indonesia, East Timor, Malaysian Borneo and Brunei, clear of the
	// southern Philippines.
	poly("ID", 94.8, 6.0, 106.0, 6.0, 116.5, 7.4, 117.6, 7.1, 118.9, 5.2, 119.5, 4.5, 127.5, 4.5, 131.0, 1.0,
		141.0, 1.0, 141.0, -11.5, 94.8, -11.5),
	// Australia, Papua New Guinea and the Solomon Islands, clear of
	// Vanuatu and New Caledonia.
	poly("AU", 112.5, -44.0, 154.5, -44.0, 154.5, -25.0, 161.5, -16.0, 164.0, -12.5, 164.0, -5.0, 155.0, -1.0,
		141.0, -0.5, 141.0, -10.0, 112.5, -10.5),
	box("NZ", 165.5, -47.5, 179.0, -34.0),
	box("FJ", 176.8, -19.3, 180.0, -15.9),
	// Southern and eastern Africa, clear of Madagascar, Angola, the Congo,
	// Rwanda, Burundi, South Sudan, Ethiopia and Somalia.
	poly("ZA", 16.3, -35.0, 33.0, -35.0, 36.0, -24.5, 41.5, -14.0, 41.5, -8.0, 41.6, -1.7, 41.0, -0.9, 41.0, 2.8,
		41.85, 3.95, 39.8, 3.4, 38.1, 3.6, 36.0, 4.45, 34.0, 4.2, 33.9, 4.0, 31.9, 3.6, 30.75, 3.4, 31.1, 2.1,
		30.5, 1.3, 29.95, 0.6, 29.6, -0.2, 29.6, -1.4, 30.5, -1.06, 30.8, -2.4, 30.85, -3.3, 30.2, -4.1, 29.4, -4.5,
		29.4, -6.0, 30.3, -8.0, 28.8, -8.6, 28.5, -10.0, 28.65, -11.5, 28.0, -12.1, 25.3, -11.2, 24.4, -11.1,
		24.0, -13.0, 22.0, -13.0, 22.0, -16.2, 23.4, -17.6, 21.0, -18.0, 18.5, -17.4, 14.2, -17.4, 11.7, -17.2,
		11.0, -20.0),
	box("JM", -78.5, 17.6, -76.1, 18.6),
	// The Bahamas and the Turks and Caicos, clear of Cuba and Hispaniola.
	poly("BS", -79.6, 27.3, -71.0, 27.3, -71.0, 20.9, -74.0, 20.9, -75.5, 21.9, -77.5, 22.6, -79.6, 23.5),
	box("TT", -62.0, 10.0, -60.4, 11.4),
	box("BB", -59.7, 13.0, -59.4, 13.4),
	// Guyana and Suriname.
	poly("GY", -60.0, 8.6, -57.0, 8.0, -53.9, 6.0, -54.0, 5.7, -54.0, 3.6, -54.4, 2.2, -56.0, 1.9, -58.0, 1.2,
		-59.7, 1.8, -59.6, 3.4, -60.0, 4.5, -60.73, 5.2, -61.39, 5.95, -61.1, 6.7, -60.3, 7.2),
}

// detectCountry returns the country the data belongs to: the ISO code
// most often named by implicit speed-limit tags ("DE:urban" in maxspeed,
// maxspeed:type, source:maxspeed or zone:maxspeed), else the country of
// the left-hand region holding the centre of the data, else "".
func detectCountry(tagged map[string]int, centre *orb.Point) string {
	best, bestN := "", 0
	for _, cc := range sortedCountryKeys(tagged) {
		if tagged[cc] > bestN {
			best, bestN = cc, tagged[cc]
		}
	}
	if best != "" {
		return best
	}
	if centre != nil {
		for _, r := range leftRegions {
			if r.ring.Bound().Contains(*centre) && ringContains(r.ring, *centre) {
				return r.cc
			}
		}
	}
	return ""
}

// ringContains reports whether p lies inside the closed ring r (even-odd
// rule: a ray from p eastwards crosses the ring an odd number of times).
func ringContains(r orb.Ring, p orb.Point) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		a, b := r[i], r[j]
		if (a[1] > p[1]) != (b[1] > p[1]) {
			x := a[0] + float64((p[1]-a[1])*(b[0]-a[0]))/(b[1]-a[1])
			if p[0] < x {
				in = !in
			}
		}
	}
	return in
}

func sortedCountryKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// DetectCountry returns the country code detectCountry finds for data
// centred at lon/lat centre with no speed tags: the left-hand region
// holding it, or "" (right-hand traffic, generic defaults).
func DetectCountry(centre orb.Point) string { return detectCountry(nil, &centre) }

// countryPrefix returns the upper-case ISO code of an implicit OSM value
// such as "DE:urban" or "GB:nsl_single", or "".
func countryPrefix(v string) string {
	if len(v) < 4 || v[2] != ':' {
		return ""
	}
	a, b := v[0]|0x20, v[1]|0x20
	if a < 'a' || a > 'z' || b < 'a' || b > 'z' {
		return ""
	}
	return strings.ToUpper(v[:2])
}
