package class

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/time/rate"
)

// room is one class on this replica: its local members, one subscription
// to the class's subjects, and a watch of its roster.
type room struct {
	hub  *Hub
	bus  *Bus
	code string
	refs int // guarded by hub.mu

	started chan struct{} // closed when sub and roster are ready
	err     error         // why starting failed
	ctx     context.Context
	cancel  context.CancelFunc

	mu        sync.Mutex
	members   map[*Member]struct{}
	roster    map[string]rosterEntry // every replica's students, by id
	names     bool                   // the teacher shows names
	lastState []byte
	lastSeq   int64
	touched   time.Time
	driver    *driver
	sub       *nats.Subscription
}

// rosterEntry is one student, in the bucket under keyStudent.
type rosterEntry struct {
	Name      string `json:"name"`
	Following bool   `json:"following"`
}

func newRoom(h *Hub, b *Bus, code string) *room {
	ctx, cancel := context.WithCancel(context.Background())
	r := &room{hub: h, bus: b, code: code, started: make(chan struct{}), ctx: ctx, cancel: cancel,
		members: map[*Member]struct{}{}, roster: map[string]rosterEntry{}}
	go r.start(ctx)
	return r
}

// start subscribes to the class and loads its roster, then keeps the
// roster current until the room stops.
func (r *room) start(ctx context.Context) {
	sub, err := r.bus.nc.Subscribe(subjectClassAny(r.code), r.onMessage)
	if err == nil {
		// Fan-out must not stall on a slow consumer limit: a room's
		// members take every message into their own latest-wins outbox.
		sub.SetPendingLimits(-1, -1)
		r.mu.Lock()
		r.sub = sub
		r.mu.Unlock()
	}
	var w jetstream.KeyWatcher
	if err == nil {
		w, err = r.bus.kv.Watch(ctx, keyStudents(r.code))
	}
	if err != nil {
		r.err = err
		close(r.started)
		return
	}
	defer w.Stop()
	// The current state, for members joining here before the next change.
	if e, err := r.bus.kv.Get(ctx, keyState(r.code)); err == nil {
		r.mu.Lock()
		r.lastState = e.Value()
		r.lastSeq = stateSeq(e.Value())
		r.mu.Unlock()
	}
	if m, _, err := getJSON[meta](ctx, r.bus.kv, keyMeta(r.code)); err == nil {
		r.mu.Lock()
		r.names = m.Names
		r.mu.Unlock()
	}
	loaded := false
	for {
		select {
		case <-ctx.Done():
			if !loaded {
				r.err = ctx.Err()
				close(r.started)
			}
			return
		case e, ok := <-w.Updates():
			if !ok {
				if !loaded {
					r.err = errors.New("class: roster watch ended")
					close(r.started)
				}
				return
			}
			if e == nil { // the initial values are all in
				if !loaded {
					loaded = true
					close(r.started)
				}
				continue
			}
			id := e.Key()[len(keyStudents(r.code))-1:]
			r.mu.Lock()
			if e.Operation() == jetstream.KeyValuePut {
				var re rosterEntry
				if json.Unmarshal(e.Value(), &re) == nil {
					r.roster[id] = re
				}
			} else {
				delete(r.roster, id)
			}
			r.mu.Unlock()
			if loaded {
				r.sendRoster()
			}
		}
	}
}

