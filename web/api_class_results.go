package web

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

// classResults answers GET /api/v1/classes/{code}/results for the class's
// teacher (Authorization: Bearer <teacher_token>): every question asked,
// its answer, counts and each student's answer, as JSON or, with
// ?format=csv, one CSV row per answer. It works until the class expires,
// also after class_end. A wrong token is a 401 and spends the address's
// wrong-code budget: tokens cannot be guessed faster than codes.
func (a *App) classResults(w http.ResponseWriter, r *http.Request) error {
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "csv" {
		return errorStatus(http.StatusBadRequest, `format: must be "json" or "csv", got "`+format+`"`)
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="class"`)
		return errorStatus(http.StatusUnauthorized, "Authorization: send the class's teacher token as Bearer <teacher_token>")
	}
	res, err := a.classes.Results(r.Context(), chi.URLParam(r, "code"), strings.TrimSpace(token), pageLang(r), clientAddr(r))
	if err != nil {
		return classAPIError(w, err)
	}
	w.Header().Set("Cache-Control", "no-store")
	if format == "csv" {
		out, err := res.CSV()
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="class-`+res.Code+`-results.csv"`)
		_, err = w.Write(out)
		return err
	}
	out, err := json.Marshal(res)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(out)
	return err
}
