package tomlkit

import (
	"errors"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

func TestTypeName(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{"x", `string "x"`}, {int64(3), "integer 3"}, {1.5, "float 1.5"}, {true, "boolean true"},
		{time.Time{}, "datetime"}, {map[string]any{}, "table"}, {[]map[string]any{}, "array of tables"}, {[]any{}, "array"},
		{"0123456789012345678901234567890123456789x", "long string"},
	} {
		if got := TypeName(c.v); got != c.want {
			t.Errorf("TypeName(%#v) = %q, want %q", c.v, got, c.want)
		}
	}
}

func TestDecodeErrorAndFormat(t *testing.T) {
	src := "a = 1\nb = \n"
	var v map[string]any
	_, err := toml.Decode(src, &v)
	line, msg := DecodeError(src, err)
	if line != 2 || msg == "" {
		t.Errorf("DecodeError = %d, %q; want line 2 and a message", line, msg)
	}
	if got, want := Format("pkg", "f.toml", 2, `arm "a"`, "b", "bad"), `pkg: f.toml:2: arm "a": b: bad`; got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
	if got, want := Format("pkg", "", 0, "", "", "bad"), "pkg: bad"; got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
	probs := []error{errors.New("none"), errors.New("3"), errors.New("1")}
	lineOf := map[string]int{"none": 0, "3": 3, "1": 1}
	SortByLine(probs, func(e error) int { return lineOf[e.Error()] })
	if probs[0].Error() != "1" || probs[1].Error() != "3" || probs[2].Error() != "none" {
		t.Errorf("SortByLine: %v", probs)
	}
}
