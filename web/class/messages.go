package class

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/i18n"
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
// loss API's errors do. Code and Args, when set, are Msg's English format
// and its arguments, so that a page in another language reads it in its
// own (i18n.EngineMessage, like the engine's errors).
type Error struct {
	Field string
	Msg   string
	Code  string
	Args  []any
	// Err is the refusal's cause when Msg is its text (an *engine.Error
	// from checking a page), so that it too can be said in another
	// language.
	Err error
}

func (e *Error) Unwrap() error { return e.Err }

func (e *Error) Error() string {
	if e.Field == "" || strings.HasPrefix(e.Msg, e.Field+": ") {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

// Errorf returns an *Error for field whose message is format with args.
func Errorf(field, format string, args ...any) *Error {
	return &Error{Field: field, Msg: fmt.Sprintf(format, args...), Code: format, Args: args}
}

func errorf(field, format string, args ...any) *Error { return Errorf(field, format, args...) }

// ErrorText says err to a member whose page is in lang: a refusal in the
// catalogue's words when it has them, the package's errors (ErrNotFound,
// ErrToken, …) likewise; in English, and for anything else, err's own
// text.
func ErrorText(err error, lang string) string {
	if i18n.Lang(lang) == i18n.Languages[0] {
		return err.Error()
	}
	var ce *Error
	var ee *engine.Error
	var rl *RateLimitError
	switch {
	case errors.As(err, &ce) && ce.Code != "":
		if msg, ok := i18n.FieldMessage(lang, ce.Field, ce.Code, ce.Args); ok {
			return msg
		}
		return ce.Error()
	case errors.As(err, &ce) && ce.Err != nil:
		inner := ErrorText(ce.Err, lang)
		if ce.Field == "" || strings.HasPrefix(ce.Msg, ce.Field+": ") {
			return inner // Msg is the cause's text, its field first
		}
		return ce.Field + i18n.T(lang, "error.fieldSep") + inner
	case errors.As(err, &ee):
		if msg, ok := i18n.FieldMessage(lang, ee.Field, ee.Code, ee.Args); ok {
			return msg
		}
		return ee.Error()
	case errors.As(err, &rl):
		return i18n.T(lang, "class.err.ws.rateLimited."+rl.What, humanDurationIn(rl.RetryAfter, lang))
	case errors.Is(err, ErrEnded):
		return i18n.T(lang, "class.err.ws.ended")
	case errors.Is(err, ErrNotFound):
		return i18n.T(lang, "class.err.ws.notFound")
	case errors.Is(err, ErrToken):
		return i18n.T(lang, "class.err.ws.token")
	case errors.Is(err, ErrRateLimited):
		return i18n.T(lang, "class.err.ws.rateLimited")
	case errors.Is(err, ErrUnavailable):
		return i18n.T(lang, "class.err.ws.unavailable")
	}
	return err.Error()
}

// ErrorMessage encodes an error reply in lang; id is the message's id or
// nil.
func ErrorMessage(id *int64, err error, lang string) []byte {
	m := struct {
		Type  string `json:"type"`
		ID    *int64 `json:"id"`
		Error string `json:"error"`
		Field string `json:"field,omitempty"`
	}{Type: TypeError, ID: id, Error: ErrorText(err, lang)}
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
