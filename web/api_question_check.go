package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/lessons"
)

// maxLessonAnswerBytes bounds a question answer's body: it holds two short
// strings.
const maxLessonAnswerBytes = 4 << 10

// LessonAnswerRequest is the body of POST
// /api/v1/lessons/{slug}/questions/{id}.
type LessonAnswerRequest struct {
	Answer string `json:"answer"`
	Lang   string `json:"lang"`
}

// checkLessonQuestion answers POST /api/v1/lessons/{slug}/questions/{id}:
// the engine computes the question's answer and the numbers behind it, and
// the reply says whether the reader's answer was right.
func (a *App) checkLessonQuestion(w http.ResponseWriter, r *http.Request) error {
	lib, err := lessons.Load()
	if err != nil {
		return err
	}
	slug, id := chi.URLParam(r, "slug"), chi.URLParam(r, "id")
	body, err := readBody(w, r, maxLessonAnswerBytes)
	if err != nil {
		return err
	}
	var req LessonAnswerRequest
	if err := decodeStrict(body, &req); err != nil {
		return errorStatus(http.StatusBadRequest, "request body: "+describeJSONError(err))
	}
	lang := req.Lang
	if lang == "" {
		lang = lessons.Languages[0]
	}
	if lessons.NegotiateLang(lang, "") != lang {
		return &engine.Error{Field: "lang", Msg: fmt.Sprintf(`must be "en" or "zh", got %q`, req.Lang)}
	}
	l, ok := lib.Get(slug, lang)
	if !ok {
		return errorStatus(http.StatusNotFound, fmt.Sprintf("lesson: no lesson for loss %q", slug))
	}
	q := l.Question(id)
	if q == nil {
		return errorStatus(http.StatusNotFound, fmt.Sprintf("question: lesson %s has no question %q (it has %s)",
			slug, id, strings.Join(lessonQuestionIDs(l), ", ")))
	}
	if req.Answer == "" {
		return &engine.Error{Field: "answer", Msg: "missing: choose one of " + strings.Join(q.ChoiceValues(), ", ")}
	}
	v, err := q.Check(req.Answer)
	var unavailable *lessons.UnavailableError
	switch {
	case errors.Is(err, lessons.ErrUnknownChoice):
		return &engine.Error{Field: "answer", Msg: fmt.Sprintf("%q is not one of the choices (%s)", req.Answer, strings.Join(q.ChoiceValues(), ", "))}
	case errors.As(err, &unavailable):
		return errorStatus(http.StatusNotFound, "question: "+unavailable.Error())
	case err != nil:
		return fmt.Errorf("lesson %s question %s: %w", slug, id, err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(out)
	return err
}

func lessonQuestionIDs(l *lessons.Lesson) []string {
	out := make([]string, len(l.Questions))
	for i, q := range l.Questions {
		out[i] = q.ID
	}
	return out
}
