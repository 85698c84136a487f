package limitio

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	os.WriteFile(small, []byte("12345"), 0o644)
	for _, tc := range []struct {
		name, path string
		max        int64
		want       string // error substring; "" for success
	}{
		{"fits", small, 5, ""},
		{"too large", small, 4, "more than the limit of 4"},
		{"/dev/zero never ends", "/dev/zero", 1 << 20, "not a regular file (a character device)"},
		{"a folder", dir, 1 << 20, "not a regular file (a folder)"},
		{"missing", filepath.Join(dir, "none"), 10, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := os.Stat(tc.path); tc.path == "/dev/zero" && err != nil {
				t.Skip("no /dev/zero")
			}
			data, err := ReadFile(tc.path, tc.max)
			if tc.want == "" {
				if err != nil || string(data) != "12345" {
					t.Errorf("got %q, %v", data, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
	var tl *TooLargeError
	if _, err := ReadFile(small, 1); !errors.As(err, &tl) || tl.Size != 5 {
		t.Errorf("got %v, want a *TooLargeError of 5 bytes", err)
	}
}

func TestReader(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		max  int64
		want string // error substring; "" for success
	}{
		{"shorter", "1234", 5, ""},
		{"exactly the limit", "12345", 5, ""},
		{"one byte over", "123456", 5, "decompresses to more than 5 bytes"},
		{"far over", strings.Repeat("x", 1<<16), 100, "decompresses to more than 100 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := io.ReadAll(NewReader(strings.NewReader(tc.in), "f.gz", tc.max))
			if tc.want == "" {
				if err != nil || string(got) != tc.in {
					t.Errorf("got %q, %v; want %q", got, err, tc.in)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "f.gz") {
				t.Errorf("got %v, want an error naming f.gz with %q", err, tc.want)
			}
			if int64(len(got)) > tc.max {
				t.Errorf("read %d bytes past the limit of %d", len(got), tc.max)
			}
		})
	}
}
