package lessons

import (
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/url"
	"slices"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/state"
)

// Question kinds. The answer is never written in a lesson: the engine
// computes it when the question is checked.
const (
	// KindCompare: which of states a and b gives the larger number
	// (choices a, b, equal).
	KindCompare = "compare"
	// KindDirection: going from state a to state b, does the number go
	// up, down or stay the same (choices up, down, same).
	KindDirection = "direction"
	// KindSign: the sign of a gradient element in one state (choices
	// positive, negative, zero, nan).
	KindSign = "sign"
	// KindValue: what the number is in one state (choices zero, positive,
	// negative, infinity, -infinity, nan).
	KindValue = "value"
)

// kindChoices is the answer vocabulary of each kind.
var kindChoices = map[string][]string{
	KindCompare:   {"a", "b", "equal"},
	KindDirection: {"up", "down", "same"},
	KindSign:      {"positive", "negative", "zero", "nan"},
	KindValue:     {"zero", "positive", "negative", "infinity", "-infinity", "nan"},
}

// Tolerances: two numbers this close count as equal, and a number this
// small as zero, so that rounding in the last bits never flips an answer.
const (
	equalRelTol = 1e-9
	zeroAbsTol  = 1e-12
)

// Question is a "predict, then reveal" question.
type Question struct {
	ID         string
	Kind       string
	Prompt     string        // Markdown source
	PromptHTML template.HTML // rendered, math kept for KaTeX
	Choices    []Choice
	// Explanation is shown with the verdict, right or wrong.
	Explanation     string
	ExplanationHTML template.HTML
	// A is the state (sign, value) or the first state (compare,
	// direction); B is the second state.
	A, B *Preset
	// Probe says which number of a state is looked at.
	Probe Probe
}

// Choice is one answer offered.
type Choice struct {
	Value string `json:"value"` // from the kind's vocabulary: what the API takes
	Label string `json:"label"` // what the page shows
}

// Probe picks one number out of a computed state.
type Probe struct {
	// Grad, if set, names the input whose gradient element Index is read.
	Grad  string
	Index int
	// Element, if set, reads the per-element (reduction 'none') loss at
	// that flat index. Otherwise the loss is read (summed if it is a
	// tensor).
	Element *int
}

// Verdict is the outcome of checking an answer.
type Verdict struct {
	Correct         bool                    `json:"correct"`
	Answer          string                  `json:"answer"` // the computed answer
	Explanation     string                  `json:"explanation"`
	ExplanationHTML template.HTML           `json:"explanation_html"`
	Values          map[string]engine.Float `json:"values"`
	// Links are the permalinks of the states, to open them in the
	// playground.
	Links map[string]string `json:"links"`
}

// ErrUnknownChoice is returned by Check for an answer that is not one of
// the question's choices.
var ErrUnknownChoice = errors.New("not one of the question's choices")

// UnavailableError reports a question whose loss the engine does not have.
type UnavailableError struct{ Loss string }

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("loss %q is not available in this build", e.Loss)
}

// HasChoice reports whether v is one of the question's choices.
func (q *Question) HasChoice(v string) bool {
	return slices.ContainsFunc(q.Choices, func(c Choice) bool { return c.Value == v })
}

// ChoiceValues lists the choices' values.
func (q *Question) ChoiceValues() []string {
	return ids(q.Choices, func(c Choice) string { return c.Value })
}

// Answer computes the correct answer with the engine, and the numbers that
// justify it.
func (q *Question) Answer() (string, map[string]engine.Float, error) {
	a, err := q.Probe.measure(q.A)
	if err != nil {
		return "", nil, fmt.Errorf("state a: %w", err)
	}
	switch q.Kind {
	case KindSign, KindValue:
		return classify(a), map[string]engine.Float{"value": engine.Float(a)}, nil
	}
	b, err := q.Probe.measure(q.B)
	if err != nil {
		return "", nil, fmt.Errorf("state b: %w", err)
	}
	values := map[string]engine.Float{"a": engine.Float(a), "b": engine.Float(b)}
	if math.IsNaN(a) || math.IsNaN(b) {
		return "", values, errors.New("cannot compare NaN")
	}
	order := 0
	if !sameNumber(a, b) {
		order = 1
		if a < b {
			order = -1
		}
	}
	if q.Kind == KindCompare {
		return [...]string{"b", "equal", "a"}[order+1], values, nil
	}
	return [...]string{"up", "same", "down"}[order+1], values, nil
}

