package class

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lossplayground/playground/lessons"
)

// TestLayoutNumbers checks the numeric histogram for any finite answers:
// every answer in exactly one bar, finite labels, the correct bar marked,
// outliers in open-ended outer bars.
func TestLayoutNumbers(t *testing.T) {
	near := func(n int) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = 0.3 + float64(i)/1000
		}
		return out
	}
	tests := []struct {
		name     string
		values   []float64
		answer   float64
		wantOpen bool // an open-ended bar exists
	}{
		{"crash answers", []float64{1e308, -1e308}, 0.5, false},
		{"the extremes", []float64{math.MaxFloat64, -math.MaxFloat64, math.MaxFloat64, 0}, 1, false},
		{"smallest numbers", []float64{math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, 0}, 0, false},
		{"all equal", []float64{2, 2, 2}, 2, false},
		{"one outlier among fifty", append(near(50), 1000), 0.31, true},
		{"outliers both sides", append(near(40), -1e308, 1e308), 0.32, true},
		{"answer far outside", near(20), -5, true},
		{"no answers", nil, 0.25, false},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			a := test.answer
			p := &poll{Kind: QuestionNumber, Number: &a, Answer: fmt.Sprint(a), Revealed: true}
			votes := map[string]vote{}
			for i, v := range test.values {
				v := v
				sid := fmt.Sprintf("%016x", i)
				votes[sid] = vote{SID: sid, Number: &v}
			}
			bins := p.tally(votes, "en", false)
			total, correct, open := 0, 0, false
			for _, b := range bins {
				total += b.Count
				if b.Correct {
					correct++
				}
				if strings.Contains(b.Label, "NaN") || strings.Contains(b.Label, "Inf") {
					t.Errorf("bar label %q; want finite numbers", b.Label)
				}
				open = open || strings.HasPrefix(b.Label, "<") || strings.HasPrefix(b.Label, ">")
			}
			if total != len(test.values) {
				t.Errorf("bars hold %d answers; want %d", total, len(test.values))
			}
			if correct != 1 {
				t.Errorf("%d bars marked correct; want 1 (%+v)", correct, bins)
			}
			if open != test.wantOpen {
				t.Errorf("open-ended bar = %v; want %v (%+v)", open, test.wantOpen, bins)
			}
			if test.name == "one outlier among fifty" {
				// The fifty near 0.3 spread over several bars, not one.
				used := 0
				for _, b := range bins {
					if b.Count > 0 && !strings.HasPrefix(b.Label, ">") {
						used++
					}
				}
				if used < 4 {
					t.Errorf("fifty answers near 0.3 fill %d bars; want them spread (%+v)", used, bins)
				}
			}
		})
	}
}

func TestResumeToken(t *testing.T) {
	m := &meta{Code: "K7QX2M", Key: newSecret()}
	tok := resumeToken(m, "0123456789abcdef", "Ada")
	if sid, name, ok := openResume(m, tok); !ok || sid != "0123456789abcdef" || name != "Ada" {
		t.Errorf("openResume(resumeToken) = %q, %q, %v; want the same student", sid, name, ok)
	}
	other := &meta{Code: "K7QX2N", Key: m.Key}
	for name, test := range map[string]struct {
		m   *meta
		tok string
	}{
		"another class": {other, tok},
		"another key":   {&meta{Code: m.Code, Key: newSecret()}, tok},
		"tampered":      {m, "x" + tok},
		"no signature":  {m, strings.Split(tok, ".")[0]},
		"empty":         {m, ""},
		"huge":          {m, strings.Repeat("a", 10000)},
	} {
		if _, _, ok := openResume(test.m, test.tok); ok {
			t.Errorf("%s: openResume accepted the token; want refused", name)
		}
	}
}

func TestAddrLimiterWaitBeforeTake(t *testing.T) {
	l := newAddrLimiter(time.Hour, 2)
	if w := l.wait("a"); w != 0 {
		t.Errorf("wait of a new address = %v; want 0", w)
	}
	l.take("a")
	l.take("a")
	if w := l.wait("a"); w <= 0 || w > time.Hour {
		t.Errorf("wait after the burst = %v; want up to an hour", w)
	}
	if w := l.take("a"); w <= 0 {
		t.Errorf("take after the burst = %v; want a wait", w)
	}
}

