package class

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"math"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/lessons"
	"github.com/nats-io/nats.go/jetstream"
)

// Question kinds a teacher launches.
const (
	// QuestionLesson is one of the lessons' "predict, then reveal"
	// questions; the engine computes its answer.
	QuestionLesson = "lesson"
	// QuestionNumber is a numeric poll on the class's current state
	// ("what will the loss be?"); the answer is that state's loss at the
	// moment the question is asked.
	QuestionNumber = "number"
)

// poll is one question, under keyPoll. Its answer is fixed when it is
// asked (and checked to exist: a question that cannot be revealed cannot
// be asked), and reaches students only with the reveal. Prompts and
// choices are not stored: each member reads them from the lessons in its
// own language.
type poll struct {
	QID        string    `json:"qid"`
	Kind       string    `json:"kind"`
	Slug       string    `json:"slug,omitempty"`
	QuestionID string    `json:"question_id,omitempty"`
	Prompt     string    `json:"prompt,omitempty"` // a teacher's own numeric prompt
	Asked      time.Time `json:"asked"`
	// StateSeq is the class state the numeric answer was read from.
	StateSeq int64                   `json:"state_seq,omitempty"`
	Answer   string                  `json:"answer"`
	Number   *float64                `json:"number,omitempty"`
	Values   map[string]engine.Float `json:"values,omitempty"`
	Revealed bool                    `json:"revealed,omitempty"`
}

// vote is one student's answer, under keyAnswer: one key per student per
// question, so that answers never contend.
type vote struct {
	SID    string    `json:"sid"`
	Name   string    `json:"name"`
	Choice string    `json:"choice,omitempty"`
	Number *float64  `json:"number,omitempty"`
	At     time.Time `json:"at"`
}

// numberPrompts is the numeric poll's default question in each language;
// maxPromptBytes bounds a teacher's own (shown as text, never as HTML).
var numberPrompts = map[string]string{"en": "What will the loss be?", "zh": "损失会是多少？"}

const maxPromptBytes = 200

// view is a question as one language shows it.
type view struct {
	Prompt          string
	PromptHTML      template.HTML
	Choices         []lessons.Choice
	ExplanationHTML template.HTML
	Links           map[string]string
	AnswerLabel     string
}

// view reads the question's words in lang.
func (p *poll) view(lang string) view {
	if p.Kind == QuestionNumber {
		v := view{Prompt: p.Prompt, AnswerLabel: p.Answer}
		if v.Prompt == "" {
			v.Prompt = numberPrompts[lang]
		}
		return v
	}
	q, err := lessonQuestion(p.Slug, p.QuestionID, lang)
	if err != nil {
		return view{Prompt: p.QuestionID, AnswerLabel: p.Answer}
	}
	v := view{Prompt: q.Prompt, PromptHTML: q.PromptHTML, Choices: q.Choices, ExplanationHTML: q.ExplanationHTML,
		AnswerLabel: p.Answer, Links: map[string]string{}}
	for _, c := range q.Choices {
		if c.Value == p.Answer {
			v.AnswerLabel = c.Label
		}
	}
	if q.A != nil {
		v.Links["a"] = q.A.URL
	}
	if q.B != nil {
		v.Links["b"] = q.B.URL
	}
	return v
}

func lessonQuestion(slug, id, lang string) (*lessons.Question, error) {
	lib, err := lessons.Load()
	if err != nil {
		return nil, err
	}
	l, ok := lib.Get(slug, lang)
	if !ok {
		return nil, errorf("slug", "no lesson for loss %s", strconv.Quote(slug))
	}
	q := l.Question(id)
	if q == nil && lang != lessons.Languages[0] {
		// A translation without this question: the English one.
		return lessonQuestion(slug, id, lessons.Languages[0])
	}
	if q == nil {
		return nil, errorf("question", "lesson %s has no question %s", slug, strconv.Quote(id))
	}
	return q, nil
}

