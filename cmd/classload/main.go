// Command classload measures a class under load: one teacher driving a
// loss page at a steady rate, hundreds of students following over /ws. It
// runs the servers in this process on loopback ports — one replica with
// its embedded NATS server, then two replicas sharing a NATS server — and
// reports, per setup, the states delivered, the latency from the teacher's
// send to each student's receipt (p50, p99, max), and how many students
// ended on the teacher's last state with exactly the loss API's answer.
//
//	go run ./cmd/classload                       # 300 students, 30 changes/s for 10 s
//	go run ./cmd/classload -students 100 -duration 3s -setups 2
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
	"github.com/lossplayground/playground/web"
	"github.com/lossplayground/playground/web/class"
)

func main() {
	students := flag.Int("students", 300, "students following the class")
	rate := flag.Int("rate", 30, "teacher's changes per second")
	duration := flag.Duration("duration", 10*time.Second, "how long the teacher drives")
	setups := flag.String("setups", "1,2", "replica counts to measure, comma-separated (1: one process with its embedded NATS; 2: two replicas sharing a NATS server)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run (servers and clients) to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "classload:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	for _, s := range strings.Split(*setups, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "classload: -setups: %q is not a replica count\n", s)
			os.Exit(2)
		}
		res, err := run(n, *students, *rate, *duration)
		if err != nil {
			fmt.Fprintln(os.Stderr, "classload:", err)
			pprof.StopCPUProfile()
			os.Exit(1)
		}
		res.print(os.Stdout)
	}
}

// replica is one App behind its own loopback listener.
type replica struct {
	app *web.App
	srv *http.Server
	url string
}

func startReplica(cfg web.Config) (*replica, error) {
	app, err := web.New(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: app.Routes()}
	go srv.Serve(ln)
	return &replica{app: app, srv: srv, url: "http://" + ln.Addr().String()}, nil
}

func (r *replica) close() {
	r.app.CloseConnections()
	r.srv.Close()
	r.app.Close()
}

type result struct {
	replicas, students, sent int
	delivered                int64
	latencies                []time.Duration
	onLast, exact            int
	elapsed                  time.Duration
	cpu                      time.Duration // this process's CPU time while the teacher drove
}

func (r *result) print(w io.Writer) {
	slices.Sort(r.latencies)
	q := func(p float64) time.Duration {
		if len(r.latencies) == 0 {
			return 0
		}
		return r.latencies[min(len(r.latencies)-1, int(p*float64(len(r.latencies))))]
	}
	fmt.Fprintf(w, "replicas=%d students=%d states sent=%d delivered=%d (%.1f per student, %.0f%%) latency p50=%v p99=%v max=%v; on the last state: %d/%d, with the API's answer: %d/%d; CPU %.2f cores (%v per delivered state, servers and clients)\n",
		r.replicas, r.students, r.sent, r.delivered, float64(r.delivered)/float64(r.students),
		100*float64(r.delivered)/float64(r.sent*r.students),
		q(0.50).Round(10*time.Microsecond), q(0.99).Round(10*time.Microsecond), q(1).Round(10*time.Microsecond),
		r.onLast, r.students, r.exact, r.students,
		r.cpu.Seconds()/r.elapsed.Seconds(), (r.cpu / time.Duration(max(r.delivered, 1))).Round(100*time.Nanosecond))
}

// drive is the teacher's i-th change: beta sweeps [0.1, 3].
func drive(i int) (msg, apiBody string) {
	beta := 0.1 + 2.9*float64(i%100)/99
	params := fmt.Sprintf(`{"beta":%g}`, beta)
	inputs := `{"input":[[0.5,-1,2],[1.5,0,-0.5]],"target":[[1,-1,0],[1,0.5,0.5]]}`
	msg = fmt.Sprintf(`{"type":"class_drive","id":%d,"loss":"SmoothL1Loss","params":%s,"inputs":%s,"detail":true,"view":{"element":0},"query":"beta=%g"}`, i, params, inputs, beta)
	apiBody = fmt.Sprintf(`{"params":%s,"inputs":%s,"detail":true}`, params, inputs)
	return msg, apiBody
}

// wsPerAddr lifts the per-address WebSocket cap: every simulated student
// connects from 127.0.0.1, as a lecture hall behind one NAT would.
const wsPerAddr = 100000

