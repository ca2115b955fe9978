package class

import (
	"context"
	"encoding/json"
	"errors"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// room is one class on this replica: its local members, one subscription
// to the class's subjects, and this replica's view of the class: who is
// present on every replica (from heartbeats), the current question and
// its answers, the last state.
type room struct {
	hub  *Hub
	bus  *natsBus
	code string
	refs int // guarded by hub.mu

	started chan struct{} // closed when the subscription and the class are loaded
	err     error         // why starting failed
	ctx     context.Context
	cancel  context.CancelFunc
	dirty   chan struct{} // local presence changed

	mu        sync.Mutex
	members   map[*Member]struct{}
	remote    map[string]*replicaView // other replicas' students, by replica
	names     bool                    // the teacher shows names
	poll      *poll                   // the current question
	answers   map[string]vote         // its answers, by student id
	lastState []byte                  // nil when over the hub's retain budget
	lastSeq   int64
	stateSize int // bytes of the stored state
	snapsSize int // bytes of the stored snapshot list
	roster    string
	touched   time.Time
	driver    *driver
	sub       *nats.Subscription
	ended     bool
}

// Presence: every replica with members in a class publishes its students
// on the class's presence subject every presenceEvery, and at once (after
// presenceDebounce) when they change; a replica not heard from for
// presenceTimeout is gone, and its students with it. Nothing of it is
// stored.
const (
	presenceEvery    = 1500 * time.Millisecond
	presenceTimeout  = 5 * time.Second
	presenceDebounce = 50 * time.Millisecond
)

type replicaView struct {
	students []presenceStudent
	seen     time.Time
}

type presenceStudent struct {
	ID        string `json:"id"`
	Name      string `json:"n"`
	Following bool   `json:"f"`
}

type presenceMsg struct {
	Replica  string            `json:"r"`
	Students []presenceStudent `json:"s"`
	Bye      bool              `json:"bye,omitempty"`
}

// control is an event that changes every replica's view of the class.
type control struct {
	Event string          `json:"ev"`
	SID   string          `json:"sid,omitempty"` // eventRemove's student
	Poll  *poll           `json:"poll,omitempty"`
	Votes map[string]vote `json:"votes,omitempty"`
}

const (
	eventQuestion = "question"
	eventReveal   = "reveal"
	eventEnd      = "end"
)

func newRoom(h *Hub, b *natsBus, code string) *room {
	ctx, cancel := context.WithCancel(context.Background())
	r := &room{hub: h, bus: b, code: code, started: make(chan struct{}), ctx: ctx, cancel: cancel,
		dirty: make(chan struct{}, 1), members: map[*Member]struct{}{}, remote: map[string]*replicaView{},
		answers: map[string]vote{}}
	go r.run(ctx)
	return r
}

// run subscribes to the class and loads it, then keeps the presence
// heartbeat going until the room stops.
func (r *room) run(ctx context.Context) {
	defer r.recover("room")
	sub, err := r.bus.conn().Subscribe(subjectClassAny(r.code), r.onMessage)
	if err == nil {
		// Fan-out must not stall on a slow consumer limit: a room's
		// members take every message into their own latest-wins outbox.
		sub.SetPendingLimits(-1, -1)
		r.mu.Lock()
		r.sub = sub
		r.mu.Unlock()
		err = r.load(ctx)
	}
	r.err = err
	close(r.started)
	if err != nil {
		return
	}
	tick := time.NewTicker(presenceEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return // stop said goodbye
		case <-tick.C:
		case <-r.dirty:
			select { // batch a burst of joins into one heartbeat
			case <-ctx.Done():
			case <-time.After(presenceDebounce):
			}
		}
		r.publishPresence(false)
		r.expire()
	}
}

// recover logs a panic in one of the room's goroutines or handlers with
// the class code, and keeps the class alive.
func (r *room) recover(where string) {
	if v := recover(); v != nil {
		r.hub.log.Error("class panic", "code", r.code, "in", where, "panic", v, "stack", string(debug.Stack()))
	}
}

