package chartimage

//go:generate go run gen_widths.go

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// ECharts lays text out by its width (legend rows, axis margins, label
// overlap). Without a canvas it guesses: a table for ASCII and a whole em
// for anything else, so "∂ℓ/∂x", "s−2→s" or "∅" come out far too wide and
// legends wrap where the browser's do not. measureTextWidth gives it the
// widths of Liberation Sans, metric-compatible with Arial and Helvetica,
// which is what "sans-serif" usually is in the readers' browsers.

// CSS font shorthand as zrender writes it: "bold 15px sans-serif",
// "12px Microsoft YaHei", "normal normal 14px sans-serif".
var fontSizePx = regexp.MustCompile(`(\d+(?:\.\d+)?)px`)

// Widths of what the tables lack, in ems.
const (
	wideEm     = 1.0 // CJK and full-width forms
	fallbackEm = 0.6 // anything else: near the average of a Latin font
	monoEm     = 0.6 // every character of Liberation Mono (Courier New metrics)
)

// measureTextWidth is the width in pixels of text drawn in the CSS font.
func measureTextWidth(text, font string) float64 {
	size := 12.0
	if m := fontSizePx.FindStringSubmatch(font); m != nil {
		if v, err := strconv.ParseFloat(m[1], 64); err == nil {
			size = v
		}
	}
	if strings.Contains(font, "mono") {
		return float64(len([]rune(text))) * monoEm * size
	}
	widths := sansWidths
	if isBold(font) {
		widths = sansBoldWidths
	}
	em := 0.0
	for _, r := range text {
		switch w, ok := widths[r]; {
		case ok:
			em += float64(w) / 1000
		case isWide(r):
			em += wideEm
		default:
			em += fallbackEm
		}
	}
	return em * size
}

// isBold reads the font-weight of a CSS font shorthand.
func isBold(font string) bool {
	for _, f := range strings.Fields(font) {
		switch f {
		case "bold", "bolder", "600", "700", "800", "900":
			return true
		}
	}
	return false
}

// isWide reports characters drawn a full em wide: CJK ideographs, kana,
// hangul, and full-width forms.
func isWide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xff60) || (r >= 0xffe0 && r <= 0xffe6)
}
