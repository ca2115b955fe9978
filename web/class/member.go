package class

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"

	"golang.org/x/time/rate"
)

// Member is one connection in a class.
type Member struct {
	room      *room
	sid, name string // students
	lang      string
	teacher   bool
	out       Outbox
	// limit paces the member's messages other than class_drive (which
	// coalesces): each costs a round trip to the bus.
	limit     *rate.Limiter
	mu        sync.Mutex
	following bool
	left      bool
	ended     bool
}

// maxSection bounds a lesson section's index (a lesson has a few dozen
// headings).
const maxSection = 1000

// A member may send memberRate class messages a second, memberBurst at
// once: far above what a person clicks, far below what floods the bus.
const (
	memberRate  = 20
	memberBurst = 40
)

func newMemberLimiter() *rate.Limiter { return rate.NewLimiter(memberRate, memberBurst) }

// Teacher reports whether the member joined with the teacher's token.
func (m *Member) Teacher() bool { return m.teacher }

// Code is the member's class.
func (m *Member) Code() string { return m.room.code }

// StudentID is a student's stable id (empty for a teacher).
func (m *Member) StudentID() string { return m.sid }

// Ended reports whether the member's class ended (class_ended was sent):
// the connection may join another.
func (m *Member) Ended() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ended
}

// Leave removes the member from its class.
func (m *Member) Leave() {
	m.mu.Lock()
	if m.left {
		m.mu.Unlock()
		return
	}
	m.left = true
	m.mu.Unlock()
	r := m.room
	r.mu.Lock()
	delete(r.members, m)
	r.mu.Unlock()
	if !m.teacher {
		r.presenceChanged()
	}
	r.release()
}

// Handle serves one class message from this member; a refusal is
// returned as an *Error for the member's socket. A panic is logged with
// the class code and answered as an internal error: the class lives on.
func (m *Member) Handle(ctx context.Context, typ string, raw []byte) (err error) {
	r := m.room
	defer r.hub.recoverTo(r.code, &err)
	if m.Ended() {
		return errorf("type", "this class has ended")
	}
	teacherOnly := func() error {
		if !m.teacher {
			return errorf("type", "%s is the teacher's message; students cannot send it", typ)
		}
		return nil
	}
	if typ != TypeDrive && !m.limit.Allow() {
		return errorf("type", "too many class messages; slow down")
	}
	switch typ {
	case TypeDrive:
		if err := teacherOnly(); err != nil {
			return err
		}
		var d Drive
		if err := decodeMessage(raw, &d); err != nil {
			return err
		}
		if err := r.checkPageDrive(&d); err != nil {
			return err
		}
		if d.Page == "" {
			if err := r.checkPage(d.Loss, d.Query); err != nil {
				return err
			}
		}
		d.origin, d.from = "teacher", m
		r.drive(&d)
		r.touch(ctx, false)
		return nil
	case TypePlan, TypeStep:
		if err := teacherOnly(); err != nil {
			return err
		}
		return r.handlePlan(ctx, m, typ, raw)
	case TypeMode:
		if err := teacherOnly(); err != nil {
			return err
		}
		var msg struct {
			Mode string `json:"mode"`
		}
		if err := decodeMessage(raw, &msg); err != nil {
			return err
		}
		if msg.Mode != ModeFollow && msg.Mode != ModeExplore && msg.Mode != ModePause {
			return errorf("mode", `must be "follow", "explore" or "pause", got %s`, strconv.Quote(msg.Mode))
		}
		return r.setMeta(ctx, func(mt *meta) { mt.Mode = msg.Mode }, subjectAll(r.code), encode(map[string]string{"type": TypeMode, "mode": msg.Mode}))
	case TypeNames:
		if err := teacherOnly(); err != nil {
			return err
		}
		var msg struct {
			Show bool `json:"show"`
		}
		if err := decodeMessage(raw, &msg); err != nil {
			return err
		}
		if err := r.setMeta(ctx, func(mt *meta) { mt.Names = msg.Show; mt.NamesShown = mt.NamesShown || msg.Show },
			subjectTeachers(r.code), encode(map[string]any{"type": TypeNames, "show": msg.Show})); err != nil {
			return err
		}
		return r.republishSnapshots(ctx, msg.Show)
	case TypeSection:
		if err := teacherOnly(); err != nil {
			return err
		}
		var msg struct {
			Section int    `json:"section"`
			Lesson  string `json:"lesson"`
			Slug    string `json:"slug"` // the lesson's, as earlier pages sent it
		}
		if err := decodeMessage(raw, &msg); err != nil {
			return err
		}
		if msg.Section < -1 || msg.Section > maxSection {
			return errorf("section", "must be -1 (above the lesson) to %d, got %d", maxSection, msg.Section)
		}
		if msg.Lesson == "" {
			msg.Lesson = msg.Slug
		}
		if len(msg.Lesson) > 64 {
			return errorf("lesson", "at most 64 bytes")
		}
		out := map[string]any{"type": TypeSection, "section": msg.Section}
		if msg.Lesson != "" {
			// Students on another page ignore it.
			out["lesson"], out["slug"] = msg.Lesson, msg.Lesson
		}
		b := r.bus
		return r.hub.busError(b, "class publish", publish(b.conn(), subjectAll(r.code), encode(out), CoalesceSection))
	case TypeFollow:
		if m.teacher {
			return nil
		}
		var msg struct {
			Following bool `json:"following"`
		}
		if err := decodeMessage(raw, &msg); err != nil {
			return err
		}
		m.mu.Lock()
		m.following = msg.Following
		m.mu.Unlock()
		// Presence carries it: nothing is stored.
		r.presenceChanged()
		return nil
	case TypeQuestion:
		if err := teacherOnly(); err != nil {
			return err
		}
		return r.launch(ctx, m, raw)
	case TypeAnswer:
		if m.teacher {
			return errorf("type", "the teacher does not answer the class's questions")
		}
		return r.answer(ctx, m, raw)
	case TypeReveal:
		if err := teacherOnly(); err != nil {
			return err
		}
		return r.reveal(ctx)
	case TypeSnapshot:
		if m.teacher {
			return errorf("type", "snapshots go from students to the teacher")
		}
		return r.snapshot(ctx, m, raw)
	case TypeShowSnapshot:
		if err := teacherOnly(); err != nil {
			return err
		}
		return r.showSnapshot(ctx, m, raw)
	case TypeEnd:
		if err := teacherOnly(); err != nil {
			return err
		}
		return r.end(ctx)
	case TypeRemove:
		if err := teacherOnly(); err != nil {
			return err
		}
		return r.remove(ctx, raw)
	}
	return errorf("type", "unknown class message type %s", strconv.Quote(typ))
}

