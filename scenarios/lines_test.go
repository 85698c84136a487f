package scenarios

import "testing"

func TestKeyLines(t *testing.T) {
	for _, c := range []struct {
		name string
		src  string
		want map[string]int
	}{
		{"top level and tables", "a = 1\n\n[b]\nc = 2\n[b.d]\ne = 3\n",
			map[string]int{"a": 1, "b": 3, "b.c": 4, "b.d": 5, "b.d.e": 6}},
		{"array of tables", "[[v]]\nx = 1\n[[v]]\n# comment\nx = 2\n[v.f]\ny = 3\n",
			map[string]int{"v": 1, "v[0]": 1, "v[0].x": 2, "v[1]": 3, "v[1].x": 5, "v[1].f": 6, "v[1].f.y": 7}},
		{"nested array of tables", "[[a]]\n[[a.b]]\nk = 1\n[[a]]\n[[a.b]]\n[[a.b]]\nk = 2\n",
			map[string]int{"a[0].b[0].k": 3, "a[1].b[0]": 5, "a[1].b[1].k": 7}},
		{"dotted and quoted keys", "a.b = 1\n\"x y\".'z' = 2\n\"q\\\"\" = 3\n",
			map[string]int{"a": 1, "a.b": 1, `"x y".z`: 2, `"q\""`: 3}},
		{"inline tables and arrays", "v = [ {a = 1},\n  {b = [1,\n 2]}, # c = 9\n]\nm = {k = {l = 1}}\n",
			map[string]int{"v[0]": 1, "v[0].a": 1, "v[1].b": 2, "v[1].b[1]": 3, "m.k.l": 5}},
		{"strings hide syntax", "s = \"[x] = 1 # \\\" {\"\nt = '''\n[y]\nz = 1'''\nu = \"\"\"a\"\"\"\"\nw = 1\n",
			map[string]int{"s": 1, "t": 2, "u": 5, "w": 6}},
		{"header with spaces and comment", "[ a . \"b\" ] # note\nc = 1\n",
			map[string]int{"a.b.c": 2}},
		{"datetime and CRLF", "d = 1979-05-27 07:32:00\r\ne = 1\r\n",
			map[string]int{"d": 1, "e": 2}},
	} {
		got := keyLines(c.src)
		for k, want := range c.want {
			if got[k] != want {
				t.Errorf("%s: line of %s: got %d, want %d (all: %v)", c.name, k, got[k], want, got)
			}
		}
		if _, ok := got["c"]; ok && c.name == "inline tables and arrays" {
			t.Errorf("%s: got a line for commented-out key c", c.name)
		}
		if _, ok := got["y"]; ok {
			t.Errorf("%s: got a line for key y inside a string", c.name)
		}
	}
}
