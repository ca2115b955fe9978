package web

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/lossplayground/playground/web/compare"
	"github.com/lossplayground/playground/web/live"
)

// compareWSReply is a server message of the comparison pages.
type compareWSReply struct {
	Type  string              `json:"type"`
	ID    *int64              `json:"id"`
	IDs   []int64             `json:"ids"`
	By    int64               `json:"by"`
	Error string              `json:"error"`
	Field string              `json:"field"`
	Step  int                 `json:"step"`
	Steps int                 `json:"steps"`
	Done  bool                `json:"done"`
	Lines []compare.FitLine   `json:"lines"`
	Data  compareWSResultData `json:"data"`
}

type compareWSResultData struct {
	Page     string                     `json:"page"`
	Theme    string                     `json:"theme"`
	Settings map[string]any             `json:"settings"`
	Charts   map[string]json.RawMessage `json:"charts"`
}

func (r compareWSReply) id() int64 {
	if r.ID == nil {
		return -1
	}
	return *r.ID
}

func compareWSRead(t *testing.T, conn *websocket.Conn) compareWSReply {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(wsTestTimeout))
	_, msg, err := conn.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var r compareWSReply
	if err := json.Unmarshal(msg, &r); err != nil {
		t.Fatalf("reply %s is not JSON: %v", msg, err)
	}
	return r
}

