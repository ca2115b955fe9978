package deploy

// TestDeployBehindCaddy runs the shipped configurations as an administrator
// would: NATS from nats-server.conf, two replicas started with the command
// line of playground@.service, and Caddy with the Caddyfile, only ports and
// paths substituted, everything on loopback. Every check goes through the
// proxy, as a browser would.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/nats-io/nats.go"
)

// requireEnv makes a missing tool a failure instead of a skip (.ci/run).
const requireEnv = "LOSS_PLAYGROUND_REQUIRE_DEPLOY"

// Limits the replicas run with, small enough to reach through the proxy
// in a few requests. Each replica counts its own: a client spread over two
// replicas gets up to twice as much.
const (
	testAPIRate   = 15
	testWSPerAddr = 3
	replicas      = 2
)

// waitFor bounds every wait on a condition in this test but start-up;
// startupWait bounds a replica's start (lessons are typeset as it starts:
// a few seconds, many more on a machine busy with other tests).
const (
	waitFor     = 30 * time.Second
	startupWait = 120 * time.Second
)

func TestDeployBehindProxy(t *testing.T) {
	caddy, err := exec.LookPath("caddy")
	if err != nil {
		msg := "*** caddy not found: the deploy test (deploy/, shipped Caddyfile, NATS, two replicas) is SKIPPED; apt-get install caddy ***"
		if os.Getenv(requireEnv) == "1" {
			t.Fatalf("%s=1 but %s", requireEnv, msg)
		}
		fmt.Fprintln(os.Stderr, msg)
		t.Skip(msg)
	}
	if testing.Short() {
		t.Skip("builds two binaries and starts five servers: not in -short")
	}
	dir := t.TempDir()
	began := time.Now()
	playground, natsServer := buildBinaries(t, dir)
	t.Logf("built playground and nats-server in %v", time.Since(began).Round(time.Millisecond))
	began = time.Now()

	// NATS as shipped: the password from the environment, JetStream on.
	password := randomHex(t, 16)
	natsPort := freePort(t)
	natsConf := writeSubstituted(t, "nats-server.conf", filepath.Join(dir, "nats-server.conf"), map[string]string{
		"listen: 127.0.0.1:4222":   fmt.Sprintf("listen: 127.0.0.1:%d", natsPort),
		"store_dir: /var/lib/nats": "store_dir: " + strconv.Quote(filepath.Join(dir, "jetstream")),
	})
	nats := startProc(t, "nats", []string{"PLAYGROUND_NATS_PASSWORD=" + password}, natsServer, "-c", natsConf)
	natsAddr := fmt.Sprintf("127.0.0.1:%d", natsPort)
	waitListening(t, nats, natsAddr)
	checkNATSAuth(t, natsAddr, password)

	// Caddy's port first: the replicas' -public-url names it.
	caddyPort := freePort(t)
	publicURL := fmt.Sprintf("http://127.0.0.1:%d", caddyPort)

	reps := make([]*replica, replicas)
	for i := range reps {
		reps[i] = &replica{
			owner: t,
			name:  fmt.Sprintf("replica %c", 'A'+i), bin: playground, port: freePort(t),
			env: map[string]string{
				"PLAYGROUND_PUBLIC_URL": publicURL,
				"PLAYGROUND_NATS":       fmt.Sprintf("nats://playground:%s@%s", password, natsAddr),
				"PLAYGROUND_FLAGS":      fmt.Sprintf("-api-rate %d -ws-max-per-addr %d -log-level warn", testAPIRate, testWSPerAddr),
			},
		}
	}
	for _, r := range reps {
		r.start(t)
	}
	for _, r := range reps {
		waitHealthy(t, r.proc, r.url())
	}
	t.Logf("NATS and %d replicas serving in %v", replicas, time.Since(began).Round(time.Millisecond))

	// Each proxy's clients come from addresses of their own (127.0.N.x),
	// so that one proxy's checks do not spend another's limits.
	for n, proxy := range []struct {
		name  string
		start func(t *testing.T) (site string)
	}{
		{"caddy", func(t *testing.T) string {
			waitHealthy(t, startCaddy(t, caddy, dir, caddyPort, reps), publicURL)
			return publicURL
		}},
		{"nginx", func(t *testing.T) string {
			nginx := lookNginx()
			if nginx == "" {
				msg := "*** nginx not found: the shipped nginx site is not tested; apt-get install nginx ***"
				if os.Getenv(requireEnv) == "1" {
					t.Fatalf("%s=1 but %s", requireEnv, msg)
				}
				fmt.Fprintln(os.Stderr, msg)
				t.Skip(msg)
			}
			port := freePort(t)
			site := fmt.Sprintf("http://127.0.0.1:%d", port)
			waitHealthy(t, startNginx(t, nginx, t.TempDir(), port, reps), site)
			return site
		}},
	} {
		t.Run(proxy.name, func(t *testing.T) {
			e := &env{site: proxy.start(t), publicURL: publicURL, reps: reps, net: n}
			t.Run("pages", func(t *testing.T) { checkPages(t, e) })
			t.Run("API", func(t *testing.T) { checkAPI(t, e) })
			t.Run("live drag", func(t *testing.T) { checkDrag(t, e) })
			t.Run("limits per forwarded client", func(t *testing.T) { checkLimits(t, e) })
			t.Run("class across replicas and a rolling restart", func(t *testing.T) { checkClass(t, e) })
		})
	}
}

