package web

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/i18n"
	"github.com/lossplayground/playground/web/compare"
	"github.com/lossplayground/playground/web/templates"
)

// compareClassificationData is the classification comparison's data
// block and compare_result.
type compareClassificationData struct {
	Page     string                         `json:"page"`
	Theme    string                         `json:"theme"`
	Settings compare.ClassificationSettings `json:"settings"`
	Charts   map[string]json.RawMessage     `json:"charts"`
	Result   *compare.Classification        `json:"result"`
	// Diff is the largest |difference| between CrossEntropyLoss and
	// NLLLoss∘log_softmax, over the loss and every gradient entry: 0, or
	// float64 rounding (the engine's two paths order their operations
	// differently; PyTorch's are one path and bitwise equal).
	Diff float64 `json:"diff"`
}

func compareClassificationBuild(s compare.ClassificationSettings, theme string) (*compareClassificationData, error) {
	res, err := compare.Classify(s)
	if err != nil {
		return nil, err
	}
	charts, err := compare.ClassificationCharts(s, res, theme)
	if err != nil {
		return nil, err
	}
	return &compareClassificationData{Page: comparePageClassification, Theme: theme, Settings: s, Charts: charts,
		Result: res, Diff: compareCENLLDiff(res)}, nil
}

// compareCENLLDiff is the largest |CE − NLL∘log_softmax| over the loss
// and the gradient.
func compareCENLLDiff(res *compare.Classification) float64 {
	ce, nll := res.Losses[0], res.Losses[1]
	d := math.Abs(ce.Value - nll.Value)
	for i := range ce.Grad {
		d = math.Max(d, math.Abs(ce.Grad[i]-nll.Grad[i]))
	}
	return d
}

// compareParseLogits reads "2, 1, 0.1" (commas or spaces) into logits.
func compareParseLogits(s string) ([]float64, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' })
	if len(fields) > compare.MaxClasses {
		return nil, engine.Errorf("logits", "need %d to %d classes, got %d", compare.MinClasses, compare.MaxClasses, len(fields))
	}
	out := make([]float64, len(fields))
	for i, f := range fields {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, engine.Errorf("logits["+strconv.Itoa(i)+"]", "must be a number, got %s", quoteShort(f))
		}
		out[i] = v
	}
	return out, nil
}

// compareClassificationQuery reads the classification page's settings
// (logits, target) from its query; missing ones are the defaults.
func compareClassificationQuery(q url.Values, lang string) (compare.ClassificationSettings, error) {
	s := compare.DefaultClassification()
	s.Lang = lang
	if err := compareQueryDType(q, &s.DType); err != nil {
		return s, err
	}
	if t := strings.TrimSpace(q.Get("logits")); t != "" {
		logits, err := compareParseLogits(t)
		if err != nil {
			return s, err
		}
		s.Logits = logits
	}
	if t := strings.TrimSpace(q.Get("target")); t != "" {
		k, err := strconv.Atoi(t)
		if err != nil {
			return s, engine.Errorf("target", "must be a class index, got %s", quoteShort(t))
		}
		s.Target = k
	}
	return s, s.Validate()
}

func (data *compareClassificationData) charts() map[string]json.RawMessage { return data.Charts }

// view is /compare/classification: CrossEntropyLoss, NLLLoss after
// log_softmax, BCEWithLogitsLoss per class and MultiMarginLoss on the same
// logits. Query: logits ("2,1,0.1"), target.
func (data *compareClassificationData) view(a *App, q url.Values, js string) templ.Component {
	s := data.Settings
	pal := compare.PaletteFor(data.Theme)
	v := templates.CompareClassificationView{Lang: s.Lang, Assets: a.compareAssets(), Data: js, Target: s.Target, Diff: compareDiffText(data.Diff, s.Lang)}
	var parts []string
	probs := compareFormatTable(append(slices.Clone(data.Result.Softmax), data.Result.Sigmoid...))
	for i, z := range s.Logits {
		parts = append(parts, compareNumber(z))
		v.Classes = append(v.Classes, templates.CompareClassRow{Index: i, Logit: compareNumber(z),
			Softmax: probs[i], Sigmoid: probs[len(s.Logits)+i]})
	}
	v.Logits = strings.Join(parts, ", ")
	v.Images = compareImages(comparePageClassification, q, url.Values{"logits": {strings.Join(parts, ",")},
		"target": {strconv.Itoa(s.Target)}}, i18n.T(s.Lang, "cmp.cls.title"), s.Lang)
	var table []float64
	for _, l := range data.Result.Losses {
		table = append(append(table, l.Value), l.Grad...)
	}
	cells := compareFormatTable(table)
	for _, l := range data.Result.Losses {
		row := templates.CompareClassLoss{Loss: l.Loss, Label: l.Label, Color: pal.Color(l.Loss), Value: cells[0]}
		row.Grad = cells[1 : 1+len(l.Grad)]
		cells = cells[1+len(l.Grad):]
		v.Losses = append(v.Losses, row)
	}
	return templates.CompareClassification(v)
}

// compareDiffText describes the CE/NLL difference for the page.
func compareDiffText(d float64, lang string) string {
	if d == 0 {
		return i18n.T(lang, "js.cmpSame")
	}
	return i18n.T(lang, "js.cmpDiffer", fmt.Sprintf("%.1e", d))
}