// compareFitMessage is the default fit as a fit message, with steps and
// losses changed.
func compareFitMessage(t *testing.T, id int64, steps int, losses ...string) string {
	t.Helper()
	r := compare.DefaultFit()
	r.Steps = steps
	if losses != nil {
		r.Losses, r.Params = losses, nil
	}
	b, err := json.Marshal(wsFitMessage{Envelope: live.Envelope{Type: wsTypeFit, ID: &id}, FitRequest: r})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCompareWSBadMessages(t *testing.T) {
	_, srv := wsTestApp(t, nil, wsHooks{})
	conn := wsTestDial(t, srv)
	fit := `{"type":"fit","id":%d,"points":%s,"losses":%s,"steps":%s,"lr":%s}`
	pts := `[[0,1],[1,2],[2,2]]`
	for i, test := range []struct {
		name, msg, field, text string
	}{
		{"one point", fmt.Sprintf(fit, 1, `[[0,1]]`, `["L1Loss"]`, "10", "0.1"), "points", "need 2 to 200"},
		{"201 points", fmt.Sprintf(fit, 2, "["+strings.Repeat("[0,0],", 200)+"[0,0]]", `["L1Loss"]`, "10", "0.1"), "points", "got 201"},
		{"huge y", fmt.Sprintf(fit, 3, `[[0,1],[1,1e308]]`, `["L1Loss"]`, "10", "0.1"), "points[1][1]", "between -1000 and 1000"},
		{"not a pair", fmt.Sprintf(fit, 4, `[[0,1,2],[1,1]]`, `["L1Loss"]`, "10", "0.1"), "points[0]", "need a pair [x, y], got 3 numbers"},
		{"unknown loss", fmt.Sprintf(fit, 5, pts, `["L1Loss","SquaredLoss"]`, "10", "0.1"), "losses[1]", `unknown loss "SquaredLoss"`},
		{"not pointwise", fmt.Sprintf(fit, 6, pts, `["CTCLoss"]`, "10", "0.1"), "losses[0]", "not a pointwise regression loss"},
		{"too many steps", fmt.Sprintf(fit, 7, pts, `["L1Loss"]`, "2001", "0.1"), "steps", "between 1 and 2000"},
		{"lr zero", fmt.Sprintf(fit, 8, pts, `["L1Loss"]`, "10", "0"), "lr", "greater than 0"},
		{"lr huge", fmt.Sprintf(fit, 9, pts, `["L1Loss"]`, "10", "50"), "lr", "between 0 and 1"},
		{"unknown field", `{"type":"fit","id":10,"pts":[]}`, "", `unknown field "pts"`},
		{"bad param", `{"type":"fit","id":11,"points":[[0,1],[1,2]],"losses":["HuberLoss"],"params":{"HuberLoss":{"delta":-1}},"steps":5,"lr":0.1}`, "params.HuberLoss.delta", "delta"},
		{"compare page", `{"type":"compare","id":12,"page":"ranking"}`, "page", `unknown comparison page "ranking"`},
		{"compare setting", `{"type":"compare","id":13,"page":"margin","settings":{"margin":9}}`, "margin", "between 0 and 3"},
		{"compare field", `{"type":"compare","id":14,"page":"classification","settings":{"logit":[1,2]}}`, "settings", `unknown field "logit"`},
		{"compare theme", `{"type":"compare","id":15,"page":"margin","theme":"sepia"}`, "theme", `"sepia"`},
		{"compare logits", `{"type":"compare","id":16,"page":"classification","settings":{"logits":[1,2],"target":5}}`, "target", "[0, 2)"},
	} {
		t.Run(test.name, func(t *testing.T) {
			wsTestSend(t, conn, test.msg)
			r := compareWSRead(t, conn)
			if r.Type != wsTypeError || r.id() != int64(i+1) || r.Field != test.field || !strings.Contains(r.Error, test.text) {
				t.Errorf("reply = {%s id %d field %q error %q}; want error id %d, field %q, containing %q",
					r.Type, r.id(), r.Field, r.Error, i+1, test.field, test.text)
			}
		})
	}
	// The connection survives every bad message.
	wsTestSend(t, conn, `{"type":"ping","id":99}`)
	if r := compareWSRead(t, conn); r.Type != wsTypePong || r.id() != 99 {
		t.Errorf("after bad messages: reply {%s id %d}; want pong 99", r.Type, r.id())
	}
}

// A fit streams frames for its id at the paced rate, from step 0 to the
// last step, then stops.
func TestCompareWSFitFrames(t *testing.T) {
	_, srv := wsTestApp(t, nil, wsHooks{})
	conn := wsTestDial(t, srv)
	const steps = 30 // under wsFitMaxFrames: one step per frame
	start := time.Now()
	wsTestSend(t, conn, compareFitMessage(t, 7, steps))
	var got []int
	for {
		r := compareWSRead(t, conn)
		if r.Type != wsTypeFitFrame || r.id() != 7 {
			t.Fatalf("reply {%s id %d %q}; want fit_frame id 7", r.Type, r.id(), r.Error)
		}
		if len(r.Lines) != 4 || r.Steps != steps {
			t.Fatalf("frame has %d lines, steps %d; want 4 lines, steps %d", len(r.Lines), r.Steps, steps)
		}
		got = append(got, r.Step)
		if r.Done {
			break
		}
	}
	elapsed := time.Since(start)
	if len(got) != steps+1 || got[0] != 0 || got[len(got)-1] != steps {
		t.Errorf("frame steps = %v; want 0, 1, …, %d", got, steps)
	}
	if min := steps * wsFitFrameInterval * 8 / 10; elapsed < min {
		t.Errorf("%d frames took %v; want at least %v (paced at %v)", len(got), elapsed, min, wsFitFrameInterval)
	}
	// Nothing follows the last frame.
	wsTestSend(t, conn, `{"type":"ping","id":8}`)
	if r := compareWSRead(t, conn); r.Type != wsTypePong {
		t.Errorf("after the last frame: %s; want the pong", r.Type)
	}
}

// A newer fit or compute message stops a running fit: the old id is
// answered superseded, and no frame of it follows.
func TestCompareWSFitCancelled(t *testing.T) {
	for _, newer := range []string{"fit", "compute", "compare"} {
		t.Run(newer, func(t *testing.T) {
			_, srv := wsTestApp(t, nil, wsHooks{})
			conn := wsTestDial(t, srv)
			wsTestSend(t, conn, compareFitMessage(t, 1, compare.MaxFitSteps))
			for range 3 {
				if r := compareWSRead(t, conn); r.Type != wsTypeFitFrame || r.id() != 1 {
					t.Fatalf("reply {%s id %d}; want fit_frame 1", r.Type, r.id())
				}
			}
			switch newer {
			case "fit":
				wsTestSend(t, conn, compareFitMessage(t, 2, 3))
			case "compute":
				wsTestSend(t, conn, `{"type":"compute","id":2,"loss":"L1Loss","inputs":{"input":[1],"target":[0]}}`)
			case "compare":
				wsTestSend(t, conn, `{"type":"compare","id":2,"page":"margin"}`)
			}
			superseded := false
			for {
				r := compareWSRead(t, conn)
				if r.Type == wsTypeSuperseded {
					if len(r.IDs) != 1 || r.IDs[0] != 1 || r.By != 2 {
						t.Errorf("superseded ids %v by %d; want [1] by 2", r.IDs, r.By)
					}
					superseded = true
					continue
				}
				if r.id() == 1 {
					if superseded {
						t.Fatalf("a %s for fit 1 after it was superseded", r.Type)
					}
					continue // a frame already on its way
				}
				if !superseded {
					t.Fatalf("reply {%s id %d} before fit 1 was superseded", r.Type, r.id())
				}
				if r.id() != 2 || r.Type == wsTypeError {
					t.Fatalf("reply {%s id %d %q}; want the answer to 2", r.Type, r.id(), r.Error)
				}
				if r.Type != wsTypeFitFrame || r.Done {
					break
				}
			}
		})
	}
}

// Over the socket, the default fit converges as the engine's: MSE's line
// pulled by the outlier further than L1's, every value finite.
func TestCompareWSFitConverges(t *testing.T) {
	_, srv := wsTestApp(t, nil, wsHooks{})
	conn := wsTestDial(t, srv)
	wsTestSend(t, conn, compareFitMessage(t, 3, 400))
	var last compareWSReply
	var first []compare.FitLine
	for !last.Done {
		last = compareWSRead(t, conn)
		if last.Type != wsTypeFitFrame {
			t.Fatalf("reply {%s %q}; want fit_frame", last.Type, last.Error)
		}
		if first == nil {
			first = last.Lines
		}
	}
	lines := map[string]compare.FitLine{}
	for i, l := range last.Lines {
		lines[l.Loss] = l
		if !(l.Value < first[i].Value) || math.IsNaN(l.Value) {
			t.Errorf("%s loss went from %v to %v; want it lower", l.Loss, first[i].Value, l.Value)
		}
	}
	want, err := compare.RunFit(compare.DefaultFit())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		if got := lines[w.Loss]; got != w {
			t.Errorf("last frame %s = %+v; want %+v (the same fit run directly)", w.Loss, got, w)
		}
	}
	if d1, d2 := math.Abs(lines["L1Loss"].Slope-0.5), math.Abs(lines["MSELoss"].Slope-0.5); !(d2 > 3*d1) {
		t.Errorf("slope error: L1 %v, MSE %v; want MSE pulled over three times as far", d1, d2)
	}
}

