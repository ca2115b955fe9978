package engine

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Family groups losses on the catalog page.
type Family string

// The families, in catalog order.
const (
	FamilyRegression     Family = "regression"
	FamilyProbabilistic  Family = "probabilistic"
	FamilyClassification Family = "classification"
	FamilyMargin         Family = "margin and ranking"
	FamilyEmbedding      Family = "embedding"
	FamilySequence       Family = "sequence"
)

// Families lists every family in catalog order.
var Families = []Family{FamilyRegression, FamilyProbabilistic, FamilyClassification, FamilyMargin, FamilyEmbedding, FamilySequence}

// ParamKind is the type of a constructor parameter.
type ParamKind string

// Parameter kinds.
const (
	KindFloat  ParamKind = "float"
	KindInt    ParamKind = "int"
	KindBool   ParamKind = "bool"
	KindEnum   ParamKind = "enum"   // one of Param.Values
	KindTensor ParamKind = "tensor" // an optional tensor such as weight; null means None
	// KindOptionalBool is a bool that may also be null (None), used by the
	// deprecated size_average and reduce arguments.
	KindOptionalBool ParamKind = "optional_bool"
)

// Param describes one constructor argument of a PyTorch loss module.
type Param struct {
	Name    string    `json:"name"`
	Kind    ParamKind `json:"kind"`
	Default any       `json:"default"` // float64, int, bool, string, or nil for None
	Values  []string  `json:"values,omitempty"`
	// Valid range enforced by the engine (as PyTorch does, or where PyTorch
	// would compute garbage). Nil means unbounded.
	Min          *float64 `json:"min,omitempty"`
	Max          *float64 `json:"max,omitempty"`
	MinExclusive bool     `json:"min_exclusive,omitempty"`
	// Slider range and step the pages offer; users may type values beyond it.
	SliderMin float64 `json:"slider_min,omitempty"`
	SliderMax float64 `json:"slider_max,omitempty"`
	Step      float64 `json:"step,omitempty"`
	// PerClass marks tensors with one entry per class (weight), which pages
	// show as a slider group.
	PerClass bool   `json:"per_class,omitempty"`
	Doc      string `json:"doc"`
	// Deprecated marks size_average and reduce.
	Deprecated bool `json:"deprecated,omitempty"`
}

// Input roles.
const (
	RolePrediction = "prediction"
	RoleTarget     = "target"
	RoleVariance   = "variance"
	RoleLengths    = "lengths"
)

// InputSpec describes one argument of the functional form of a loss.
type InputSpec struct {
	Name           string `json:"name"`
	Role           string `json:"role"`
	Integer        bool   `json:"integer"`
	Differentiable bool   `json:"differentiable"`
	Doc            string `json:"doc"`
	// Example is a small default value as nested []any of float64, the
	// same shape a JSON request carries.
	Example any `json:"example"`
}

// Scale selects the size of randomly generated inputs.
type Scale int

// Scales for Spec.Random.
const (
	ScaleTiny  Scale = iota // a few elements: finite-difference checks
	ScaleSmall              // benchmarks: 4x16 (N=4, C=16)
	ScaleLarge              // benchmarks: 1024x1024 (N=4096, C=256)
)

// Spec is everything the API, the pages and the tests know about a loss.
// Each loss declares its Spec next to its code and registers it in init.
type Spec struct {
	Name    string `json:"name"` // PyTorch class name, e.g. CrossEntropyLoss
	Slug    string `json:"slug"` // URL slug, e.g. cross-entropy
	Family  Family `json:"family"`
	Summary string `json:"summary"`
	Formula string `json:"formula"` // LaTeX
	// Legacy losses accept the deprecated size_average and reduce
	// arguments; Register adds them to Params.
	Legacy bool        `json:"-"`
	Params []Param     `json:"params"`
	Inputs []InputSpec `json:"inputs"`
	// DetailFields documents what Result.Detail holds when asked for.
	DetailFields map[string]string `json:"detail_fields,omitempty"`
	// GradientNote, when set, explains that the gradient Compute returns
	// is not the derivative of the loss with respect to its inputs taken as
	// free variables (CTCLoss returns PyTorch's softmax-folded gradient).
	// The generic finite-difference test skips such a loss; its own tests
	// must check the gradient it does return.
	GradientNote string `json:"gradient_note,omitempty"`

	// Compute evaluates the loss and the gradient of loss.sum() with
	// respect to every differentiable input, writing into out (whose
	// buffers it may reuse).
	Compute func(c *Call, out *Result) error `json:"-"`
	// Random returns valid random inputs at the given scale, with default
	// parameters, for finite-difference checks and benchmarks.
	Random func(rng *rand.Rand, s Scale) map[string]*Tensor `json:"-"`
}

