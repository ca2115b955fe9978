package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

// fastMathTol is the relative error allowed against the math package: a
// few ulp.
const fastMathTol = 1e-15

// ulpClose reports whether got is within tol of want relatively, with NaN
// equal to NaN and infinities and zeros matched exactly.
func ulpClose(got, want, tol float64) bool {
	if math.IsNaN(want) || math.IsInf(want, 0) || want == 0 {
		return got == want || math.IsNaN(got) && math.IsNaN(want)
	}
	return math.Abs(got-want) <= tol*math.Abs(want)
}

// TestFastExp compares fastExp with math.Exp on the whole range, densely
// where the losses use it (softmax differences, log-probabilities, near 0),
// and on every case it hands back to math.Exp; above 709.1, where amd64
// math.Exp overflows early, against values that do not rely on it.
func TestFastExp(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	xs := []float64{0, math.Copysign(0, -1), 1, -1, math.Ln2, -math.Ln2, math.Ln2 / 256, -math.Ln2 / 256,
		1e-300, -1e-300, 699.99, -699.99, 700, -700, math.Nextafter(700, 800), math.Nextafter(-700, -800),
		-708, -708.1, -708.5, 708.99, 709, -745, -745.1, -745.2, -746, -800, 800, 710,
		math.Inf(1), math.Inf(-1), math.NaN()}
	for range 200000 {
		xs = append(xs, (rng.Float64()-0.5)*1500, (rng.Float64()-0.5)*2, (rng.Float64()-0.5)*1e-6,
			-10*rng.Float64(), -20*rng.Float64(), 1e-3*rng.NormFloat64())
	}
	for _, x := range xs {
		if x > 709 && x < 709.79 {
			continue // math.Exp on amd64 overflows early: spot checks below
		}
		if got, want := fastExp(x), math.Exp(x); !ulpClose(got, want, fastMathTol) {
			t.Errorf("fastExp(%v) = %v; want %v", x, got, want)
		}
	}
	for _, test := range []struct{ x, want float64 }{
		{709.5, 1.3549863193146328e+308}, {709.78, 1.7928227943945155e+308}, {709.79, math.Inf(1)},
		{705.2, 1.8385211834346368e+306}, {-700.5, 5.980196118639791e-305}, {1, math.E}, {0, 1},
		{-745.2, 0}, {math.Inf(-1), 0}, {math.Inf(1), math.Inf(1)},
	} {
		if got := fastExp(test.x); !ulpClose(got, test.want, fastMathTol) {
			t.Errorf("fastExp(%v) = %v; want %v", test.x, got, test.want)
		}
	}
	if got := fastExp(-745); got != 5e-324 { // the last subnormal before underflow
		t.Errorf("fastExp(-745) = %v; want 5e-324", got)
	}
}

// TestFastLog compares fastLog with math.Log on 20 random arguments in
// every binade, subnormals included, densely on [0.5, 2] and near 1, and on
// every case it hands back to math.Log.
func TestFastLog(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	var xs []float64
	for e := -1074; e <= 1023; e++ {
		for range 20 {
			xs = append(xs, math.Ldexp(1+rng.Float64(), e))
		}
	}
	for range 20000 {
		xs = append(xs, 1+(rng.Float64()-0.5)*1e-3, rng.Float64(), 1+rng.Float64(), 0.5+rng.Float64(),
			1+math.Exp(-40+50*rng.Float64()))
	}
	xs = append(xs, 0, math.Copysign(0, -1), 1, 2, 0.5, math.Sqrt2, 1/math.Sqrt2, math.E, math.SmallestNonzeroFloat64,
		0x1p-1022, math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN(), -1, -0x1p-1030,
		math.Nextafter(1, 0), math.Nextafter(1, 2), 1+1e-12, math.Float64frombits(0x3fe6a09e667f3bcd),
		math.Float64frombits(0x3fe6a09e667f3bcc), math.Float64frombits(0x3fe6a09e667f3bce))
	for _, x := range xs {
		want := math.Log(x)
		if x > 0 && x < 0x1p-1022 {
			// math.Log on amd64 is wrong for subnormals; Frexp normalizes.
			fr, e := math.Frexp(x)
			want = math.Log(fr) + float64(e)*math.Ln2
		}
		if got := fastLog(x); !ulpClose(got, want, fastMathTol) {
			t.Errorf("fastLog(%v) = %v; want %v", x, got, want)
		}
	}
	// Spot checks that do not rely on the math package.
	for _, test := range []struct{ x, want float64 }{
		{5e-324, -744.4400719213812}, {1e-310, -713.801378828154}, {1, 0}, {math.E, 1}, {0x1p-1022, -708.3964185322641},
		{math.MaxFloat64, 709.782712893384}, {1e300, 690.7755278982137},
	} {
		if got := fastLog(test.x); !ulpClose(got, test.want, fastMathTol) {
			t.Errorf("fastLog(%v) = %v; want %v", test.x, got, test.want)
		}
	}
}

// TestFastLog1p compares fastLog1p with math.Log1p on [0, 1], the range of
// exp(−|x|), densely near 0 where rounding 1 + b loses most of b, and on
// the cases it hands back to math.Log1p.
func TestFastLog1p(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	bs := []float64{0, 1, 0x1p-20, 0x1p-21, 0x1p-53, 0x1p-54, 1e-300, 5e-324, 0.5, 1 - 0x1p-53, 2, 1e300,
		math.MaxFloat64, math.Inf(1), math.NaN(), -0.5, -1, -2, math.Copysign(0, -1)}
	for range 200000 {
		bs = append(bs, rng.Float64(), math.Exp(-40*rng.Float64()), math.Exp(-745*rng.Float64()))
	}
	for _, b := range bs {
		if got, want := fastLog1p(b), math.Log1p(b); !ulpClose(got, want, fastMathTol) {
			t.Errorf("fastLog1p(%v) = %v; want %v", b, got, want)
		}
	}
}

// BenchmarkFastMath compares fastExp, fastLog and fastLog1p with the math
// package on the arguments the losses give them.
func BenchmarkFastMath(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	xs, us := make([]float64, 1024), make([]float64, 1024)
	for i := range xs {
		xs[i] = -8 * rng.Float64()
		us[i] = math.Exp(xs[i])
	}
	for _, f := range []struct {
		name string
		f    func(float64) float64
		args []float64
	}{
		{"exp/math", math.Exp, xs}, {"exp/fast", fastExp, xs},
		{"log/math", math.Log, us}, {"log/fast", fastLog, us},
		{"log1p/math", math.Log1p, us}, {"log1p/fast", fastLog1p, us},
	} {
		b.Run(f.name, func(b *testing.B) {
			s := 0.0
			for b.Loop() {
				for _, x := range f.args {
					s += f.f(x)
				}
			}
			if s == 0 {
				b.Fatal("no result")
			}
		})
	}
}

// TestCEExpRowIsFastExp checks that the copy of fastExp inlined by hand in
// ceExpRow gives fastExp's results, bit for bit, on every branch.
func TestCEExpRowIsFastExp(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	x := []float64{0, -1e-300, -699.99, -700, -700.01, -709, -745.2, -800, math.Inf(-1)}
	for range 10000 {
		x = append(x, -20*rng.Float64(), -750*rng.Float64())
	}
	e := make([]float64, len(x))
	m, _, _ := ceExpRow(x, e, 0, 1, len(x))
	for j, v := range x {
		if want := fastExp(v - m); e[j] != want {
			t.Errorf("ceExpRow: exp(%v − %v) = %v; want fastExp's %v", v, m, e[j], want)
		}
	}
}
