package cliflag

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Version describes the running binary for --version: its name, the
// module version and the VCS revision the build was stamped with, and the
// Go release and platform, as runtime/debug.ReadBuildInfo reports them:
//
//	citytwin (devel) revision 1c0ffee5d2e4 (2026-12-06T20:33:00Z, modified) go1.27.3 linux/amd64
//
// A binary built without VCS stamping (-buildvcs=false in GOFLAGS or
// go.env, or a source tree without .git) says "revision unknown" and how
// to stamp it: go build -buildvcs=true.
func Version(name string) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return fmt.Sprintf("%s: no build information (not built by the go command) %s %s/%s", name, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	}
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	var rev, when string
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s ", name, version)
	if rev == "" {
		b.WriteString("revision unknown (built without VCS stamping; go build -buildvcs=true stamps it)")
	} else {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		fmt.Fprintf(&b, "revision %s", rev)
		var notes []string
		if when != "" {
			notes = append(notes, when)
		}
		if modified {
			notes = append(notes, "modified")
		}
		if len(notes) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(notes, ", "))
		}
	}
	fmt.Fprintf(&b, " %s %s/%s", info.GoVersion, runtime.GOOS, runtime.GOARCH)
	return b.String()
}
