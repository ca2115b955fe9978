package engine

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Helpers shared by the class-index losses (CrossEntropyLoss, NLLLoss,
// MultiMarginLoss, MultiLabelMarginLoss, MultiLabelSoftMarginLoss).

// clsLayout is the geometry of a class-index input of shape (C), (N, C) or
// (N, C, d1, …, dK), stored row-major: element (n, c, s) of the input is at
// n·C·S + c·S + s, and position (n, s) of the target and of the per-position
// loss is at n·S + s.
type clsLayout struct {
	N, C, S int
	// Out is the shape of the per-position loss, what reduction 'none'
	// returns: () for a 1-D input, (N) for (N, C), (N, d1, …, dK) beyond.
	// It may share the input's shape slice: read it, never write it.
	Out []int
}

// Positions is the number of per-position losses, N·S.
func (l *clsLayout) Positions() int { return l.N * l.S }

// Base is the flat input index of class 0 at position k = n·S + s; class
// c is at Base(k) + c·S.
func (l *clsLayout) Base(k int) int {
	if l.S == 1 {
		return k * l.C
	}
	n, s := k/l.S, k%l.S
	return n*l.C*l.S + s
}

// Index is the flat input index of class c at position k.
func (l *clsLayout) Index(k, c int) int { return l.Base(k) + c*l.S }

// clsLayoutOf returns the layout of an input of shape x, its class
// dimension being dim 1, or dim 0 for a 1-D input. x must have at least one
// dimension.
func clsLayoutOf(x []int) clsLayout {
	switch len(x) {
	case 1:
		return clsLayout{N: 1, C: x[0], S: 1, Out: x[:0]}
	case 2:
		return clsLayout{N: x[0], C: x[1], S: 1, Out: x[:1]}
	}
	out := append([]int{x[0]}, x[2:]...)
	return clsLayout{N: x[0], C: x[1], S: Numel(x[2:]), Out: out}
}

// clsIndexLayout validates the shapes of a class-index call (NLLLoss, and
// CrossEntropyLoss with class indices) as torch.nn.functional.nll_loss
// does, and returns their layout:
//
//	input (C)             target ()
//	input (N, C)          target (N)
//	input (N, C, d1..dK)  target (N, d1..dK)
//
// PyTorch also accepts a 1-D target of any length for a 1-D input but then
// reads only its first entry; that is refused here unless the target has the
// single entry that PyTorch reads (length 1 with C = 1).
func clsIndexLayout(x, y *Tensor) (clsLayout, error) {
	if x.Dim() == 0 {
		return clsLayout{}, errorf("input", "expected 1 or more dimensions (got 0): input is (C), (N, C) or (N, C, d1, …, dK)")
	}
	l := clsLayoutOf(x.Shape)
	switch {
	case x.Dim() == 1:
		if y.Dim() == 0 || (y.Dim() == 1 && y.Shape[0] == 1 && l.C == 1) {
			return l, nil
		}
		return clsLayout{}, errorf("target", "shape %s does not fit input shape %s: a 1-D input of C class scores takes a 0-d class index", shapeString(y.Shape), shapeString(x.Shape))
	case y.Dim() == 0:
		return clsLayout{}, errorf("target", "a 0-d target does not fit input shape %s: expected target shape %s", shapeString(x.Shape), shapeString(l.Out))
	case y.Shape[0] != l.N:
		return clsLayout{}, errorf("target", "expected input batch_size (%d) to match target batch_size (%d)", l.N, y.Shape[0])
	case x.Dim() == 2 && y.Dim() != 1:
		return clsLayout{}, errorf("target", "shape %s: a 2-D input (N, C) takes a 1-D target of N class indices (multi-target not supported)", shapeString(y.Shape))
	case !slices.Equal(y.Shape, l.Out):
		return clsLayout{}, errorf("target", "expected target size %s, got %s", shapeString(l.Out), shapeString(y.Shape))
	}
	return l, nil
}

// clsCheckIndexWeight validates the weight of NLLLoss and of
// CrossEntropyLoss's class-index mode: one entry per class. Like PyTorch it
// must be 1-D for 1-D and 2-D inputs; for K-dimensional inputs PyTorch only
// checks the number of elements.
func clsCheckIndexWeight(w *Tensor, c, inputDim int) error {
	if w == nil {
		return nil
	}
	if (inputDim <= 2 && w.Dim() != 1) || w.Numel() != c {
		return errorf("params.weight", "weight tensor should be defined either for all %d classes or no classes but got weight tensor of shape: %s", c, shapeString(w.Shape))
	}
	return nil
}

// clsCheckTargets checks that every class index is an integer in [0, C)
// or equal to ignoreIndex, as PyTorch's NLL kernels do (ignored entries are
// not range-checked).
func clsCheckTargets(y *Tensor, c int, ignoreIndex float64) error {
	for _, t := range y.Data {
		if t == ignoreIndex {
			continue
		}
		if t != math.Trunc(t) || math.IsInf(t, 0) {
			return errorf("target", "class indices must be integers (PyTorch expects an int64 tensor), got %v", t)
		}
		if t < 0 || t >= float64(c) {
			return errorf("target", "target %v is out of bounds (expected a class index in [0, %d) or ignore_index %v)", t, c, ignoreIndex)
		}
	}
	return nil
}

// clsIgnoredMask returns a tensor of shape out holding 1 where the target
// equals ignoreIndex and 0 elsewhere, for Result.Detail.
func clsIgnoredMask(y *Tensor, out []int, ignoreIndex float64) *Tensor {
	m := NewTensor(out...)
	for i, t := range y.Data {
		if t == ignoreIndex {
			m.Data[i] = 1
		}
	}
	return m
}

// clsRandomIndex returns random logits of shape (N, C) and class indices
// in [0, C), at the classification benchmark sizes.
func clsRandomIndex(rng *rand.Rand, s Scale) map[string]*Tensor {
	n, c := clsScaleShape(s)
	y := NewTensor(n)
	for i := range y.Data {
		y.Data[i] = float64(rng.IntN(c))
	}
	return map[string]*Tensor{"input": RandN(rng, n, c), "target": y}
}

// clsScaleShape is the (N, C) of each scale for the classification losses.
func clsScaleShape(s Scale) (n, c int) {
	switch s {
	case ScaleSmall:
		return 4, 16
	case ScaleLarge:
		return 4096, 256
	}
	return 3, 4
}

// clsWeightParam is the optional per-class weight most of these losses take.
func clsWeightParam(doc string) Param {
	return Param{Name: "weight", Kind: KindTensor, Default: nil, PerClass: true, Doc: doc}
}

// clsIgnoreIndexParam is the ignore_index of NLLLoss and CrossEntropyLoss.
func clsIgnoreIndexParam() Param {
	return Param{Name: "ignore_index", Kind: KindInt, Default: -100, SliderMin: -1, SliderMax: 9, Step: 1,
		Doc: "A target value that is skipped: it adds nothing to the loss, the mean's denominator or the gradient. It may be a real class."}
}