// load reads the class's current state, question and answers.
func (r *room) load(ctx context.Context) error {
	_, kv, err := r.hub.kv()
	if err != nil {
		return err
	}
	m, _, err := getJSON[meta](ctx, kv, keyMeta(r.code))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	var st []byte
	cctx, cancel := context.WithTimeout(ctx, busTimeout)
	if e, err := kv.Get(cctx, keyState(r.code)); err == nil {
		st = e.Value()
	}
	cancel()
	var p *poll
	votes := map[string]vote{}
	if m.Poll != "" {
		if p, _, err = getJSON[poll](ctx, kv, keyPoll(r.code, m.Poll)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			return err
		}
		if p != nil {
			if votes, err = loadVotes(ctx, kv, r.code, p.QID); err != nil {
				return err
			}
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.names, r.ended = m.Names, m.Ended
	switch {
	case p == nil:
	case r.poll != nil && r.poll.QID == p.QID:
		// Answers may have arrived as events while the store was read.
		r.poll = p
		for sid, v := range votes {
			r.answers[sid] = v
		}
	default:
		// A first load, or a question asked while this replica was
		// away from the bus: the store knows.
		r.poll, r.answers = p, votes
	}
	if st != nil {
		if seq := stateSeq(st); seq >= r.lastSeq {
			r.keepState(st, seq)
		}
	}
	return nil
}

func (r *room) waitStarted(ctx context.Context) error {
	select {
	case <-r.started:
		if errors.Is(r.err, ErrNotFound) || errors.Is(r.err, ErrUnavailable) {
			return r.err
		}
		if r.err != nil {
			r.bus.log.errorf("class room", r.err, "code", r.code)
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
	// Goodbye first, while the bus is surely open: other replicas drop
	// this one's students now instead of after presenceTimeout.
	if r.bus.Ready() {
		r.publishPresence(true)
	}
	r.cancel()
	r.mu.Lock()
	if r.sub != nil {
		r.sub.Unsubscribe()
	}
	d := r.driver
	r.driver = nil
	r.keepState(nil, r.lastSeq)
	r.mu.Unlock()
	if d != nil {
		d.stop()
	}
}

// keepState holds st as the state for members who join, within the hub's
// retain budget. Callers hold r.mu.
func (r *room) keepState(st []byte, seq int64) {
	h := r.hub
	h.retained.Add(-int64(len(r.lastState)))
	r.lastState, r.lastSeq = nil, seq
	if st != nil {
		r.stateSize = len(st)
	}
	if st == nil || h.retained.Load()+int64(len(st)) > h.limits.RetainBytes {
		return // members who join read it from the store
	}
	h.retained.Add(int64(len(st)))
	r.lastState = st
}

// resume runs after the bus came back: the class goes on if it survived
// in the store, and ends for its members if not.
func (r *room) resume() {
	defer r.recover("resume")
	ctx, cancel := context.WithTimeout(r.ctx, 2*busTimeout)
	defer cancel()
	err := r.load(ctx)
	switch {
	case errors.Is(err, ErrNotFound):
		r.endLocal(EndLost)
	case err != nil:
		r.bus.log.errorf("class resume", err, "code", r.code)
	default:
		r.presenceChanged()
		r.sendTeachers()
	}
}

// onMessage fans one bus message out to this replica's members: the same
// bytes to each, into each member's own outbox.
func (r *room) onMessage(m *nats.Msg) {
	defer r.recover("bus message " + m.Subject)
	switch m.Subject {
	case subjectState(r.code):
		r.mu.Lock()
		if seq := stateSeq(m.Data); seq >= r.lastSeq {
			r.keepState(m.Data, seq)
		}
		for mem := range r.members {
			mem.out.Offer(m.Data, CoalesceState)
		}
		r.mu.Unlock()
	case subjectAll(r.code):
		coalesce := m.Header.Get(headerCoalesce)
		r.mu.Lock()
		for mem := range r.members {
			mem.out.Offer(m.Data, coalesce)
		}
		r.mu.Unlock()
	case subjectTeachers(r.code):
		var ev struct {
			Type string `json:"type"`
			Show bool   `json:"show"`
		}
		names := json.Unmarshal(m.Data, &ev) == nil && ev.Type == TypeNames
		coalesce := m.Header.Get(headerCoalesce)
		r.mu.Lock()
		if names {
			r.names = ev.Show
		}
		for mem := range r.members {
			if mem.teacher {
				mem.out.Offer(m.Data, coalesce)
			}
		}
		r.mu.Unlock()
		if names {
			r.sendTeachers()
		}
	case subjectControl(r.code):
		var c control
		if json.Unmarshal(m.Data, &c) != nil {
			return
		}
		r.onControl(&c)
	case subjectPresence(r.code):
		var p presenceMsg
		if json.Unmarshal(m.Data, &p) != nil || p.Replica == r.hub.replica {
			return
		}
		r.mu.Lock()
		if p.Bye {
			delete(r.remote, p.Replica)
		} else {
			r.remote[p.Replica] = &replicaView{students: p.Students, seen: time.Now()}
		}
		r.mu.Unlock()
		r.sendRoster()
	case subjectAnswer(r.code):
		var ev answerEvent
		if json.Unmarshal(m.Data, &ev) != nil || !validID(ev.Vote.SID) {
			return
		}
		r.mu.Lock()
		ok := r.poll != nil && r.poll.QID == ev.QID && !r.poll.Revealed
		if ok {
			r.answers[ev.Vote.SID] = ev.Vote
		}
		r.mu.Unlock()
		if ok {
			r.sendTeachers()
		}
	}
}

// onControl applies a question, a reveal or the end of the class, and
// tells this replica's members in their own language.
func (r *room) onControl(c *control) {
	switch c.Event {
	case eventQuestion:
		if c.Poll == nil {
			return
		}
		r.mu.Lock()
		r.poll, r.answers = c.Poll, map[string]vote{}
		byLang := map[string][]byte{}
		for mem := range r.members {
			msg, ok := byLang[mem.lang]
			if !ok {
				msg = c.Poll.questionMessage(mem.lang)
				byLang[mem.lang] = msg
			}
			mem.out.Offer(msg, "")
		}
		r.mu.Unlock()
		r.sendTeachers()
	case eventReveal:
		if c.Poll == nil {
			return
		}
		votes := c.Votes
		if votes == nil {
			votes = map[string]vote{}
		}
		r.mu.Lock()
		r.poll, r.answers = c.Poll, votes
		byLang := map[string][]byte{}
		for mem := range r.members {
			msg, ok := byLang[mem.lang]
			if !ok {
				msg = c.Poll.revealMessage(votes, mem.lang)
				byLang[mem.lang] = msg
			}
			mem.out.Offer(msg, "")
		}
		r.mu.Unlock()
		r.sendTeachers()
	case eventEnd:
		r.endLocal(EndTeacher)
	case eventRemove:
		r.removeLocal(c.SID)
	}
}

// Why a class ended, in class_ended's reason.
const (
	EndTeacher = "teacher" // the teacher ended it
	EndLost    = "lost"    // the bus restarted without it
)

// endLocal ends the class for this replica's members: each receives
// class_ended and can send nothing more to the class.
func (r *room) endLocal(reason string) {
	msg := encode(map[string]string{"type": TypeEnded, "code": r.code, "reason": reason})
	r.mu.Lock()
	r.ended = true
	for mem := range r.members {
		// Ended before told: a member who reads class_ended can
		// already join another class.
		mem.mu.Lock()
		mem.ended = true
		mem.mu.Unlock()
		mem.out.Offer(msg, "")
	}
	d := r.driver
	r.driver = nil
	r.mu.Unlock()
	if d != nil {
		d.stop()
	}
}

// stateSeq reads the seq of an encoded class_state.
func stateSeq(b []byte) int64 {
	var s struct {
		Seq int64 `json:"seq"`
	}
	json.Unmarshal(b, &s)
	return s.Seq
}

// add registers a member and sends it the class as it is now. The cap
// is checked and the seat taken under one lock: concurrent joins on a
// replica never overshoot it.
func (r *room) add(ctx context.Context, mem *Member, m *meta) error {
	r.mu.Lock()
	if r.ended || m.Ended {
		r.mu.Unlock()
		return ErrEnded
	}
	if !mem.teacher {
		present := r.presentLocked()
		if _, back := present[mem.sid]; !back && len(present) >= r.hub.limits.MaxStudents {
			r.mu.Unlock()
			return errorf("code", "this class is full (%d students)", r.hub.limits.MaxStudents)
		}
	}
	r.members[mem] = struct{}{}
	joined := map[string]any{"type": TypeJoined, "code": r.code, "mode": m.Mode}
	if mem.teacher {
		joined["role"] = "teacher"
		joined["show_names"] = r.names
	} else {
		joined["role"] = "student"
		joined["name"] = mem.name
		joined["student_id"] = mem.sid
		joined["resume"] = resumeToken(m, mem.sid, mem.name)
	}
	mem.out.Offer(encode(joined), "")
	st := r.lastState
	if st != nil {
		mem.out.Offer(st, CoalesceState)
	}
	p := r.poll
	stored := r.stateSize > 0
	own, answered := r.answers[mem.sid]
	var votes map[string]vote
	if p != nil && p.Revealed {
		votes = r.answers
		mem.out.Offer(p.questionMessage(mem.lang), "")
		mem.out.Offer(p.revealMessage(votes, mem.lang), "")
	} else if p != nil {
		mem.out.Offer(p.questionMessage(mem.lang), "")
		if answered && !mem.teacher {
			mem.out.Offer(answeredMessage(p.QID, own), "")
		}
	}
	r.mu.Unlock()
	if st == nil && stored {
		// Over the retain budget: the state comes from the store.
		if _, kv, err := r.hub.kv(); err == nil {
			cctx, cancel := context.WithTimeout(ctx, busTimeout)
			if e, err := kv.Get(cctx, keyState(r.code)); err == nil {
				mem.out.Offer(e.Value(), CoalesceState)
			}
			cancel()
		}
	}
	r.sendPlan(ctx, mem)
	if mem.teacher {
		r.sendTeacher(mem)
		if _, kv, err := r.hub.kv(); err == nil {
			if s, _, err := getJSON[snapshots](ctx, kv, keySnaps(r.code)); err == nil {
				r.mu.Lock()
				mem.out.Offer(s.message(r.names), CoalesceSnapshots)
				r.mu.Unlock()
			}
		}
	} else {
		r.presenceChanged()
	}
	return nil
}

// presentLocked is every present student, on any replica, by id: a
// student with two sockets or on two replicas counts once. Callers hold
// r.mu.
func (r *room) presentLocked() map[string]presenceStudent {
	out := map[string]presenceStudent{}
	for _, v := range r.remote {
		for _, s := range v.students {
			out[s.ID] = s
		}
	}
	for mem := range r.members {
		if !mem.teacher {
			mem.mu.Lock()
			out[mem.sid] = presenceStudent{ID: mem.sid, Name: mem.name, Following: mem.following}
			mem.mu.Unlock()
		}
	}
	return out
}

// presenceChanged asks the heartbeat loop to publish now.
func (r *room) presenceChanged() {
	select {
	case r.dirty <- struct{}{}:
	default:
	}
	r.sendRoster()
}

// publishPresence sends this replica's students (or its goodbye).
func (r *room) publishPresence(bye bool) {
	msg := presenceMsg{Replica: r.hub.replica, Bye: bye, Students: []presenceStudent{}}
	r.mu.Lock()
	seen := map[string]bool{}
	for mem := range r.members {
		if mem.teacher || seen[mem.sid] {
			continue
		}
		seen[mem.sid] = true
		mem.mu.Lock()
		msg.Students = append(msg.Students, presenceStudent{ID: mem.sid, Name: mem.name, Following: mem.following})
		mem.mu.Unlock()
	}
	r.mu.Unlock()
	if err := publish(r.bus.conn(), subjectPresence(r.code), encode(msg), ""); err != nil && !errors.Is(err, ErrUnavailable) {
		r.bus.log.errorf("class presence", err, "code", r.code)
	}
}

// expire forgets replicas not heard from for presenceTimeout.
func (r *room) expire() {
	now := time.Now()
	changed := false
	r.mu.Lock()
	for id, v := range r.remote {
		if now.Sub(v.seen) > presenceTimeout {
			delete(r.remote, id)
			changed = true
		}
	}
	r.mu.Unlock()
	if changed {
		r.sendRoster()
	}
}

// rosterMessage is what teachers see of the roster: counts, and names
// only when the teacher shows them. Callers hold r.mu.
func (r *room) rosterMessage() []byte {
	type entry struct {
		ID        string `json:"student_id"`
		Name      string `json:"name,omitempty"`
		Following bool   `json:"following"`
		Answered  bool   `json:"answered"`
	}
	msg := struct {
		Type      string   `json:"type"`
		Students  int      `json:"students"`
		Following int      `json:"following"`
		Answered  int      `json:"answered"`
		Names     []string `json:"names,omitempty"`
		Exploring []string `json:"exploring,omitempty"`
		List      []entry  `json:"list"`
	}{Type: TypeRoster, List: []entry{}}
	present := r.presentLocked()
	msg.Students = len(present)
	for _, s := range present {
		_, answered := r.answers[s.ID]
		// The list is the teacher's private view: names always. What
		// the room may see (names, exploring) waits for the teacher to
		// show names.
		e := entry{ID: s.ID, Name: s.Name, Following: s.Following, Answered: answered}
		if s.Following {
			msg.Following++
		}
		if answered {
			msg.Answered++
		}
		if r.names {
			if s.Following {
				msg.Names = append(msg.Names, s.Name)
			} else {
				msg.Exploring = append(msg.Exploring, s.Name)
			}
		}
		msg.List = append(msg.List, e)
	}
	sort.Strings(msg.Names)
	sort.Strings(msg.Exploring)
	sort.Slice(msg.List, func(i, j int) bool { return msg.List[i].ID < msg.List[j].ID })
	return encode(msg)
}

// sendRoster gives this replica's teachers the roster when it changed.
// Every replica with a teacher builds it from the heartbeats itself.
func (r *room) sendRoster() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sendRosterLocked(false)
}

func (r *room) sendRosterLocked(always bool) {
	var msg []byte
	for mem := range r.members {
		if !mem.teacher {
			continue
		}
		if msg == nil {
			msg = r.rosterMessage()
			if !always && string(msg) == r.roster {
				return
			}
			r.roster = string(msg)
		}
		mem.out.Offer(msg, CoalesceRoster)
	}
}

// sendTeachers gives this replica's teachers the histogram and roster.
func (r *room) sendTeachers() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for mem := range r.members {
		if mem.teacher && r.poll != nil {
			mem.out.Offer(r.poll.histogram(r.answers, mem.lang, r.names), CoalesceHistogram)
		}
	}
	r.sendRosterLocked(true)
}

// sendTeacher gives one teacher who joined the histogram and roster.
func (r *room) sendTeacher(mem *Member) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.poll != nil {
		mem.out.Offer(r.poll.histogram(r.answers, mem.lang, r.names), CoalesceHistogram)
	}
	msg := r.rosterMessage()
	r.roster = string(msg)
	mem.out.Offer(msg, CoalesceRoster)
}

// touchEvery throttles the idle clock's refresh.
const touchEvery = time.Minute

// touch rewrites the class's settings so that the bucket's TTL starts
// again: a class expires after Limits.Idle without a join or a change.
// At most one write a minute per class and replica.
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
	b, kv, err := r.hub.kv()
	if err != nil {
		return
	}
	_, err = updateJSON(ctx, kv, keyMeta(r.code), false, func(*meta) (bool, error) { return true, nil })
	if err != nil && !errors.Is(err, context.Canceled) {
		b.log.errorf("class touch", err, "code", r.code)
	}
}

// usage estimates the class's bytes in the store: its state, snapshot
// list, questions and answers.
func (r *room) usage() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return int64(r.stateSize+r.snapsSize) + int64(len(r.answers))*maxAnswerBytes
}
