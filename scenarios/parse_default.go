package scenarios

// ParseDefault parses data as a variant of the embedded default scenario:
// like Parse, but relative paths (the network) name the files embedded with
// it, so a copy of the default with a few keys changed runs with nothing on
// disk.
func ParseDefault(data []byte) (*Scenario, error) {
	s, err := Parse(data, DefaultFile)
	if err != nil {
		return nil, err
	}
	s.embedded = true
	return s, nil
}

// KeyLines returns the line (from 1) of each key of a TOML document, by
// full dotted key path with array indices (e.g. "vtypes[1].length"). Tools
// that merge scenario text use it to point errors at lines.
func KeyLines(src string) map[string]int { return keyLines(src) }

// JoinKey appends key k to the dotted key path p, quoting k when it is not
// a bare TOML key (the form KeyLines uses).
func JoinKey(p, k string) string { return joinKey(p, k) }
