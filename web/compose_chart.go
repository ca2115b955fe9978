package web

import (
	"encoding/json"
	"math"

	"github.com/lossplayground/playground/i18n"
)

// composeChart is the ECharts option of the composer's curve: the loss
// (summed, as its gradient is) and its derivative as one input element
// sweeps, the built-in overlay beside them, and the current point. NaN
// and ±Inf are gaps. theme "dark" sets the colours an image drawn on the
// server needs; the page draws with ECharts' dark theme itself.
func composeChart(ev *composeEvaluation, lang, theme string) string {
	cv := ev.Curve
	if cv == nil {
		return ""
	}
	points := func(ys []float64) [][2]any {
		out := make([][2]any, len(cv.X))
		for i, x := range cv.X {
			out[i] = [2]any{x, finite(ys[i])}
		}
		return out
	}
	lossName, gradName := i18n.T(lang, "compose.chart.loss"), i18n.T(lang, "compose.chart.grad")
	series := []map[string]any{
		{"type": "line", "name": lossName, "showSymbol": false, "data": points(cv.Loss), "lineStyle": map[string]any{"width": 2.5},
			"markPoint": map[string]any{"symbolSize": 10, "symbol": "circle", "data": []any{map[string]any{"coord": []any{finite(cv.CurrentX), finite(cv.CurrentLoss)}}}},
			"markLine": map[string]any{"symbol": "none", "silent": true, "lineStyle": map[string]any{"type": "dotted"},
				"label": map[string]any{"formatter": "target", "position": "insideEndTop"}, "data": []any{map[string]any{"xAxis": finite(cv.Target)}}}},
		{"type": "line", "name": gradName, "showSymbol": false, "data": points(cv.Grad), "lineStyle": map[string]any{"type": "dashed"}},
	}
	names := []string{lossName, gradName}
	if cv.Overlay != "" {
		series = append(series,
			map[string]any{"type": "line", "name": cv.Overlay, "showSymbol": false, "data": points(cv.OverlayLoss), "lineStyle": map[string]any{"width": 1.5, "opacity": 0.8}},
			map[string]any{"type": "line", "name": cv.Overlay + " " + gradName, "showSymbol": false, "data": points(cv.OverlayGrad), "lineStyle": map[string]any{"type": "dashed", "width": 1, "opacity": 0.8}})
		names = append(names, cv.Overlay, cv.Overlay+" "+gradName)
	}
	opt := map[string]any{
		"animation": false,
		"title":     map[string]any{"text": i18n.T(lang, "compose.chart.title", cv.Element), "left": "center", "top": 4, "textStyle": map[string]any{"fontSize": 13}},
		// The legend under the plot: on a phone it wraps to two lines
		// there instead of running into the title.
		"legend": map[string]any{"bottom": 0, "data": names},
		"grid":   map[string]any{"left": 48, "right": 16, "top": 40, "bottom": 84},
		"xAxis":  map[string]any{"type": "value", "name": "input", "nameLocation": "middle", "nameGap": 24, "min": cv.X[0], "max": cv.X[len(cv.X)-1]},
		"yAxis":  map[string]any{"type": "value", "scale": true},
		"series": series,
	}
	if theme == "dark" {
		opt["backgroundColor"] = "#16181d"
		opt["textStyle"] = map[string]any{"color": "#e6e6e6"}
		opt["title"].(map[string]any)["textStyle"].(map[string]any)["color"] = "#e6e6e6"
		opt["legend"].(map[string]any)["textStyle"] = map[string]any{"color": "#e6e6e6"}
	}
	b, err := json.Marshal(opt)
	if err != nil {
		return ""
	}
	return string(b)
}

// finite is v, or nil (a gap in the line) for NaN and ±Inf, which JSON
// cannot hold.
func finite(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}
