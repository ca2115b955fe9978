package chartimage

import (
	"regexp"
	"strconv"
)

var (
	// ECharts' SVG renderer writes hover styles (":hover" rules in a
	// <style> block, the classes they select, pointer-events) for a
	// browser that will never hover over an image.
	hoverStyle    = regexp.MustCompile(`(?s)\s*<style[^>]*>.*?</style>`)
	hoverClass    = regexp.MustCompile(` class="zr\d+-cls-\d+"`)
	pointerEvents = regexp.MustCompile(` pointer-events="visible"`)
	// zrender names clip paths and gradients after the zrender instance
	// ("zr3-c0"); instances are numbered by a counter global to the
	// runtime, so the same chart gets other ids on its next render.
	zrenderID = regexp.MustCompile(`zr\d+-([a-z]+)-?(\d+)`)
)

// Normalize makes an SVG from ECharts deterministic and static: hover
// leftovers go, and zrender's counter-numbered ids are renumbered in
// order of first appearance ("lp-c0", "lp-g0", ...), so that the same
// option gives the same bytes in every runtime and every process.
func Normalize(svg []byte) []byte {
	svg = hoverStyle.ReplaceAll(svg, nil)
	svg = hoverClass.ReplaceAll(svg, nil)
	svg = pointerEvents.ReplaceAll(svg, nil)
	seen := map[string][]byte{}
	next := map[string]int{}
	return zrenderID.ReplaceAllFunc(svg, func(id []byte) []byte {
		if n, ok := seen[string(id)]; ok {
			return n
		}
		kind := string(zrenderID.FindSubmatch(id)[1])
		n := []byte("lp-" + kind + strconv.Itoa(next[kind]))
		next[kind]++
		seen[string(id)] = n
		return n
	})
}
