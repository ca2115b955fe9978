package web

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/lossplayground/playground/lessons/plans"
	"github.com/lossplayground/playground/web/class"
)

// planMsg reads what class_plan, class_state and class_section carry
// beyond classMsg.
type planMsg struct {
	Type    string      `json:"type"`
	Plan    *plans.Plan `json:"plan"`
	Step    int         `json:"step"`
	Page    string      `json:"page"`
	Slug    string      `json:"slug"`
	Origin  string      `json:"origin"`
	Section *int        `json:"section"`
	Kind    string      `json:"kind"`
	Prompt  string      `json:"prompt"`
	Result  json.RawMessage
}

func decodePlanMsg(t *testing.T, m classMsg) planMsg {
	t.Helper()
	var p planMsg
	if err := json.Unmarshal(m.raw, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestClassPlanSteps runs the outliers plan over real sockets on two
// replicas: loading it reaches teachers only, each step drives its page
// (a loss page computed, a comparison page shown as it is), scrolls to its
// section naming the lesson, and asks its question after the state is out.
func TestClassPlanSteps(t *testing.T) {
	srvs := classTestReplicas(t, 2, class.Limits{})
	c := classTestCreate(t, srvs[0])
	teacher := classTestDial(t, srvs[0])
	teacher.send(`{"type":"class_teach","code":%q,"token":%q}`, c.Code, c.TeacherToken)
	teacher.untilType("class_joined")
	student := classTestDial(t, srvs[1])
	student.send(`{"type":"class_join","code":%q,"name":"Ada"}`, c.Code)
	student.untilType("class_joined")

	teacher.send(`{"type":"class_plan","plan":"outliers","lang":"zh"}`)
	pm := decodePlanMsg(t, teacher.untilType("class_plan"))
	if pm.Plan == nil || pm.Plan.ID != "outliers" || pm.Plan.Lang != "zh" || pm.Step != -1 {
		t.Fatalf("class_plan = %+v; want the zh outliers plan at step -1", pm)
	}

	// Step 0: MSE with one miss of 1, scrolled to the first section.
	teacher.send(`{"type":"class_step","step":0}`)
	first := map[string]classMsg{}
	student.until("the step's state and section", func(m classMsg) bool {
		if m.Type == "class_state" || m.Type == "class_section" {
			first[m.Type] = m
		}
		return len(first) == 2
	})
	st := decodePlanMsg(t, first["class_state"])
	if st.Slug != "mse" || st.Origin != "plan" || !strings.HasPrefix(st.Page, "/losses/mse?") {
		t.Errorf("class_state after step 0 = slug %q origin %q page %q; want the MSE page from the plan", st.Slug, st.Origin, st.Page)
	}
	if !strings.HasPrefix(string(st.Result), `{"loss":1,`) {
		t.Errorf("result = %s; want MSE of a miss of 1 = 1", st.Result)
	}
	sec := decodePlanMsg(t, first["class_section"])
	if sec.Slug != "mse" || sec.Section == nil || *sec.Section != 0 {
		t.Errorf("class_section = %+v; want slug mse, section 0", sec)
	}
	if pm := decodePlanMsg(t, teacher.untilType("class_plan")); pm.Step != 0 {
		t.Errorf("teacher's class_plan step = %d; want 0", pm.Step)
	}

	// Step 2: a predict question, asked once the state is out.
	teacher.send(`{"type":"class_step","step":2}`)
	// The state and the question travel on different subjects from the
	// teacher's replica, so they may reach this one in either order.
	got := map[string]classMsg{}
	student.until("the step's state and question", func(m classMsg) bool {
		if m.Type == "class_state" || m.Type == "class_question" {
			got[m.Type] = m
		}
		return len(got) == 2
	})
	st = decodePlanMsg(t, got["class_state"])
	if !strings.HasPrefix(string(st.Result), `{"loss":25,`) {
		t.Errorf("result = %s; want MSE of one miss of 10 among four = 25", st.Result)
	}
	q := decodePlanMsg(t, got["class_question"])
	if q.Kind != "number" || !strings.Contains(q.Prompt, "均方误差") {
		t.Errorf("class_question = %+v; want the zh predict poll", q)
	}
	// The poll asks about the step's state (MSE 25), not the one before.
	// The teacher reveals once its own view shows the question, as the
	// reveal button does: the student's replica can hear of it first.
	teacher.untilType("class_question")
	teacher.send(`{"type":"class_reveal"}`)
	if rv := student.untilType("class_reveal"); rv.Answer != "25" {
		t.Errorf("class_reveal answer = %q; want 25, the loss of the step's page (%s)", rv.Answer, rv.raw)
	}

	// The last step: the regression comparison, no computation; the
	// student's page renders it.
	n := len(pm.Plan.Steps)
	teacher.send(`{"type":"class_step","step":%d}`, n-1)
	st = decodePlanMsg(t, student.untilType("class_state"))
	if st.Slug != "" || st.Page != "/compare/regression?outlier=10" || string(st.Result) != "null" {
		t.Errorf("class_state of the last step = slug %q page %q result %s; want the comparison page, uncomputed", st.Slug, st.Page, st.Result)
	}
	res, err := http.Get(srvs[1].URL + "/c/" + c.Code + "?lang=zh")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `data-testid="compare-`) {
		t.Errorf("GET /c/{code} on a comparison step = %d; want 200 and the comparison page", res.StatusCode)
	}

	// A teacher joining late (another device) gets the plan and step.
	late := classTestDial(t, srvs[1])
	late.send(`{"type":"class_teach","code":%q,"token":%q}`, c.Code, c.TeacherToken)
	if pm := decodePlanMsg(t, late.untilType("class_plan")); pm.Step != n-1 || pm.Plan == nil {
		t.Errorf("late teacher's class_plan = step %d; want %d with the plan", pm.Step, n-1)
	}

	// The teacher drives a comparison page directly.
	teacher.send(`{"type":"class_drive","id":5,"page":"/compare/margin"}`)
	if st := decodePlanMsg(t, student.untilType("class_state")); st.Page != "/compare/margin" {
		t.Errorf("class_state after a page drive = page %q; want /compare/margin", st.Page)
	}
}

// TestClassPlanRefusals: every bad plan message is an error naming its
// field, and nothing moves.
func TestClassPlanRefusals(t *testing.T) {
	srvs := classTestReplicas(t, 1, class.Limits{})
	c := classTestCreate(t, srvs[0])
	teacher := classTestDial(t, srvs[0])
	teacher.send(`{"type":"class_teach","code":%q,"token":%q}`, c.Code, c.TeacherToken)
	teacher.untilType("class_joined")
	student := classTestDial(t, srvs[0])
	student.send(`{"type":"class_join","code":%q}`, c.Code)
	student.untilType("class_joined")

	big := `{"type":"class_plan","plan":{"title":"t","steps":[{"title":"s","page":"/","note":"` + strings.Repeat("x", plans.MaxBytes+2048) + `"}]}}`
	tests := []struct {
		name, msg, wantField string
		student              bool
	}{
		{"step before a plan", `{"type":"class_step","step":0}`, "step", false},
		{"unknown plan", `{"type":"class_plan","plan":"nope"}`, "plan", false},
		{"bad lang", `{"type":"class_plan","plan":"ctc","lang":"fr"}`, "lang", false},
		{"plan of a number", `{"type":"class_plan","plan":7}`, "plan", false},
		{"inline without steps", `{"type":"class_plan","plan":{"title":"mine","steps":[]}}`, "plan.steps", false},
		{"inline unknown field", `{"type":"class_plan","plan":{"title":"mine","colour":1,"steps":[]}}`, "plan", false},
		{"inline bad page", `{"type":"class_plan","plan":{"title":"mine","steps":[{"title":"a","page":"/losses/mse?reduction=most"}]}}`, "plan.steps[0].page", false},
		{"inline bad compare query", `{"type":"class_plan","plan":{"title":"mine","steps":[{"title":"a","page":"/compare/regression?outlier=99"}]}}`, "plan.steps[0].page", false},
		{"inline unknown question", `{"type":"class_plan","plan":{"title":"mine","steps":[{"title":"a","page":"/losses/mse","question":{"kind":"lesson","slug":"mse","question":"nope"}}]}}`, "plan.steps[0].question.question", false},
		{"too big", big, "plan", false},
		{"a student's plan", `{"type":"class_plan","plan":"ctc"}`, "type", true},
		{"a student's step", `{"type":"class_step","step":0}`, "type", true},
		{"drive of an unknown page", `{"type":"class_drive","page":"/admin"}`, "page", false},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			who := teacher
			if test.student {
				who = student
			}
			who.send("%s", test.msg)
			m := who.untilType("error")
			if m.Field != test.wantField {
				t.Errorf("error = %s; want field %q", m.raw, test.wantField)
			}
		})
	}

	// A good inline plan, then steps out of range.
	teacher.send(`{"type":"class_plan","plan":{"title":"mine","steps":[{"title":"a","page":"/lessons/ctc","section":{"lesson":"ctc","index":-1},"note":"n"}]}}`)
	if pm := decodePlanMsg(t, teacher.untilType("class_plan")); pm.Plan == nil || pm.Plan.Title != "mine" || pm.Plan.Lang != "en" {
		t.Fatalf("class_plan = %+v; want the inline plan, in English", pm)
	}
	for _, msg := range []string{`{"type":"class_step","step":1}`, `{"type":"class_step","step":-1}`, `{"type":"class_step"}`, `{"type":"class_step","step":"1"}`} {
		teacher.send("%s", msg)
		if m := teacher.untilType("error"); m.Field != "step" {
			t.Errorf("%s: error = %s; want field step", msg, m.raw)
		}
	}
	teacher.send(`{"type":"class_step","step":0}`)
	if sec := decodePlanMsg(t, student.untilType("class_section")); sec.Slug != "ctc" || sec.Section == nil || *sec.Section != -1 {
		t.Errorf("class_section = %+v; want slug ctc at -1 (above the lesson)", sec)
	}
}

