package engine

func init() {
	registerFloat32("TripletMarginLoss", func(c *Call, r *Result) {
		tripletF32(c, r, tripletDistance{p: c.Float("p"), eps: c.Float("eps")}, c.Float("margin"), c.Bool("swap"), true)
	})
	registerFloat32("TripletMarginWithDistanceLoss", func(c *Call, r *Result) {
		dist := tripletDistance{p: 2, eps: 1e-6}
		if c.Enum("distance_function") == "cosine" {
			dist = tripletDistance{cosine: true, eps: tripletCosineEps}
		}
		tripletF32(c, r, dist, c.Float("margin"), c.Bool("swap"), false)
	})
}

// tripletF32 is tripletCompute in float32: the distances ‖u − v + eps‖_p
// (whose p-th powers overflow from |u − v| ≈ 1.8·10¹⁹ for p = 2, giving an
// infinite distance and NaN gradients) or 1 − cos(u, v) with the cosine's
// cancellations (a pair of nearly parallel tiny vectors has a cosine of
// exactly 1 and gradient terms b/‖v‖ − (a/‖u‖)·cos of exactly 0), the
// hinge, and the same backward, every operation rounded to float32.
func tripletF32(c *Call, r *Result, dist tripletDistance, margin64 float64, swap, marginFirst bool) {
	a, p, n := c.Input("anchor"), c.Input("positive"), c.Input("negative")
	pairs := [3][2]*Tensor{{a, p}, {a, n}, {p, n}}
	npairs := 2
	if swap {
		npairs = 3
	}
	var geoms [3]pairwiseGeom
	for i := range npairs {
		geoms[i], _ = pairwiseGeometry(pairs[i][0], pairs[i][1], "", "", dist.axis())
	}
	shape := r.Elements.Shape
	var idx [3][]int
	var d, gd [3][]float32
	for i := range npairs {
		idx[i] = BroadcastIndex(geoms[i].out, shape)
		d[i], gd[i] = make([]float32, geoms[i].n()), make([]float32, geoms[i].n())
		distanceF32(dist, &geoms[i], pairs[i][0].Data, pairs[i][1].Data, d[i])
	}
	margin := float32(margin64)
	el := r.Elements.Data
	f := gradScale32(c.Reduction(), float64(len(el)))
	for k := range el {
		ia, in := tripletAt(idx[0], k), tripletAt(idx[1], k)
		dneg := d[1][in]
		wan, wpn := float32(1), float32(0)
		ip := 0
		if swap {
			ip = tripletAt(idx[2], k)
			x, y := d[1][in], d[2][ip]
			dneg = min32(x, y)
			wan, wpn = 1, 1
			switch {
			case x == y:
				wan, wpn = 0.5, 0.5
			case x > y:
				wan = 0
			case x < y:
				wpn = 0
			}
		}
		var z float32
		if marginFirst {
			z = margin + d[0][ia] - dneg
		} else {
			z = d[0][ia] - dneg + margin
		}
		el[k] = float64(max32(z, 0))
		if z < 0 {
			el[k] = 0
		}
		gz := f
		if !(z >= 0) {
			gz = 0
		}
		gd[0][ia] += gz
		gd[1][in] -= gz * wan
		if swap {
			gd[2][ip] -= gz * wpn
		}
	}
	r.reduce32(c.Reduction(), float64(len(el)))
	ga, gp, gn := r.Grads["anchor"].Data, r.Grads["positive"].Data, r.Grads["negative"].Data
	clear(ga)
	clear(gp)
	clear(gn)
	grads := [3][2][]float64{{ga, gp}, {ga, gn}, {gp, gn}}
	for i := range npairs {
		distanceBackwardF32(dist, &geoms[i], pairs[i][0].Data, pairs[i][1].Data, d[i], gd[i], grads[i][0], grads[i][1])
	}
}