// launch asks a question: its answer is fixed now, every member gets it,
// teachers an empty histogram.
func (r *room) launch(ctx context.Context, m *Member, raw []byte) error {
	var msg struct {
		Kind     string `json:"kind"`
		Slug     string `json:"slug"`
		Question string `json:"question"`
		Prompt   string `json:"prompt"`
	}
	if err := decodeMessage(raw, &msg); err != nil {
		return err
	}
	p := &poll{QID: "q" + strconv.FormatInt(time.Now().UnixNano(), 36), Kind: msg.Kind, Asked: time.Now().UTC()}
	switch msg.Kind {
	case QuestionLesson:
		q, err := lessonQuestion(msg.Slug, msg.Question, lessons.Languages[0])
		if err != nil {
			return err
		}
		ans, values, err := q.Answer()
		if err != nil {
			return errorf("question", "question %s of %s cannot be answered: %v", msg.Question, msg.Slug, err)
		}
		p.Slug, p.QuestionID, p.Answer, p.Values = msg.Slug, msg.Question, ans, values
	case QuestionNumber:
		if len(msg.Prompt) > maxPromptBytes {
			return errorf("prompt", "at most %d bytes, got %d", maxPromptBytes, len(msg.Prompt))
		}
		p.Prompt = cleanPrompt(msg.Prompt)
		loss, seq, err := r.currentLoss(ctx)
		if err != nil {
			return err
		}
		p.Number, p.StateSeq = &loss, seq
		p.Answer = strconv.FormatFloat(loss, 'g', -1, 64)
		p.Values = map[string]engine.Float{"loss": engine.Float(loss)}
	default:
		return errorf("kind", `must be "lesson" or "number", got %s`, strconv.Quote(msg.Kind))
	}
	b, kv, err := r.hub.kv()
	if err != nil {
		return err
	}
	v := encode(p)
	if err := r.hub.reserve(ctx, kv, int64(len(v)), false); err != nil {
		return err
	}
	if _, err := updateJSON(ctx, kv, keyMeta(r.code), false, func(mt *meta) (bool, error) {
		if len(mt.Questions) >= maxQuestions {
			return false, errorf("kind", "a class asks at most %d questions", maxQuestions)
		}
		mt.Poll = p.QID
		mt.Questions = append(mt.Questions, p.QID)
		return true, nil
	}); err != nil {
		return r.hub.busError(b, "class question", err)
	}
	cctx, cancel := context.WithTimeout(ctx, busTimeout)
	_, err = kv.Put(cctx, keyPoll(r.code, p.QID), v)
	cancel()
	if err != nil {
		return r.hub.busError(b, "class question", err)
	}
	return r.hub.busError(b, "class publish", publish(b.conn(), subjectControl(r.code), encode(control{Event: eventQuestion, Poll: p}), ""))
}

// cleanPrompt drops control characters from a teacher's prompt.
func cleanPrompt(s string) string {
	return cleanText(s)
}

// currentLoss reads the loss of the class's state now: a numeric poll's
// answer. A state without one number (no state yet, reduction 'none', a
// loss that is NaN) cannot be asked about.
func (r *room) currentLoss(ctx context.Context) (float64, int64, error) {
	r.mu.Lock()
	st := r.lastState
	r.mu.Unlock()
	if st == nil {
		_, kv, err := r.hub.kv()
		if err != nil {
			return 0, 0, err
		}
		cctx, cancel := context.WithTimeout(ctx, busTimeout)
		e, err := kv.Get(cctx, keyState(r.code))
		cancel()
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return 0, 0, errorf("kind", "the class has no state yet: change something on the page before asking what the loss will be")
		}
		if err != nil {
			return 0, 0, r.hub.busError(nil, "class state", err)
		}
		st = e.Value()
	}
	var s struct {
		Seq    int64 `json:"seq"`
		Result struct {
			Loss json.RawMessage `json:"loss"`
		} `json:"result"`
	}
	if json.Unmarshal(st, &s) != nil {
		return 0, 0, fmt.Errorf("class %s: undecodable state", r.code)
	}
	loss, ok := jsonNumber(s.Result.Loss)
	switch {
	case !ok:
		return 0, 0, errorf("kind", "the class's loss is a tensor (reduction 'none'), and a numeric poll needs one number: set reduction to 'mean' or 'sum' first")
	case math.IsNaN(loss) || math.IsInf(loss, 0):
		return 0, 0, errorf("kind", "the class's loss is %s, and a numeric poll needs a finite number", strconv.FormatFloat(loss, 'g', -1, 64))
	}
	return loss, s.Seq, nil
}

// questionMessage is what every member sees of the question, in lang.
// Hides names what a page keeps hidden until the reveal.
func (p *poll) questionMessage(lang string) []byte {
	v := p.view(lang)
	var hides []string
	if p.Kind == QuestionNumber {
		hides = []string{"loss"}
	}
	return encode(struct {
		Type       string           `json:"type"`
		QID        string           `json:"qid"`
		Kind       string           `json:"kind"`
		Prompt     string           `json:"prompt"`
		PromptHTML template.HTML    `json:"prompt_html,omitempty"`
		Choices    []lessons.Choice `json:"choices,omitempty"`
		Hides      []string         `json:"hides,omitempty"`
	}{TypeQuestion, p.QID, p.Kind, v.Prompt, v.PromptHTML, v.Choices, hides})
}

