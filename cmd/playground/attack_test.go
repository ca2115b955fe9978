package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// The bounds the attacks are held to (issue 9).
const (
	attackAnswerLimit = 10 * time.Second // every attack answered (any status)
	healthLimit       = time.Second      // /healthz, throughout
	peakRSSLimit      = 1536 << 20       // the server's VmHWM
	abandonedCPULimit = 2 * time.Second  // CPU burnt after abandoned clients leave
	shutdownLimit     = 15 * time.Second // SIGTERM to exit 0, a request in flight
	// metricPoll spaces the test's own scrapes of /metrics while it waits
	// for a condition: each costs the server a millisecond or two, which
	// counts in its CPU and competes with /healthz.
	metricPoll = 50 * time.Millisecond
)

// server is the real playground process under attack.
type server struct {
	cmd  *exec.Cmd
	url  string // http://127.0.0.1:port
	addr string // 127.0.0.1:port
	pid  int

	mu     sync.Mutex
	stderr bytes.Buffer
	exited chan struct{} // closed when the process has exited
	err    error         // its Wait error, once exited
}

var servingRE = regexp.MustCompile(`url=http://(127\.0\.0\.1:\d+)`)

// startServer runs bin on a free loopback port and waits for it to serve.
func startServer(t *testing.T, bin string, args ...string) *server {
	t.Helper()
	s := &server{exited: make(chan struct{})}
	s.cmd = exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	s.cmd.Env = append(os.Environ(), runMainEnv+"=1")
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	s.pid = s.cmd.Process.Pid
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.stderr.WriteString(line + "\n")
			s.mu.Unlock()
			if m := servingRE.FindStringSubmatch(line); m != nil {
				ready <- m[1]
			}
		}
		err := s.cmd.Wait()
		s.mu.Lock()
		s.err = err
		s.mu.Unlock()
		close(s.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			s.cmd.Process.Kill()
			<-s.exited
		}
	})
	select {
	case s.addr = <-ready:
		s.url = "http://" + s.addr
	case <-s.exited:
		t.Fatalf("the server exited before serving:\n%s", s.log())
	case <-time.After(30 * time.Second):
		t.Fatalf("the server did not start in 30 s:\n%s", s.log())
	}
	return s
}

func (s *server) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

// procStatus reads a field of /proc/PID/status in kB, as bytes.
func (s *server) procStatus(t *testing.T, field string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.pid))
	if err != nil {
		t.Fatalf("read /proc status: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("parse %s: %v", line, err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc status", field)
	return 0
}

// cpuTime is the server's user+system CPU time (/proc/PID/stat).
func (s *server) cpuTime(t *testing.T) time.Duration {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.pid))
	if err != nil {
		t.Fatalf("read /proc stat: %v", err)
	}
	// Fields after the command name, which ends with the last ")".
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	const ticksPerSecond = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticksPerSecond
}

// healthMonitor polls /healthz until stopped, keeping the slowest answer.
type healthMonitor struct {
	stop chan struct{}
	done chan struct{}

	mu            sync.Mutex
	phase         string // the attack under way
	slowest       time.Duration
	slowestDuring string // the phase of the slowest answer
	polls         int
	fails         []string
}

// during names the attack under way, for the record of the slowest answer.
func (m *healthMonitor) during(phase string) {
	m.mu.Lock()
	m.phase = phase
	m.mu.Unlock()
}

func monitorHealth(s *server) *healthMonitor {
	m := &healthMonitor{stop: make(chan struct{}), done: make(chan struct{})}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	go func() {
		defer close(m.done)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-m.stop:
				return
			case <-tick.C:
			}
			start := time.Now()
			resp, err := client.Get(s.url + "/healthz")
			d := time.Since(start)
			m.mu.Lock()
			m.polls++
			if d > m.slowest {
				m.slowest, m.slowestDuring = d, m.phase
			}
			if err != nil {
				m.fails = append(m.fails, err.Error())
			} else {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					m.fails = append(m.fails, resp.Status)
				}
			}
			m.mu.Unlock()
		}
	}()
	return m
}