func distanceF32(dist tripletDistance, g *pairwiseGeom, u, v []float64, out []float32) {
	eps := float32(dist.eps)
	p := float32(dist.p)
	for o := range out {
		if dist.cosine {
			_, _, cos := cosineF32(g, u, v, eps*eps, o)
			out[o] = 1 - cos
			continue
		}
		var s float32
		for j := range g.k {
			e := g.elem(o, j)
			t := float32(u[g.u(e)]) - float32(v[g.v(e)]) + eps
			switch {
			case p == 2:
				s += t * t
			case p == 1:
				s += abs32(t)
			case isInf32(p):
				if a := abs32(t); a > s || isNaN32(a) {
					s = a
				}
			case p == 0:
				if t != 0 {
					s++
				}
			default:
				s += pow32(abs32(t), p)
			}
		}
		switch {
		case p == 2:
			s = sqrt32(s)
		case p == 1, p == 0, isInf32(p):
		default:
			s = pow32(s, 1/p)
		}
		out[o] = s
	}
}

func cosineF32(g *pairwiseGeom, u, v []float64, eps2 float32, o int) (nu, nv, cos float32) {
	var su, sv float32
	for j := range g.k {
		e := g.elem(o, j)
		a, b := float32(u[g.u(e)]), float32(v[g.v(e)])
		su += a * a
		sv += b * b
	}
	nu, nv = sqrt32(max32(su, eps2)), sqrt32(max32(sv, eps2))
	for j := range g.k {
		e := g.elem(o, j)
		cos += (float32(u[g.u(e)]) / nu) * (float32(v[g.v(e)]) / nv)
	}
	return nu, nv, cos
}

func distanceBackwardF32(dist tripletDistance, g *pairwiseGeom, u, v []float64, d, gd []float32, gu, gv []float64) {
	eps := float32(dist.eps)
	add := func(buf []float64, i int, x float32) { buf[i] = float64(float32(buf[i]) + x) }
	if dist.cosine {
		for o := range gd {
			nu, nv, cos := cosineF32(g, u, v, eps*eps, o)
			gc := -gd[o]
			for j := range g.k {
				e := g.elem(o, j)
				a, b := float32(u[g.u(e)]), float32(v[g.v(e)])
				add(gu, g.u(e), gc*(b/nv-a/nu*cos)/nu)
				add(gv, g.v(e), gc*(a/nu-b/nv*cos)/nv)
			}
		}
		return
	}
	p := float32(dist.p)
	if p == 0 {
		return
	}
	for o, r := range d {
		var scale float32
		switch {
		case isInf32(p):
			count := float32(0)
			for j := range g.k {
				e := g.elem(o, j)
				t := abs32(float32(u[g.u(e)]) - float32(v[g.v(e)]) + eps)
				if t == r || isNaN32(t) {
					count++
				}
			}
			scale = gd[o] / count
		case p == 1:
			scale = gd[o]
		case p < 1:
			scale = gd[o] * pow32(r, 1-p)
		case p == 2:
			scale = gd[o] / r
		default:
			scale = gd[o] / pow32(r, p-1)
		}
		if p > 1 && r == 0 {
			scale = 0
		}
		for j := range g.k {
			e := g.elem(o, j)
			t := float32(u[g.u(e)]) - float32(v[g.v(e)]) + eps
			var f float32
			switch {
			case isInf32(p):
				if a := abs32(t); a == r || isNaN32(a) {
					f = sign32(t) * scale
				}
			case p == 1:
				f = sign32(t) * scale
			case p < 1:
				if t != 0 {
					f = sign32(t) * pow32(abs32(t), p-1) * scale
				}
			case p == 2:
				f = t * scale
			case p < 2:
				f = sign32(t) * pow32(abs32(t), p-1) * scale
			default:
				f = t * pow32(abs32(t), p-2) * scale
			}
			add(gu, g.u(e), f)
			add(gv, g.v(e), -f)
		}
	}
}
