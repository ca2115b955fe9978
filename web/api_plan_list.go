package web

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/lossplayground/playground/lessons"
	"github.com/lossplayground/playground/lessons/plans"
)

// PlanSummaryJSON is one plan in GET /api/v1/plans: what a teacher picks
// from (steps is how many).
type PlanSummaryJSON struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Lang  string `json:"lang"`
	Steps int    `json:"steps"`
}

// listPlans answers GET /api/v1/plans?lang=en|zh: every lesson plan in
// that language, hand-written ones first (package lessons/plans). Without
// lang the Accept-Language header picks, then English.
func (a *App) listPlans(w http.ResponseWriter, r *http.Request) error {
	lang, err := planLang(r)
	if err != nil {
		return err
	}
	lib, err := plans.Load()
	if err != nil {
		return err
	}
	out := struct {
		Plans []PlanSummaryJSON `json:"plans"`
	}{Plans: []PlanSummaryJSON{}}
	for _, p := range lib.All(lang) {
		out.Plans = append(out.Plans, PlanSummaryJSON{ID: p.ID, Title: p.Title, Lang: p.Lang, Steps: len(p.Steps)})
	}
	return writePlanJSON(w, out)
}

// planLang reads ?lang=: "en" or "zh" (a 400 naming lang otherwise), or
// the Accept-Language header's pick when absent.
func planLang(r *http.Request) (string, error) {
	q := r.URL.Query()
	if !q.Has("lang") {
		return lessons.NegotiateLang("", r.Header.Get("Accept-Language")), nil
	}
	lang := q.Get("lang")
	if !slices.Contains(lessons.Languages, lang) {
		return "", errorStatus(http.StatusBadRequest, `lang: must be "en" or "zh", got `+quoteShort(lang))
	}
	return lang, nil
}

func writePlanJSON(w http.ResponseWriter, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Add("Vary", "Accept-Language")
	_, err = w.Write(body)
	return err
}
