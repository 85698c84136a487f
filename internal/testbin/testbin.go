// Package testbin builds one of the project's commands for tests that run
// it as a child process: once per test binary, into a temporary folder
// that the package's TestMain removes.
//
//	var server = testbin.New("github.com/citytwin/citytwin/cmd/citytwin", "CGO_ENABLED=0")
//
//	func TestMain(m *testing.M) { code := m.Run(); server.Remove(); os.Exit(code) }
//
//	func TestX(t *testing.T) { bin := server.Path(t); ... }
package testbin

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// Binary is a command built on first use.
type Binary struct {
	pkg  string
	env  []string
	once sync.Once
	dir  string
	path string
	err  error
}

// New returns the command of package pkg (an import path), to be built
// with the extra environment variables env ("KEY=value").
func New(pkg string, env ...string) *Binary {
	return &Binary{pkg: pkg, env: env}
}

// Path builds the command the first time it is called and returns the
// executable's path; a failed build fails t (every time it is asked for).
func (b *Binary) Path(t testing.TB) string {
	t.Helper()
	b.once.Do(func() {
		name := path.Base(b.pkg)
		b.dir, b.err = os.MkdirTemp("", name+"-test-")
		if b.err != nil {
			return
		}
		b.path = filepath.Join(b.dir, name)
		if runtime.GOOS == "windows" {
			b.path += ".exe"
		}
		cmd := exec.Command("go", "build", "-o", b.path, b.pkg)
		cmd.Env = append(os.Environ(), b.env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build %s: %v\n%s", b.pkg, err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// Remove deletes the folder of the built command, if it was built.
func (b *Binary) Remove() {
	if b.dir != "" {
		os.RemoveAll(b.dir)
	}
}
