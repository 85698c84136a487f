package testbin

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestPath(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a command")
	}
	b := New("github.com/citytwin/citytwin/cmd/citytwin", "CGO_ENABLED=0")
	defer b.Remove()
	bin := b.Path(t)
	if again := b.Path(t); again != bin {
		t.Errorf("second Path %q, want the first build %q", again, bin)
	}
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "citytwin") {
		t.Errorf("%s --version: %v %q", bin, err, out)
	}
	b.Remove()
	if _, err := os.Stat(bin); !os.IsNotExist(err) {
		t.Errorf("after Remove, %s: %v, want it gone", bin, err)
	}
}

func TestPathBuildError(t *testing.T) {
	b := New("github.com/citytwin/citytwin/no/such/command")
	defer b.Remove()
	ft := &fatalT{TB: t}
	func() {
		defer func() { recover() }()
		b.Path(ft)
	}()
	if !strings.Contains(ft.msg, "go build github.com/citytwin/citytwin/no/such/command") {
		t.Errorf("build error %q, want the package named", ft.msg)
	}
}

// fatalT records Fatal's message and stops the caller by panicking.
type fatalT struct {
	testing.TB
	msg string
}

func (f *fatalT) Helper() {}

func (f *fatalT) Fatal(args ...any) {
	f.msg = fmt.Sprint(args...)
	panic("fatal")
}
