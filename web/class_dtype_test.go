package web

import (
	"bytes"
	"strings"
	"testing"

	"github.com/lossplayground/playground/web/class"
)

// TestClassDriveDType: a teacher's page in float32 is computed and sent to
// the students in float32, and the class state says so.
func TestClassDriveDType(t *testing.T) {
	srv := classTestReplicas(t, 1, class.Limits{})[0]
	c := classTestCreate(t, srv)
	student := classTestDial(t, srv)
	student.send(`{"type":"class_join","code":%q,"name":"s"}`, strings.ToLower(c.Code))
	student.untilType("class_joined")
	teacher := classTestDial(t, srv)
	teacher.send(`{"type":"class_teach","code":%q,"token":%q}`, c.Code, c.TeacherToken)
	teacher.untilType("class_joined")
	teacher.send(`{"type":"class_drive","id":7,"loss":"SoftMarginLoss","params":{"reduction":"sum"},"inputs":{"input":[-89],"target":[1]},"detail":false,"dtype":"float32","query":"dtype=float32&input=[-89]&target=[1]&reduction=sum"}`)
	m := student.until("the float32 state", func(m classMsg) bool { return m.Type == "class_state" && m.ID != nil && *m.ID == 7 })
	if !bytes.Contains(m.raw, []byte(`"dtype":"float32"`)) {
		t.Errorf("class_state %.300s; want \"dtype\":\"float32\" in it", m.raw)
	}
	if !bytes.Contains(m.Result, []byte(`"loss":"Infinity"`)) {
		t.Errorf("result = %s; want the float32 loss Infinity (exp(89) overflows)", m.Result)
	}
}