func (r *room) waitStarted(ctx context.Context) error {
	select {
	case <-r.started:
		if r.err != nil {
			r.hub.log.Error("class room", "code", r.code, "err", r.err)
			return ErrUnavailable
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(busTimeout):
		return ErrUnavailable
	}
}

// release drops one reference; the last one stops the room.
func (r *room) release() {
	h := r.hub
	h.mu.Lock()
	r.refs--
	last := r.refs == 0
	if last && h.rooms[r.code] == r {
		delete(h.rooms, r.code)
	}
	h.mu.Unlock()
	if last {
		r.stop()
	}
}

func (r *room) stop() {
	r.cancel()
	r.mu.Lock()
	if r.sub != nil {
		r.sub.Unsubscribe()
	}
	d := r.driver
	r.driver = nil
	r.mu.Unlock()
	if d != nil {
		d.stop()
	}
}

// onMessage fans one bus message out to this replica's members: the same
// bytes to each, into each member's own outbox.
func (r *room) onMessage(m *nats.Msg) {
	subj := m.Subject
	coalesce := m.Header.Get(headerCoalesce)
	forTeachers := subj == subjectTeachers(r.code)
	r.mu.Lock()
	switch subj {
	case subjectState(r.code):
		if seq := stateSeq(m.Data); seq >= r.lastSeq {
			r.lastState, r.lastSeq = m.Data, seq
		}
		coalesce = CoalesceState
	case subjectTeachers(r.code):
		var ev struct {
			Type string `json:"type"`
			Show bool   `json:"show"`
		}
		if json.Unmarshal(m.Data, &ev) == nil && ev.Type == TypeNames {
			r.names = ev.Show
			defer r.sendRoster()
		}
	}
	for mem := range r.members {
		if forTeachers && !mem.teacher {
			continue
		}
		mem.out.Offer(m.Data, coalesce)
	}
	r.mu.Unlock()
}

// stateSeq reads the seq of an encoded class_state.
func stateSeq(b []byte) int64 {
	var s struct {
		Seq int64 `json:"seq"`
	}
	json.Unmarshal(b, &s)
	return s.Seq
}

// add registers a member and sends it the class as it is now.
func (r *room) add(ctx context.Context, mem *Member, m *meta) error {
	kv := r.bus.kv
	if !mem.teacher {
		r.mu.Lock()
		n := len(r.roster)
		r.mu.Unlock()
		if n >= r.hub.opts.Limits.MaxStudents {
			return errorf("code", "this class is full (%d students)", r.hub.opts.Limits.MaxStudents)
		}
		cctx, cancel := context.WithTimeout(ctx, busTimeout)
		_, err := kv.Put(cctx, keyStudent(r.code, mem.id), encode(rosterEntry{Name: mem.name, Following: true}))
		cancel()
		if err != nil {
			return err
		}
	}
	joined := map[string]any{"type": TypeJoined, "code": r.code, "mode": m.Mode}
	if mem.teacher {
		joined["role"] = "teacher"
		joined["show_names"] = m.Names
	} else {
		joined["role"] = "student"
		joined["name"] = mem.name
	}
	r.mu.Lock()
	r.members[mem] = struct{}{}
	mem.out.Offer(encode(joined), "")
	if r.lastState != nil {
		mem.out.Offer(r.lastState, CoalesceState)
	}
	r.mu.Unlock()
	if p, _, err := getJSON[poll](ctx, kv, keyPoll(r.code)); err == nil {
		mem.out.Offer(p.questionMessage(), "")
		if p.Revealed != nil {
			mem.out.Offer(p.revealMessage(), "")
		} else if v, ok := p.Votes[mem.id]; ok {
			mem.out.Offer(answeredMessage(p.QID, v), "")
		}
		if mem.teacher {
			mem.out.Offer(p.histogram(m.Names), CoalesceHistogram)
		}
	}
	r.sendPlan(ctx, mem)
	if mem.teacher {
		r.mu.Lock()
		mem.out.Offer(r.rosterMessage(), CoalesceRoster)
		r.mu.Unlock()
		if s, _, err := getJSON[snapshots](ctx, kv, keySnaps(r.code)); err == nil {
			mem.out.Offer(s.message(m.Names), CoalesceSnapshots)
		}
	}
	return nil
}

// rosterMessage is what teachers see of the roster: counts, and names
// only when the teacher shows them. Callers hold r.mu.
func (r *room) rosterMessage() []byte {
	msg := struct {
		Type      string   `json:"type"`
		Students  int      `json:"students"`
		Following int      `json:"following"`
		Names     []string `json:"names,omitempty"`
		Exploring []string `json:"exploring,omitempty"`
	}{Type: TypeRoster, Students: len(r.roster)}
	for _, e := range r.roster {
		if e.Following {
			msg.Following++
		}
		if r.names {
			if e.Following {
				msg.Names = append(msg.Names, e.Name)
			} else {
				msg.Exploring = append(msg.Exploring, e.Name)
			}
		}
	}
	sort.Strings(msg.Names)
	sort.Strings(msg.Exploring)
	return encode(msg)
}

// sendRoster gives this replica's teachers the roster. Every replica with
// a teacher watches the roster itself, so no roster crosses the bus.
func (r *room) sendRoster() {
	r.mu.Lock()
	defer r.mu.Unlock()
	var msg []byte
	for mem := range r.members {
		if mem.teacher {
			if msg == nil {
				msg = r.rosterMessage()
			}
			mem.out.Offer(msg, CoalesceRoster)
		}
	}
}

// touchEvery throttles the idle clock's refresh while a teacher drives.
const touchEvery = time.Minute

// touch rewrites the class's settings so that the bucket's TTL starts
// again: a class expires after Limits.Idle without a join or a change.
func (r *room) touch(ctx context.Context, now bool) {
	r.mu.Lock()
	due := now || time.Since(r.touched) > touchEvery
	if due {
		r.touched = time.Now()
	}
	r.mu.Unlock()
	if !due {
		return
	}
	_, err := updateJSON(ctx, r.bus.kv, keyMeta(r.code), false, func(*meta) (bool, error) { return true, nil })
	if err != nil && !errors.Is(err, context.Canceled) {
		r.hub.log.Info("class touch", "code", r.code, "err", err)
	}
}

// Member is one connection in a class.
type Member struct {
	room     *room
	id, name string
	teacher  bool
	out      Outbox
	// limit paces the member's messages other than class_drive (which
	// coalesces): each costs a round trip to the bus.
	limit     *rate.Limiter
	mu        sync.Mutex
	following bool
	left      bool
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

// Teacher reports whether the member joined with the teacher's token.
func (m *Member) Teacher() bool { return m.teacher }

// Code is the member's class.
func (m *Member) Code() string { return m.room.code }

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
		ctx, cancel := context.WithTimeout(context.Background(), busTimeout)
		r.bus.kv.Delete(ctx, keyStudent(r.code, m.id))
		cancel()
	}
	r.release()
}