// Check computes the answer and compares it with the given one, which must
// be one of the question's choices (ErrUnknownChoice otherwise).
func (q *Question) Check(answer string) (*Verdict, error) {
	if !q.HasChoice(answer) {
		return nil, ErrUnknownChoice
	}
	want, values, err := q.Answer()
	if err != nil {
		return nil, err
	}
	v := &Verdict{Correct: answer == want, Answer: want, Explanation: q.Explanation,
		ExplanationHTML: q.ExplanationHTML, Values: values, Links: map[string]string{}}
	if q.B == nil {
		v.Links["state"] = q.A.URL
	} else {
		v.Links["a"], v.Links["b"] = q.A.URL, q.B.URL
	}
	return v, nil
}

// sameNumber reports whether a and b are equal up to rounding. Infinities
// equal only themselves: ∞ is not "close" to 3.3, though |∞ − 3.3| ≤ 1e−9·∞.
func sameNumber(a, b float64) bool {
	if a == b {
		return true
	}
	if math.IsInf(a, 0) || math.IsInf(b, 0) {
		return false
	}
	return math.Abs(a-b) <= equalRelTol*math.Max(math.Abs(a), math.Abs(b))
}

// classify names a number as the sign and value kinds do.
func classify(x float64) string {
	switch {
	case math.IsNaN(x):
		return "nan"
	case math.IsInf(x, 1):
		return "infinity"
	case math.IsInf(x, -1):
		return "-infinity"
	case math.Abs(x) <= zeroAbsTol:
		return "zero"
	case x > 0:
		return "positive"
	}
	return "negative"
}

// Evaluate computes a preset through the same path as its page: the
// permalink's query is parsed by state (missing inputs take the spec's
// examples), then decoded and computed by the engine.
func Evaluate(p *Preset) (*engine.Call, *engine.Result, error) {
	spec, ok := engine.LookupSlug(p.Loss)
	if !ok {
		return nil, nil, &UnavailableError{Loss: p.Loss}
	}
	q, err := url.ParseQuery(state.Query(p.State()).Encode())
	if err != nil {
		return nil, nil, err
	}
	st, err := state.Parse(spec, q)
	if err != nil {
		return nil, nil, err
	}
	c, err := engine.DecodeCall(spec, st.Params, st.Inputs)
	if err != nil {
		return nil, nil, err
	}
	if st.DType == "float32" {
		if err := c.SetDType(engine.Float32); err != nil {
			return nil, nil, err
		}
	}
	res, err := c.Compute()
	if err != nil {
		return nil, nil, err
	}
	return c, res, nil
}

// measure computes p and reads the probed number.
func (pr Probe) measure(p *Preset) (float64, error) {
	_, res, err := Evaluate(p)
	if err != nil {
		return 0, err
	}
	switch {
	case pr.Grad != "":
		g, ok := res.Grads[pr.Grad]
		if !ok {
			return 0, &engine.Error{Field: "grad", Msg: fmt.Sprintf("%s has no gradient for %q", p.Loss, pr.Grad)}
		}
		if pr.Index < 0 || pr.Index >= len(g.Data) {
			return 0, &engine.Error{Field: "index", Msg: fmt.Sprintf("gradient %s has %d elements, index %d is out of range", pr.Grad, len(g.Data), pr.Index)}
		}
		return g.Data[pr.Index], nil
	case pr.Element != nil:
		el := res.Elements
		if *pr.Element < 0 || *pr.Element >= len(el.Data) {
			return 0, &engine.Error{Field: "element", Msg: fmt.Sprintf("%s has %d per-element losses, element %d is out of range", p.Loss, len(el.Data), *pr.Element)}
		}
		return el.Data[*pr.Element], nil
	}
	return engine.Sum(res.Loss.Data), nil
}

