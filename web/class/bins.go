package class

import (
	"fmt"
	"math"
	"slices"
)

// numberBins is the most inner bars a numeric poll's answers are grouped
// into.
const numberBins = 8

// robustMin is the number of answers from which the outer tenths go to
// open-ended bins: one answer of 1000 among fifty near 0.3 then gets its
// own "> …" bar instead of squeezing the others into one.
const robustMin = 10

// numBin is one bar of a numeric histogram: [Lo, Hi) (the last inner bar
// includes Hi), or open below Lo / above Hi.
type numBin struct {
	lo, hi         float64
	openLo, openHi bool // "< hi" or "> lo"
}

// layoutNumbers chooses bars for finite values (answers, and the correct
// value once revealed, which always lands in a bar). Every step is
// finite for any finite input, ±MaxFloat64 included: ranges are taken in
// halves, so that hi - lo never overflows.
func layoutNumbers(values []float64, answer *float64) []numBin {
	all := slices.Clone(values)
	slices.Sort(all)
	if len(all) == 0 {
		if answer == nil {
			return nil
		}
		return []numBin{{lo: *answer, hi: *answer}}
	}
	lo, hi := all[0], all[len(all)-1]
	if n := len(all); n >= robustMin {
		lo, hi = all[n/10], all[n-1-n/10]
	}
	below := all[0] < lo
	above := all[len(all)-1] > hi
	if answer != nil {
		below = below || *answer < lo
		above = above || *answer > hi
	}
	var bins []numBin
	if below {
		bins = append(bins, numBin{hi: lo, openLo: true})
	}
	k := numberBins
	if lo == hi {
		k = 1
	}
	halfSpan := hi/2 - lo/2 // finite: both halves are at most MaxFloat64/2
	edge := func(i int) float64 {
		if i == k {
			return hi
		}
		return 2 * (lo/2 + halfSpan*(float64(i)/float64(k)))
	}
	for i := range k {
		bins = append(bins, numBin{lo: edge(i), hi: edge(i + 1)})
	}
	if above {
		bins = append(bins, numBin{lo: hi, openHi: true})
	}
	return bins
}

// binOf returns the index of v's bar in bins from layoutNumbers.
func binOf(bins []numBin, v float64) int {
	first, last := 0, len(bins)-1
	if bins[first].openLo {
		if v < bins[first].hi {
			return first
		}
		first++
	}
	if bins[last].openHi {
		if v > bins[last].lo {
			return last
		}
		last--
	}
	lo, hi := bins[first].lo, bins[last].hi
	k := last - first + 1
	if k == 1 || hi == lo {
		return first
	}
	f := (v/2 - lo/2) / (hi/2 - lo/2) * float64(k)
	if math.IsNaN(f) || f < 0 {
		return first
	}
	return first + min(int(f), k-1)
}

func (b numBin) label() string {
	switch {
	case b.openLo:
		return fmt.Sprintf("< %.4g", b.hi)
	case b.openHi:
		return fmt.Sprintf("> %.4g", b.lo)
	case b.lo == b.hi:
		return fmt.Sprintf("%.4g", b.lo)
	}
	return fmt.Sprintf("%.4g – %.4g", b.lo, b.hi)
}
