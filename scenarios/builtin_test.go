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

// TestLicenseAndNotice checks the repository's LICENSE (the full Apache
// License 2.0) and NOTICE: every built-in data file, which the binaries
// embed, is named there with the OpenStreetMap credit and its licence
// (issue 18: there was no LICENSE and the credits were only in a README).
func TestLicenseAndNotice(t *testing.T) {
	license, err := os.ReadFile("../LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Apache License\n                           Version 2.0, January 2004",
		"TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION", "9. Accepting Warranty or Additional Liability.",
		"END OF TERMS AND CONDITIONS", "APPENDIX: How to apply the Apache License to your work."} {
		if !strings.Contains(string(license), want) {
			t.Errorf("LICENSE lacks %q: not the full Apache License 2.0", want)
		}
	}
	notice, err := os.ReadFile("../NOTICE")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Apache License, Version 2.0", "© OpenStreetMap contributors", "Open\n  Database License (ODbL) 1.0"} {
		if !strings.Contains(string(notice), want) {
			t.Errorf("NOTICE lacks %q", want)
		}
	}
	for _, f := range BuiltinFiles() {
		if !strings.Contains(string(notice), "scenarios/defaults/"+f) {
			t.Errorf("NOTICE does not credit the built-in file %s", f)
		}
	}
}