func answeredMessage(qid string, v vote) []byte {
	m := map[string]any{"type": TypeAnswered, "qid": qid}
	if v.Number != nil {
		m["number"] = *v.Number
	} else {
		m["choice"] = v.Choice
	}
	return encode(m)
}

// bin is one bar of the histogram.
type bin struct {
	Value   string   `json:"value,omitempty"`
	Label   string   `json:"label"`
	Count   int      `json:"count"`
	Names   []string `json:"names,omitempty"`
	Correct bool     `json:"correct,omitempty"`
}

// tally groups votes into bars: one per choice, or ranges that adapt to
// the numbers. After the reveal the bar holding the answer is marked.
func (p *poll) tally(votes map[string]vote, lang string, names bool) []bin {
	var bins []bin
	if p.Kind == QuestionNumber {
		var values []float64
		for _, v := range votes {
			if v.Number != nil {
				values = append(values, *v.Number)
			}
		}
		var answer *float64
		if p.Revealed {
			answer = p.Number
		}
		layout := layoutNumbers(values, answer)
		bins = make([]bin, len(layout))
		for i, b := range layout {
			bins[i].Label = b.label()
		}
		for _, v := range sortedVotes(votes) {
			if v.Number == nil {
				continue
			}
			i := binOf(layout, *v.Number)
			bins[i].Count++
			if names {
				bins[i].Names = append(bins[i].Names, v.Name)
			}
		}
		if answer != nil {
			bins[binOf(layout, *answer)].Correct = true
		}
		return bins
	}
	idx := map[string]int{}
	for i, c := range p.view(lang).Choices {
		idx[c.Value] = i
		bins = append(bins, bin{Value: c.Value, Label: c.Label, Correct: p.Revealed && c.Value == p.Answer})
	}
	for _, v := range sortedVotes(votes) {
		if i, ok := idx[v.Choice]; ok {
			bins[i].Count++
			if names {
				bins[i].Names = append(bins[i].Names, v.Name)
			}
		}
	}
	return bins
}

// sortedVotes orders votes by time, then id: names in a bar read in the
// order students answered.
func sortedVotes(votes map[string]vote) []vote {
	out := make([]vote, 0, len(votes))
	for _, v := range votes {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		return out[i].SID < out[j].SID
	})
	return out
}

// histogram is the teachers' live view of the answers: counts per bar,
// names only when shown.
func (p *poll) histogram(votes map[string]vote, lang string, names bool) []byte {
	return encode(struct {
		Type     string `json:"type"`
		QID      string `json:"qid"`
		Kind     string `json:"kind"`
		Total    int    `json:"total"`
		Revealed bool   `json:"revealed"`
		Bins     []bin  `json:"bins"`
	}{TypeHistogram, p.QID, p.Kind, len(votes), p.Revealed, orEmptyBins(p.tally(votes, lang, names))})
}

func orEmptyBins(b []bin) []bin {
	if b == nil {
		return []bin{}
	}
	return b
}

// maxAnswerBytes bounds one stored answer.
const maxAnswerBytes = 512

// answer stores a student's answer (a new one replaces theirs) and
// acknowledges it once the store has it.
func (r *room) answer(ctx context.Context, m *Member, raw []byte) error {
	var msg struct {
		QID    string   `json:"qid"`
		Choice string   `json:"choice"`
		Number *float64 `json:"number"`
	}
	if err := decodeMessage(raw, &msg); err != nil {
		return err
	}
	r.mu.Lock()
	p := r.poll
	_, answered := r.answers[m.sid]
	count := len(r.answers)
	r.mu.Unlock()
	if p == nil {
		return errorf("qid", "no question is open")
	}
	if p.QID != msg.QID {
		return errorf("qid", "not the current question")
	}
	if p.Revealed {
		return errorf("qid", "this question's answer has been revealed")
	}
	v := vote{SID: m.sid, Name: m.name, At: time.Now().UTC()}
	if p.Kind == QuestionNumber {
		if msg.Number == nil || math.IsNaN(*msg.Number) || math.IsInf(*msg.Number, 0) {
			return errorf("number", "a finite number is required")
		}
		n := *msg.Number
		v.Number = &n
	} else {
		if !slices.ContainsFunc(p.view(lessons.Languages[0]).Choices, func(c lessons.Choice) bool { return c.Value == msg.Choice }) {
			return errorf("choice", "%s is not one of the choices", strconv.Quote(msg.Choice))
		}
		v.Choice = msg.Choice
	}
	if !answered && count >= r.hub.limits.MaxStudents*2 {
		return errorf("qid", "this question has all the answers it can take (%d)", count)
	}
	b, kv, err := r.hub.kv()
	if err != nil {
		return err
	}
	val := encode(v)
	if err := r.hub.reserve(ctx, kv, int64(len(val)), false); err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, busTimeout)
	_, err = kv.Put(cctx, keyAnswer(r.code, p.QID, m.sid), val)
	cancel()
	if err != nil {
		return r.hub.busError(b, "class answer", err)
	}
	m.out.Offer(answeredMessage(p.QID, v), "")
	r.mu.Lock()
	if r.poll != nil && r.poll.QID == p.QID && !r.poll.Revealed {
		r.answers[m.sid] = v
	}
	r.mu.Unlock()
	// Every replica's view of the answers follows; a lost event is
	// healed by the reveal, which reads the store.
	if err := publish(b.conn(), subjectAnswer(r.code), encode(answerEvent{QID: p.QID, Vote: v}), ""); err != nil {
		b.log.errorf("class publish", err, "code", r.code)
	}
	return nil
}

