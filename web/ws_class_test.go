package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/lossplayground/playground/lessons"
	"github.com/lossplayground/playground/web/class"
)

// The class tests run a real NATS server with JetStream, embedded in the
// test process on a loopback port, and two replicas (two Apps, two
// httptest servers) that share it: the teacher on one, students on both.

// classTestReplicas starts the NATS server and n replicas with limits.
func classTestReplicas(t *testing.T, n int, limits class.Limits) []*httptest.Server {
	t.Helper()
	ns, err := class.EmbeddedServer(true, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ns.Shutdown)
	var srvs []*httptest.Server
	for range n {
		a, err := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), NATSURL: ns.ClientURL(),
			ClassLimits: limits, PublicURL: "https://class.example.edu"})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(a.Routes())
		t.Cleanup(func() { a.CloseConnections(); srv.Close(); a.Close() })
		srvs = append(srvs, srv)
	}
	return srvs
}

func classTestCreate(t *testing.T, srv *httptest.Server) ClassCreated {
	t.Helper()
	res, err := http.Post(srv.URL+"/api/v1/classes", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/v1/classes = %d %s; want 201", res.StatusCode, body)
	}
	var c ClassCreated
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// classMsg is any class message, decoded loosely.
type classMsg struct {
	Type   string          `json:"type"`
	ID     *int64          `json:"id"`
	Role   string          `json:"role"`
	Name   string          `json:"name"`
	Mode   string          `json:"mode"`
	Error  string          `json:"error"`
	Field  string          `json:"field"`
	Seq    int64           `json:"seq"`
	Origin string          `json:"origin"`
	Loss   json.RawMessage `json:"loss"`
	Slug   string          `json:"slug"`
	Result json.RawMessage `json:"result"`
	Reply  json.RawMessage `json:"reply"`
	QID    string          `json:"qid"`
	Total  int             `json:"total"`
	Bins   []struct {
		Value string   `json:"value"`
		Count int      `json:"count"`
		Names []string `json:"names"`
	} `json:"bins"`
	Answer    string                     `json:"answer"`
	Values    map[string]json.RawMessage `json:"values"`
	Students  int                        `json:"students"`
	Following int                        `json:"following"`
	Names     []string                   `json:"names"`
	Snapshots []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Loss string `json:"loss"`
	} `json:"snapshots"`
	raw []byte
}

type classClient struct {
	t    *testing.T
	conn *websocket.Conn
}

func classTestDial(t *testing.T, srv *httptest.Server) *classClient {
	t.Helper()
	return &classClient{t: t, conn: wsTestDial(t, srv)}
}

func (c *classClient) send(format string, args ...any) {
	c.t.Helper()
	wsTestSend(c.t, c.conn, fmt.Sprintf(format, args...))
}

// next reads the next message.
func (c *classClient) next() classMsg {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(wsTestTimeout))
	_, b, err := c.conn.ReadMessage()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	var m classMsg
	if err := json.Unmarshal(b, &m); err != nil {
		c.t.Fatalf("decode %s: %v", b, err)
	}
	m.raw = b
	return m
}

// until reads messages until one satisfies ok, failing after the timeout.
func (c *classClient) until(what string, ok func(classMsg) bool) classMsg {
	c.t.Helper()
	deadline := time.Now().Add(wsTestTimeout)
	for time.Now().Before(deadline) {
		if m := c.next(); ok(m) {
			return m
		}
	}
	c.t.Fatalf("no %s within %v", what, wsTestTimeout)
	return classMsg{}
}

func (c *classClient) untilType(typ string) classMsg {
	c.t.Helper()
	return c.until(typ, func(m classMsg) bool { return m.Type == typ })
}

func TestClassCreate(t *testing.T) {
	srvs := classTestReplicas(t, 1, class.Limits{})
	c := classTestCreate(t, srvs[0])
	if _, ok := class.NormalizeCode(c.Code); !ok || c.Code != strings.ToUpper(c.Code) {
		t.Errorf("code = %q; want 6 characters of 2-9 and A-Z without O and I", c.Code)
	}
	if strings.ContainsAny(c.Code, "01OI") {
		t.Errorf("code = %q; want no 0, O, 1 or I", c.Code)
	}
	if len(c.TeacherToken) < 22 { // 22 base64 characters hold 128 bits
		t.Errorf("teacher_token %q has %d characters; want at least 22 (128 bits)", c.TeacherToken, len(c.TeacherToken))
	}
	if want := "https://class.example.edu/c/" + c.Code; c.JoinURL != want {
		t.Errorf("join_url = %q; want %q", c.JoinURL, want)
	}
	if want := "https://class.example.edu/c/" + c.Code + "/teach"; c.TeacherURL != want {
		t.Errorf("teacher_url = %q; want %q", c.TeacherURL, want)
	}
	if c2 := classTestCreate(t, srvs[0]); c2.Code == c.Code || c2.TeacherToken == c.TeacherToken {
		t.Errorf("two classes share code or token: %+v, %+v", c, c2)
	}
}