func TestCompareWSCompareResult(t *testing.T) {
	_, srv := wsTestApp(t, nil, wsHooks{})
	conn := wsTestDial(t, srv)
	for _, test := range []struct {
		msg, page string
		charts    []string
		setting   string
		want      any
	}{
		{`{"type":"compare","id":1,"page":"regression","theme":"dark","settings":{"beta":0.5,"delta":2,"outlier":0}}`, "regression", []string{"loss", "derivative", "fit"}, "beta", 0.5},
		{`{"type":"compare","id":2,"page":"classification","settings":{"logits":[0,1,2,3],"target":2}}`, "classification", []string{"gradient", "probs"}, "target", 2.0},
		{`{"type":"compare","id":3,"page":"margin"}`, "margin", []string{"margin"}, "margin", 1.0},
	} {
		t.Run(test.page, func(t *testing.T) {
			wsTestSend(t, conn, test.msg)
			r := compareWSRead(t, conn)
			if r.Type != wsTypeCompareResult || r.Data.Page != test.page {
				t.Fatalf("reply {%s %q page %q}; want compare_result for %s", r.Type, r.Error, r.Data.Page, test.page)
			}
			for _, id := range test.charts {
				if len(r.Data.Charts[id]) == 0 {
					t.Errorf("chart %q missing", id)
				}
			}
			if got := r.Data.Settings[test.setting]; got != test.want {
				t.Errorf("settings.%s = %v; want %v", test.setting, got, test.want)
			}
		})
	}
}

// docs/protocol.md documents every message type of the comparison pages.
func TestCompareProtocolDoc(t *testing.T) {
	doc, err := os.ReadFile(wsDocPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{wsTypeFit, wsTypeFitFrame, wsTypeCompare, wsTypeCompareResult} {
		if !strings.Contains(string(doc), "**"+typ+"**") {
			t.Errorf("%s does not document message type %q", wsDocPath, typ)
		}
	}
}
