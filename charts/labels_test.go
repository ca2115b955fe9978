package charts

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lossplayground/playground/engine"
)

// TestCurveLabelsSubtitle checks that MultiLabelMarginLoss's curve names
// the labels of the row swept, not target[i, j] beside input[i, j] (a
// label index is no score's target).
func TestCurveLabelsSubtitle(t *testing.T) {
	spec, ok := engine.Lookup("MultiLabelMarginLoss")
	if !ok {
		t.Fatal("MultiLabelMarginLoss not registered")
	}
	c, res := compute(t, spec, nil, map[string]json.RawMessage{
		"input": json.RawMessage(`[[0.1, 0.2, 0.4, 0.8], [0.5, 0.1, 0.3, 0.2]]`), "target": json.RawMessage(`[[3, 0, -1, 1], [-1, 2, 1, 0]]`)})
	for _, test := range []struct {
		lang    string
		element int
		want    string
	}{
		{"en", 0, "labels of row 0: 3, 0"},
		{"en", 5, "labels of row 1: none"},
		{"zh", 0, "第 0 行的标签：3, 0"},
	} {
		out, err := Build(c, res, View{Lang: test.lang, Element: test.element})
		if err != nil {
			t.Fatal(err)
		}
		var o struct {
			Title struct {
				Subtext string `json:"subtext"`
			} `json:"title"`
		}
		if err := json.Unmarshal(out[ChartCurve], &o); err != nil {
			t.Fatal(err)
		}
		sub := o.Title.Subtext
		if !strings.Contains(sub, test.want) || strings.Contains(sub, "target[") {
			t.Errorf("%s element %d: curve subtitle = %q; want %q and no target[i, j]", test.lang, test.element, sub, test.want)
		}
	}
}