// classTestDrive is a SmoothL1Loss change with beta b.
func classTestDrive(id int, beta float64) string {
	return fmt.Sprintf(`{"type":"class_drive","id":%d,"loss":"SmoothL1Loss","params":{"beta":%g},"inputs":{"input":[[0.5,-1.5]],"target":[[0,0]]},"detail":true,"view":{"element":1},"query":"beta=%g"}`, id, beta, beta)
}

// classTestAPI is what POST /api/v1/losses/SmoothL1Loss answers for beta.
func classTestAPI(t *testing.T, srv *httptest.Server, beta float64) []byte {
	t.Helper()
	body := fmt.Sprintf(`{"params":{"beta":%g},"inputs":{"input":[[0.5,-1.5]],"target":[[0,0]]},"detail":true}`, beta)
	res, err := http.Post(srv.URL+"/api/v1/losses/SmoothL1Loss", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("loss API = %d %s", res.StatusCode, b)
	}
	return b
}

func TestClassTeacherDrivesAcrossReplicas(t *testing.T) {
	srvs := classTestReplicas(t, 2, class.Limits{})
	c := classTestCreate(t, srvs[0])

	// Students on both replicas; the teacher on the first.
	var students []*classClient
	for i, srv := range srvs {
		s := classTestDial(t, srv)
		s.send(`{"type":"class_join","code":%q,"name":"student %d"}`, strings.ToLower(c.Code), i)
		if m := s.untilType("class_joined"); m.Role != "student" || m.Name != fmt.Sprintf("student %d", i) {
			t.Fatalf("replica %d: class_joined = %s; want role student and the typed name", i, m.raw)
		}
		students = append(students, s)
	}

	intruder := classTestDial(t, srvs[1])
	intruder.send(`{"type":"class_teach","id":1,"code":%q,"token":"not-the-token"}`, c.Code)
	if m := intruder.next(); m.Type != "error" || m.Field != "token" {
		t.Errorf("class_teach with a wrong token = %s; want an error on field token", m.raw)
	}
	intruder.send("%s", classTestDrive(2, 3))
	if m := intruder.next(); m.Type != "error" {
		t.Errorf("class_drive without joining = %s; want an error", m.raw)
	}
	students[1].send("%s", classTestDrive(3, 3))
	if m := students[1].untilType("error"); !strings.Contains(m.Error, "teacher") {
		t.Errorf("a student's class_drive = %s; want an error saying it is the teacher's", m.raw)
	}

	teacher := classTestDial(t, srvs[0])
	teacher.send(`{"type":"class_teach","code":%q,"token":%q}`, c.Code, c.TeacherToken)
	if m := teacher.untilType("class_joined"); m.Role != "teacher" {
		t.Fatalf("class_teach = %s; want role teacher", m.raw)
	}
	// The roster is a watch of the bucket: it converges on both students.
	teacher.until("a roster of 2", func(m classMsg) bool { return m.Type == "class_roster" && m.Students == 2 && m.Following == 2 })

	// Many quick changes: each student may skip some, but ends on the last.
	const last = 40
	for i := 1; i <= last; i++ {
		teacher.send("%s", classTestDrive(i, float64(i)/10))
	}
	want := classTestAPI(t, srvs[1], float64(last)/10)
	for i, s := range students {
		prev := int64(0)
		m := s.until("the last state", func(m classMsg) bool {
			if m.Type != "class_state" {
				return false
			}
			if m.Seq <= prev {
				t.Errorf("replica %d: seq %d after %d; want increasing", i, m.Seq, prev)
			}
			prev = m.Seq
			return *m.ID == last
		})
		if !bytes.Equal(m.Result, want) {
			t.Errorf("replica %d: result = %s; want the loss API's %s", i, m.Result, want)
		}
		var reply wsReply
		if err := json.Unmarshal(m.Reply, &reply); err != nil || reply.Type != "result" || len(reply.Charts) == 0 {
			t.Errorf("replica %d: reply = %.200s; want a result message with charts", i, m.Reply)
		}
		if m.Slug != "smooth-l1" || string(m.Loss) != `"SmoothL1Loss"` {
			t.Errorf("replica %d: loss, slug = %s, %s; want SmoothL1Loss, smooth-l1", i, m.Loss, m.Slug)
		}
	}

	// /metrics counts the class's members on each replica.
	for i, srv := range srvs {
		res, err := http.Get(srv.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		want := []string{"playground_classes 1", "playground_class_members 2"} // replica 0: a student and the teacher
		if i == 1 {
			want[1] = "playground_class_members 1" // replica 1: a student (the intruder never joined)
		}
		for _, w := range want {
			if !strings.Contains(string(body), "\n"+w+"\n") {
				t.Errorf("replica %d /metrics lacks %q", i, w)
			}
		}
	}

	// A late joiner gets the current state at once.
	late := classTestDial(t, srvs[1])
	late.send(`{"type":"class_join","code":%q}`, c.Code)
	if m := late.untilType("class_joined"); m.Name == "" {
		t.Errorf("anonymous class_joined = %s; want a generated name", m.raw)
	}
	if m := late.untilType("class_state"); *m.ID != last {
		t.Errorf("late joiner's first state has id %d; want %d", *m.ID, last)
	}

	// A bad change goes back to the teacher only, naming the field.
	teacher.send(`{"type":"class_drive","id":99,"loss":"SmoothL1Loss","params":{"beta":-1},"inputs":{"input":[1],"target":[0]}}`)
	if m := teacher.untilType("error"); m.Field != "params.beta" || *m.ID != 99 {
		t.Errorf("bad class_drive = %s; want an error on params.beta with id 99", m.raw)
	}

	// The lesson section the teacher reads reaches everyone.
	teacher.send(`{"type":"class_section","section":3}`)
	for i, s := range students {
		if m := s.untilType("class_section"); !strings.Contains(string(m.raw), `"section":3`) {
			t.Errorf("replica %d: class_section = %s; want section 3", i, m.raw)
		}
	}
	students[0].send(`{"type":"class_section","section":1}`)
	if m := students[0].untilType("error"); m.Field != "type" {
		t.Errorf("a student's class_section = %s; want an error on type", m.raw)
	}
	teacher.send(`{"type":"class_section","section":-7}`)
	if m := teacher.untilType("error"); m.Field != "section" {
		t.Errorf("class_section -7 = %s; want an error on section", m.raw)
	}

	// Modes reach everyone.
	teacher.send(`{"type":"class_mode","mode":"pause"}`)
	for i, s := range students {
		if m := s.untilType("class_mode"); m.Mode != "pause" {
			t.Errorf("replica %d: class_mode = %s; want pause", i, m.raw)
		}
	}
	teacher.send(`{"type":"class_mode","mode":"sleep"}`)
	if m := teacher.untilType("error"); m.Field != "mode" {
		t.Errorf("class_mode sleep = %s; want an error on field mode", m.raw)
	}
}

func TestClassQuestionHistogramReveal(t *testing.T) {
	srvs := classTestReplicas(t, 2, class.Limits{})
	c := classTestCreate(t, srvs[0])
	lib, err := lessons.Load()
	if err != nil {
		t.Fatal(err)
	}
	l, _ := lib.Get("smooth-l1", "en")
	q := l.Questions[0]
	wantAnswer, _, err := q.Answer()
	if err != nil {
		t.Fatal(err)
	}

	teacher := classTestDial(t, srvs[0])
	teacher.send(`{"type":"class_teach","code":%q,"token":%q}`, c.Code, c.TeacherToken)
	teacher.untilType("class_joined")
	var students []*classClient
	for i, srv := range srvs {
		s := classTestDial(t, srv)
		s.send(`{"type":"class_join","code":%q,"name":"S%d"}`, c.Code, i)
		s.untilType("class_joined")
		students = append(students, s)
	}
	teacher.send(`{"type":"class_question","kind":"lesson","slug":"smooth-l1","question":%q}`, q.ID)
	var qid string
	for _, s := range students {
		qid = s.untilType("class_question").QID
	}
	students[0].send(`{"type":"class_answer","qid":%q,"choice":%q}`, qid, q.Choices[0].Value)
	students[1].send(`{"type":"class_answer","qid":%q,"choice":%q}`, qid, q.Choices[1].Value)
	students[1].send(`{"type":"class_answer","qid":%q,"choice":"no-such-choice"}`, qid)
	if m := students[1].untilType("error"); m.Field != "choice" {
		t.Errorf("unknown choice = %s; want an error on field choice", m.raw)
	}
	h := teacher.until("a histogram of 2", func(m classMsg) bool { return m.Type == "class_histogram" && m.Total == 2 })
	for _, b := range h.Bins {
		want := 0
		if b.Value == q.Choices[0].Value || b.Value == q.Choices[1].Value {
			want = 1
		}
		if b.Count != want || len(b.Names) != 0 {
			t.Errorf("bin %s = %d %v; want %d and no names", b.Value, b.Count, b.Names, want)
		}
	}
	teacher.send(`{"type":"class_names","show":true}`)
	if m := teacher.until("histogram with names", func(m classMsg) bool { return m.Type == "class_histogram" && m.Total == 2 && hasNames(m) }); m.Total != 2 {
		t.Errorf("histogram = %s", m.raw)
	}
	teacher.send(`{"type":"class_reveal"}`)
	for i, s := range students {
		m := s.untilType("class_reveal")
		if m.Answer != wantAnswer || len(m.Values) == 0 {
			t.Errorf("replica %d: reveal = %s; want answer %q with the numbers", i, m.raw, wantAnswer)
		}
	}
	for i, s := range students {
		// Names are on for the teacher; a student still sees none but their own.
		other := fmt.Sprintf(`"S%d"`, 1-i)
		s.send(`{"type":"class_leave"}`)
		s.send(`{"type":"class_join","code":%q,"name":"S%d"}`, c.Code, i)
		for m := s.next(); m.Type != "class_reveal"; m = s.next() {
			if bytes.Contains(m.raw, []byte(other)) {
				t.Errorf("student S%d received %s, which names %s", i, m.raw, other)
			}
		}
	}
	students[0].send(`{"type":"class_answer","qid":%q,"choice":%q}`, qid, q.Choices[0].Value)
	if m := students[0].untilType("error"); m.Field != "qid" {
		t.Errorf("answer after reveal = %s; want an error on qid", m.raw)
	}
	students[0].send(`{"type":"class_reveal"}`)
	if m := students[0].untilType("error"); m.Field != "type" {
		t.Errorf("a student's class_reveal = %s; want an error on type", m.raw)
	}
}

func hasNames(m classMsg) bool {
	for _, b := range m.Bins {
		if len(b.Names) > 0 {
			return true
		}
	}
	return false
}

func TestClassNumericPollAndSnapshot(t *testing.T) {
	srvs := classTestReplicas(t, 2, class.Limits{})
	c := classTestCreate(t, srvs[0])
	teacher := classTestDial(t, srvs[0])
	teacher.send(`{"type":"class_teach","code":%q,"token":%q}`, c.Code, c.TeacherToken)
	teacher.untilType("class_joined")
	student := classTestDial(t, srvs[1])
	student.send(`{"type":"class_join","code":%q,"name":"Ada"}`, c.Code)
	student.untilType("class_joined")

	teacher.send("%s", classTestDrive(1, 1))
	student.untilType("class_state")
	teacher.send(`{"type":"class_question","kind":"number"}`)
	qid := student.untilType("class_question").QID
	student.send(`{"type":"class_answer","qid":%q,"number":0.5}`, qid)
	student.untilType("class_answered")
	teacher.until("a histogram of 1", func(m classMsg) bool { return m.Type == "class_histogram" && m.Total == 1 })
	teacher.send(`{"type":"class_reveal"}`)
	var api struct {
		Loss json.RawMessage `json:"loss"`
	}
	json.Unmarshal(classTestAPI(t, srvs[0], 1), &api)
	if m := student.untilType("class_reveal"); !bytes.Equal(m.Values["loss"], api.Loss) {
		t.Errorf("numeric reveal = %s; want the state's loss %s", m.raw, api.Loss)
	}

	student.send(`{"type":"class_snapshot","loss":"SmoothL1Loss","query":"beta=2","params":{"beta":2},"inputs":{"input":[[3]],"target":[[0]]}}`)
	m := teacher.until("a snapshot", func(m classMsg) bool { return m.Type == "class_snapshots" && len(m.Snapshots) == 1 })
	if m.Snapshots[0].Name != "" {
		t.Errorf("snapshot shows name %q while names are hidden; want none", m.Snapshots[0].Name)
	}
	teacher.send(`{"type":"class_show_snapshot","id":7,"snapshot":%q}`, m.Snapshots[0].ID)
	s := student.until("the snapshot's state", func(m classMsg) bool { return m.Type == "class_state" && m.Origin == "snapshot" })
	if bytes.Contains(s.raw, []byte("Ada")) {
		t.Errorf("the snapshot shown to the class names its sender: %s", s.raw)
	}
	var res struct {
		Loss float64 `json:"loss"`
	}
	if json.Unmarshal(s.Result, &res); res.Loss != 2 { // beta 2, |3| ≥ beta: 3 - beta/2
		t.Errorf("snapshot state loss = %v; want 2", res.Loss)
	}
}

func TestClassLimits(t *testing.T) {
	srvs := classTestReplicas(t, 2, class.Limits{MaxStudents: 2, Idle: time.Hour,
		CreateEvery: time.Hour, CreateBurst: 2, MissEvery: time.Hour, MissBurst: 3})
	c := classTestCreate(t, srvs[0])
	classTestCreate(t, srvs[0])
	res, err := http.Post(srvs[0].URL+"/api/v1/classes", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("third class from one address = %d; want 429", res.StatusCode)
	}

	for i := range 2 {
		s := classTestDial(t, srvs[i])
		s.send(`{"type":"class_join","code":%q}`, c.Code)
		s.untilType("class_joined")
	}
	// Across replicas the cap holds once the heartbeats crossed (on one
	// replica it is exact: TestClassCapExactUnderConcurrentJoins).
	teacher := classTestDial(t, srvs[1])
	teacher.send(`{"type":"class_teach","code":%q,"token":%q}`, c.Code, c.TeacherToken)
	teacher.until("a roster of 2", func(m classMsg) bool { return m.Type == "class_roster" && m.Students == 2 })
	full := classTestDial(t, srvs[1])
	full.send(`{"type":"class_join","code":%q}`, c.Code)
	if m := full.next(); m.Type != "error" || !strings.Contains(m.Error, "full") {
		t.Errorf("third student of 2 = %s; want an error saying the class is full", m.raw)
	}

	guess := classTestDial(t, srvs[1])
	for i := range 4 {
		guess.send(`{"type":"class_join","code":"ZZZZZ%d"}`, i+2)
		m := guess.next()
		want := "no class"
		if i == 3 {
			want = "too many"
		}
		if m.Type != "error" || !strings.Contains(m.Error, want) {
			t.Errorf("wrong code %d = %s; want an error containing %q", i+1, m.raw, want)
		}
	}

	bad := classTestDial(t, srvs[0])
	for _, test := range []struct{ msg, field string }{
		{`{"type":"class_join"}`, "code"},
		{`{"type":"class_teach","code":"ABCDEF"}`, "token"},
		{`{"type":"class_answer","qid":"q","choice":"a"}`, "type"},
		{`{"type":"class_frobnicate"}`, "type"},
	} {
		bad.send("%s", test.msg)
		if m := bad.next(); m.Type != "error" || m.Field != test.field {
			t.Errorf("%s = %s; want an error on field %s", test.msg, m.raw, test.field)
		}
	}
}

// TestClassProtocolDoc checks that docs/protocol.md documents every class
// message type.
func TestClassProtocolDoc(t *testing.T) {
	doc, err := os.ReadFile(wsDocPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{class.TypeJoin, class.TypeTeach, class.TypeDrive, class.TypeMode, class.TypeNames,
		class.TypeQuestion, class.TypeAnswer, class.TypeReveal, class.TypeSnapshot, class.TypeShowSnapshot,
		class.TypeFollow, class.TypeSection, class.TypeLeave, class.TypeJoined, class.TypeState, class.TypeAnswered,
		class.TypeHistogram, class.TypeRoster, class.TypeSnapshots, class.TypeSnapshotSent} {
		if !strings.Contains(string(doc), "**"+typ+"**") {
			t.Errorf("%s does not document class message type %q", wsDocPath, typ)
		}
	}
}

// TestClassSlowStudentEndsOnLast: a student who reads nothing while the
// teacher drives still ends on the last state, and skipped some.
func TestClassSlowStudentEndsOnLast(t *testing.T) {
	srvs := classTestReplicas(t, 2, class.Limits{})
	c := classTestCreate(t, srvs[0])
	slow := classTestDial(t, srvs[1])
	slow.send(`{"type":"class_join","code":%q}`, c.Code)
	slow.untilType("class_joined")
	teacher := classTestDial(t, srvs[0])
	teacher.send(`{"type":"class_teach","code":%q,"token":%q}`, c.Code, c.TeacherToken)
	teacher.untilType("class_joined")
	const last = 300
	for i := 1; i <= last; i++ {
		teacher.send("%s", classTestDrive(i, float64(i)/100))
	}
	// The teacher's own copy of the last state means it was published.
	teacher.until("the last state", func(m classMsg) bool { return m.Type == "class_state" && *m.ID == last })
	n, prev := 0, int64(0)
	slow.until("the last state", func(m classMsg) bool {
		if m.Type != "class_state" {
			return false
		}
		n++
		if *m.ID <= prev {
			t.Errorf("state %d after state %d; want newer states only", *m.ID, prev)
		}
		prev = *m.ID
		return *m.ID == last
	})
	t.Logf("the slow student read %d of %d states", n, last)
}
