package class

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"math"
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
	// ("what will the loss be?"); the answer is that state's loss.
	QuestionNumber = "number"
)

// poll is the class's current question with its answers, under keyPoll.
// Votes are by member id; names reach teachers only when shown.
type poll struct {
	QID        string           `json:"qid"`
	Kind       string           `json:"kind"`
	Slug       string           `json:"slug,omitempty"`
	QuestionID string           `json:"question_id,omitempty"`
	Prompt     string           `json:"prompt"`
	PromptHTML template.HTML    `json:"prompt_html,omitempty"`
	Choices    []lessons.Choice `json:"choices,omitempty"`
	Votes      map[string]vote  `json:"votes"`
	Revealed   *revealed        `json:"revealed,omitempty"`
}

type vote struct {
	Name   string  `json:"name"`
	Choice string  `json:"choice,omitempty"`
	Number float64 `json:"number,omitempty"`
}

type revealed struct {
	Answer          string                  `json:"answer"`
	AnswerLabel     string                  `json:"answer_label"`
	ExplanationHTML template.HTML           `json:"explanation_html,omitempty"`
	Values          map[string]engine.Float `json:"values"`
	Links           map[string]string       `json:"links,omitempty"`
}

// numberPrompt is the numeric poll's default question; maxPromptBytes
// bounds a teacher's own (it is shown as text, never as HTML).
const (
	numberPrompt   = "What will the loss be?"
	maxPromptBytes = 200
)

// launch starts a question: every member gets it, teachers an empty
// histogram.
func (r *room) launch(ctx context.Context, raw []byte) error {
	var msg struct {
		Kind     string `json:"kind"`
		Slug     string `json:"slug"`
		Question string `json:"question"`
		Prompt   string `json:"prompt"`
	}
	if err := decodeMessage(raw, &msg); err != nil {
		return err
	}
	p := &poll{QID: "q" + strconv.FormatInt(time.Now().UnixNano(), 36), Kind: msg.Kind, Votes: map[string]vote{}}
	switch msg.Kind {
	case QuestionLesson:
		q, err := lessonQuestion(msg.Slug, msg.Question)
		if err != nil {
			return err
		}
		p.Slug, p.QuestionID = msg.Slug, msg.Question
		p.Prompt, p.PromptHTML, p.Choices = q.Prompt, q.PromptHTML, q.Choices
	case QuestionNumber:
		if len(msg.Prompt) > maxPromptBytes {
			return errorf("prompt", "at most %d bytes, got %d", maxPromptBytes, len(msg.Prompt))
		}
		p.Prompt = msg.Prompt
		if p.Prompt == "" {
			p.Prompt = numberPrompt
		}
	default:
		return errorf("kind", `must be "lesson" or "number", got %s`, strconv.Quote(msg.Kind))
	}
	cctx, cancel := context.WithTimeout(ctx, busTimeout)
	_, err := r.bus.kv.Put(cctx, keyPoll(r.code), encode(p))
	cancel()
	if err != nil {
		return err
	}
	if err := publish(r.bus.nc, subjectAll(r.code), p.questionMessage(), ""); err != nil {
		return err
	}
	r.mu.Lock()
	names := r.names
	r.mu.Unlock()
	return publish(r.bus.nc, subjectTeachers(r.code), p.histogram(names), CoalesceHistogram)
}

func lessonQuestion(slug, id string) (*lessons.Question, error) {
	lib, err := lessons.Load()
	if err != nil {
		return nil, err
	}
	l, ok := lib.Get(slug, lessons.Languages[0])
	if !ok {
		return nil, errorf("slug", "no lesson for loss %s", strconv.Quote(slug))
	}
	q := l.Question(id)
	if q == nil {
		return nil, errorf("question", "lesson %s has no question %s", slug, strconv.Quote(id))
	}
	return q, nil
}

// questionMessage is what every member sees of the question.
func (p *poll) questionMessage() []byte {
	return encode(struct {
		Type       string           `json:"type"`
		QID        string           `json:"qid"`
		Kind       string           `json:"kind"`
		Prompt     string           `json:"prompt"`
		PromptHTML template.HTML    `json:"prompt_html,omitempty"`
		Choices    []lessons.Choice `json:"choices,omitempty"`
	}{TypeQuestion, p.QID, p.Kind, p.Prompt, p.PromptHTML, p.Choices})
}

func answeredMessage(qid string, v vote) []byte {
	m := map[string]any{"type": TypeAnswered, "qid": qid}
	if v.Choice != "" {
		m["choice"] = v.Choice
	} else {
		m["number"] = v.Number
	}
	return encode(m)
}

// bin is one bar of the histogram.
type bin struct {
	Value string   `json:"value,omitempty"`
	Label string   `json:"label"`
	Count int      `json:"count"`
	Names []string `json:"names,omitempty"`
}

// numberBins is the number of bars a numeric poll's answers are grouped
// into.
const numberBins = 8

// histogram is the teachers' live view of the answers: counts per choice
// (or per range, for a numeric poll), names only when shown.
func (p *poll) histogram(names bool) []byte {
	var bins []bin
	if p.Kind == QuestionNumber {
		bins = p.numberBins(names)
	} else {
		idx := map[string]int{}
		for i, c := range p.Choices {
			idx[c.Value] = i
			bins = append(bins, bin{Value: c.Value, Label: c.Label})
		}
		for _, v := range p.Votes {
			if i, ok := idx[v.Choice]; ok {
				bins[i].Count++
				if names {
					bins[i].Names = append(bins[i].Names, v.Name)
				}
			}
		}
	}
	return encode(struct {
		Type  string `json:"type"`
		QID   string `json:"qid"`
		Total int    `json:"total"`
		Bins  []bin  `json:"bins"`
	}{TypeHistogram, p.QID, len(p.Votes), bins})
}

