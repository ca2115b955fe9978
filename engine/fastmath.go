package engine

import "math"

// Table-driven exp and log for the inner loops of the losses. math.Exp and
// math.Log cost about 7 ns each here and are wrong at two edges on amd64
// (math.Exp overflows from x ≈ 709.1, below the true threshold
// log(MaxFloat64) ≈ 709.78; math.Log gives log 5e-324 as −709.09, not
// −744.44). fastExp and fastLog need no division or call; all three are
// within a few ulp of the correctly rounded result (tested to 1e-15
// relative) and right at those edges.

// log 2 split as in the math package: the high part has 21 trailing zero
// bits, so its product with an integer below 2²¹ is exact (Cody–Waite).
const (
	ln2Hi = 6.93147180369123816490e-01
	ln2Lo = 1.90821492927058770002e-10
)

// expShifter rounds to an integer when added and subtracted.
const expShifter = 0x1.8p52

// expTable[j] = 2^(j/256), for fastExp: a table twice the size of a
// 128-entry one halves |r| and saves a term of the polynomial.
var expTable = func() (t [256]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / 256)
	}
	return t
}()

// fastExp returns exp x within a few ulp of the correctly rounded result
// (relative error below 1e-15), about twice as fast as math.Exp. With k the
// nearest integer to 256·x/log 2 and r = x − k·log 2/256 (k·ln2Hi/256 is
// exact), |r| ≤ log 2/512 and
//
//	exp x = 2·2^(⌊k/256⌋−1) · 2^((k mod 256)/256) · exp r
//
// with exp r from its Taylor series through r⁴ (truncation below 4·10⁻¹⁷
// relative). The factor 2 applied last lets results up to MaxFloat64
// through, so it overflows exactly when exp x does (PyTorch gives
// exp(709.5) = 1.35e308, where amd64 math.Exp gives +Inf). x < −700
// (results near and below the subnormal range), infinities and NaN go to
// math.Exp.
func fastExp(x float64) float64 {
	if !(x >= -700 && x < 709.79) {
		return math.Exp(x)
	}
	kf := x*(256/math.Ln2) + expShifter
	kf -= expShifter
	k := int64(kf)
	r := (x - kf*(ln2Hi/256)) - kf*(ln2Lo/256)
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24))))
	scale := math.Float64frombits(uint64(k>>8+1022) << 52)
	return scale * expTable[k&255] * p * 2
}

// logTable holds, for the centres c = 1 + (i − 38)/128 that fastLog
// reduces its argument to, c, 1/c and log c side by side: one cache line
// per lookup, and no integer-to-float conversion to rebuild c.
var logTable = func() (t [92]struct{ c, invC, logC float64 }) {
	for i := range t {
		c := 1 + float64(i-38)/128
		t[i].c, t[i].invC, t[i].logC = c, 1/c, math.Log(c)
	}
	return t
}()

// fastLog returns log x within a few ulp of the correctly rounded result
// (relative error below 1e-15), faster than math.Log (which divides; this
// does not). For normal positive x, with x = 2^k·z, z ∈ [1/√2, √2), and c
// the nearest multiple of 1/128 to z,
//
//	log x = k·log 2 + log c + log1p((z − c)/c)
//
// where z − c is exact, |(z − c)/c| < 0.0056, and log1p is its Taylor
// series through the 7th power (truncation below 3·10⁻¹⁷ relative). Near
// x = 1, c = 1 and the result keeps full relative precision. Subnormals are
// scaled by 2⁵² first (amd64 math.Log gets them wrong); zero, negatives,
// infinities and NaN go to math.Log.
func fastLog(x float64) float64 {
	const (
		minNormal = 0x0010000000000000
		posInf    = 0x7ff0000000000000
		off       = 0x3fe6a09e667f3bcd // the bits of ≈ 1/√2
	)
	ix := math.Float64bits(x)
	if ix-minNormal >= posInf-minNormal {
		if ix != 0 && ix < minNormal {
			// Positive subnormal: scale it into the normal range.
			return fastLog(x*0x1p52) - 52*math.Ln2
		}
		return math.Log(x)
	}
	tmp := ix - off
	k := int64(tmp) >> 52 // arithmetic: negative below 1/√2
	z := math.Float64frombits(ix - tmp&(0xfff<<52))
	e := &logTable[int((z-1)*128+38.5)]
	r := (z - e.c) * e.invC
	r2 := r * r
	p := r + r2*(-1.0/2+r*(1.0/3)) + r2*r2*((-1.0/4+r*(1.0/5))+r2*(-1.0/6+r*(1.0/7)))
	// The small terms are added before the large.
	kf := float64(k)
	return kf*ln2Hi + e.logC + (p + kf*ln2Lo)
}

// fastLog1p returns log(1 + b) for b ≥ 0 (b = exp(−|x|) in a logsigmoid)
// within a few ulp (relative error below 1e-15), faster than math.Log1p:
//
//	log1p(b) = log u + (b − (u − 1))/u,  u = 1 + b rounded
//
// where u − 1 is exact and the second term restores, to first order, the
// part of b that rounding 1 + b lost; near b = 0 that part is most of the
// value; the second-order term it leaves out, ((b − (u − 1))/u)²/2, is
// below 10⁻³². Negative b, +Inf and NaN go to math.Log1p.
func fastLog1p(b float64) float64 {
	if !(b >= 0 && b <= math.MaxFloat64) {
		return math.Log1p(b)
	}
	u := 1 + b
	return fastLog(u) + (b-(u-1))/u
}