// TestCrashAnswers is the answers that crashed the server: ±1e308 and
// the largest floats, then a reveal. The class lives on.
func TestCrashAnswers(t *testing.T) {
	h := testHub(t, testServer(t).ClientURL(), Limits{})
	code, teacher, _ := newClass(t, h)
	drive(t, teacher, 0.75, "")
	teacher.must(t, `{"type":"class_question","kind":"number"}`)
	answers := []string{"1e308", "-1e308", "1.7976931348623157e308", "-1.7976931348623157e308", "5e-324", "0.7"}
	var students []member
	for i, a := range answers {
		s := join(t, h, JoinRequest{Code: code, Name: fmt.Sprint("S", i)}, false)
		q := s.out.untilType(TypeQuestion)
		s.must(t, `{"type":"class_answer","qid":%q,"number":%s}`, q.QID, a)
		s.out.untilType(TypeAnswered)
		students = append(students, s)
	}
	for _, bad := range []string{"1e309", `"NaN"`, "null", `"Infinity"`} {
		if err := students[0].send(`{"type":"class_answer","qid":"x","number":%s}`, bad); err == nil {
			t.Errorf("answer %s accepted; want refused", bad)
		}
	}
	h1 := teacher.out.until("a histogram of 6", func(m msg) bool { return m.Type == TypeHistogram && m.Total == len(answers) })
	sum := 0
	for _, b := range h1.Bins {
		sum += b.Count
	}
	if sum != len(answers) {
		t.Errorf("histogram bars hold %d; want %d: %s", sum, len(answers), h1.raw)
	}
	teacher.must(t, `{"type":"class_reveal"}`)
	r := students[0].out.untilType(TypeReveal)
	if r.Answer != "0.75" {
		t.Errorf("reveal answer = %q; want 0.75 (the state when asked)", r.Answer)
	}
	marked := 0
	for _, b := range r.Bins {
		if b.Correct {
			marked++
		}
	}
	if marked != 1 {
		t.Errorf("reveal marks %d bars; want 1: %s", marked, r.raw)
	}
	// The class still works: a new student joins and gets the reveal.
	late := join(t, h, JoinRequest{Code: code}, false)
	late.out.untilType(TypeReveal)
}

// TestRevealUsesStateWhenAsked: the numeric answer is the loss when the
// question was asked, whatever the teacher shows at reveal time; a state
// that has no single number cannot be asked about.
func TestRevealUsesStateWhenAsked(t *testing.T) {
	h := testHub(t, testServer(t).ClientURL(), Limits{})
	code, teacher, _ := newClass(t, h)
	if err := teacher.send(`{"type":"class_question","kind":"number"}`); !isField(err, "kind") {
		t.Errorf("numeric question before any state = %v; want an error on kind", err)
	}
	drive(t, teacher, 2, `,"reduction":"none"`)
	if err := teacher.send(`{"type":"class_question","kind":"number"}`); !isField(err, "kind") || !strings.Contains(err.Error(), "none") {
		t.Errorf("numeric question on reduction 'none' = %v; want an error on kind naming reduction 'none'", err)
	}
	drive(t, teacher, 0.5, "")
	teacher.must(t, `{"type":"class_question","kind":"number","prompt":"Loss?"}`)
	s := join(t, h, JoinRequest{Code: code}, false)
	q := s.out.untilType(TypeQuestion)
	if !strings.Contains(string(q.raw), `"hides":["loss"]`) {
		t.Errorf("numeric question = %s; want it to hide the loss", q.raw)
	}
	drive(t, teacher, 9, "")
	teacher.must(t, `{"type":"class_reveal"}`)
	if r := s.out.untilType(TypeReveal); r.Answer != "0.5" {
		t.Errorf("reveal = %s; want answer 0.5, the state when asked", r.raw)
	}
}

func isField(err error, field string) bool {
	var ce *Error
	return errors.As(err, &ce) && ce.Field == field
}