func (p *poll) numberBins(names bool) []bin {
	if len(p.Votes) == 0 {
		return []bin{}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range p.Votes {
		lo, hi = math.Min(lo, v.Number), math.Max(hi, v.Number)
	}
	n := numberBins
	if lo == hi {
		n = 1
	}
	width := (hi - lo) / float64(n)
	bins := make([]bin, n)
	for i := range bins {
		a := lo + float64(i)*width
		bins[i].Label = fmt.Sprintf("%.4g – %.4g", a, a+width)
		if n == 1 {
			bins[i].Label = fmt.Sprintf("%.4g", lo)
		}
	}
	for _, v := range p.Votes {
		i := 0
		if width > 0 {
			i = min(int((v.Number-lo)/width), n-1)
		}
		bins[i].Count++
		if names {
			bins[i].Names = append(bins[i].Names, v.Name)
		}
	}
	return bins
}

// answer records a student's answer (a new one replaces theirs).
func (r *room) answer(ctx context.Context, m *Member, raw []byte) error {
	var msg struct {
		QID    string   `json:"qid"`
		Choice string   `json:"choice"`
		Number *float64 `json:"number"`
	}
	if err := decodeMessage(raw, &msg); err != nil {
		return err
	}
	var v vote
	p, err := updateJSON(ctx, r.bus.kv, keyPoll(r.code), false, func(p *poll) (bool, error) {
		if p.QID != msg.QID {
			return false, errorf("qid", "not the current question")
		}
		if p.Revealed != nil {
			return false, errorf("qid", "this question's answer has been revealed")
		}
		v = vote{Name: m.name}
		if p.Kind == QuestionNumber {
			if msg.Number == nil || math.IsNaN(*msg.Number) || math.IsInf(*msg.Number, 0) {
				return false, errorf("number", "a finite number is required")
			}
			v.Number = *msg.Number
		} else {
			q := lessons.Question{Choices: p.Choices}
			if !q.HasChoice(msg.Choice) {
				return false, errorf("choice", "%s is not one of the choices", strconv.Quote(msg.Choice))
			}
			v.Choice = msg.Choice
		}
		if p.Votes == nil {
			p.Votes = map[string]vote{}
		}
		p.Votes[m.id] = v
		return true, nil
	})
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return errorf("qid", "no question is open")
	}
	if err != nil {
		return err
	}
	m.out.Offer(answeredMessage(p.QID, v), "")
	r.mu.Lock()
	names := r.names
	r.mu.Unlock()
	return publish(r.bus.nc, subjectTeachers(r.code), p.histogram(names), CoalesceHistogram)
}

// reveal computes the current question's answer and shows it to everyone.
func (r *room) reveal(ctx context.Context) error {
	var rv *revealed
	p, err := updateJSON(ctx, r.bus.kv, keyPoll(r.code), false, func(p *poll) (bool, error) {
		if p.Revealed != nil {
			return false, nil // revealed already: say it again
		}
		var err error
		if rv, err = r.answerOf(ctx, p); err != nil {
			return false, err
		}
		p.Revealed = rv
		return true, nil
	})
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return errorf("type", "no question to reveal")
	}
	if err != nil {
		return err
	}
	return publish(r.bus.nc, subjectAll(r.code), p.revealMessage(), "")
}

// answerOf computes a question's answer with the engine.
func (r *room) answerOf(ctx context.Context, p *poll) (*revealed, error) {
	if p.Kind == QuestionNumber {
		e, err := r.bus.kv.Get(ctx, keyState(r.code))
		if err != nil {
			return nil, errorf("type", "the class has no state yet: change something on the page first")
		}
		var s struct {
			Result struct {
				Loss json.RawMessage `json:"loss"`
			} `json:"result"`
		}
		if json.Unmarshal(e.Value(), &s) != nil {
			return nil, fmt.Errorf("class %s: undecodable state", r.code)
		}
		loss, ok := jsonNumber(s.Result.Loss)
		if !ok {
			return nil, errorf("type", "the class's loss is a tensor (reduction 'none'); a numeric poll needs a number")
		}
		return &revealed{Answer: string(s.Result.Loss), AnswerLabel: string(s.Result.Loss), Values: map[string]engine.Float{"loss": engine.Float(loss)}}, nil
	}
	q, err := lessonQuestion(p.Slug, p.QuestionID)
	if err != nil {
		return nil, err
	}
	ans, values, err := q.Answer()
	if err != nil {
		return nil, fmt.Errorf("class: question %s/%s: %w", p.Slug, p.QuestionID, err)
	}
	rv := &revealed{Answer: ans, AnswerLabel: ans, ExplanationHTML: q.ExplanationHTML, Values: values, Links: map[string]string{}}
	for _, c := range q.Choices {
		if c.Value == ans {
			rv.AnswerLabel = c.Label
		}
	}
	if q.A != nil {
		rv.Links["a"] = q.A.URL
	}
	if q.B != nil {
		rv.Links["b"] = q.B.URL
	}
	return rv, nil
}

// revealMessage is the answer as everyone sees it, with the class's
// counts (never names).
func (p *poll) revealMessage() []byte {
	counts := map[string]int{}
	for _, v := range p.Votes {
		if v.Choice != "" {
			counts[v.Choice]++
		}
	}
	return encode(struct {
		Type string `json:"type"`
		QID  string `json:"qid"`
		*revealed
		Counts map[string]int `json:"counts"`
		Total  int            `json:"total"`
	}{TypeReveal, p.QID, p.Revealed, counts, len(p.Votes)})
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