// Param returns the parameter named name, or nil.
func (s *Spec) Param(name string) *Param {
	for i := range s.Params {
		if s.Params[i].Name == name {
			return &s.Params[i]
		}
	}
	return nil
}

// Input returns the input named name, or nil.
func (s *Spec) Input(name string) *InputSpec {
	for i := range s.Inputs {
		if s.Inputs[i].Name == name {
			return &s.Inputs[i]
		}
	}
	return nil
}

var (
	registry = map[string]*Spec{}
	bySlug   = map[string]*Spec{}
	// catalog holds the registered losses in catalog order, kept sorted by
	// Register so that All, which pages and charts call per request, does
	// not sort.
	catalog []*Spec
)

// Register adds a loss to the registry. It panics on a duplicate name or
// slug: that is a programming error caught at start-up.
func Register(s *Spec) {
	if _, dup := registry[s.Name]; dup {
		panic("engine: duplicate loss " + s.Name)
	}
	if _, dup := bySlug[s.Slug]; dup {
		panic("engine: duplicate slug " + s.Slug)
	}
	if s.Legacy {
		s.Params = append(s.Params,
			Param{Name: "size_average", Kind: KindOptionalBool, Deprecated: true,
				Doc: "Deprecated. If set (with reduce), overrides reduction: size_average=False sums instead of averaging."},
			Param{Name: "reduce", Kind: KindOptionalBool, Deprecated: true,
				Doc: "Deprecated. If set, overrides reduction: reduce=False returns the per-element losses."})
	}
	registry[s.Name] = s
	bySlug[s.Slug] = s
	i, _ := slices.BinarySearchFunc(catalog, s, catalogOrder)
	catalog = slices.Insert(catalog, i, s)
}

// Lookup returns the loss with the given PyTorch class name.
func Lookup(name string) (*Spec, bool) {
	s, ok := registry[name]
	return s, ok
}

// LookupSlug returns the loss with the given URL slug.
func LookupSlug(slug string) (*Spec, bool) {
	s, ok := bySlug[slug]
	return s, ok
}

// All returns every registered loss, ordered by family then name.
func All() []*Spec {
	return slices.Clone(catalog)
}

// catalogOrder orders losses by family, then by name.
func catalogOrder(a, b *Spec) int {
	if c := slices.Index(Families, a.Family) - slices.Index(Families, b.Family); c != 0 {
		return c
	}
	return strings.Compare(a.Name, b.Name)
}

// Error is a user-facing error that names the offending field. Msg is the
// English text (the JSON API's); Code is the message's English format and
// Args its arguments, so that a page can say it in its reader's language
// (i18n translates each format the engine uses). An Error built
// without a Code is said in English everywhere.
type Error struct {
	Field string // a parameter or input name, e.g. "target" or "params.margin"
	Msg   string
	Code  string // the fmt format of Msg
	Args  []any  // the arguments of Code
}

func (e *Error) Error() string { return e.Field + ": " + e.Msg }

// Errorf returns an *Error for field whose message is format with args.
func Errorf(field, format string, args ...any) *Error {
	return &Error{Field: field, Msg: fmt.Sprintf(format, args...), Code: format, Args: args}
}

// errorf returns an *Error for field.
func errorf(field, format string, args ...any) error { return Errorf(field, format, args...) }

// msgf is errorf for a message whose field the caller names.
func msgf(format string, args ...any) error { return Errorf("", format, args...) }

func ptr(v float64) *float64 { return &v }
