package class

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Message types on /ws (docs/protocol.md, "Classes").
const (
	TypeJoin         = "class_join"          // student → server
	TypeTeach        = "class_teach"         // teacher → server
	TypeDrive        = "class_drive"         // teacher → server
	TypeMode         = "class_mode"          // teacher → server → everyone
	TypeNames        = "class_names"         // teacher → server → teachers
	TypeQuestion     = "class_question"      // teacher → server → everyone
	TypeAnswer       = "class_answer"        // student → server
	TypeReveal       = "class_reveal"        // teacher → server → everyone
	TypeSnapshot     = "class_snapshot"      // student → server
	TypeShowSnapshot = "class_show_snapshot" // teacher → server
	TypeFollow       = "class_follow"        // student → server
	TypeSection      = "class_section"       // teacher → server → everyone
	TypeLeave        = "class_leave"         // either → server
	TypeEnd          = "class_end"           // teacher → server

	TypeJoined       = "class_joined"
	TypeState        = "class_state"
	TypeAnswered     = "class_answered"
	TypeHistogram    = "class_histogram"
	TypeRoster       = "class_roster"
	TypeSnapshots    = "class_snapshots"
	TypeSnapshotSent = "class_snapshot_sent"
	TypeEnded        = "class_ended"
	TypeError        = "error"
)

// Modes a teacher sets.
const (
	ModeFollow  = "follow"  // students' pages show the teacher's state, locked
	ModeExplore = "explore" // students may change their own page
	ModePause   = "pause"   // students' screens say "eyes on the projector"
)

// Coalescing keys: a member's outbox keeps only the newest message of a
// key it has not written yet (a slow student skips to the last state).
const (
	CoalesceState     = "state"
	CoalesceRoster    = "roster"
	CoalesceHistogram = "histogram"
	CoalesceSnapshots = "snapshots"
	CoalesceSection   = "section"
)

// Error is a refused class message: Field names what is wrong, as the
// loss API's errors do.
type Error struct {
	Field string
	Msg   string
}

func (e *Error) Error() string {
	if e.Field == "" || strings.HasPrefix(e.Msg, e.Field+": ") {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

func errorf(field, format string, args ...any) *Error {
	return &Error{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// ErrorMessage encodes an error reply; id is the message's id or nil.
func ErrorMessage(id *int64, err error) []byte {
	m := struct {
		Type  string `json:"type"`
		ID    *int64 `json:"id"`
		Error string `json:"error"`
		Field string `json:"field,omitempty"`
	}{Type: TypeError, ID: id, Error: err.Error()}
	if ce, ok := err.(*Error); ok {
		m.Field = ce.Field
	}
	return encode(m)
}

// encode marshals v without HTML escaping (the bytes go to a socket, not
// into a page).
func encode(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("class: encode %T: %v", v, err)) // only our own types are encoded
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}
