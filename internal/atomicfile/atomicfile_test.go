package atomicfile

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestCommitAbort(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "out.csv")
	if err := WriteFile(p, []byte("old\n")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		commit bool
		want   string
	}{
		{"abort keeps the old file", false, "old\n"},
		{"commit replaces it", true, "new\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Create(p)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString("new\n")
			if got := read(t, p); got != "old\n" {
				t.Errorf("while writing, the final path holds %q, want the old file", got)
			}
			if !IsTemp(filepath.Base(f.TempName())) || filepath.Dir(f.TempName()) != filepath.Dir(p) {
				t.Errorf("temporary name %q: want a temporary name in the same folder", f.TempName())
			}
			if tc.commit {
				if err := f.Commit(); err != nil {
					t.Fatal(err)
				}
			}
			if err := f.Abort(); err != nil && !tc.commit {
				t.Fatal(err)
			}
			if got := read(t, p); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if got := names(t, filepath.Dir(p)); !slices.Equal(got, []string{"out.csv"}) {
				t.Errorf("folder holds %v, want only out.csv", got)
			}
			if _, err := f.Write([]byte("x")); err == nil {
				t.Error("a write after Commit or Abort succeeded")
			}
		})
	}
}

// A writer killed before Commit leaves the old file and a temporary file,
// which CleanTemps removes.
func TestCleanTemps(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "trips.csv")
	if err := WriteFile(p, []byte("complete\n")); err != nil {
		t.Fatal(err)
	}
	f, err := Create(p)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("half a li")
	f.w.Flush()
	f.f.Close() // as a kill would leave it
	os.WriteFile(filepath.Join(dir, ".hidden"), nil, 0o644)
	removed, err := CleanTemps(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 1 || removed[0] != f.TempName() {
		t.Errorf("removed %v, want [%s]", removed, f.TempName())
	}
	if got := names(t, dir); !slices.Equal(got, []string{".hidden", "trips.csv"}) {
		t.Errorf("folder holds %v", got)
	}
	if got := read(t, p); got != "complete\n" {
		t.Errorf("got %q", got)
	}
	if r, err := CleanTemps(filepath.Join(dir, "missing")); err != nil || r != nil {
		t.Errorf("a missing folder: %v, %v", r, err)
	}
}

func TestCreateErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Create(dir + "/"); err == nil {
		t.Error("Create of a folder path succeeded")
	}
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o644)
	if _, err := Create(filepath.Join(file, "x")); err == nil {
		t.Error("Create under a file succeeded")
	}
}
