package web

import (
	"bytes"
	"encoding/json"

	"github.com/lossplayground/playground/charts"
	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/state"
)

// A loss page's live result carries its result panel (loss as PyTorch
// prints it, the reduction spelled out, every tensor with its gradient,
// the PyTorch snippet) as data, built by lossResultPanel, the function the
// server-rendered page uses: the live panel equals what the server
// renders for the page's permalink, and nothing is fetched over HTTP
// while the page is live.

// wsWantsPanel reports whether a compute request is a page's: it asks
// for charts (a view) and for detail, which the panel's per-element terms
// need.
func wsWantsPanel(m *wsComputeMessage) bool {
	return m.View != nil && m.Detail
}

// wsPanel encodes the result panel of ev, in the language of the page's
// view.
func wsPanel(spec *engine.Spec, ev *Evaluation, req *LossRequest, view *charts.View) (json.RawMessage, error) {
	st := wsPanelState(spec, req)
	if view != nil {
		st.Lang = view.Lang
	}
	return json.Marshal(lossResultPanel(spec, ev, st))
}

// wsPanelState is the page state a compute request stands for, as its
// permalink carries it: a parameter equal to its default is left out, as
// the page's script leaves it out of the URL, so that the PyTorch snippet
// names the same arguments as the page the server renders for that URL.
func wsPanelState(spec *engine.Spec, req *LossRequest) state.State {
	st := state.State{Inputs: req.Inputs}
	if req.DType == "float32" {
		st.DType = req.DType
	}
	for name, raw := range req.Params {
		prm := spec.Param(name)
		if prm == nil || wsIsDefault(prm, raw) {
			continue
		}
		if st.Params == nil {
			st.Params = map[string]json.RawMessage{}
		}
		st.Params[name] = raw
	}
	return st
}

// wsIsDefault reports whether raw is prm's default value: the same JSON,
// or the same number written differently (1 and 1.0).
func wsIsDefault(prm *engine.Param, raw json.RawMessage) bool {
	def, err := json.Marshal(prm.Default)
	if err != nil {
		return false
	}
	got := bytes.TrimSpace(raw)
	if bytes.Equal(got, def) {
		return true
	}
	var a, b float64
	return json.Unmarshal(got, &a) == nil && json.Unmarshal(def, &b) == nil && a == b
}