// Handle serves one class message from this member; a refusal is
// returned as an *Error for the member's socket.
func (m *Member) Handle(ctx context.Context, typ string, raw []byte) error {
	r := m.room
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
		if _, err := updateJSON(ctx, r.bus.kv, keyMeta(r.code), false, func(mt *meta) (bool, error) { mt.Mode = msg.Mode; return true, nil }); err != nil {
			return err
		}
		return publish(r.bus.nc, subjectAll(r.code), encode(map[string]string{"type": TypeMode, "mode": msg.Mode}), "")
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
		if _, err := updateJSON(ctx, r.bus.kv, keyMeta(r.code), false, func(mt *meta) (bool, error) { mt.Names = msg.Show; return true, nil }); err != nil {
			return err
		}
		if err := publish(r.bus.nc, subjectTeachers(r.code), encode(map[string]any{"type": TypeNames, "show": msg.Show}), ""); err != nil {
			return err
		}
		return r.republishPanels(ctx, msg.Show)
	case TypeSection:
		if err := teacherOnly(); err != nil {
			return err
		}
		var msg struct {
			Section int `json:"section"`
		}
		if err := decodeMessage(raw, &msg); err != nil {
			return err
		}
		if msg.Section < -1 || msg.Section > maxSection {
			return errorf("section", "must be -1 (above the lesson) to %d, got %d", maxSection, msg.Section)
		}
		return publish(r.bus.nc, subjectAll(r.code), encode(map[string]any{"type": TypeSection, "section": msg.Section}), CoalesceSection)
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
		cctx, cancel := context.WithTimeout(ctx, busTimeout)
		defer cancel()
		_, err := r.bus.kv.Put(cctx, keyStudent(r.code, m.id), encode(rosterEntry{Name: m.name, Following: msg.Following}))
		return err
	case TypeQuestion:
		if err := teacherOnly(); err != nil {
			return err
		}
		return r.launch(ctx, raw)
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
	}
	return errorf("type", "unknown class message type %s", strconv.Quote(typ))
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

// republishPanels re-sends the histogram and snapshots to teachers after
// names were switched on or off.
func (r *room) republishPanels(ctx context.Context, names bool) error {
	if p, _, err := getJSON[poll](ctx, r.bus.kv, keyPoll(r.code)); err == nil {
		publish(r.bus.nc, subjectTeachers(r.code), p.histogram(names), CoalesceHistogram)
	}
	if s, _, err := getJSON[snapshots](ctx, r.bus.kv, keySnaps(r.code)); err == nil {
		publish(r.bus.nc, subjectTeachers(r.code), s.message(names), CoalesceSnapshots)
	}
	return nil
}
