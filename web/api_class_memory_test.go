package web

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/lossplayground/playground/web/class"
)

// TestClassBigStatesMemory drives large states (45,000 elements with
// detail, the issue's) through real sockets to a student and checks that
// the heap stays bounded: retained states are bounded in bytes, not in
// count. make test drives 3 states; LP_CLASS_STATES=60 drives the
// issue's 60 and reports the process's peak RSS.
func TestClassBigStatesMemory(t *testing.T) {
	n := 3
	if s := os.Getenv("LP_CLASS_STATES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	const elements = 45000
	_, srv := classAPITestApp(t, classAPITestNATS(t), class.Limits{})
	c := classTestCreate(t, srv)
	dial := func() *websocket.Conn {
		conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}
	read := func(conn *websocket.Conn, typ string) []byte {
		t.Helper()
		for {
			conn.SetReadDeadline(time.Now().Add(60 * time.Second))
			_, b, err := conn.ReadMessage()
			if err != nil {
				t.Fatalf("read %s: %v", typ, err)
			}
			var m struct {
				Type  string `json:"type"`
				Error string `json:"error"`
			}
			if len(b) < 4096 {
				json.Unmarshal(b, &m)
			}
			if m.Type == "error" {
				t.Fatalf("error while waiting for %s: %.300s", typ, b)
			}
			if strings.HasPrefix(string(b), `{"type":"`+typ+`"`) || m.Type == typ {
				return b
			}
		}
	}
	teacher, student := dial(), dial()
	teacher.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, `{"type":"class_teach","code":%q,"token":%q}`, c.Code, c.TeacherToken))
	read(teacher, "class_joined")
	student.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, `{"type":"class_join","code":%q}`, c.Code))
	read(student, "class_joined")
	// The teacher receives every state too: drain it, as a page would.
	go func() {
		for {
			if _, _, err := teacher.NextReader(); err != nil {
				return
			}
		}
	}()

	var ms runtime.MemStats
	var peakHeap uint64
	stateBytes := 0
	for i := range n {
		var in, tg strings.Builder
		for j := range elements {
			if j > 0 {
				in.WriteByte(',')
				tg.WriteByte(',')
			}
			fmt.Fprintf(&in, "%.3f", float64((i*7+j)%1000)/100)
			tg.WriteString("0")
		}
		msg := fmt.Sprintf(`{"type":"class_drive","id":%d,"loss":"SmoothL1Loss","params":{"beta":%g},"inputs":{"input":[%s],"target":[%s]},"detail":true,"query":"beta=%g"}`,
			i+1, 0.5+float64(i)/100, in.String(), tg.String(), 0.5+float64(i)/100)
		if err := teacher.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		st := read(student, "class_state")
		stateBytes = len(st)
		runtime.ReadMemStats(&ms)
		peakHeap = max(peakHeap, ms.HeapInuse)
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	rss := peakRSS()
	t.Logf("%d states of %d elements with detail (%d bytes each): peak heap in use %d MB, heap after GC %d MB, peak RSS %d MB",
		n, elements, stateBytes, peakHeap>>20, ms.HeapInuse>>20, rss>>20)
	// The bound: a few states' worth per live structure, never one per
	// state driven.
	if limit := uint64(1500 << 20); rss > limit {
		t.Errorf("peak RSS %d MB; want under %d MB", rss>>20, limit>>20)
	}
}

// peakRSS reads the process's peak resident set (VmHWM) on Linux; 0
// elsewhere.
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
