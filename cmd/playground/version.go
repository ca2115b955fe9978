package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version and commit are set by `make dist` (-ldflags "-X main.version=...
// -X main.commit=..."), from git. A plain `go build` or `go install` leaves
// them empty; then the build information stands in: the module's version
// (v1.2.3 from go install) and the VCS stamp (absent with -buildvcs=false).
var version, commit string

// versionString is what -version prints and the start-up log carries:
// the version, the commit the binary was built from (with "+dirty" when
// the tree had changes), the commit's time, and the toolchain and
// platform.
func versionString() string {
	v, rev, when := version, commit, ""
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = info.Main.Version
		}
		dirty := false
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if rev == "" {
					rev = s.Value
				}
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if dirty && commit == "" && rev != "" {
			rev += "+dirty"
		}
	}
	if v == "" {
		v = "(devel)"
	}
	if rev == "" {
		rev = "unknown"
	}
	s := fmt.Sprintf("playground %s commit %s", v, rev)
	if when != "" {
		s += " (" + when + ")"
	}
	return s + fmt.Sprintf(" %s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
