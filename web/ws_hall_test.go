package web

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/web/class"
)

// hallStudents is a lecture hall behind one NAT address.
const hallStudents = 300

// TestLectureHallOneAddress: 300 students behind one address (every test
// socket comes from 127.0.0.1) join a class on one replica with default
// limits, all follow the teacher's state, and then all explore at once:
// 300 computes in flight together on this small machine are all answered
// with results, none "busy" (the sockets' fair queue), where the API's
// queue of 8 would refuse most.
func TestLectureHallOneAddress(t *testing.T) {
	srvs := classTestReplicas(t, 1, class.Limits{})
	c := classTestCreate(t, srvs[0])
	t0 := time.Now()
	students := make([]*classClient, hallStudents)
	for i := range students {
		students[i] = classTestDial(t, srvs[0])
		students[i].send(`{"type":"class_join","code":%q,"name":"s%d"}`, c.Code, i)
	}
	for i, s := range students {
		if m := s.untilType("class_joined"); m.Role == "teacher" {
			t.Fatalf("student %d joined as %s", i, m.Role)
		}
	}
	t.Logf("joined in %v", time.Since(t0))
	teacher := classTestDial(t, srvs[0])
	teacher.send(`{"type":"class_teach","code":%q,"token":%q}`, c.Code, c.TeacherToken)
	teacher.untilType("class_joined")
	teacher.send("%s", classTestDrive(1, 0.25))
	for _, s := range students {
		s.until("the teacher's state", func(m classMsg) bool { return m.Type == "class_state" && m.ID != nil && *m.ID == 1 })
	}

	t.Logf("followed in %v", time.Since(t0))
	// Everyone explores at once: each socket sends a page's compute
	// message (charts, detail, panel) before any answer is read.
	spec, _ := engine.Lookup("SmoothL1Loss")
	for i, s := range students {
		s.send("%s", wsTestComputeMessage(t, spec, 1000+i, true))
	}
	var wg sync.WaitGroup
	results, busy, other := make(chan int, hallStudents), make(chan int, hallStudents), make(chan string, hallStudents)
	start := time.Now()
	for i, s := range students {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Read without t.Fatal (not on the test's goroutine): class
			// messages may come first.
			s.conn.SetReadDeadline(time.Now().Add(wsTestTimeout))
			for {
				_, b, err := s.conn.ReadMessage()
				if err != nil {
					other <- fmt.Sprintf("student %d: read: %v", i, err)
					return
				}
				var r wsReply
				if err := json.Unmarshal(b, &r); err != nil {
					other <- fmt.Sprintf("student %d: %s: %v", i, b, err)
					return
				}
				switch {
				case r.Type == "result" && r.ID != nil && *r.ID == int64(1000+i):
					results <- i
					return
				case r.Type == "error" && r.Code == wsCodeBusy:
					busy <- i
					return
				case r.Type == "error":
					other <- fmt.Sprintf("student %d: %s", i, b)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(other)
	for msg := range other {
		t.Error(msg)
	}
	t.Logf("%d students behind one address joined and followed; %d concurrent computes: %d results, %d busy, in %v",
		hallStudents, hallStudents, len(results), len(busy), elapsed.Round(time.Millisecond))
	if len(busy) != 0 || len(results) != hallStudents {
		t.Errorf("%d concurrent computes from one address = %d results, %d busy; want %d results, 0 busy", hallStudents, len(results), len(busy), hallStudents)
	}
}

// TestWSHandshakeRate: past its burst, an address's new sockets are
// refused 429, and the message names the limit. (The bucket refills one
// a second: the five extra handshakes would need five seconds to pass.)
func TestWSHandshakeRate(t *testing.T) {
	a, srv := limitsTestApp(t, Config{WSHandshakesPerSec: 1})
	const burst, extra = 3, 5
	a.limits.wsHandshakeBurst = burst
	refused := 0
	for i := range burst + extra {
		conn, resp, err := websocket.DefaultDialer.Dial(wsTestURL(srv), nil)
		if err != nil {
			if resp == nil || resp.StatusCode != 429 {
				t.Fatalf("handshake %d = %v, %v; want a socket or 429", i+1, resp, err)
			}
			if i < burst {
				t.Fatalf("handshake %d of a burst of %d refused: %v", i+1, burst, err)
			}
			refused++
			continue
		}
		conn.Close()
	}
	if refused == 0 {
		t.Errorf("%d handshakes at once with a burst of %d = none refused; want some refused 429", burst+extra, burst)
	}
}