func run(replicas, students, rate int, duration time.Duration) (*result, error) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var reps []*replica
	if replicas == 1 {
		// The default: one process, an embedded NATS server nobody else reaches.
		r, err := startReplica(web.Config{Logger: quiet, WSMaxPerAddr: wsPerAddr})
		if err != nil {
			return nil, err
		}
		reps = append(reps, r)
	} else {
		dir, err := os.MkdirTemp("", "classload-nats-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		ns, err := class.EmbeddedServer(true, dir)
		if err != nil {
			return nil, err
		}
		defer ns.Shutdown()
		for range replicas {
			r, err := startReplica(web.Config{Logger: quiet, NATSURL: ns.ClientURL(), WSMaxPerAddr: wsPerAddr})
			if err != nil {
				return nil, err
			}
			reps = append(reps, r)
		}
	}
	defer func() {
		for _, r := range reps {
			r.close()
		}
	}()

	res, err := http.Post(reps[0].url+"/api/v1/classes", "application/json", nil)
	if err != nil {
		return nil, err
	}
	var created web.ClassCreated
	err = json.NewDecoder(res.Body).Decode(&created)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("create class: %d %v", res.StatusCode, err)
	}

	total := rate * int(duration/time.Second)
	sentAt := make([]atomic.Int64, total+1) // unix nanoseconds, by drive id
	out := &result{replicas: replicas, students: students, sent: total}
	var mu sync.Mutex
	last := make([][]byte, students)

	// Students, spread over the replicas round-robin.
	ctx, cancel := context.WithTimeout(context.Background(), duration+60*time.Second)
	defer cancel()
	var joined, done sync.WaitGroup
	var delivered atomic.Int64
	errc := make(chan error, students+1)
	for i := range students {
		joined.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			conn, err := dial(ctx, reps[i%replicas].url)
			if err != nil {
				joined.Done()
				errc <- err
				return
			}
			defer conn.Close()
			conn.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, `{"type":"class_join","code":%q,"name":"student %d"}`, created.Code, i))
			isJoined := false
			var lat []time.Duration
			var buf bytes.Buffer // reused: a student reads ~10 kB states 30 times a second
			for {
				conn.SetReadDeadline(time.Now().Add(duration + 30*time.Second))
				buf.Reset()
				_, rd, err := conn.NextReader()
				if err == nil {
					_, err = buf.ReadFrom(rd)
				}
				msg := buf.Bytes()
				if err != nil {
					if !isJoined {
						joined.Done()
					}
					errc <- fmt.Errorf("student %d: %w", i, err)
					return
				}
				now := time.Now().UnixNano()
				if !isJoined && bytes.Contains(msg, []byte(`"class_joined"`)) {
					isJoined = true
					joined.Done()
					continue
				}
				if !bytes.HasPrefix(msg, []byte(`{"type":"class_state"`)) {
					continue
				}
				id := stateID(msg)
				if id <= 0 || id > total {
					continue
				}
				delivered.Add(1)
				lat = append(lat, time.Duration(now-sentAt[id].Load()))
				if id == total {
					mu.Lock()
					last[i] = bytes.Clone(msg)
					out.latencies = append(out.latencies, lat...)
					mu.Unlock()
					return
				}
			}
		}()
	}
	joined.Wait()
	select {
	case err := <-errc:
		return nil, err
	default:
	}

	teacher, err := dial(ctx, reps[0].url)
	if err != nil {
		return nil, err
	}
	defer teacher.Close()
	teacher.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, `{"type":"class_teach","code":%q,"token":%q}`, created.Code, created.TeacherToken))
	go func() { // the teacher's own copies of the states
		for {
			if _, _, err := teacher.ReadMessage(); err != nil {
				return
			}
		}
	}()
	start, cpu0 := time.Now(), cpuTime()
	tick := time.NewTicker(time.Second / time.Duration(rate))
	for i := 1; i <= total; i++ {
		<-tick.C
		msg, _ := drive(i)
		sentAt[i].Store(time.Now().UnixNano())
		if err := teacher.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
			return nil, err
		}
	}
	tick.Stop()
	done.Wait()
	out.elapsed, out.cpu = time.Since(start), cpuTime()-cpu0
	out.delivered = delivered.Load()

	// The last state must be exactly what the loss API answers.
	_, body := drive(total)
	res, err = http.Post(reps[len(reps)-1].url+"/api/v1/losses/SmoothL1Loss", "application/json", strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	api, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, m := range last {
		if m == nil {
			continue
		}
		out.onLast++
		var s struct {
			Result json.RawMessage `json:"result"`
		}
		if json.Unmarshal(m, &s) == nil && bytes.Equal(s.Result, api) {
			out.exact++
		}
	}
	return out, nil
}

func dial(ctx context.Context, base string) (*websocket.Conn, error) {
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	conn, _, err := d.DialContext(ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws", nil)
	return conn, err
}

// stateID reads the drive id of a class_state from its fixed prefix
// ({"type":"class_state","seq":N,"id":M,...}) without decoding the rest.
func stateID(msg []byte) int {
	i := bytes.Index(msg, []byte(`,"id":`))
	if i < 0 {
		return -1
	}
	rest := msg[i+6:]
	j := bytes.IndexByte(rest, ',')
	if j < 0 {
		return -1
	}
	id, err := strconv.Atoi(string(rest[:j]))
	if err != nil {
		return -1
	}
	return id
}

// cpuTime is the user and system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
