package main

import (
	"os"
	"slices"
	"testing"
)

// runMainEnv, set in a process's environment, makes this test binary run
// main() with its arguments instead of the tests (TestMain): the attack
// and shutdown tests run the real server, main and all, as a process of
// its own, without linking a second binary (a go build took 3–4 s of the
// suite, twice).
const runMainEnv = "LOSS_PLAYGROUND_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serverBinary is this test binary, which runs main() when started with
// runMainEnv (startServer does).
func serverBinary(t *testing.T) string {
	t.Helper()
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

func TestParseOrigins(t *testing.T) {
	for _, test := range []struct {
		list string
		want []string // nil: an error
	}{
		{"https://docs.example.org", []string{"https://docs.example.org"}},
		{" https://a.example/ , http://b.example:8080", []string{"https://a.example", "http://b.example:8080"}},
		{"https://a.example/path", nil},
		{"https://a.example?x=1", nil},
		{"javascript:alert(1)", nil},
		{"*", nil},
		{"https://a.example; script-src *", nil},
		{"https://user@a.example", nil},
		{"docs.example.org", nil},
	} {
		t.Run(test.list, func(t *testing.T) {
			got, err := parseOrigins(test.list)
			switch {
			case test.want == nil && err == nil:
				t.Errorf("parseOrigins(%q) = %q; want an error", test.list, got)
			case test.want != nil && (err != nil || !slices.Equal(got, test.want)):
				t.Errorf("parseOrigins(%q) = %q, %v; want %q", test.list, got, err, test.want)
			}
		})
	}
}