// setMeta changes the class's settings and publishes msg on subject.
func (r *room) setMeta(ctx context.Context, change func(*meta), subject string, msg []byte) error {
	b, kv, err := r.hub.kv()
	if err != nil {
		return err
	}
	if _, err := updateJSON(ctx, kv, keyMeta(r.code), false, func(mt *meta) (bool, error) { change(mt); return true, nil }); err != nil {
		return r.hub.busError(b, "class settings", err)
	}
	return r.hub.busError(b, "class publish", publish(b.conn(), subject, msg, ""))
}

// end ends the class: every member on every replica gets class_ended;
// the store keeps the class, for its results, until it expires.
func (r *room) end(ctx context.Context) error {
	b, kv, err := r.hub.kv()
	if err != nil {
		return err
	}
	if _, err := updateJSON(ctx, kv, keyMeta(r.code), false, func(mt *meta) (bool, error) { mt.Ended = true; return true, nil }); err != nil {
		return r.hub.busError(b, "class end", err)
	}
	return r.hub.busError(b, "class publish", publish(b.conn(), subjectControl(r.code), encode(control{Event: eventEnd}), ""))
}

// checkPage checks a page the class would show with the web layer's hook.
func (r *room) checkPage(loss, query string) error {
	if loss == "" {
		return errorf("loss", "missing (a PyTorch class name such as MSELoss)")
	}
	if r.hub.opts.CheckPage == nil {
		return nil
	}
	err := r.hub.opts.CheckPage(loss, query)
	var ce *Error
	if err != nil && !errors.As(err, &ce) {
		return errorf("query", "%v", err)
	}
	return err
}

// decodeMessage decodes a class message, ignoring its type and id.
func decodeMessage(raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return errorf(te.Field, "expected %s, got %s", te.Type.Kind(), te.Value)
		}
		return errorf("", "message: %v", err)
	}
	return nil
}

// republishSnapshots re-sends the snapshot list to teachers after names
// were switched on or off.
func (r *room) republishSnapshots(ctx context.Context, names bool) error {
	b, kv, err := r.hub.kv()
	if err != nil {
		return err
	}
	if s, _, err := getJSON[snapshots](ctx, kv, keySnaps(r.code)); err == nil {
		publish(b.conn(), subjectTeachers(r.code), s.message(names), CoalesceSnapshots)
	}
	return nil
}
