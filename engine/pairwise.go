package engine

import (
	"math"
	"slices"
)

// Distances between two broadcast operands, reduced over one axis, as the
// embedding losses (TripletMarginLoss, TripletMarginWithDistanceLoss) use
// them: PyTorch's pairwise_distance and 1 − cosine_similarity.

// pairwiseGeom is the geometry of a reduction of two broadcast operands u
// and v over one axis: the broadcast shape is viewed as (outer, k, inner)
// with the reduced axis in the middle, and the output has outer·inner
// elements, output element o = oo·inner + oi reducing the elements
// (oo·k + j)·inner + oi for j < k.
type pairwiseGeom struct {
	out             []int // the output shape: the broadcast shape without the axis; read-only
	outer, k, inner int
	iu, iv          []int // flat index into u and v per broadcast element; nil = identity
}

// pairwiseGeometry broadcasts u and v and reduces axis of the broadcast
// shape (negative counts from the end). A 0-d broadcast shape may reduce
// axis 0 or −1, as PyTorch allows on scalars; it then has one element.
func pairwiseGeometry(u, v *Tensor, fieldU, fieldV string, axis int) (pairwiseGeom, error) {
	shape, err := BroadcastShapes(u.Shape, v.Shape)
	if err != nil {
		return pairwiseGeom{}, errorf(fieldV, "shape %s does not broadcast with %s shape %s: %v",
			shapeString(v.Shape), fieldU, shapeString(u.Shape), err)
	}
	rank := len(shape)
	lo, hi := -max(rank, 1), max(rank, 1)-1
	if axis < lo || axis > hi {
		return pairwiseGeom{}, errorf(fieldU, "dimension out of range (expected to be in range of [%d, %d], but got %d): %s and %s broadcast to %s",
			lo, hi, axis, fieldU, fieldV, shapeString(shape))
	}
	g := pairwiseGeom{outer: 1, k: 1, inner: 1,
		iu: BroadcastIndex(u.Shape, shape), iv: BroadcastIndex(v.Shape, shape)}
	if rank == 0 {
		g.out = []int{}
		return g, nil
	}
	if axis < 0 {
		axis += rank
	}
	g.outer, g.k, g.inner = Numel(shape[:axis]), shape[axis], Numel(shape[axis+1:])
	if axis == rank-1 {
		// The last axis, as the embedding losses reduce: the output shape
		// is a prefix of the broadcast shape, which may be an input's own
		// shape, so it is capped and never written. A slider event then
		// allocates nothing here.
		g.out = shape[:axis:axis]
	} else {
		g.out = slices.Delete(slices.Clone(shape), axis, axis+1)
	}
	return g, nil
}

// n is the number of output elements.
func (g *pairwiseGeom) n() int { return g.outer * g.inner }

// contiguous reports whether each output element reduces a contiguous row
// of both operands, the fast path of (N, D) inputs of equal shape.
func (g *pairwiseGeom) contiguous() bool { return g.iu == nil && g.iv == nil && g.inner == 1 }

// elem returns the broadcast flat index of element j of output o.
func (g *pairwiseGeom) elem(o, j int) int {
	oo, oi := o/g.inner, o%g.inner
	return (oo*g.k+j)*g.inner + oi
}

func (g *pairwiseGeom) u(e int) int {
	if g.iu == nil {
		return e
	}
	return g.iu[e]
}

func (g *pairwiseGeom) v(e int) int {
	if g.iv == nil {
		return e
	}
	return g.iv[e]
}

// pairwiseDistance writes into d, for each output element, PyTorch's
// pairwise_distance(u, v, p, eps), which is torch.norm(u − v + eps, p)
// over the last dimension:
//
//	d = ‖u − v + eps‖_p = (Σ_j |u_j − v_j + eps|^p)^(1/p)
//
// with eps added to every component of the difference (so d(u, v) ≠
// d(v, u)), p = ∞ the largest |δ_j| and p = 0 the number of non-zero δ_j.
func pairwiseDistance(g *pairwiseGeom, u, v []float64, p, eps float64, d []float64) {
	if g.contiguous() && p == 2 {
		k := g.k
		for o := range d {
			ur, vr := u[o*k:o*k+k], v[o*k:o*k+k]
			s := 0.0
			for j, x := range ur {
				t := x - vr[j] + eps
				s += t * t
			}
			d[o] = math.Sqrt(s)
		}
		return
	}
	for o := range d {
		s := 0.0
		for j := range g.k {
			e := g.elem(o, j)
			t := u[g.u(e)] - v[g.v(e)] + eps
			switch {
			case p == 2:
				s += t * t
			case p == 1:
				s += math.Abs(t)
			case math.IsInf(p, 1):
				// amax propagates NaN.
				if a := math.Abs(t); a > s || math.IsNaN(a) {
					s = a // once NaN, nothing compares greater
				}
			case p == 0:
				if t != 0 {
					s++
				}
			default:
				s += math.Pow(math.Abs(t), p)
			}
		}
		switch {
		case p == 2:
			s = math.Sqrt(s)
		case p == 1, p == 0, math.IsInf(p, 1):
		default:
			s = math.Pow(s, 1/p)
		}
		d[o] = s
	}
}

