package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that Parse never panics or hangs, that it returns
// either a valid scenario or *Error problems, and that the line scanner
// survives any input, TOML or not.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("examples/*.toml")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{minimal, valid, "", "[[a]]\n[[a.b]]\n", "x = {a = [1, {b = '''\n'''}]}\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		keyLines(string(data))
		s, err := Parse(data, "fuzz.toml")
		if err != nil {
			if s != nil {
				t.Errorf("got a scenario and error %v, want nil scenario", err)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("got %T %v, want *Error problems", err, err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Errorf("Parse accepted a scenario Validate rejects: %v", err)
		}
	})
}
