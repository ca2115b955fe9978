package charts

// DarkOf maps every colour of the light palette to its dark counterpart.
// The server draws a page's charts before it can know the reader's theme
// (the system's preference and a stored choice live in the browser), so a
// page in a dark browser receives light options; the script repaints them
// with this map (web/ui/theme-colors.js, generated from it), which gives
// exactly the option the server builds for "dark": the two palettes differ
// in colours only, and no colour of one is a colour of the other.
func DarkOf() map[string]string {
	m := map[string]string{}
	add := func(l, d []string) {
		for i := range l {
			m[l[i]] = d[i]
		}
	}
	l, d := &lightPalette, &darkPalette
	add([]string{l.background, l.text, l.subtext, l.axis, l.split, l.infeasible},
		[]string{d.background, d.text, d.subtext, d.axis, d.split, d.infeasible})
	add(l.series, d.series)
	add(l.sequential, d.sequential)
	add(l.diverging, d.diverging)
	return m
}