// TestClassPlanProtocolDoc: docs/protocol.md documents the plan messages.
func TestClassPlanProtocolDoc(t *testing.T) {
	doc, err := os.ReadFile(wsDocPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"**" + class.TypePlan + "**", "**" + class.TypeStep + "**", "GET /api/v1/plans?lang=en|zh"} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("%s does not document %s", wsDocPath, want)
		}
	}
}

// TestClassRemove: the teacher removes a student, who is told and whose
// resume token no longer joins; a student cannot remove anyone.
func TestClassRemove(t *testing.T) {
	srvs := classTestReplicas(t, 2, class.Limits{})
	c := classTestCreate(t, srvs[0])
	teacher := classTestDial(t, srvs[0])
	teacher.send(`{"type":"class_teach","code":%q,"token":%q}`, c.Code, c.TeacherToken)
	teacher.untilType("class_joined")
	student := classTestDial(t, srvs[1])
	student.send(`{"type":"class_join","code":%q,"name":"Mallory"}`, c.Code)
	var joined struct {
		StudentID string `json:"student_id"`
		Resume    string `json:"resume"`
	}
	json.Unmarshal(student.untilType("class_joined").raw, &joined)
	other := classTestDial(t, srvs[0])
	other.send(`{"type":"class_join","code":%q,"name":"Bob"}`, c.Code)
	other.untilType("class_joined")
	teacher.until("roster of 2", func(m classMsg) bool { return m.Type == "class_roster" && m.Students == 2 })

	other.send(`{"type":"class_remove","student_id":%q}`, joined.StudentID)
	if m := other.untilType("error"); m.Field != "type" {
		t.Errorf("a student's class_remove = %s; want an error on field type", m.raw)
	}
	teacher.send(`{"type":"class_remove"}`)
	if m := teacher.untilType("error"); m.Field != "student_id" {
		t.Errorf("class_remove without student_id = %s; want an error on field student_id", m.raw)
	}
	teacher.send(`{"type":"class_remove","student_id":%q}`, joined.StudentID)
	ended := student.untilType("class_ended")
	if !strings.Contains(string(ended.raw), `"reason":"removed"`) {
		t.Errorf("class_ended = %s; want reason removed", ended.raw)
	}
	teacher.until("roster of 1", func(m classMsg) bool { return m.Type == "class_roster" && m.Students == 1 })

	back := classTestDial(t, srvs[0])
	back.send(`{"type":"class_join","code":%q,"resume":%q}`, c.Code, joined.Resume)
	if m := back.untilType("error"); m.Field != "resume" {
		t.Errorf("rejoining with a removed student's resume = %s; want an error on field resume", m.raw)
	}
}