// buildQuestion validates a question and resolves its states.
func buildQuestion(l *Lesson, qy questionYAML, ref *Lesson, urls map[string]string) (*Question, error) {
	if !validID(qy.ID) {
		return nil, fmt.Errorf("id %q must be lower-case letters, digits and dashes", qy.ID)
	}
	if qy.Prompt == "" {
		return nil, errors.New("prompt is missing")
	}
	if qy.Explanation == "" {
		return nil, errors.New("explanation is missing")
	}
	var q *Question
	if ref != nil && qy.Kind == "" {
		// A translation: the English question with new text.
		en := ref.Question(qy.ID)
		if en == nil {
			return nil, fmt.Errorf("no English question %q to take the states from", qy.ID)
		}
		if qy.State != nil || qy.A != nil || qy.B != nil || qy.Choices != nil || qy.Grad != "" || qy.Element != nil {
			return nil, errors.New("a translated question gives only prompt, labels and explanation (or a kind and everything else)")
		}
		cp := *en
		q = &cp
		q.A, q.B = relang(en.A, l), relang(en.B, l)
		q.Choices = slices.Clone(en.Choices)
	} else {
		var err error
		if q, err = newQuestion(l, qy); err != nil {
			return nil, err
		}
	}
	q.Prompt, q.Explanation = qy.Prompt, qy.Explanation
	for i := range q.Choices {
		q.Choices[i].Label = UIText(l.Lang, q.Choices[i].Value)
		if lb, ok := qy.Labels[q.Choices[i].Value]; ok {
			q.Choices[i].Label = lb
		}
	}
	for k := range qy.Labels {
		if !q.HasChoice(k) {
			return nil, fmt.Errorf("labels: %q is not one of the choices %v", k, q.ChoiceValues())
		}
	}
	var err error
	if q.PromptHTML, err = renderMarkdown(q.Prompt, l.Lang, urls); err != nil {
		return nil, fmt.Errorf("prompt: %w", err)
	}
	if q.ExplanationHTML, err = renderMarkdown(q.Explanation, l.Lang, urls); err != nil {
		return nil, fmt.Errorf("explanation: %w", err)
	}
	return q, nil
}

// relang returns a copy of p whose permalink carries lang.
func relang(p *Preset, l *Lesson) *Preset {
	if p == nil {
		return nil
	}
	cp := *p
	cp.Lang = l.Lang
	if lp := l.Preset(p.ID); lp != nil && p.ID != "" {
		cp.Title = lp.Title
	}
	cp.URL = permalink(&cp)
	return &cp
}

func newQuestion(l *Lesson, qy questionYAML) (*Question, error) {
	vocab, ok := kindChoices[qy.Kind]
	if !ok {
		return nil, fmt.Errorf("kind %q is not one of compare, direction, sign, value", qy.Kind)
	}
	q := &Question{ID: qy.ID, Kind: qy.Kind, Probe: Probe{Grad: qy.Grad, Index: qy.Index, Element: qy.Element}}
	if len(qy.Choices) < 2 {
		return nil, errors.New("choices: at least two are needed")
	}
	for _, c := range qy.Choices {
		if !slices.Contains(vocab, c) {
			return nil, fmt.Errorf("choices: %q is not a %s answer (one of %v)", c, qy.Kind, vocab)
		}
		if slices.ContainsFunc(q.Choices, func(x Choice) bool { return x.Value == c }) {
			return nil, fmt.Errorf("choices: %q is listed twice", c)
		}
		q.Choices = append(q.Choices, Choice{Value: c})
	}
	if qy.Kind == KindSign && qy.Grad == "" {
		return nil, errors.New("grad: a sign question names the input whose gradient it reads")
	}
	if qy.Grad != "" && qy.Element != nil {
		return nil, errors.New("grad and element cannot both be set")
	}
	var err error
	switch qy.Kind {
	case KindSign, KindValue:
		if qy.State == nil || qy.A != nil || qy.B != nil {
			return nil, errors.New("state: a sign or value question has one state (and no a or b)")
		}
		if q.A, err = resolveState(l, qy.State, "state"); err != nil {
			return nil, err
		}
	default:
		if qy.A == nil || qy.B == nil || qy.State != nil {
			return nil, errors.New("a, b: a compare or direction question has two states a and b (and no state)")
		}
		if q.A, err = resolveState(l, qy.A, "a"); err != nil {
			return nil, err
		}
		if q.B, err = resolveState(l, qy.B, "b"); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// resolveState turns a question's state into a preset: the named one, or
// an anonymous one written inline.
func resolveState(l *Lesson, s *stateYAML, field string) (*Preset, error) {
	if s.Preset != "" {
		if s.Loss != "" || s.Params != nil || s.Inputs != nil {
			return nil, fmt.Errorf("%s: give either a preset or loss/params/inputs", field)
		}
		p := l.Preset(s.Preset)
		if p == nil {
			return nil, fmt.Errorf("%s: unknown preset %q", field, s.Preset)
		}
		return p, nil
	}
	p, err := buildPreset(l, presetYAML{ID: "inline", Title: field, Loss: s.Loss, Params: s.Params, Inputs: s.Inputs}, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	p.ID = ""
	return p, nil
}
