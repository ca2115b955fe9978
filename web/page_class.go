package web

import (
	"net/http"
)

func (a *App) showClassJoin(w http.ResponseWriter, r *http.Request) error    { return nil }
func (a *App) showClassStudent(w http.ResponseWriter, r *http.Request) error { return nil }
func (a *App) showClassTeach(w http.ResponseWriter, r *http.Request) error   { return nil }