// env is what the checks need: the proxy's origin, the replicas behind
// it, and the third byte of the loopback addresses its clients use.
type env struct {
	site, publicURL string
	reps            []*replica
	net             int
}

// ip is the loopback address of this proxy's client n.
func (e *env) ip(n int) string { return fmt.Sprintf("127.0.%d.%d", e.net, n) }

// buildBinaries builds the playground (with its embedded assets) and
// nats-server from the module's own dependency.
func buildBinaries(t *testing.T, dir string) (playground, natsServer string) {
	t.Helper()
	if _, err := os.Stat("../web/static/dist/manifest.json"); err != nil {
		t.Fatalf("web/static/dist is missing: run `make assets` first (the binary embeds it): %v", err)
	}
	playground, natsServer = filepath.Join(dir, "playground"), filepath.Join(dir, "nats-server")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, args := range [][]string{
		{"build", "-o", playground, "github.com/lossplayground/playground/cmd/playground"},
		{"build", "-o", natsServer, "github.com/nats-io/nats-server/v2"},
	} {
		wg.Go(func() {
			out, err := exec.Command("go", args...).CombinedOutput()
			if err != nil {
				errs[i] = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return playground, natsServer
}

// proc is a server process whose output is kept for the failure report.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed when it exited
	err  error         // its exit, once done is closed

	mu  sync.Mutex
	out bytes.Buffer
}

func (p *proc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// startProc starts bin; it is killed when t ends (t.Cleanup).
func startProc(t *testing.T, name string, env []string, bin string, args ...string) *proc {
	t.Helper()
	return startProcOwned(t, t, name, env, bin, args...)
}

// startProcOwned starts bin from the test t, killed when owner ends: a
// replica restarted within one subtest serves the next.
func startProcOwned(t, owner *testing.T, name string, env []string, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p, p
	// Its own process group, killed whole at the end: nginx's workers
	// would outlive their master and hold the output pipe open.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p.cmd.WaitDelay = 5 * time.Second
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	owner.Cleanup(func() {
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
		if owner.Failed() {
			owner.Logf("--- %s's output:\n%s", name, tail(p.output(), 3000))
		}
	})
	return p
}

// stop sends SIGTERM, as systemctl stop does, and waits for a clean exit.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(waitFor):
		t.Fatalf("%s did not exit within %v of SIGTERM", p.name, waitFor)
	}
	if p.err != nil {
		t.Fatalf("%s exited with %v after SIGTERM; want status 0", p.name, p.err)
	}
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// replica is one playground process, started with the unit's command line.
type replica struct {
	owner     *testing.T // the test whose end stops it, wherever it restarted
	name, bin string
	port      int
	env       map[string]string
	proc      *proc
}

func (r *replica) url() string { return fmt.Sprintf("http://127.0.0.1:%d", r.port) }

func (r *replica) start(t *testing.T) {
	t.Helper()
	args := unitCommand(t, r.port, r.env)
	t.Logf("%s: playground %s", r.name, strings.Join(args[1:], " "))
	r.proc = startProcOwned(t, r.owner, r.name, nil, r.bin, args[1:]...)
}

// unitCommand is playground@.service's ExecStart for instance port, its
// environment file's variables replaced by env, as systemd would split it.
func unitCommand(t *testing.T, port int, env map[string]string) []string {
	t.Helper()
	unit, err := os.ReadFile("playground@.service")
	if err != nil {
		t.Fatal(err)
	}
	var line string
	sc := bufio.NewScanner(strings.NewReader(strings.ReplaceAll(string(unit), "\\\n", " ")))
	for sc.Scan() {
		if s, ok := strings.CutPrefix(sc.Text(), "ExecStart="); ok {
			line = s
		}
	}
	if line == "" {
		t.Fatal("playground@.service has no ExecStart")
	}
	var args []string
	for _, f := range strings.Fields(strings.ReplaceAll(line, "%i", strconv.Itoa(port))) {
		switch {
		case strings.HasPrefix(f, "${") && strings.HasSuffix(f, "}"):
			// ${VAR}: one argument, empty or not.
			args = append(args, env[f[2:len(f)-1]])
		case strings.HasPrefix(f, "$"):
			// $VAR: split into words.
			args = append(args, strings.Fields(env[f[1:]])...)
		default:
			args = append(args, f)
		}
	}
	if args[0] != "/usr/local/bin/playground" {
		t.Fatalf("ExecStart runs %s; the test expects /usr/local/bin/playground", args[0])
	}
	return args
}

func startCaddy(t *testing.T, caddy, dir string, port int, reps []*replica) *proc {
	t.Helper()
	var upstreams []string
	for _, r := range reps {
		upstreams = append(upstreams, fmt.Sprintf("127.0.0.1:%d", r.port))
	}
	// Only the site's name and the replicas' ports change; the global
	// options keep Caddy off the machine's admin port and certificates.
	path := writeSubstituted(t, "Caddyfile", filepath.Join(dir, "Caddyfile"), map[string]string{
		"playground.example.edu {":                      fmt.Sprintf("{\n\tadmin off\n\tauto_https off\n}\n\nhttp://127.0.0.1:%d {\n\tbind 127.0.0.1", port),
		"reverse_proxy 127.0.0.1:8080 127.0.0.1:8081 {": "reverse_proxy " + strings.Join(upstreams, " ") + " {",
	})
	return startProc(t, "caddy", []string{"HOME=" + dir, "XDG_DATA_HOME=" + dir, "XDG_CONFIG_HOME=" + dir},
		caddy, "run", "--adapter", "caddyfile", "--config", path)
}

// lookNginx finds nginx, which Debian installs in /usr/sbin (not in every
// user's PATH).
func lookNginx() string {
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	return ""
}

// startNginx runs nginx in the foreground with the shipped site: plain
// HTTP on a loopback port instead of TLS on 443 (no certificate here), the
// replicas' ports in the upstream, everything else as shipped.
func startNginx(t *testing.T, nginx, dir string, port int, reps []*replica) *proc {
	t.Helper()
	var servers []string
	for _, r := range reps {
		servers = append(servers, fmt.Sprintf("\tserver 127.0.0.1:%d max_fails=1 fail_timeout=3s;", r.port))
	}
	site := writeSubstituted(t, "nginx-playground.conf", filepath.Join(dir, "site.conf"), map[string]string{
		"server {\n\tlisten 80;\n\tlisten [::]:80;\n\tserver_name playground.example.edu;\n\treturn 301 https://$host$request_uri;\n}\n":                                       "",
		"\tlisten 443 ssl http2;\n\tlisten [::]:443 ssl http2;\n":                                                                                                              fmt.Sprintf("\tlisten 127.0.0.1:%d;\n", port),
		"\tssl_certificate     /etc/letsencrypt/live/playground.example.edu/fullchain.pem;\n\tssl_certificate_key /etc/letsencrypt/live/playground.example.edu/privkey.pem;\n": "",
		"\tserver 127.0.0.1:8080 max_fails=1 fail_timeout=3s;\n\tserver 127.0.0.1:8081 max_fails=1 fail_timeout=3s;":                                                           strings.Join(servers, "\n"),
	})
	// The main configuration Debian's /etc/nginx/nginx.conf would be,
	// with every path inside dir.
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;\n" // workers read dir, which only its owner may
	}
	main := fmt.Sprintf(`%sworker_processes 1;
pid %[2]s/nginx.pid;
error_log stderr warn;
daemon off;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path %[2]s/body;
	proxy_temp_path %[2]s/proxy;
	fastcgi_temp_path %[2]s/fastcgi;
	uwsgi_temp_path %[2]s/uwsgi;
	scgi_temp_path %[2]s/scgi;
	include %[3]s;
}
`, user, dir, site)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(main), 0o600); err != nil {
		t.Fatal(err)
	}
	return startProc(t, "nginx", nil, nginx, "-e", "stderr", "-p", dir, "-c", path)
}

// writeSubstituted copies the shipped file to path with each key of repl
// replaced. Each must occur exactly once: a changed shipped file fails
// here rather than letting the test run something else.
func writeSubstituted(t *testing.T, shipped, path string, repl map[string]string) string {
	t.Helper()
	b, err := os.ReadFile(shipped)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for old, new := range repl {
		if n := strings.Count(s, old); n != 1 {
			t.Fatalf("the shipped file has %q %d times; the test substitutes it and wants it once", old, n)
		}
		s = strings.Replace(s, old, new, 1)
	}
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func checkNATSAuth(t *testing.T, addr, password string) {
	t.Helper()
	if nc, err := nats.Connect("nats://"+addr, nats.Timeout(5*time.Second)); err == nil {
		nc.Close()
		t.Fatal("NATS accepted a client without credentials; want an authorization violation")
	}
	nc, err := nats.Connect(fmt.Sprintf("nats://playground:%s@%s", password, addr), nats.Timeout(5*time.Second))
	if err != nil {
		t.Fatalf("NATS refused the replicas' user: %v", err)
	}
	defer nc.Close()
	js, err := nc.JetStream()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.AccountInfo(); err != nil {
		t.Fatalf("JetStream is not enabled for the replicas' user: %v", err)
	}
}

// checkPages loads pages and an asset they link through the proxy, and
// checks that /metrics is not public.
func checkPages(t *testing.T, e *env) {
	site, reps := e.site, e.reps
	c := clientFrom(t, e.ip(6))
	for _, path := range []string{"/", "/losses/smooth-l1", "/compare/regression", "/join"} {
		status, body := get(t, c, site+path, nil)
		if status != http.StatusOK || !strings.Contains(body, "<html") {
			t.Errorf("GET %s through the proxy: status %d, %d bytes; want 200 and a page", path, status, len(body))
		}
	}
	_, home := get(t, c, site+"/", nil)
	asset := regexp.MustCompile(`/static/[^"' ]+\.js`).FindString(home)
	if asset == "" {
		t.Fatalf("the home page links no script under /static/: is the binary built without `make assets`?")
	}
	if status, body := get(t, c, site+asset, nil); status != http.StatusOK || len(body) == 0 {
		t.Errorf("GET %s through the proxy: status %d, %d bytes; want 200 and the script", asset, status, len(body))
	}
	if status, _ := get(t, c, site+"/metrics", nil); status != http.StatusNotFound {
		t.Errorf("GET /metrics through the proxy: status %d; want 404 (metrics are scraped on the replicas)", status)
	}
	if status, body := get(t, c, reps[0].url()+"/metrics", nil); status != http.StatusOK || !strings.Contains(body, "playground_websockets_open") {
		t.Errorf("GET /metrics on a replica: status %d; want 200 and the metrics", status)
	}
}

func checkAPI(t *testing.T, e *env) {
	site := e.site
	c := clientFrom(t, e.ip(6))
	req, err := http.NewRequest(http.MethodPost, site+"/api/v1/losses/MSELoss", strings.NewReader(`{"inputs":{"input":[[1,2]],"target":[[0,0]]}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct{ Loss float64 }
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/v1/losses/MSELoss through the proxy: status %d, %v", resp.StatusCode, err)
	}
	if got.Loss != 2.5 {
		t.Errorf("MSELoss([[1,2]], [[0,0]]) through the proxy = %v; want 2.5", got.Loss)
	}
}

// checkDrag drags a slider over the WebSocket through the proxy: 30
// compute messages without waiting; the last must be answered with its
// own result (latest wins may supersede the ones between).
func checkDrag(t *testing.T, e *env) {
	conn := dialFrom(t, e.site, e.ip(5))
	defer conn.Close()
	const n = 30
	for i := 1; i <= n; i++ {
		msg := fmt.Sprintf(`{"type":"compute","id":%d,"loss":"MSELoss","inputs":{"input":[[%d,0]],"target":[[0,0]]},"detail":true,"view":{"element":0}}`, i, i)
		if err := conn.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
			t.Fatalf("sending compute %d: %v", i, err)
		}
	}
	conn.SetReadDeadline(time.Now().Add(waitFor))
	for {
		var m struct {
			Type   string
			ID     *int64
			Loss   float64
			Charts map[string]json.RawMessage
			Error  string
		}
		if err := conn.ReadJSON(&m); err != nil {
			t.Fatalf("reading the drag's answers: %v", err)
		}
		if m.Type == "error" {
			t.Fatalf("drag answered an error: %s", m.Error)
		}
		if m.Type == "result" && m.ID != nil && *m.ID == n {
			if want := float64(n*n) / 2; m.Loss != want || len(m.Charts) == 0 {
				t.Errorf("result %d: loss %v with %d charts; want %v with charts", n, m.Loss, len(m.Charts), want)
			}
			return
		}
	}
}

// checkLimits sends one client over its limits through the proxy,
// forging X-Forwarded-For to escape them, and checks that another is
// still served: the proxy names the client, the replicas trust the proxy
// alone.
func checkLimits(t *testing.T, e *env) {
	site := e.site
	greedy, other := clientFrom(t, e.ip(2)), clientFrom(t, e.ip(3))
	forged := func(i int) http.Header {
		return http.Header{"X-Forwarded-For": {fmt.Sprintf("203.0.113.%d", i%250)}, "Forwarded": {fmt.Sprintf("for=198.51.100.%d", i%250)}}
	}

	t.Run("API rate", func(t *testing.T) {
		limited := false
		for i := range replicas*testAPIRate + 1 {
			if status, _ := get(t, greedy, site+"/api/v1/losses", forged(i)); status == http.StatusTooManyRequests {
				limited = true
				break
			}
		}
		if !limited {
			t.Fatalf("%d API requests from one client with forged X-Forwarded-For: never 429; want the limit (%d a minute per replica)", replicas*testAPIRate+1, testAPIRate)
		}
		if status, _ := get(t, other, site+"/api/v1/losses", nil); status != http.StatusOK {
			t.Errorf("API request from another client after the first's limit: status %d; want 200", status)
		}
	})

	t.Run("WebSockets per address", func(t *testing.T) {
		refused := false
		for i := range replicas*testWSPerAddr + 1 {
			conn, resp, err := wsDialer(t, e.ip(2)).Dial(wsURL(site), forged(i))
			if err == nil {
				defer conn.Close()
				continue
			}
			if resp == nil || resp.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("WebSocket %d from one client: %v (response %v); want 101 or 429", i+1, err, resp)
			}
			refused = true
			break
		}
		if !refused {
			t.Fatalf("%d WebSockets from one client with forged X-Forwarded-For: never 429; want the cap (%d per replica)", replicas*testWSPerAddr+1, testWSPerAddr)
		}
		conn := dialFrom(t, site, e.ip(3))
		conn.Close()
	})

	t.Run("wrong class codes", func(t *testing.T) {
		limited := false
		for i := range 50 {
			status, _ := get(t, greedy, fmt.Sprintf("%s/c/ZZZZ%c%c", site, 'A'+i/20, 'A'+i%20), forged(i))
			if status == http.StatusTooManyRequests {
				limited = true
				break
			}
			if status != http.StatusNotFound {
				t.Fatalf("wrong code %d: status %d; want 404 or 429", i+1, status)
			}
		}
		if !limited {
			t.Fatal("50 wrong class codes from one client with forged X-Forwarded-For: never 429; want the wrong-code budget")
		}
		if status, _ := get(t, other, site+"/c/ZZZZZZ", nil); status != http.StatusNotFound {
			t.Errorf("a wrong code from another client after the first's budget: status %d; want 404", status)
		}
	})
}

// classMsg is what the test reads of class messages.
type classMsg struct {
	Type   string
	Role   string
	Error  string
	Seq    int64
	Inputs struct {
		Input [][]float64
	}
	Result struct {
		Loss float64
	}
}

// member is a teacher or a student with a page's behavior: on a closed
// socket it reconnects through the proxy and says hello (class_teach or
// class_join) again.
type member struct {
	name, from, site, hello string

	mu       sync.Mutex
	conn     *websocket.Conn
	connects int     // sockets it opened
	marker   float64 // input[0][0] of the last class_state
	loss     float64 // its result's loss
	seq      int64
	errs     []string
}

func (m *member) run(ctx context.Context, t *testing.T, first *websocket.Conn) {
	conn := first
	for ctx.Err() == nil {
		if conn == nil {
			c, _, err := wsDialer(t, m.from).DialContext(ctx, wsURL(m.site), nil)
			if err != nil {
				// A page backs off before reconnecting; so does the test's.
				select {
				case <-ctx.Done():
				case <-time.After(100 * time.Millisecond):
				}
				continue
			}
			conn = c
		}
		m.mu.Lock()
		m.conn = conn
		m.connects++
		m.mu.Unlock()
		if m.send(m.hello) != nil {
			conn.Close()
			conn = nil
			continue
		}
		stop := context.AfterFunc(ctx, func() { conn.Close() })
		for {
			var msg classMsg
			if err := conn.ReadJSON(&msg); err != nil {
				break
			}
			m.mu.Lock()
			switch msg.Type {
			case "class_state":
				if msg.Seq > m.seq && len(msg.Inputs.Input) > 0 {
					m.seq, m.marker, m.loss = msg.Seq, msg.Inputs.Input[0][0], msg.Result.Loss
				}
			case "error":
				m.errs = append(m.errs, msg.Error)
			}
			m.mu.Unlock()
		}
		stop()
		conn.Close()
		conn = nil
	}
}

func (m *member) send(msg string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.conn == nil {
		return net.ErrClosed
	}
	m.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return m.conn.WriteMessage(websocket.TextMessage, []byte(msg))
}

func (m *member) state() (marker, loss float64, connects int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.marker, m.loss, m.connects
}

// drive shows the state marked marker: the teacher sends it until its own
// socket reports it, sending again after a reconnect.
func (m *member) drive(t *testing.T, marker int) {
	t.Helper()
	msg := fmt.Sprintf(`{"type":"class_drive","id":%d,"loss":"SmoothL1Loss","params":{"beta":0.5},"inputs":{"input":[[%d,-1.5]],"target":[[0,0]]},"detail":true,"view":{"element":0},"query":"beta=0.5"}`, marker, marker)
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		_, _, connects := m.state()
		if m.send(msg) == nil {
			sent := time.Now()
			for time.Since(sent) < 2*time.Second {
				got, _, now := m.state()
				if got == float64(marker) {
					return
				}
				if now != connects {
					break // reconnected: say it again
				}
				time.Sleep(5 * time.Millisecond)
			}
		} else {
			time.Sleep(20 * time.Millisecond)
		}
	}
	got, _, connects := m.state()
	m.mu.Lock()
	errs := m.errs
	m.mu.Unlock()
	t.Fatalf("the teacher's state %d never came back to the teacher (it shows %v after %d sockets; errors %q)", marker, got, connects, errs)
}

// checkClass runs a class with its teacher on one replica and its
// students on the other, restarts each replica in turn while the teacher
// keeps driving, and checks that every student ends on the teacher's last
// state.
func checkClass(t *testing.T, e *env) {
	site, reps := e.site, e.reps
	waitUntil(t, "the sockets of earlier checks are closed", func() bool { return sum(wsGauges(t, reps)) == 0 })
	teacherClient := clientFrom(t, e.ip(4))
	resp, err := teacherClient.Post(site+"/api/v1/classes", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	var cl struct {
		Code         string `json:"code"`
		TeacherToken string `json:"teacher_token"`
		JoinURL      string `json:"join_url"`
	}
	err = json.NewDecoder(resp.Body).Decode(&cl)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/v1/classes through the proxy: status %d, %v", resp.StatusCode, err)
	}
	if want := e.publicURL + "/c/" + cl.Code; cl.JoinURL != want {
		t.Errorf("join_url = %s; want %s (-public-url from the unit's environment)", cl.JoinURL, want)
	}

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	teacher := &member{name: "teacher", from: e.ip(4), site: site,
		hello: fmt.Sprintf(`{"type":"class_teach","code":%q,"token":%q}`, cl.Code, cl.TeacherToken)}
	var ballast []*websocket.Conn
	first := dialOnReplica(t, site, teacher.from, reps, 0, &ballast)
	wg.Go(func() { teacher.run(ctx, t, first) })
	teacher.drive(t, 1)

	students := make([]*member, 3)
	for i := range students {
		s := &member{name: fmt.Sprintf("student %d", i), from: e.ip(10 + i), site: site,
			hello: fmt.Sprintf(`{"type":"class_join","code":%q,"name":"student %d"}`, cl.Code, i)}
		students[i] = s
		first := dialOnReplica(t, site, s.from, reps, 1, &ballast)
		wg.Go(func() { s.run(ctx, t, first) })
	}
	for _, c := range ballast {
		c.Close()
	}
	marker := 2
	teacher.drive(t, marker)
	waitStudents(t, students, marker, "on the other replica, before any restart")

	// A rolling restart: each replica in turn, the teacher driving while
	// it is down and after it is back.
	for _, r := range []*replica{reps[1], reps[0]} {
		before := make([]int, len(students))
		for i, s := range students {
			_, _, before[i] = s.state()
		}
		down := time.Now()
		r.proc.stop(t)
		stopped := time.Since(down)
		marker++
		teacher.drive(t, marker)
		r.start(t)
		waitHealthy(t, r.proc, r.url())
		t.Logf("%s restarted in %v (stopped in %v)", r.name, time.Since(down).Round(time.Millisecond), stopped.Round(time.Millisecond))
		marker++
		teacher.drive(t, marker)
		if r == reps[1] {
			for i, s := range students {
				if _, _, now := s.state(); now == before[i] {
					t.Errorf("%s was on %s but did not reconnect after its restart", s.name, r.name)
				}
			}
		}
	}
	marker++
	teacher.drive(t, marker)
	waitStudents(t, students, marker, "after the rolling restart")
	for _, m := range append([]*member{teacher}, students...) {
		m.mu.Lock()
		if len(m.errs) > 0 {
			t.Errorf("%s received errors: %q", m.name, m.errs)
		}
		m.mu.Unlock()
	}
}

// waitStudents waits until every student shows the state marked marker,
// computed: SmoothL1Loss(beta=0.5) of [[marker, -1.5]] against zeros is
// (marker - 0.25 + 1.25) / 2.
func waitStudents(t *testing.T, students []*member, marker int, when string) {
	t.Helper()
	want := (float64(marker) + 1) / 2
	deadline := time.Now().Add(waitFor)
	for _, s := range students {
		for {
			got, loss, _ := s.state()
			if got == float64(marker) && loss == want {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s %s: shows state %v (loss %v); want the teacher's last, %d (loss %v)", s.name, when, got, loss, marker, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// dialOnReplica opens a WebSocket from the client address from through
// the proxy that lands on reps[want], as the replicas' open-socket gauges
// tell. A socket that lands elsewhere stays open in ballast, so that the
// proxy's least_conn sends the next dial to the other replica; the caller
// closes the ballast once every member is placed.
func dialOnReplica(t *testing.T, site, from string, reps []*replica, want int, ballast *[]*websocket.Conn) *websocket.Conn {
	t.Helper()
	for range 10 {
		before := wsGauges(t, reps)
		conn := dialFrom(t, site, from)
		var after []int
		waitUntil(t, "the new socket shows in a replica's gauge", func() bool {
			after = wsGauges(t, reps)
			return sum(after) == sum(before)+1
		})
		if after[want] == before[want]+1 {
			return conn
		}
		*ballast = append(*ballast, conn)
	}
	t.Fatalf("10 WebSockets through the proxy, none on %s", reps[want].name)
	return nil
}

// wsGauges reads playground_websockets_open from every replica.
func wsGauges(t *testing.T, reps []*replica) []int {
	t.Helper()
	var out []int
	for _, r := range reps {
		_, body := get(t, http.DefaultClient, r.url()+"/metrics", nil)
		m := regexp.MustCompile(`(?m)^playground_websockets_open (\d+)`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s's /metrics has no playground_websockets_open", r.name)
		}
		n, _ := strconv.Atoi(m[1])
		out = append(out, n)
	}
	return out
}

func sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

// clientFrom is an HTTP client whose connections come from the loopback
// address ip (127.0.0.0/8 is all loopback on Linux): to Caddy, a client
// of its own.
func clientFrom(t *testing.T, ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}, Timeout: waitFor}
}

func wsDialer(t *testing.T, ip string) *websocket.Dialer {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &websocket.Dialer{NetDialContext: d.DialContext, HandshakeTimeout: 10 * time.Second}
}

func wsURL(site string) string { return "ws" + strings.TrimPrefix(site, "http") + "/ws" }

// dialFrom opens a WebSocket through the proxy as a browser on the page
// would (its Origin is the site).
func dialFrom(t *testing.T, site, ip string) *websocket.Conn {
	t.Helper()
	conn, resp, err := wsDialer(t, ip).Dial(wsURL(site), http.Header{"Origin": {site}})
	if err != nil {
		t.Fatalf("WebSocket from %s through the proxy: %v (response %v)", ip, err, resp)
	}
	return conn
}

func get(t *testing.T, c *http.Client, url string, h http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading: %v", url, err)
	}
	return resp.StatusCode, string(b)
}

// waitHealthy waits until url/healthz answers 200; p (if any) must not
// exit meanwhile.
func waitHealthy(t *testing.T, p *proc, url string) {
	t.Helper()
	c := &http.Client{Timeout: 2 * time.Second}
	last := "no answer yet"
	waitUntilWithin(t, startupWait, url+"/healthz answers 200", func() bool {
		if p != nil && p.exited() {
			t.Fatalf("%s exited while starting: %v\n%s", p.name, p.err, tail(p.output(), 3000))
		}
		resp, err := c.Get(url + "/healthz")
		if err != nil {
			last = err.Error()
			return false
		}
		resp.Body.Close()
		last = resp.Status
		return resp.StatusCode == http.StatusOK
	}, func() string { return "last: " + last })
}

func waitListening(t *testing.T, p *proc, addr string) {
	t.Helper()
	waitUntil(t, addr+" accepts connections", func() bool {
		if p.exited() {
			t.Fatalf("%s exited while starting: %v\n%s", p.name, p.err, tail(p.output(), 3000))
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return false
		}
		c.Close()
		return true
	})
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitUntilWithin(t, waitFor, what, cond, nil)
}

// waitUntilWithin polls cond for up to d; why, if any, says what was seen
// last when it fails.
func waitUntilWithin(t *testing.T, d time.Duration, what string, cond func() bool, why func() string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			if why != nil {
				what += " (" + why() + ")"
			}
			t.Fatalf("timed out after %v waiting until %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