func (m *healthMonitor) finish() (slowest time.Duration, during string, polls int, fails []string) {
	close(m.stop)
	<-m.done
	return m.slowest, m.slowestDuring, m.polls, m.fails
}

// Attack bodies, as in the issue.

// ctcAttack is 20 KB asking for a lattice of 16.8 million states with
// detail: 554 MB of answer before the budgets.
func ctcAttack() (body []byte, query url.Values) {
	const T, L = 1673, 5013
	lp := make([][]float64, T)
	for i := range lp {
		lp[i] = []float64{-0.6931, -0.6931}
	}
	tg := make([]int, L)
	for i := range tg {
		tg[i] = 1
	}
	inputs := map[string]any{"log_probs": lp, "targets": tg, "input_lengths": T, "target_lengths": L}
	body, _ = json.Marshal(map[string]any{"detail": true, "inputs": inputs})
	query = url.Values{}
	for k, v := range inputs {
		b, _ := json.Marshal(v)
		query.Set(k, string(b))
	}
	return body, query
}

// mlmAttack is MultiLabelMarginLoss with one label listed C times: C²
// hinge terms. C = 130,000 makes a body of about 1 MiB.
func mlmAttack(C int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"inputs":{"input":[`)
	for i := range C {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(i % 3))
	}
	b.WriteString(`],"target":[`)
	for i := range C {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('1')
	}
	b.WriteString(`]}}`)
	return b.Bytes()
}

// mostExpensiveAllowed is about as much work as the budget allows in one
// call: 5,600 classes, one label listed 5,600 times (31 million hinge
// terms).
func mostExpensiveAllowed() []byte { return mlmAttack(5600) }

// post sends body and returns the status (0 and the error when none came).
func post(ctx context.Context, url string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// rawConn opens a TCP connection with a deadline for the whole attack.
func rawConn(t *testing.T, s *server) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(attackAnswerLimit + 5*time.Second))
	t.Cleanup(func() { conn.Close() })
	return conn
}

// firstLine reads the status line of an answer, or the error that ended
// the connection first (a closed connection is an answer too).
func firstLine(conn net.Conn) string {
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return "connection ended: " + err.Error()
	}
	return strings.TrimSpace(line)
}

// TestAttacks replays issue 9's attacks against the real server process
// (built from this package, on a free loopback port) and holds it to the
// issue's bounds: every attack answered within 10 s, /healthz under 1 s
// throughout, under 2 s of CPU after abandoned clients leave, a peak RSS
// under 1.5 GB, no ERROR in the log, and exit 0 within 15 s of SIGTERM
// with a request in flight. The sizes are those of the issue except the
// idle WebSockets: enough to pass the per-address cap.
func TestAttacks(t *testing.T) {
	if testing.Short() {
		t.Skip("attacks the real server; skipped with -short")
	}
	s := startServer(t, serverBinary(t))
	health := monitorHealth(s)
	api := s.url + "/api/v1/losses/"
	ctcBody, ctcQuery := ctcAttack()

	attacks := []struct {
		name string
		run  func(t *testing.T) string // returns what answered
	}{
		{"CTC with detail, 3 at once (API)", func(t *testing.T) string {
			var wg sync.WaitGroup
			statuses := make([]int, 3)
			for i := range statuses {
				wg.Go(func() { statuses[i], _ = post(context.Background(), api+"CTCLoss", ctcBody) })
			}
			wg.Wait()
			for _, st := range statuses {
				if st != http.StatusUnprocessableEntity {
					t.Errorf("status %d; want 422 (over budget)", st)
				}
			}
			return fmt.Sprint(statuses)
		}},
		{"CTC lattice through an embed URL", func(t *testing.T) string {
			resp, err := http.Get(s.url + "/embed/ctc?" + ctcQuery.Encode())
			if err != nil {
				t.Fatal(err)
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest || n > 200<<10 {
				t.Errorf("status %d, %d bytes; want a 400 page under 200 KiB", resp.StatusCode, n)
			}
			return fmt.Sprintf("%d, %d bytes", resp.StatusCode, n)
		}},
		{"CTC over the WebSocket, then the socket dropped", func(t *testing.T) string {
			conn, _, err := websocket.DefaultDialer.Dial("ws://"+s.addr+"/ws", nil)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			msg := `{"type":"compute","id":1,"loss":"CTCLoss",` + strings.TrimPrefix(string(ctcBody), "{")
			conn.WriteMessage(websocket.TextMessage, []byte(msg))
			conn.SetReadDeadline(time.Now().Add(attackAnswerLimit))
			_, reply, err := conn.ReadMessage()
			if err != nil {
				t.Fatalf("no reply: %v", err)
			}
			if !bytes.Contains(reply, []byte(`"field":"targets"`)) {
				t.Errorf("reply %.200s; want an error naming targets", reply)
			}
			return string(reply[:min(len(reply), 80)]) + "…"
		}},
		{"MultiLabelMargin, 4 bodies of 1 MiB abandoned after 1 s", func(t *testing.T) string {
			body := mlmAttack(130000)
			var wg sync.WaitGroup
			results := make([]string, 4)
			for i := range results {
				wg.Go(func() {
					ctx, cancel := context.WithTimeout(context.Background(), time.Second)
					defer cancel()
					st, err := post(ctx, api+"MultiLabelMarginLoss", body)
					results[i] = fmt.Sprint(st, err)
				})
			}
			wg.Wait()
			return fmt.Sprintf("%d-byte bodies: %v", len(body), results)
		}},
		{"idle WebSockets from one address beyond the cap", func(t *testing.T) string {
			var conns []*websocket.Conn
			defer func() {
				for _, c := range conns {
					c.Close()
				}
			}()
			// A lecture hall's 300 fit (1024 open, 500 handshakes at once,
			// then 20 a second); one address opening 600 at once is refused
			// past the burst.
			refused := 0
			for range 600 {
				c, resp, err := websocket.DefaultDialer.Dial("ws://"+s.addr+"/ws", nil)
				if err != nil {
					if resp == nil || resp.StatusCode != http.StatusTooManyRequests {
						t.Fatalf("dial: %v (response %v); want success or 429", err, resp)
					}
					refused++
					continue
				}
				conns = append(conns, c)
			}
			if refused == 0 {
				t.Errorf("600 idle sockets from one address all accepted; want the per-address handshake burst (500) to refuse some")
			}
			return fmt.Sprintf("%d open, %d refused (429)", len(conns), refused)
		}},
		// Both wait for the server's read timeouts, so they go at once.
		{"body trickled one byte every 3 s, and headers one byte a second, at once", func(t *testing.T) string {
			var body, headers string
			var wg sync.WaitGroup
			bodyConn, headersConn := rawConn(t, s), rawConn(t, s)
			wg.Go(func() { body = trickleBody(bodyConn) })
			wg.Go(func() { headers = trickleHeaders(headersConn) })
			wg.Wait()
			return "body: " + body + "; headers: " + headers
		}},
		{"truncated body", func(t *testing.T) string {
			conn := rawConn(t, s)
			fmt.Fprintf(conn, "POST /api/v1/losses/MSELoss HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"inputs\":{\"input\":[1,2")
			conn.(*net.TCPConn).CloseWrite()
			line := firstLine(conn)
			if !strings.Contains(line, " 400 ") {
				t.Errorf("answer %q; want 400", line)
			}
			return line
		}},
		{"a reader that never reads a large answer", func(t *testing.T) string {
			conn := rawConn(t, s)
			// MSELoss over 40,000 elements, reduction 'none', with detail:
			// an answer of megabytes, within the budgets.
			n := 40000
			in := "[" + strings.Repeat("0.5,", n-1) + "0.5]"
			body := `{"detail":true,"params":{"reduction":"none"},"inputs":{"input":` + in + `,"target":` + strings.Replace(in, "0.5", "1", -1) + `}}`
			fmt.Fprintf(conn, "POST /api/v1/losses/MSELoss HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
			// Read the status line only, then never again.
			line := firstLine(conn)
			if !strings.Contains(line, " 200 ") {
				t.Errorf("answer %q; want 200 (an answer within the budgets)", line)
			}
			return line
		}},
		{"WebSocket flood without reading", func(t *testing.T) string {
			conn, _, err := websocket.DefaultDialer.Dial("ws://"+s.addr+"/ws", nil)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			msg := []byte(`{"type":"compute","id":1,"loss":"MSELoss","inputs":{"input":[1,2],"target":[0,0]},"view":{}}`)
			conn.SetWriteDeadline(time.Now().Add(attackAnswerLimit))
			sent := 0
			for ; sent < 20000; sent++ {
				if err := conn.WriteMessage(websocket.TextMessage, msg); err != nil {
					break
				}
			}
			conn.SetReadDeadline(time.Now().Add(attackAnswerLimit))
			_, reply, err := conn.ReadMessage()
			if err != nil {
				return fmt.Sprintf("%d sent; connection ended: %v", sent, err)
			}
			return fmt.Sprintf("%d sent; %.60s…", sent, reply)
		}},
		{"a 900 KB query string on a page", func(t *testing.T) string {
			resp, err := http.Get(s.url + "/losses/mse?junk=" + strings.Repeat("x", 900<<10))
			if err != nil {
				t.Fatal(err)
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if n > 200<<10 {
				t.Errorf("a %d-byte page; want under 200 KiB", n)
			}
			return fmt.Sprintf("%d, %d bytes", resp.StatusCode, n)
		}},
		{"nesting 100,000 deep and ragged arrays", func(t *testing.T) string {
			deep := `{"inputs":{"input":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}}`
			st1, _ := post(context.Background(), api+"MSELoss", []byte(deep))
			st2, _ := post(context.Background(), api+"MSELoss", []byte(`{"inputs":{"input":[[1,2],[3]],"target":[[1,2],[3,4]]}}`))
			if st1/100 != 4 || st2/100 != 4 {
				t.Errorf("statuses %d, %d; want 4xx", st1, st2)
			}
			return fmt.Sprint(st1, st2)
		}},
	}
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			health.during(a.name)
			start := time.Now()
			what := a.run(t)
			d := time.Since(start)
			t.Logf("answered in %v: %s", d.Round(time.Millisecond), what)
			if d > attackAnswerLimit {
				t.Errorf("answered in %v; want within %v", d, attackAnswerLimit)
			}
		})
	}

	// Abandoned clients: 16 clients each ask for the most work the budget
	// allows, and all leave once the compute slots are busy and others
	// queue. What was queued must leave the queue, and what runs must
	// stop, within 2 s of CPU.
	t.Run("abandoned expensive requests", func(t *testing.T) {
		health.during("abandoned expensive requests")
		body := mostExpensiveAllowed()
		ctx, leave := context.WithCancel(context.Background())
		defer leave()
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() { post(ctx, api+"MultiLabelMarginLoss", body) })
		}
		deadline := time.Now().Add(attackAnswerLimit)
		for metric(t, s, "playground_compute_running") < 1 || metric(t, s, "playground_compute_queue_depth") < 1 {
			if time.Now().After(deadline) {
				t.Fatalf("the requests never filled the compute slots and queue")
			}
			time.Sleep(metricPoll)
		}
		t.Logf("when the clients left: %v running, %v queued", metric(t, s, "playground_compute_running"), metric(t, s, "playground_compute_queue_depth"))
		leave()
		wg.Wait()
		left := s.cpuTime(t)
		for metric(t, s, "playground_compute_running")+metric(t, s, "playground_compute_queue_depth") > 0 {
			if time.Now().After(deadline) {
				t.Fatalf("computations still running %v after their clients left", attackAnswerLimit)
			}
			time.Sleep(metricPoll)
		}
		burnt := s.cpuTime(t) - left
		t.Logf("CPU burnt after the clients left: %v", burnt)
		if burnt > abandonedCPULimit {
			t.Errorf("CPU burnt after the clients left = %v; want under %v", burnt, abandonedCPULimit)
		}
	})

	slowest, during, polls, fails := health.finish()
	peak := s.procStatus(t, "VmHWM")
	t.Logf("/healthz: %d polls, slowest %v (during %q); peak RSS %d MiB; server CPU in all %v",
		polls, slowest.Round(time.Millisecond), during, peak>>20, s.cpuTime(t))
	if len(fails) > 0 {
		t.Errorf("/healthz failed %d times: %v", len(fails), fails[:min(len(fails), 5)])
	}
	if slowest > healthLimit {
		t.Errorf("slowest /healthz = %v; want under %v", slowest, healthLimit)
	}
	if peak > peakRSSLimit {
		t.Errorf("peak RSS = %d MiB; want under %d MiB", peak>>20, peakRSSLimit>>20)
	}

	// SIGTERM while a request is in flight: its body arrives over 2 s, it
	// must be answered in full, and the process must exit 0.
	t.Run("SIGTERM with a request in flight", func(t *testing.T) {
		pr, pw := io.Pipe()
		body := mostExpensiveAllowed()
		sending := make(chan struct{})
		go func() {
			half := len(body) / 2
			pw.Write(body[:half]) // returns once the client has taken it
			close(sending)
			time.Sleep(2 * time.Second) // a slow client: the request stays in flight across the signal
			pw.Write(body[half:])
			pw.Close()
		}()
		status := make(chan string, 1)
		go func() {
			req, _ := http.NewRequest("POST", api+"MultiLabelMarginLoss", pr)
			req.ContentLength = int64(len(body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				status <- err.Error()
				return
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			status <- fmt.Sprintf("%d %d bytes %v", resp.StatusCode, len(b), err)
		}()
		<-sending
		// The request is in flight once the server serves it (the
		// connection may still wait in the listen queue): in flight
		// beside the scrape that asks.
		deadline := time.Now().Add(attackAnswerLimit)
		for metric(t, s, "playground_http_requests_in_flight") < 2 {
			if time.Now().After(deadline) {
				t.Fatal("the request never reached the server")
			}
			time.Sleep(metricPoll)
		}
		start := time.Now()
		if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case <-s.exited:
		case <-time.After(shutdownLimit):
			t.Fatalf("no exit %v after SIGTERM", shutdownLimit)
		}
		d := time.Since(start)
		s.mu.Lock()
		err := s.err
		s.mu.Unlock()
		got := <-status
		t.Logf("exit %v after SIGTERM in %v; the request in flight got %s", err, d.Round(time.Millisecond), got)
		if err != nil {
			t.Errorf("exit = %v; want status 0", err)
		}
		if !strings.HasPrefix(got, "200 ") {
			t.Errorf("the request in flight got %q; want a full 200 answer", got)
		}
	})

	if log := s.log(); strings.Contains(log, "level=ERROR") {
		t.Errorf("the server logged errors under attack:\n%s", log)
	}
}

// metric reads one unlabelled value from the server's /metrics.
func metric(t *testing.T, s *server, name string) float64 {
	t.Helper()
	resp, err := http.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metric %s: %v", line, err)
			}
			return f
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// trickleBody sends on conn a request whose body comes one byte every 3 s, and
// returns the first line of the answer.
func trickleBody(conn net.Conn) string {
	fmt.Fprintf(conn, "POST /api/v1/losses/MSELoss HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(3 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := conn.Write([]byte("[")); err != nil {
					return
				}
			}
		}
	}()
	return firstLine(conn)
}

// trickleHeaders sends on conn a request whose headers come one byte a second,
// and returns the first line of the answer.
func trickleHeaders(conn net.Conn) string {
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for _, b := range []byte("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("a", 60)) {
			select {
			case <-stop:
				return
			case <-time.After(time.Second):
			}
			if _, err := conn.Write([]byte{b}); err != nil {
				return
			}
		}
	}()
	return firstLine(conn)
}
