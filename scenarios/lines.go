package scenarios

import (
	"fmt"
	"strconv"
	"strings"
)

// keyLines returns the line (from 1) on which each key of a TOML document
// is set or its table opened, by key path as checkTree writes it
// ("vtypes[1].length", "demand.od[0].trips[2]"). The TOML library does
// not expose key positions, so this is a small scanner of its own. It
// expects a document the library has accepted and quietly skips what it
// does not understand: a missing entry only costs a message its line.
func keyLines(src string) map[string]int {
	s := &lineScanner{src: src, line: 1, lines: map[string]int{}, arrays: map[string]int{}}
	table := ""
	for s.pos < len(s.src) {
		start := s.pos
		s.space(true)
		switch {
		case s.pos >= len(s.src):
		case s.src[s.pos] == '[':
			table = s.header()
		default:
			s.keyValue(table)
		}
		if s.pos == start {
			s.advance(1) // never loop on input we do not understand
		}
	}
	return s.lines
}

type lineScanner struct {
	src    string
	pos    int            // byte offset of the next byte to read
	line   int            // line of src[pos]
	lines  map[string]int // key path → line of its first mention
	arrays map[string]int // array-of-tables path → elements so far
}

func (s *lineScanner) advance(n int) {
	n = min(n, len(s.src)-s.pos)
	s.line += strings.Count(s.src[s.pos:s.pos+n], "\n")
	s.pos += n
}

func (s *lineScanner) peek() byte {
	if s.pos < len(s.src) {
		return s.src[s.pos]
	}
	return 0
}

func (s *lineScanner) record(path string, line int) {
	if _, ok := s.lines[path]; !ok {
		s.lines[path] = line
	}
}

// space skips blanks and, if newlines is set, line breaks and comments.
func (s *lineScanner) space(newlines bool) {
	for s.pos < len(s.src) {
		switch c := s.src[s.pos]; {
		case c == ' ' || c == '\t':
		case newlines && (c == '\n' || c == '\r'):
		case newlines && c == '#':
			end := strings.IndexByte(s.src[s.pos:], '\n')
			if end < 0 {
				end = len(s.src) - s.pos
			}
			s.advance(end)
			continue
		default:
			return
		}
		s.advance(1)
	}
}

// header reads a [table] or [[array]] header and returns the key path of
// the table it opens.
func (s *lineScanner) header() string {
	line, brackets := s.line, 1
	array := strings.HasPrefix(s.src[s.pos:], "[[")
	if array {
		brackets = 2
	}
	s.advance(brackets)
	keys := s.key()
	s.space(false)
	s.advance(brackets)
	path := ""
	for i, k := range keys {
		path = joinKey(path, k)
		s.record(path, line)
		if n, ok := s.arrays[path]; array && i == len(keys)-1 {
			s.arrays[path] = n + 1
			path = fmt.Sprintf("%s[%d]", path, n)
		} else if ok {
			path = fmt.Sprintf("%s[%d]", path, n-1)
		}
		s.record(path, line)
	}
	return path
}

// keyValue reads "key = value" in the table at path.
func (s *lineScanner) keyValue(path string) {
	line := s.line
	keys := s.key()
	if len(keys) == 0 {
		return
	}
	for _, k := range keys {
		path = joinKey(path, k)
		s.record(path, line)
	}
	s.space(false)
	if s.peek() != '=' {
		return
	}
	s.advance(1)
	s.value(path)
}

// key reads a dotted key and returns its parts, unquoted.
func (s *lineScanner) key() []string {
	var keys []string
	for {
		s.space(false)
		start := s.pos
		switch c := s.peek(); c {
		case '"', '\'':
			s.str()
			raw := s.src[start:s.pos]
			k, err := strconv.Unquote(raw)
			if c == '\'' || err != nil {
				k = strings.Trim(raw, string(c))
			}
			keys = append(keys, k)
		default:
			for s.pos < len(s.src) && isBare(rune(s.src[s.pos])) {
				s.advance(1)
			}
			if s.pos == start {
				return keys
			}
			keys = append(keys, s.src[start:s.pos])
		}
		s.space(false)
		if s.peek() != '.' {
			return keys
		}
		s.advance(1)
	}
}

// value reads the value of the key at path, recording the keys of inline
// tables and the elements of arrays.
func (s *lineScanner) value(path string) {
	s.space(false)
	switch s.peek() {
	case '"', '\'':
		s.str()
	case '[':
		s.advance(1)
		for i := 0; s.pos < len(s.src); {
			s.space(true)
			switch s.peek() {
			case ']':
				s.advance(1)
				return
			case ',':
				s.advance(1)
			default:
				elem := fmt.Sprintf("%s[%d]", path, i)
				s.record(elem, s.line)
				start := s.pos
				s.value(elem)
				if s.pos == start {
					return
				}
				i++
			}
		}
	case '{':
		s.advance(1)
		for s.pos < len(s.src) {
			s.space(true)
			switch s.peek() {
			case '}':
				s.advance(1)
				return
			case ',':
				s.advance(1)
			default:
				start := s.pos
				s.keyValue(path)
				if s.pos == start {
					return
				}
			}
		}
	default: // number, boolean or datetime
		end := strings.IndexAny(s.src[s.pos:], ",]}#\r\n")
		if end < 0 {
			end = len(s.src) - s.pos
		}
		s.advance(end)
	}
}

// str reads a basic, literal or multi-line string.
func (s *lineScanner) str() {
	q := s.src[s.pos : s.pos+1]
	if triple := strings.Repeat(q, 3); strings.HasPrefix(s.src[s.pos:], triple) {
		s.advance(3)
		for s.pos < len(s.src) && !strings.HasPrefix(s.src[s.pos:], triple) {
			if q == `"` && s.src[s.pos] == '\\' {
				s.advance(1)
			}
			s.advance(1)
		}
		s.advance(3)
		for i := 0; i < 2 && s.peek() == q[0]; i++ { // """a""""" ends with quotes
			s.advance(1)
		}
		return
	}
	s.advance(1)
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		s.advance(1)
		switch {
		case c == q[0] || c == '\n':
			return
		case c == '\\' && q == `"`:
			s.advance(1)
		}
	}
}
