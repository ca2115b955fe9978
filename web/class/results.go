package class

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Results is what a class kept: every question asked, its answer, its
// counts and each student's answer. Names are there when the teacher
// showed them during the class.
type Results struct {
	Code      string           `json:"code"`
	Created   time.Time        `json:"created"`
	Ended     bool             `json:"ended"`
	Questions []QuestionResult `json:"questions"`
}

// QuestionResult is one question of Results.
type QuestionResult struct {
	QID      string         `json:"qid"`
	Kind     string         `json:"kind"`
	Slug     string         `json:"slug,omitempty"`
	Question string         `json:"question_id,omitempty"`
	Prompt   string         `json:"prompt"`
	Asked    time.Time      `json:"asked"`
	Answer   string         `json:"answer"`
	Label    string         `json:"answer_label"`
	Revealed bool           `json:"revealed"`
	Total    int            `json:"total"`
	Bins     []ResultBin    `json:"bins"`
	Answers  []AnswerResult `json:"answers"`
}

// ResultBin is one bar of a question's histogram.
type ResultBin struct {
	Value   string `json:"value,omitempty"`
	Label   string `json:"label"`
	Count   int    `json:"count"`
	Correct bool   `json:"correct"`
}

// AnswerResult is one student's answer.
type AnswerResult struct {
	StudentID string    `json:"student_id"`
	Name      string    `json:"name,omitempty"`
	Choice    string    `json:"choice,omitempty"`
	Number    *float64  `json:"number,omitempty"`
	Correct   bool      `json:"correct"`
	At        time.Time `json:"at"`
}

// Results returns a class's results to its teacher, until the class
// expires, also after it ended. A wrong token spends the address's miss
// budget, like a wrong code. lang chooses the prompts' language.
func (h *Hub) Results(ctx context.Context, code, token, language, addr string) (*Results, error) {
	b, m, err := h.lookup(ctx, code, addr)
	if err != nil {
		return nil, err
	}
	if err := h.checkToken(m, token, addr); err != nil {
		return nil, err
	}
	_, kv, err := h.kv()
	if err != nil {
		return nil, err
	}
	lg := lang(language)
	out := &Results{Code: m.Code, Created: m.Created, Ended: m.Ended, Questions: []QuestionResult{}}
	for _, qid := range m.Questions {
		p, _, err := getJSON[poll](ctx, kv, keyPoll(m.Code, qid))
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue // expired
		}
		if err != nil {
			return nil, h.busError(b, "class results", err)
		}
		votes, err := loadVotes(ctx, kv, m.Code, qid)
		if err != nil {
			return nil, h.busError(b, "class results", err)
		}
		// The results are the teacher's: the answer is marked whether
		// or not it was revealed in class.
		shown := *p
		shown.Revealed = true
		v := shown.view(lg)
		q := QuestionResult{QID: qid, Kind: p.Kind, Slug: p.Slug, Question: p.QuestionID, Prompt: v.Prompt, Asked: p.Asked,
			Answer: p.Answer, Label: v.AnswerLabel, Revealed: p.Revealed, Total: len(votes), Bins: []ResultBin{}, Answers: []AnswerResult{}}
		for _, b := range shown.tally(votes, lg, false) {
			q.Bins = append(q.Bins, ResultBin{Value: b.Value, Label: b.Label, Count: b.Count, Correct: b.Correct})
		}
		for _, vt := range sortedVotes(votes) {
			a := AnswerResult{StudentID: vt.SID, Choice: vt.Choice, Number: vt.Number, At: vt.At}
			if m.NamesShown {
				a.Name = vt.Name
			}
			if vt.Number != nil && p.Number != nil {
				a.Correct = *vt.Number == *p.Number
			} else {
				a.Correct = vt.Choice != "" && vt.Choice == p.Answer
			}
			q.Answers = append(q.Answers, a)
		}
		out.Questions = append(out.Questions, q)
	}
	return out, nil
}

// CSV writes the results one row per answer.
func (res *Results) CSV() ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"question", "qid", "kind", "prompt", "correct_answer", "student_id", "name", "answer", "correct", "answered_at"})
	for i, q := range res.Questions {
		for _, a := range q.Answers {
			ans := a.Choice
			if a.Number != nil {
				ans = strconv.FormatFloat(*a.Number, 'g', -1, 64)
			}
			w.Write([]string{strconv.Itoa(i + 1), q.QID, q.Kind, csvSafe(q.Prompt), q.Answer, a.StudentID, csvSafe(a.Name), ans,
				strconv.FormatBool(a.Correct), a.At.Format(time.RFC3339)})
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// csvSafe keeps a spreadsheet from reading a typed name as a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}
