package scenarios

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestBuiltinFiles checks the built-in data files: the default scenario's
// network is one, a copy of the default names it so, a scenario anywhere
// on disk reads it, and a wrong name or key is refused with the key.
func TestBuiltinFiles(t *testing.T) {
	if got := BuiltinFiles(); !slices.Equal(got, []string{"wuhan.geojson"}) {
		t.Errorf("BuiltinFiles: got %v, want [wuhan.geojson]", got)
	}
	if !strings.Contains(string(DefaultSource()), `geojson = "builtin:wuhan.geojson"`) {
		t.Errorf("the default scenario does not name its network as a built-in file:\n%s", DefaultSource())
	}
	const base = "duration = 60\nallow_empty = true\n[network]\n"
	for _, tc := range []struct {
		name, network string
		want          string // in the error; "" for none
	}{
		{"geojson", `geojson = "builtin:wuhan.geojson"`, ""},
		{"unknown file", `geojson = "builtin:paris.geojson"`, `network.geojson: no built-in file "paris.geojson" (built in: wuhan.geojson)`},
		{"not geojson", `osm = "builtin:wuhan.geojson"`, "network.osm: \"builtin:wuhan.geojson\": the built-in files (wuhan.geojson) are GeoJSON networks"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "s.toml")
			if err := os.WriteFile(p, []byte(base+tc.network+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := Load(p)
			if err == nil {
				_, err = Build(s)
			}
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("got %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got error %v, want one with %q", err, tc.want)
			}
		})
	}
}