// TestConcurrentAnswers: 200 students on two replicas answer at once;
// every answer is acknowledged, and the teacher's histogram counts 200.
func TestConcurrentAnswers(t *testing.T) {
	ns := testServer(t)
	hubs := []*Hub{testHub(t, ns.ClientURL(), Limits{}), testHub(t, ns.ClientURL(), Limits{})}
	code, teacher, _ := newClass(t, hubs[0])
	teacher.must(t, `{"type":"class_question","kind":"lesson","slug":"smooth-l1","question":%q}`, firstQuestion(t))
	const n = 200
	students := make([]member, n)
	t0 := time.Now()
	for i := range students {
		students[i] = join(t, hubs[i%2], JoinRequest{Code: code}, false)
	}
	t.Logf("joins %v", time.Since(t0))
	qid := ""
	for _, s := range students {
		qid = s.out.untilType(TypeQuestion).QID
	}
	t.Logf("questions %v", time.Since(t0))
	choices := lessonChoices(t)
	var acked atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, s := range students {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if err := s.send(`{"type":"class_answer","qid":%q,"choice":%q}`, qid, choices[i%len(choices)]); err != nil {
				t.Errorf("answer %d = %v", i, err)
				return
			}
			acked.Add(1)
		}()
	}
	close(start)
	wg.Wait()
	t.Logf("answers %v", time.Since(t0))
	if got := acked.Load(); got != n {
		t.Errorf("%d answers acknowledged of %d; want all", got, n)
	}
	teacher.out.until("a histogram of 200", func(m msg) bool { return m.Type == TypeHistogram && m.Total == n })
	teacher.must(t, `{"type":"class_reveal"}`)
	if r := students[1].out.untilType(TypeReveal); r.Total != n {
		t.Errorf("reveal total on the other replica = %d; want %d", r.Total, n)
	}
	t.Logf("answers acknowledged: %d of %d (%v)", acked.Load(), n, time.Since(t0))
}

func firstQuestion(t *testing.T) string {
	lib, err := lessons.Load()
	if err != nil {
		t.Fatal(err)
	}
	l, ok := lib.Get("smooth-l1", "en")
	if !ok || len(l.Questions) == 0 {
		t.Fatal("no smooth-l1 lesson question")
	}
	return l.Questions[0].ID
}

func lessonChoices(t *testing.T) []string {
	q, err := lessonQuestion("smooth-l1", firstQuestion(t), "en")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range q.Choices {
		out = append(out, c.Value)
	}
	return out
}

// TestResume: a student who reconnects with the resume token is the same
// student (id, name, answer), a re-answer replaces the first, and the
// roster counts the student once, on any replica.
func TestResume(t *testing.T) {
	ns := testServer(t)
	hubs := []*Hub{testHub(t, ns.ClientURL(), Limits{}), testHub(t, ns.ClientURL(), Limits{})}
	code, teacher, _ := newClass(t, hubs[0])
	drive(t, teacher, 1, "")
	teacher.must(t, `{"type":"class_question","kind":"number"}`)

	out := newOutbox(t)
	first, err := hubs[0].Join(context.Background(), JoinRequest{Code: code, Name: "Ada", Addr: "10.0.0.1"}, false, out)
	if err != nil {
		t.Fatal(err)
	}
	joined := out.untilType(TypeJoined)
	if joined.StudentID == "" || joined.Resume == "" {
		t.Fatalf("class_joined = %s; want student_id and resume", joined.raw)
	}
	qid := out.untilType(TypeQuestion).QID
	m1 := member{first, out}
	m1.must(t, `{"type":"class_answer","qid":%q,"number":3}`, qid)
	teacher.out.until("a histogram of 1", func(m msg) bool { return m.Type == TypeHistogram && m.Total == 1 })
	first.Leave()

	// Back on the other replica, and a second tab with the same token.
	for i := range 2 {
		back := join(t, hubs[1], JoinRequest{Code: code, Resume: joined.Resume, Name: "Mallory"}, false)
		if back.StudentID() != joined.StudentID {
			t.Errorf("resumed student id = %q; want %q", back.StudentID(), joined.StudentID)
		}
		want := 3.0 + float64(i) // the second tab sees the re-answer
		a := back.out.untilType(TypeAnswered)
		if a.Number == nil || *a.Number != want {
			t.Errorf("resumed student %d's class_answered = %s; want number %g", i, a.raw, want)
		}
		if i == 0 {
			back.must(t, `{"type":"class_answer","qid":%q,"number":4}`, qid)
		}
	}
	teacher.out.until("one student, one answer of 4", func(m msg) bool {
		return m.Type == TypeRoster && m.Students == 1 && m.Answered == 1
	})
	teacher.must(t, `{"type":"class_reveal"}`)
	if h := teacher.out.until("the revealed histogram", func(m msg) bool { return m.Type == TypeHistogram && strings.Contains(string(m.raw), `"revealed":true`) }); h.Total != 1 {
		t.Errorf("histogram after a re-answer = %s; want total 1", h.raw)
	}
	if _, err := hubs[1].Join(context.Background(), JoinRequest{Code: code, Resume: joined.Resume + "x", Addr: "10.0.0.2"}, false, newOutbox(t)); !isField(err, "resume") {
		t.Errorf("a forged resume token = %v; want an error on resume", err)
	}
}

