package maps

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// parseSUMOFloat reads a number; what names the attribute in the error.
func parseSUMOFloat(s, what string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s %q is not a number", what, s)
	}
	return v, nil
}

// parseSUMOInt reads a non-negative integer below limit.
func parseSUMOInt(s, what string, limit int) (int, error) {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || v < 0 || v >= limit {
		return 0, fmt.Errorf("%s %q is not an integer in [0, %d)", what, s, limit)
	}
	return v, nil
}

// bitString reads one of SUMO's request bit strings: its last character
// is link 0. It returns the set indices.
func bitString(s string) ([]int, bool) {
	var out []int
	n := len(s)
	for i := 0; i < n; i++ {
		switch s[n-1-i] {
		case '1':
			out = append(out, i)
		case '0':
		default:
			return nil, false
		}
	}
	return out, true
}

// IsSUMONet reports whether data looks like a SUMO network: gzip-compressed
// data, or XML whose first element is <net>.
func IsSUMONet(data []byte) bool {
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		return true
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	for i := 0; i < 64; i++ {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local == "net"
		}
	}
	return false
}
