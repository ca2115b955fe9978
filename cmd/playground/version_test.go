package main

import (
	"runtime"
	"strings"
	"testing"
)

func TestVersionString(t *testing.T) {
	for _, test := range []struct {
		name, version, commit string
		want                  []string
	}{
		{name: "make dist", version: "v1.2.0", commit: "0123abcd+dirty",
			want: []string{"playground v1.2.0 commit 0123abcd+dirty", runtime.GOOS + "/" + runtime.GOARCH}},
		// A test binary has no VCS stamp and a devel module version.
		{name: "plain go build", want: []string{"playground (devel) commit unknown", runtime.Version()}},
	} {
		t.Run(test.name, func(t *testing.T) {
			defer func(v, c string) { version, commit = v, c }(version, commit)
			version, commit = test.version, test.commit
			got := versionString()
			for _, w := range test.want {
				if !strings.Contains(got, w) {
					t.Errorf("versionString() = %q; want it to contain %q", got, w)
				}
			}
		})
	}
}