// answerEvent tells every replica of a stored answer.
type answerEvent struct {
	QID  string `json:"qid"`
	Vote vote   `json:"vote"`
}

// reveal shows the current question's answer (fixed when it was asked)
// with the class's counts, read from the store.
func (r *room) reveal(ctx context.Context) error {
	r.mu.Lock()
	cur := r.poll
	r.mu.Unlock()
	if cur == nil {
		return errorf("type", "no question to reveal")
	}
	b, kv, err := r.hub.kv()
	if err != nil {
		return err
	}
	votes, err := loadVotes(ctx, kv, r.code, cur.QID)
	if err != nil {
		return r.hub.busError(b, "class reveal", err)
	}
	p := *cur
	p.Revealed = true
	cctx, cancel := context.WithTimeout(ctx, busTimeout)
	_, err = kv.Put(cctx, keyPoll(r.code, p.QID), encode(&p))
	cancel()
	if err != nil {
		return r.hub.busError(b, "class reveal", err)
	}
	return r.hub.busError(b, "class publish", publish(b.conn(), subjectControl(r.code), encode(control{Event: eventReveal, Poll: &p, Votes: votes}), ""))
}

// loadVotes reads every answer to a question from the store.
func loadVotes(ctx context.Context, kv jetstream.KeyValue, code, qid string) (map[string]vote, error) {
	ctx, cancel := context.WithTimeout(ctx, busTimeout)
	defer cancel()
	w, err := kv.Watch(ctx, keyAnswers(code, qid), jetstream.IgnoreDeletes())
	if err != nil {
		return nil, err
	}
	defer w.Stop()
	votes := map[string]vote{}
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case e, ok := <-w.Updates():
			if !ok {
				return nil, errors.New("class: answers watch ended")
			}
			if e == nil {
				return votes, nil
			}
			var v vote
			if json.Unmarshal(e.Value(), &v) == nil && validID(v.SID) {
				votes[v.SID] = v
			}
		}
	}
}

// revealMessage is the answer as everyone sees it in lang, with the
// class's counts (never names).
func (p *poll) revealMessage(votes map[string]vote, lang string) []byte {
	v := p.view(lang)
	counts := map[string]int{}
	for _, vt := range votes {
		if vt.Choice != "" {
			counts[vt.Choice]++
		}
	}
	return encode(struct {
		Type            string                  `json:"type"`
		QID             string                  `json:"qid"`
		Kind            string                  `json:"kind"`
		Answer          string                  `json:"answer"`
		AnswerLabel     string                  `json:"answer_label"`
		ExplanationHTML template.HTML           `json:"explanation_html,omitempty"`
		Values          map[string]engine.Float `json:"values"`
		Links           map[string]string       `json:"links,omitempty"`
		StateSeq        int64                   `json:"state_seq,omitempty"`
		Counts          map[string]int          `json:"counts"`
		Bins            []bin                   `json:"bins"`
		Total           int                     `json:"total"`
	}{TypeReveal, p.QID, p.Kind, p.Answer, v.AnswerLabel, v.ExplanationHTML, p.Values, v.Links, p.StateSeq,
		counts, orEmptyBins(p.tally(votes, lang, false)), len(votes)})
}

// jsonNumber reads a number as the API writes it: a JSON number, or
// "NaN", "Infinity", "-Infinity".
func jsonNumber(raw json.RawMessage) (float64, bool) {
	var f float64
	if json.Unmarshal(raw, &f) == nil {
		return f, true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return 0, false
	}
	switch s {
	case "NaN":
		return math.NaN(), true
	case "Infinity":
		return math.Inf(1), true
	case "-Infinity":
		return math.Inf(-1), true
	}
	return 0, false
}