// pairwiseDistanceBackward adds to gu and subtracts from gv the gradient
// gd[o]·∂d_o/∂u of pairwise_distance, as ATen's norm_backward computes it
// for δ = u − v + eps and r = ‖δ‖_p:
//
//	p = 0:      0
//	p = 1:      sign(δ)
//	p = 2:      δ/r, 0 where r = 0
//	p = ∞:      sign(δ)·[|δ| = r or δ NaN] / (number of such entries)
//	0 < p < 1:  sign(δ)·|δ|^(p−1)·r^(1−p), 0 where δ = 0
//	1 < p < 2:  sign(δ)·|δ|^(p−1) / r^(p−1), 0 where r = 0
//	p > 2:      δ·|δ|^(p−2) / r^(p−1), 0 where r = 0
func pairwiseDistanceBackward(g *pairwiseGeom, u, v []float64, p, eps float64, d, gd, gu, gv []float64) {
	if p == 0 {
		return // the count of non-zero entries has no gradient
	}
	if g.contiguous() && p == 2 {
		k := g.k
		for o, r := range d {
			s := gd[o] / r
			if r == 0 {
				s = 0 // masked_fill_(norm == 0, 0)
			}
			ur, vr := u[o*k:o*k+k], v[o*k:o*k+k]
			gur, gvr := gu[o*k:o*k+k], gv[o*k:o*k+k]
			for j, x := range ur {
				t := (x - vr[j] + eps) * s
				gur[j] += t
				gvr[j] -= t
			}
		}
		return
	}
	for o, r := range d {
		// scale multiplies each component's factor below.
		var scale float64
		count := 0.0
		switch {
		case math.IsInf(p, 1):
			for j := range g.k {
				e := g.elem(o, j)
				t := math.Abs(u[g.u(e)] - v[g.v(e)] + eps)
				if t == r || math.IsNaN(t) {
					count++
				}
			}
			scale = gd[o] / count
		case p == 1:
			scale = gd[o]
		case p < 1:
			scale = gd[o] * math.Pow(r, 1-p)
		case p == 2:
			scale = gd[o] / r
		default:
			scale = gd[o] / math.Pow(r, p-1)
		}
		if p > 1 && r == 0 {
			scale = 0 // masked_fill_(norm == 0, 0)
		}
		for j := range g.k {
			e := g.elem(o, j)
			t := u[g.u(e)] - v[g.v(e)] + eps
			var f float64
			switch {
			case math.IsInf(p, 1):
				if a := math.Abs(t); a == r || math.IsNaN(a) {
					f = Sign(t) * scale
				}
			case p == 1:
				f = Sign(t) * scale
			case p < 1:
				if t != 0 {
					f = Sign(t) * math.Pow(math.Abs(t), p-1) * scale
				}
			case p == 2:
				f = t * scale
			case p < 2:
				f = Sign(t) * math.Pow(math.Abs(t), p-1) * scale
			default:
				f = t * math.Pow(math.Abs(t), p-2) * scale
			}
			gu[g.u(e)] += f
			gv[g.v(e)] -= f
		}
	}
}

// pairwiseCosineDistance writes 1 − cosine_similarity(u, v, dim, eps)
// into d, as PyTorch 1.13 computes the similarity: each operand is divided
// by its norm, clamped below at eps (by a clamp autograd does not see),
// before the product is summed:
//
//	n_u = sqrt(max(Σ u_j², eps²)),  n_v likewise,
//	d = 1 − Σ_j (u_j/n_u)·(v_j/n_v)
func pairwiseCosineDistance(g *pairwiseGeom, u, v []float64, eps float64, d []float64) {
	eps2 := eps * eps
	for o := range d {
		_, _, cos := pairwiseCosine(g, u, v, eps2, o)
		d[o] = 1 - cos
	}
}

// pairwiseCosine returns, for output element o, the clamped norms n_u and
// n_v and cos = Σ_j (u_j/n_u)·(v_j/n_v), for the forward and the backward
// alike.
func pairwiseCosine(g *pairwiseGeom, u, v []float64, eps2 float64, o int) (nu, nv, cos float64) {
	su, sv := 0.0, 0.0
	for j := range g.k {
		e := g.elem(o, j)
		a, b := u[g.u(e)], v[g.v(e)]
		su += a * a
		sv += b * b
	}
	nu, nv = pairwiseCosineNorm(su, eps2), pairwiseCosineNorm(sv, eps2)
	for j := range g.k {
		e := g.elem(o, j)
		cos += (u[g.u(e)] / nu) * (v[g.v(e)] / nv)
	}
	return nu, nv, cos
}

// pairwiseCosineNorm is sqrt(max(s, eps²)); a NaN s stays NaN, as
// clamp_min propagates NaN.
func pairwiseCosineNorm(s, eps2 float64) float64 {
	if s < eps2 {
		s = eps2
	}
	return math.Sqrt(s)
}

// pairwiseCosineDistanceBackward adds the gradient gd[o]·∂d_o/∂u to gu and
// gd[o]·∂d_o/∂v to gv. Autograd sees the clamped norm as if it were the
// norm itself, so with cos = Σ (u_k/n_u)(v_k/n_v):
//
//	∂d/∂u_j = −(v_j/n_v − (u_j/n_u)·cos) / n_u
//
// and symmetrically for v.
func pairwiseCosineDistanceBackward(g *pairwiseGeom, u, v []float64, eps float64, gd, gu, gv []float64) {
	eps2 := eps * eps
	for o := range gd {
		nu, nv, cos := pairwiseCosine(g, u, v, eps2, o)
		gc := -gd[o]
		for j := range g.k {
			e := g.elem(o, j)
			a, b := u[g.u(e)], v[g.v(e)]
			gu[g.u(e)] += gc * (b/nv - a/nu*cos) / nu
			gv[g.v(e)] += gc * (a/nu - b/nv*cos) / nv
		}
	}
}
