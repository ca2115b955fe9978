package deploy

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestContainerImage builds the image of deploy/Containerfile with podman
// from a static binary, runs it with its port published on loopback, and
// checks that it serves pages, limits clients by the address the host's
// proxy forwards (trusting podman's bridge, as the Containerfile says),
// and exits 0 on `podman stop`. It rebuilds the whole module without cgo
// (a minute or two), so it runs only when asked: `make test-image`, or
// LOSS_PLAYGROUND_TEST_IMAGE=1.
func TestContainerImage(t *testing.T) {
	if os.Getenv("LOSS_PLAYGROUND_TEST_IMAGE") != "1" {
		t.Skip("the container image test runs with LOSS_PLAYGROUND_TEST_IMAGE=1 (make test-image)")
	}
	podman, err := exec.LookPath("podman")
	if err != nil {
		t.Fatal("LOSS_PLAYGROUND_TEST_IMAGE=1 but podman is not installed (apt-get install podman)")
	}
	if testing.Short() {
		t.Skip("builds an image and runs a container: not in -short")
	}
	if _, err := os.Stat("../web/static/dist/manifest.json"); err != nil {
		t.Fatalf("web/static/dist is missing: run `make assets` first (the binary embeds it): %v", err)
	}
	// The runtime flags: limits no higher than this machine's (podman's
	// defaults can exceed a container host's hard limits), and runc where
	// installed (crun refuses hosts with hybrid cgroups).
	runFlags := []string{"--ulimit", "nofile=16384:16384", "--ulimit", "nproc=4096:4096"}
	var global []string
	if _, err := exec.LookPath("runc"); err == nil {
		global = []string{"--runtime", "runc"}
	}
	pod := func(args ...string) (string, error) {
		out, err := exec.Command(podman, append(append([]string{}, global...), args...)...).CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}

	dir := t.TempDir()
	build := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(dir, "playground"), "github.com/lossplayground/playground/cmd/playground")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	name := "playground-test-" + randomHex(t, 6)
	image := "localhost/" + name
	if out, err := pod("build", "-f", "Containerfile", "--build-arg", "BINARY=playground", "-t", image, dir); err != nil {
		t.Fatalf("podman build: %v\n%s", err, tail(out, 3000))
	}
	t.Cleanup(func() { pod("rmi", "-f", image) })
	gateway, err := pod("network", "inspect", "podman", "--format", "{{range .Subnets}}{{.Gateway}}{{end}}")
	if err != nil || gateway == "" {
		t.Fatalf("podman's default network has no gateway (%q): %v", gateway, err)
	}

	port := freePort(t)
	args := append([]string{"run", "-d", "--name", name, "-p", fmt.Sprintf("127.0.0.1:%d:8080", port)}, runFlags...)
	args = append(args, image, "-api-rate", "2", "-trusted-proxies", gateway+"/32")
	if out, err := pod(args...); err != nil {
		t.Fatalf("podman run: %v\n%s", err, tail(out, 3000))
	}
	t.Cleanup(func() {
		if t.Failed() {
			out, _ := pod("logs", name)
			t.Logf("--- the container's output:\n%s", tail(out, 3000))
		}
		pod("rm", "-f", name)
	})
	site := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitHealthy(t, nil, site)

	if status, body := get(t, http.DefaultClient, site+"/losses/smooth-l1", nil); status != http.StatusOK || !strings.Contains(body, "<html") {
		t.Errorf("GET /losses/smooth-l1 from the container: status %d; want 200 and a page", status)
	}
	as := func(client string) int {
		status, _ := get(t, http.DefaultClient, site+"/api/v1/losses", http.Header{"X-Forwarded-For": {client}})
		return status
	}
	for i := range 2 {
		if got := as("192.0.2.1"); got != http.StatusOK {
			t.Fatalf("API request %d of 2 forwarded for 192.0.2.1: status %d; want 200", i+1, got)
		}
	}
	if got := as("192.0.2.1"); got != http.StatusTooManyRequests {
		t.Errorf("API request 3 of 2 forwarded for 192.0.2.1: status %d; want 429", got)
	}
	if got := as("192.0.2.2"); got != http.StatusOK {
		t.Errorf("API request forwarded for 192.0.2.2 after 192.0.2.1's limit: status %d; want 200 (is %s the proxy's address inside the container?)", got, gateway)
	}

	if out, err := pod("stop", "-t", "15", name); err != nil {
		t.Fatalf("podman stop: %v\n%s", err, out)
	}
	if code, err := pod("inspect", name, "--format", "{{.State.ExitCode}}"); err != nil || code != "0" {
		t.Errorf("exit status after podman stop = %s (%v); want 0", code, err)
	}
}