// TestCapExactUnderConcurrentJoins: 60 joins at once for 25 seats on one
// replica: exactly 25 get in.
func TestCapExactUnderConcurrentJoins(t *testing.T) {
	h := testHub(t, testServer(t).ClientURL(), Limits{MaxStudents: 25})
	code, _, _ := newClass(t, h)
	var ok, full atomic.Int32
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, err := h.Join(context.Background(), JoinRequest{Code: code, Addr: fmt.Sprint("10.1.0.", i)}, false, newOutbox(t))
			switch {
			case err == nil:
				ok.Add(1)
				t.Cleanup(m.Leave)
			case strings.Contains(err.Error(), "full"):
				full.Add(1)
			default:
				t.Errorf("join %d = %v", i, err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 25 || full.Load() != 35 {
		t.Errorf("60 concurrent joins for 25 seats: %d in, %d full; want 25 and 35", ok.Load(), full.Load())
	}
}

// TestGuessing: an address over its wrong-code budget is refused every
// lookup, of a live code too; wrong teacher tokens spend the same budget.
func TestGuessing(t *testing.T) {
	h := testHub(t, testServer(t).ClientURL(), Limits{MissEvery: time.Hour, MissBurst: 3})
	code, _, token := newClass(t, h)
	ctx := context.Background()
	for i := range 2 {
		if err := h.Lookup(ctx, fmt.Sprintf("ZZZZZ%d", i+2), "10.9.9.9"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("wrong code %d = %v; want ErrNotFound", i, err)
		}
	}
	if _, err := h.Join(ctx, JoinRequest{Code: code, Token: token + "x", Addr: "10.9.9.9"}, true, newOutbox(t)); !errors.Is(err, ErrToken) {
		t.Fatalf("wrong token = %v; want ErrToken", err)
	}
	refused := 0
	for range 100 {
		if err := h.Lookup(ctx, code, "10.9.9.9"); errors.Is(err, ErrRateLimited) {
			refused++
		}
	}
	if _, err := h.Join(ctx, JoinRequest{Code: code, Token: token, Addr: "10.9.9.9"}, true, newOutbox(t)); !errors.Is(err, ErrRateLimited) {
		t.Errorf("the right token from an address over budget = %v; want ErrRateLimited", err)
	}
	if refused != 100 {
		t.Errorf("%d of 100 lookups of a live code refused from an address over budget; want all", refused)
	}
	if err := h.Lookup(ctx, code, "10.9.9.10"); err != nil {
		t.Errorf("another address = %v; want the class found", err)
	}
	var rl *RateLimitError
	if err := h.Lookup(ctx, code, "10.9.9.9"); !errors.As(err, &rl) || rl.RetryAfter < 59*time.Minute || !strings.Contains(err.Error(), "60 minutes") {
		t.Errorf("refusal = %v; want a RateLimitError whose text says 60 minutes", err)
	}
	t.Logf("guesses refused: %d of 100", refused)
}

// TestBadStateRefused: a state the page would refuse never reaches the
// class; a snapshot's message id may be a number.
func TestBadStateRefused(t *testing.T) {
	h := testHub(t, testServer(t).ClientURL(), Limits{})
	code, teacher, _ := newClass(t, h)
	if err := teacher.send(`{"type":"class_drive","id":2,"loss":"SmoothL1Loss","params":{},"query":"look=here"}`); !isField(err, "query") {
		t.Errorf("drive with query look=here = %v; want an error on query", err)
	}
	s := join(t, h, JoinRequest{Code: code}, false)
	if err := s.send(`{"type":"class_snapshot","id":7,"loss":"SmoothL1Loss","query":"look=here"}`); !isField(err, "query") {
		t.Errorf("snapshot with query look=here = %v; want an error on query", err)
	}
	s.must(t, `{"type":"class_snapshot","id":7,"loss":"SmoothL1Loss","query":"beta=2","params":{"beta":2}}`)
	s.out.untilType(TypeSnapshotSent)
}

// TestStoreBudget: a state over the class's budget is refused to its
// teacher alone, naming the field; another class goes on.
func TestStoreBudget(t *testing.T) {
	h := testHub(t, testServer(t).ClientURL(), Limits{ClassBytes: 200 << 10, StoreBytes: 4 << 20})
	code, teacher, _ := newClass(t, h)
	if m := drive(t, teacher, 1, `,"pad":300000`); m.Type != TypeError || m.Field != "inputs" || !strings.Contains(m.Error, "budget") {
		t.Errorf("a 300 kB state in a 200 kB class = %s; want an error on inputs naming the budget", m.raw)
	}
	if m := drive(t, teacher, 1, `,"pad":1000`); m.Type != TypeState {
		t.Errorf("a small state after the refusal = %s; want it shown", m.raw)
	}
	// Fill the store with other classes' states up to its big share.
	refusedAt := -1
	for i := range 40 {
		_, other, _ := newClass(t, h)
		if m := drive(t, other, 1, `,"pad":190000`); m.Type == TypeError {
			if m.Field != "inputs" || !strings.Contains(m.Error, "store is full") {
				t.Errorf("state %d = %s; want the store-full error on inputs", i, m.raw)
			}
			refusedAt = i
			break
		}
	}
	if refusedAt < 0 {
		t.Fatal("40 states of 190 kB fit a 4 MiB store; want the budget to refuse some")
	}
	// Answers (small writes) still fit: the first class takes one.
	teacher.must(t, `{"type":"class_question","kind":"number"}`)
	s := join(t, h, JoinRequest{Code: code}, false)
	q := s.out.untilType(TypeQuestion)
	s.must(t, `{"type":"class_answer","qid":%q,"number":1}`, q.QID)
	t.Logf("store of 4 MiB refused the state of class %d (190 kB each)", refusedAt+1)
}

// TestRetainedStatesBounded drives large states in many classes: the
// states this replica keeps in memory stay under RetainBytes, and joiners
// still get the state (from the store).
func TestRetainedStatesBounded(t *testing.T) {
	const retain = 1 << 20
	h := testHub(t, testServer(t).ClientURL(), Limits{RetainBytes: retain})
	var last string
	for range 8 {
		code, teacher, _ := newClass(t, h)
		if m := drive(t, teacher, 1, `,"pad":300000`); m.Type != TypeState {
			t.Fatalf("state = %.200s", m.raw)
		}
		last = code
		if got := h.Retained(); got > retain {
			t.Errorf("retained %d bytes; want at most %d", got, retain)
		}
	}
	s := join(t, h, JoinRequest{Code: last}, false)
	if m := s.out.untilType(TypeState); len(m.raw) < 300000 {
		t.Errorf("a joiner's state is %d bytes; want the 300 kB state", len(m.raw))
	}
	t.Logf("retained %d bytes for 8 classes of 300 kB states (bound %d)", h.Retained(), retain)
}

// TestEndAndResults: class_end reaches every member on every replica;
// the results keep every question, answer and name (names were shown).
func TestEndAndResults(t *testing.T) {
	ns := testServer(t)
	hubs := []*Hub{testHub(t, ns.ClientURL(), Limits{}), testHub(t, ns.ClientURL(), Limits{})}
	code, teacher, token := newClass(t, hubs[0])
	teacher.must(t, `{"type":"class_names","show":true}`)
	drive(t, teacher, 0.25, "")
	s0 := join(t, hubs[0], JoinRequest{Code: code, Name: "Ada"}, false)
	s1 := join(t, hubs[1], JoinRequest{Code: code, Name: "李雷", Lang: "zh"}, false)
	teacher.must(t, `{"type":"class_question","kind":"number"}`)
	q0 := s0.out.untilType(TypeQuestion)
	q1 := s1.out.untilType(TypeQuestion)
	if q1.Prompt != numberPrompts["zh"] || q0.Prompt != numberPrompts["en"] {
		t.Errorf("prompts = %q (en), %q (zh); want each in its language", q0.Prompt, q1.Prompt)
	}
	s0.must(t, `{"type":"class_answer","qid":%q,"number":0.25}`, q0.QID)
	s1.must(t, `{"type":"class_answer","qid":%q,"number":-1e308}`, q0.QID)
	teacher.must(t, `{"type":"class_question","kind":"lesson","slug":"smooth-l1","question":%q}`, firstQuestion(t))
	q2 := s1.out.untilType(TypeQuestion)
	s1.must(t, `{"type":"class_answer","qid":%q,"choice":%q}`, q2.QID, lessonChoices(t)[0])
	teacher.must(t, `{"type":"class_end"}`)
	for _, m := range []member{teacher, s0, s1} {
		if e := m.out.untilType(TypeEnded); e.Reason != EndTeacher {
			t.Errorf("class_ended = %s; want reason %q", e.raw, EndTeacher)
		}
		if err := m.send(`{"type":"class_follow","following":false}`); err == nil || !m.Ended() {
			t.Errorf("a message after the end = %v; want refused", err)
		}
	}
	if _, err := hubs[1].Join(context.Background(), JoinRequest{Code: code, Addr: "10.0.0.3"}, false, newOutbox(t)); !errors.Is(err, ErrEnded) {
		t.Errorf("join after the end = %v; want ErrEnded", err)
	}
	if _, err := hubs[1].Results(context.Background(), code, "nope", "en", "10.0.0.4"); !errors.Is(err, ErrToken) {
		t.Errorf("results with a wrong token = %v; want ErrToken", err)
	}
	res, err := hubs[1].Results(context.Background(), code, token, "en", "10.0.0.4")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Questions) != 2 || !res.Ended {
		t.Fatalf("results = %+v; want 2 questions of an ended class", res)
	}
	num := res.Questions[0]
	if num.Total != 2 || num.Answer != "0.25" || len(num.Answers) != 2 || num.Answers[0].Name != "Ada" || !num.Answers[0].Correct {
		t.Errorf("numeric question's results = %+v; want 2 answers, Ada's correct", num)
	}
	csv, err := res.CSV()
	if err != nil {
		t.Fatal(err)
	}
	if rows := strings.Count(string(csv), "\n"); rows != 4 {
		t.Errorf("CSV has %d lines; want a header and 3 answers:\n%s", rows, csv)
	}
}

// freePort finds a loopback port for a server that must restart on it.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestNATSRestart kills the NATS server under a live class and starts it
// again on the same port (its memory store empty): class operations
// answer ErrUnavailable at once while it is down, new classes work again
// once it is back, and the students of the lost class are told it ended.
func TestNATSRestart(t *testing.T) {
	port := freePort(t)
	ns, err := EmbeddedServerOn(port, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	url := ns.ClientURL()
	h := testHub(t, url, Limits{})
	code, teacher, _ := newClass(t, h)
	s := join(t, h, JoinRequest{Code: code}, false)
	drive(t, teacher, 1, "")

	ns.Shutdown()
	ns.WaitForShutdown()
	waitFor(t, "the hub to see the outage", func() bool { return !h.bus.Ready() })
	ctx := context.Background()
	if _, _, err := h.Create(ctx, "10.0.0.5"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Create while NATS is down = %v; want ErrUnavailable", err)
	}
	if err := h.Lookup(ctx, code, "10.0.0.5"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Lookup while NATS is down = %v; want ErrUnavailable", err)
	}
	if err := teacher.send(`{"type":"class_mode","mode":"pause"}`); !errors.Is(err, ErrUnavailable) {
		t.Errorf("class_mode while NATS is down = %v; want ErrUnavailable", err)
	}

	ns2, err := EmbeddedServerOn(port, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns2.Shutdown(); ns2.WaitForShutdown() })
	recovered := waitFor(t, "a new class after NATS returned", func() bool {
		_, _, err := h.Create(ctx, "10.0.0.6")
		return err == nil
	})
	if e := s.out.untilType(TypeEnded); e.Reason != EndLost {
		t.Errorf("class_ended after the store was lost = %s; want reason %q", e.raw, EndLost)
	}
	code2, teacher2, _ := newClass(t, h)
	s2 := join(t, h, JoinRequest{Code: code2}, false)
	drive(t, teacher2, 3, "")
	s2.out.untilType(TypeState)
	t.Logf("new classes work %.2f s after NATS returned", recovered.Seconds())
}

// TestReplicaRestart: the replica a student is on goes away; the student
// resumes on a new replica as the same student, with the class's state.
func TestReplicaRestart(t *testing.T) {
	ns := testServer(t)
	a := testHub(t, ns.ClientURL(), Limits{})
	code, teacher, _ := newClass(t, a)
	drive(t, teacher, 1.5, "")
	b := testHub(t, ns.ClientURL(), Limits{})
	s := join(t, b, JoinRequest{Code: code, Name: "Ada"}, false)
	var joinedResume string
	teacher.out.until("a roster of 1", func(m msg) bool { return m.Type == TypeRoster && m.Students == 1 })
	// The replica dies without leaving (no goodbye is published when a
	// process is killed, so drop its connection first).
	joinedResume = resumeToken(mustMeta(t, a, code), s.StudentID(), "Ada")
	b.bus.conn().Close()
	b.Close()
	teacher.out.until("the dead replica's student gone", func(m msg) bool { return m.Type == TypeRoster && m.Students == 0 })
	c := testHub(t, ns.ClientURL(), Limits{})
	back := join(t, c, JoinRequest{Code: code, Resume: joinedResume}, false)
	if back.StudentID() != s.StudentID() {
		t.Errorf("student id after the replica restart = %q; want %q", back.StudentID(), s.StudentID())
	}
	back.out.untilType(TypeState)
	teacher.out.until("the student back", func(m msg) bool { return m.Type == TypeRoster && m.Students == 1 })
}

func mustMeta(t *testing.T, h *Hub, code string) *meta {
	_, kv, err := h.kv()
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := getJSON[meta](context.Background(), kv, keyMeta(code))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestNATSDownAtStart: a replica started while NATS is down answers
// ErrUnavailable at once and works as soon as NATS is up.
func TestNATSDownAtStart(t *testing.T) {
	port := freePort(t)
	h := testHub(t, fmt.Sprintf("nats://127.0.0.1:%d", port), Limits{})
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if _, _, err := h.Create(ctx, "10.0.0.7"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Create with NATS down = %v; want ErrUnavailable", err)
	}
	if ctx.Err() != nil {
		t.Fatal("Create with NATS down waited for its deadline; want an answer at once")
	}
	ns, err := EmbeddedServerOn(port, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	d := waitFor(t, "a class once NATS is up", func() bool {
		_, _, err := h.Create(context.Background(), "10.0.0.7")
		return err == nil
	})
	t.Logf("classes work %.2f s after NATS started", d.Seconds())
}

// TestBusBlip drops the hub's connection while NATS keeps running (a
// network blip): the class survives in the store, so it goes on — no
// class_ended, and the next state reaches the student.
func TestBusBlip(t *testing.T) {
	ns := testServer(t)
	h := testHub(t, ns.ClientURL(), Limits{})
	code, teacher, _ := newClass(t, h)
	s := join(t, h, JoinRequest{Code: code}, false)
	drive(t, teacher, 1, "")
	s.out.untilType(TypeState)
	epoch := h.bus.epoch.Load()
	conns, err := ns.Connz(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range conns.Conns {
		ns.DisconnectClientByID(c.Cid)
	}
	waitFor(t, "the bucket reopened", func() bool { return h.bus.epoch.Load() > epoch && h.bus.Ready() })
	m := drive(t, teacher, 2, "")
	if m.Type != TypeState {
		t.Fatalf("a drive after the blip = %s; want the state", m.raw)
	}
	got := s.out.until("the new state or the end", func(m msg) bool {
		return m.Type == TypeEnded || (m.Type == TypeState && strings.Contains(string(m.raw), `"beta":2`))
	})
	if got.Type == TypeEnded {
		t.Errorf("after a blip the student got %s; want the class to go on", got.raw)
	}
}

// countHandler counts log records.
type countHandler struct{ n *atomic.Int32 }

func (h countHandler) Enabled(context.Context, slog.Level) bool  { return true }
func (h countHandler) Handle(context.Context, slog.Record) error { h.n.Add(1); return nil }
func (h countHandler) WithAttrs([]slog.Attr) slog.Handler        { return h }
func (h countHandler) WithGroup(string) slog.Handler             { return h }

// TestOutageLogsFewLines: 300 class operations during an outage log a
// handful of lines, not one per request.
func TestOutageLogsFewLines(t *testing.T) {
	port := freePort(t)
	ns, err := EmbeddedServerOn(port, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var lines atomic.Int32
	h := NewHub(Options{Log: slog.New(countHandler{&lines}), NATSURL: ns.ClientURL(), NewComputer: testComputer})
	t.Cleanup(h.Close)
	code, _, err := h.Create(context.Background(), "10.0.0.8")
	if err != nil {
		t.Fatal(err)
	}
	ns.Shutdown()
	ns.WaitForShutdown()
	waitFor(t, "the outage seen", func() bool { return !h.bus.Ready() })
	before := lines.Load()
	for i := range 100 {
		h.Create(context.Background(), fmt.Sprint("10.3.0.", i))
		h.Lookup(context.Background(), code, "10.3.1.1")
		h.Join(context.Background(), JoinRequest{Code: code, Addr: "10.3.1.2"}, false, newOutbox(t))
	}
	if n := lines.Load() - before; n > 3 {
		t.Errorf("300 operations during an outage logged %d lines; want at most 3", n)
	}
}

// panicHandler counts "class panic" log records.
type panicHandler struct{ n *atomic.Int32 }

func (h panicHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h panicHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "class panic" {
		h.n.Add(1)
	}
	return nil
}
func (h panicHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h panicHandler) WithGroup(string) slog.Handler      { return h }

// TestHostileMessages sends every class message type with hostile
// bodies, from a student and from the teacher: each is served or refused
// with a named error, nothing panics, and the class still works.
func TestHostileMessages(t *testing.T) {
	var panics atomic.Int32
	h := NewHub(Options{Log: slog.New(panicHandler{&panics}), NATSURL: testServer(t).ClientURL(), NewComputer: testComputer,
		Limits: Limits{MissBurst: 1000}})
	t.Cleanup(h.Close)
	code, teacher, _ := newClass(t, h)
	drive(t, teacher, 1, "")
	student := join(t, h, JoinRequest{Code: code}, false)
	bodies := []string{`{}`, `null`, `[]`, `"x"`, `{"number":1e400}`, `{"number":"NaN"}`, `{"number":-1.7976931348623157e308}`,
		`{"qid":123}`, `{"section":1e300}`, `{"section":-2}`, `{"mode":null}`, `{"kind":"number","prompt":` + strconv.Quote(strings.Repeat("é", 300)) + `}`,
		`{"kind":"lesson","slug":"../../x","question":"\u0000"}`, `{"snapshot":{"a":1}}`, `{"loss":"SmoothL1Loss","params":{"beta":"x"}}`,
		`{"loss":"SmoothL1Loss","params":{"beta":1e400}}`, `{"loss":"SmoothL1Loss","view":[1,2]}`, `{"lesson":` + strconv.Quote(strings.Repeat("a", 100)) + `,"section":1}`,
		`{"following":"yes"}`, `{"show":"yes"}`, `{"choice":{"x":1}}`, `{"id":"seven"}`, `{` + strings.Repeat(`"a":{`, 200) + strings.Repeat("}", 200) + `}`}
	types := []string{TypeDrive, TypeMode, TypeNames, TypeQuestion, TypeAnswer, TypeReveal, TypeSnapshot, TypeShowSnapshot,
		TypeFollow, TypeSection, TypeEnd + "x", "class_", "", "class_frobnicate"}
	for _, who := range []member{student, teacher} {
		for _, typ := range types {
			for _, body := range bodies {
				who.limit.SetBurst(1 << 20) // the pace limit is not what is tested here
				who.limit.SetLimit(1 << 20)
				err := who.Handle(context.Background(), typ, []byte(body))
				var ce *Error
				if err != nil && (!errors.As(err, &ce) || strings.Contains(ce.Msg, "internal error")) {
					t.Errorf("%s %s from teacher=%v = %v; want served or a named refusal", typ, body, who.Teacher(), err)
				}
			}
		}
	}
	if n := panics.Load(); n != 0 {
		t.Errorf("%d panics logged; want none", n)
	}
	// The class lives: a question, an answer, a reveal.
	drive(t, teacher, 0.5, "")
	teacher.must(t, `{"type":"class_question","kind":"number"}`)
	q := student.out.untilType(TypeQuestion)
	student.must(t, `{"type":"class_answer","qid":%q,"number":0.5}`, q.QID)
	teacher.must(t, `{"type":"class_reveal"}`)
	student.out.untilType(TypeReveal)
}
