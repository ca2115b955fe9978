package compare

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/i18n"
)

// ClassificationLosses are the four columns of the classification
// comparison, in order. "NLLLoss" is NLLLoss applied to log_softmax of the
// logits.
var ClassificationLosses = []string{"CrossEntropyLoss", "NLLLoss", "BCEWithLogitsLoss", "MultiMarginLoss"}

// Bounds of the classification page's logits.
const (
	MinClasses = 2
	MaxClasses = 10
	MaxLogit   = 50.0
)

// ClassificationSettings are one sample's logits and its target class.
type ClassificationSettings struct {
	Logits []float64 `json:"logits"`
	Target int       `json:"target"`
	// Lang is the language of the charts' words: "" or "en", or "zh".
	// The page's data block carries it, so live updates keep it.
	Lang string `json:"lang,omitempty"`
	// DType is "float32" when the page computes in float32, else "" (float64).
	DType string `json:"dtype,omitempty"`
}

// DefaultClassification is a three-class example whose target is not the
// largest logit, so every loss has something to say.
func DefaultClassification() ClassificationSettings {
	return ClassificationSettings{Logits: []float64{2, 1, 0.1}, Target: 1}
}

// Validate checks the number of classes, every logit and the target.
func (s ClassificationSettings) Validate() error {
	if err := checkLang(s.Lang); err != nil {
		return err
	}
	if err := checkDType(s.DType); err != nil {
		return err
	}
	if n := len(s.Logits); n < MinClasses || n > MaxClasses {
		return engine.Errorf("logits", "need %d to %d classes, got %d", MinClasses, MaxClasses, n)
	}
	for i, v := range s.Logits {
		if err := checkRange("logits["+strconv.Itoa(i)+"]", v, -MaxLogit, MaxLogit, false); err != nil {
			return err
		}
	}
	if s.Target < 0 || s.Target >= len(s.Logits) {
		return engine.Errorf("target", "must be a class index in [0, %d), got %d", len(s.Logits), s.Target)
	}
	return nil
}

// ClassLoss is one loss on the sample: its value, its gradient with
// respect to each logit, and its per-class terms where the loss has them.
type ClassLoss struct {
	Loss  string    `json:"loss"`
	Label string    `json:"label"`
	Value float64   `json:"value"`
	Grad  []float64 `json:"grad"`
}

// Classification is every loss of the comparison on one sample.
type Classification struct {
	Losses  []ClassLoss `json:"losses"`
	Softmax []float64   `json:"softmax"` // softmax(z): what CE and NLL∘log_softmax see
	Sigmoid []float64   `json:"sigmoid"` // σ(z_c): what BCEWithLogits sees, class by class
}

