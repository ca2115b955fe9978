// Package charts builds the ECharts option objects for a loss page with
// go-echarts: loss and gradient curves, per-element views, family views and
// the CTC lattice. It returns JSON for echarts.setOption; it never renders
// HTML (go-echarts' renderer loads from a CDN).
package charts

import (
	"encoding/json"

	"github.com/lossplayground/playground/engine"
)

// View holds the page's chart settings, carried in the URL and in
// WebSocket compute messages.
type View struct {
	Element int    `json:"element"`           // flat index of the element whose curve is drawn
	Overlay bool   `json:"overlay,omitempty"` // overlay related losses on the curve
	Lattice string `json:"lattice,omitempty"` // CTC: alpha, beta, occupancy or gradient
	Theme   string `json:"theme,omitempty"`   // light or dark
}

// Build returns the chart options for a computed call, keyed by chart id.
func Build(c *engine.Call, res *engine.Result, v View) (map[string]json.RawMessage, error) {
	return map[string]json.RawMessage{}, nil
}