// Classify evaluates the four losses with the engine.
func Classify(s ClassificationSettings) (*Classification, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	C := len(s.Logits)
	row := func(vs []float64) *engine.Tensor {
		return &engine.Tensor{Shape: []int{1, C}, Data: append([]float64(nil), vs...)}
	}
	target := &engine.Tensor{Shape: []int{1}, Data: []float64{float64(s.Target)}}
	out := &Classification{Softmax: make([]float64, C), Sigmoid: make([]float64, C)}

	run := func(loss string, params map[string]any, in map[string]*engine.Tensor) (*engine.Result, error) {
		spec, ok := engine.Lookup(loss)
		if !ok {
			return nil, fmt.Errorf("compare: %s is not registered", loss)
		}
		call, err := engine.NewCall(spec, params, in)
		if err != nil {
			return nil, err
		}
		if err := setDType(call, s.DType); err != nil {
			return nil, err
		}
		return call.Compute()
	}

	// CrossEntropyLoss on the logits.
	ce, err := run("CrossEntropyLoss", nil, map[string]*engine.Tensor{"input": row(s.Logits), "target": target})
	if err != nil {
		return nil, err
	}
	out.Losses = append(out.Losses, ClassLoss{Loss: "CrossEntropyLoss", Label: "CrossEntropyLoss(z, y)",
		Value: ce.Loss.Data[0], Grad: ce.Grads["input"].Data})

	// NLLLoss on log_softmax(z); the chain rule through log_softmax,
	// ∂ log p_i/∂z_j = δ_ij − p_j, turns ∂L/∂log p into ∂L/∂z.
	logp := make([]float64, C)
	engine.LogSoftmax(s.Logits, logp)
	nll, err := run("NLLLoss", nil, map[string]*engine.Tensor{"input": row(logp), "target": target})
	if err != nil {
		return nil, err
	}
	g := nll.Grads["input"].Data
	sum := engine.Sum(g)
	gz := make([]float64, C)
	for j := range gz {
		out.Softmax[j] = math.Exp(logp[j])
		gz[j] = g[j] - out.Softmax[j]*sum
	}
	out.Losses = append(out.Losses, ClassLoss{Loss: "NLLLoss", Label: "NLLLoss(log_softmax(z), y)", Value: nll.Loss.Data[0], Grad: gz})

	// BCEWithLogitsLoss per class against the one-hot target.
	onehot := engine.NewTensor(C)
	onehot.Data[s.Target] = 1
	bce, err := run("BCEWithLogitsLoss", nil, map[string]*engine.Tensor{"input": vector(s.Logits), "target": onehot})
	if err != nil {
		return nil, err
	}
	for j, z := range s.Logits {
		out.Sigmoid[j] = engine.Sigmoid(z)
	}
	out.Losses = append(out.Losses, ClassLoss{Loss: "BCEWithLogitsLoss", Label: "BCEWithLogitsLoss(z, one_hot(y))",
		Value: bce.Loss.Data[0], Grad: bce.Grads["input"].Data})

	// MultiMarginLoss: the multi-class hinge.
	mm, err := run("MultiMarginLoss", nil, map[string]*engine.Tensor{"input": row(s.Logits), "target": target})
	if err != nil {
		return nil, err
	}
	out.Losses = append(out.Losses, ClassLoss{Loss: "MultiMarginLoss", Label: "MultiMarginLoss(z, y)", Value: mm.Loss.Data[0], Grad: mm.Grads["input"].Data})
	return out, nil
}

// ClassificationCharts returns the "gradient" chart (each loss's
// gradient per logit, bars grouped by class) and the "probs" chart
// (softmax against per-class sigmoid).
func ClassificationCharts(s ClassificationSettings, cl *Classification, theme string) (map[string]json.RawMessage, error) {
	pal := PaletteFor(theme)
	t := func(key string, args ...any) string { return i18n.T(s.Lang, key, args...) }
	cats := make([]string, len(s.Logits))
	for i := range cats {
		cats[i] = t("ch.class", i)
		if i == s.Target {
			cats[i] += "\n" + t("cmp.ch.target") // two lines: fits a phone's narrow bars
		}
	}
	grad := chart{lang: s.Lang, title: t("cmp.ch.gradTitle"), subtitle: t("cmp.ch.gradSub"),
		xName: "", yName: "∂L/∂z", categories: cats}
	for _, l := range cl.Losses {
		grad.series = append(grad.series, series{name: l.Loss, kind: "bar", data: l.Grad})
	}
	probs := chart{lang: s.Lang, title: t("cmp.ch.probsTitle"), subtitle: t("cmp.ch.probsSub"),
		yName: t("cmp.ch.probability"), categories: cats, yMin: ptr(0), yMax: ptr(1),
		series: []series{
			{name: "softmax(z)", kind: "bar", data: cl.Softmax},
			{name: "sigmoid(z)", kind: "bar", data: cl.Sigmoid},
		}}
	out := map[string]json.RawMessage{}
	var err error
	if out["gradient"], err = grad.option(pal); err != nil {
		return nil, err
	}
	if out["probs"], err = probs.option(pal); err != nil {
		return nil, err
	}
	return out, nil
}
