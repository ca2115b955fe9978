// Package class runs live classes: a teacher drives a loss page, students
// follow on their own devices, answer questions and send snapshots. A
// class lives on a NATS bus (bus.go), so that any number of replicas can
// hold its members; the replica a teacher is connected to computes each
// state once and publishes it, and every replica fans the same bytes out
// to its students.
//
// What the package guarantees, whatever clients send and whatever the bus
// does: every number is checked before arithmetic, every bus handler and
// message recovers a panic and keeps the class alive, a class state is
// checked like a page request before it is stored, answers are one key
// per student per question and acknowledged once stored, the store has a
// byte budget, and an outage answers ErrUnavailable at once.
package class

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lossplayground/playground/i18n"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Limits bound what classes may cost. A zero field takes DefaultLimits'.
type Limits struct {
	// MaxStudents caps the students of one class (on one replica
	// exactly; across replicas within a heartbeat).
	MaxStudents int
	// Idle is how long a class's keys live without being written.
	Idle time.Duration
	// CreateEvery and CreateBurst rate-limit class creation per address.
	CreateEvery time.Duration
	CreateBurst int
	// MissEvery and MissBurst rate-limit lookups of codes that do not
	// exist and wrong teacher tokens, per address, so that neither can
	// be enumerated. An address over budget is refused every lookup,
	// of a live code too.
	MissEvery time.Duration
	MissBurst int
	// StoreBytes is the bucket's byte budget, for every class together.
	StoreBytes int64
	// ClassBytes is one class's byte budget in the store.
	ClassBytes int64
	// RetainBytes bounds the class states this replica keeps in memory
	// for members who join; beyond it they are read from the store.
	RetainBytes int64
}

// DefaultLimits suit a lecture hall: 500 students (a 200-person class,
// twice over), classes gone after 6 idle hours, 10 classes an address
// at once and one more every 6 minutes, 10 wrong codes at once and one
// more every 6 seconds (10⁹ codes take centuries), a 256 MiB store of
// which one class may take 24 MiB, and 256 MiB of states in memory.
var DefaultLimits = Limits{
	MaxStudents: 500,
	Idle:        6 * time.Hour,
	CreateEvery: 6 * time.Minute,
	CreateBurst: 10,
	MissEvery:   6 * time.Second,
	MissBurst:   10,
	StoreBytes:  256 << 20,
	ClassBytes:  24 << 20,
	RetainBytes: 256 << 20,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxStudents == 0 {
		l.MaxStudents = d.MaxStudents
	}
	if l.Idle == 0 {
		l.Idle = d.Idle
	}
	if l.CreateEvery == 0 {
		l.CreateEvery = d.CreateEvery
	}
	if l.CreateBurst == 0 {
		l.CreateBurst = d.CreateBurst
	}
	if l.MissEvery == 0 {
		l.MissEvery = d.MissEvery
	}
	if l.MissBurst == 0 {
		l.MissBurst = d.MissBurst
	}
	if l.StoreBytes == 0 {
		l.StoreBytes = d.StoreBytes
	}
	if l.ClassBytes == 0 {
		l.ClassBytes = d.ClassBytes
	}
	if l.RetainBytes == 0 {
		l.RetainBytes = d.RetainBytes
	}
	return l
}

// Options configure a Hub.
type Options struct {
	Log *slog.Logger
	// NATSURL is an external NATS server shared by replicas; empty runs
	// an embedded one in this process, started on first use. User and
	// password or a token may ride in the URL.
	NATSURL string
	// NATSCreds is a credentials file for NATSURL.
	NATSCreds string
	Limits    Limits
	// NewComputer returns a Computer for one class's driver goroutine.
	NewComputer func() Computer
	// PageDrive checks a lesson plan's pages and turns them into drives
	// (plan.go); nil refuses plans and page drives.
	PageDrive PageDrive
	// CheckPage checks a page a class would show (a loss by its PyTorch
	// name and the page's query) as the page itself would: an error
	// refuses the drive or snapshot before it is stored or fanned out.
	// An *Error names the field. Nil checks nothing.
	CheckPage func(loss, query string) error
}

// Computer turns a drive into what a page shows: it is the WebSocket's own
// compute path. ctx ends when the class leaves this replica.
type Computer func(ctx context.Context, d *Drive) (*Computed, error)

// Drive is a state the teacher puts on every screen.
type Drive struct {
	ID     int64                      `json:"id"`
	Loss   string                     `json:"loss"`
	Params map[string]json.RawMessage `json:"params"`
	Inputs map[string]json.RawMessage `json:"inputs"`
	Detail bool                       `json:"detail"`
	View   json.RawMessage            `json:"view,omitempty"`
	// DType is "float32" when the page computes in float32 (issue 18).
	DType string `json:"dtype,omitempty"`
	// Query is the page's permalink query, for students' URLs.
	Query string `json:"query"`
	// Page, without Loss, is a page that is not a loss page (a
	// comparison or lesson page: a site path with its query), shown
	// without a computation (plan.go).
	Page string `json:"page,omitempty"`

	origin string
	from   *Member // who drove, for errors
	after  func()  // runs once the state is out (a plan step's question)
}

// Computed is a drive's answer.
type Computed struct {
	Slug string
	// Result is exactly what POST /api/v1/losses/{Name} answers.
	Result json.RawMessage
	// Reply is the WebSocket result message a page renders (charts ...).
	Reply json.RawMessage
	// Query, when set, replaces the drive's query in the class state:
	// the page's query built from what was computed, so that a student's
	// page renders exactly this state.
	Query string
}

// Hub holds this replica's part of every class: the members connected
// here and one subscription per class they are in.
type Hub struct {
	opts    Options
	limits  Limits
	log     *slog.Logger
	blog    *busLog // rate-limited, for failures before a bus exists
	replica string  // this hub's id in presence heartbeats
	creates *addrLimiter
	misses  *addrLimiter
	store   storeBudget

	busMu sync.Mutex
	bus   *natsBus

	mu       sync.Mutex
	rooms    map[string]*room
	closed   bool
	retained atomic.Int64 // bytes of states rooms keep in memory
}

// NewHub returns a hub; it connects to NATS on first use.
func NewHub(opts Options) *Hub {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	lim := opts.Limits.withDefaults()
	return &Hub{
		opts:    opts,
		limits:  lim,
		log:     opts.Log,
		blog:    newBusLog(opts.Log),
		replica: newID(),
		creates: newAddrLimiter(lim.CreateEvery, lim.CreateBurst),
		misses:  newAddrLimiter(lim.MissEvery, lim.MissBurst),
		store:   storeBudget{limit: lim.StoreBytes},
		rooms:   map[string]*room{},
	}
}

// Errors a caller maps to a status: ErrUnavailable 503, ErrRateLimited
// 429 (a *RateLimitError says how long to wait), ErrNotFound 404,
// ErrEnded 410 (or 404: it wraps ErrNotFound), ErrToken 401.
var (
	ErrUnavailable = errors.New("classes are unavailable: the message bus cannot be reached; try again in a moment")
	ErrRateLimited = errors.New("too many requests from this address")
	ErrNotFound    = errors.New("no class has this code (it may have expired)")
	ErrEnded       = fmt.Errorf("%w: this class has ended", ErrNotFound)
	ErrToken       = errors.New("not this class's teacher token")
)

// RateLimitError refuses an address that asked too often; RetryAfter is
// when its next request will be allowed.
type RateLimitError struct {
	What       string // "classes" or "wrong codes"
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	wait := e.RetryAfter.Round(time.Second)
	if wait < time.Second {
		wait = time.Second
	}
	return fmt.Sprintf("too many %s from this address; try again in %s", e.What, humanDuration(wait))
}

// Is makes errors.Is(err, ErrRateLimited) true.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// humanDurationIn words a wait in lang as humanDuration does in English.
func humanDurationIn(d time.Duration, lang string) string {
	if i18n.Lang(lang) == i18n.Languages[0] {
		return humanDuration(d)
	}
	d = max(d.Round(time.Second), time.Second)
	if d >= time.Minute {
		return i18n.T(lang, "class.err.ws.minutes", int(math.Ceil(d.Minutes())))
	}
	return i18n.T(lang, "class.err.ws.seconds", int(math.Ceil(d.Seconds())))
}

// humanDuration words a wait: "6 minutes", "40 seconds".
func humanDuration(d time.Duration) string {
	if d >= time.Minute {
		m := int(math.Ceil(d.Minutes()))
		if m == 1 {
			return "1 minute"
		}
		return fmt.Sprintf("%d minutes", m)
	}
	s := int(math.Ceil(d.Seconds()))
	if s == 1 {
		return "1 second"
	}
	return fmt.Sprintf("%d seconds", s)
}

// getBus returns the bus, dialing it on first use. An external server that
// is down still gives a bus, which is unavailable until the server answers.
func (h *Hub) getBus() (*natsBus, error) {
	h.busMu.Lock()
	defer h.busMu.Unlock()
	if h.bus != nil {
		return h.bus, nil
	}
	h.mu.Lock()
	closed := h.closed
	h.mu.Unlock()
	if closed {
		return nil, ErrUnavailable
	}
	b, err := dial(busOptions{URL: h.opts.NATSURL, Creds: h.opts.NATSCreds, StoreBytes: h.limits.StoreBytes, Idle: h.limits.Idle}, h.log)
	if err != nil {
		h.blog.errorf("class bus", err)
		return nil, ErrUnavailable
	}
	b.onReady = h.reconnected
	h.bus = b
	if b.Ready() {
		// The bucket opened inside dial, before onReady was set.
		go h.reconnected()
	}
	return b, nil
}

// kv returns the bus and its bucket, or ErrUnavailable at once.
func (h *Hub) kv() (*natsBus, jetstream.KeyValue, error) {
	b, err := h.getBus()
	if err != nil {
		return nil, nil, err
	}
	kv, err := b.bucket()
	if err != nil {
		return nil, nil, err
	}
	return b, kv, nil
}

// reconnected runs after the bucket was (re)created: every room checks
// that its class survived, and ends it for its members if not.
func (h *Hub) reconnected() {
	h.mu.Lock()
	rooms := make([]*room, 0, len(h.rooms))
	for _, r := range h.rooms {
		rooms = append(rooms, r)
	}
	h.mu.Unlock()
	for _, r := range rooms {
		go r.resume()
	}
}

// Close leaves every class and closes the bus.
func (h *Hub) Close() {
	h.mu.Lock()
	h.closed = true
	rooms := h.rooms
	h.rooms = map[string]*room{}
	h.mu.Unlock()
	for _, r := range rooms {
		r.stop()
	}
	h.busMu.Lock()
	defer h.busMu.Unlock()
	if h.bus != nil {
		h.bus.Close()
		h.bus = nil
	}
}

// meta is a class's settings, in the bucket. Its writers are the teacher's
// messages and the idle clock, so compare-and-swap never contends.
type meta struct {
	Code      string    `json:"code"`
	TokenHash string    `json:"token_hash"`
	Created   time.Time `json:"created"`
	Mode      string    `json:"mode"`
	Names     bool      `json:"names"`
	// NamesShown is set once names were shown: results then carry them.
	NamesShown bool `json:"names_shown,omitempty"`
	// Key signs students' resume tokens, so that identities need no
	// key per student.
	Key string `json:"key"`
	// Poll is the current question's id; Questions every question asked,
	// in order.
	Poll      string   `json:"poll,omitempty"`
	Questions []string `json:"questions,omitempty"`
	// Removed are the students the teacher removed (remove.go): their
	// resume tokens no longer join.
	Removed []string `json:"removed,omitempty"`
	Ended   bool     `json:"ended,omitempty"`
}

// maxQuestions bounds the questions of one class (a lecture asks a few
// dozen), and so its results.
const maxQuestions = 200

// Create starts a class and returns its code and the teacher's token.
func (h *Hub) Create(ctx context.Context, addr string) (code, token string, err error) {
	// The bus first: an outage spends no address's budget.
	b, kv, err := h.kv()
	if err != nil {
		return "", "", err
	}
	if wait := h.creates.take(addr); wait > 0 {
		return "", "", &RateLimitError{What: "classes", RetryAfter: wait}
	}
	token = newToken()
	for range 8 {
		code = newCode()
		m := meta{Code: code, TokenHash: tokenHash(token), Created: time.Now().UTC(), Mode: ModeFollow, Key: newSecret()}
		v := encode(m)
		if err := h.reserve(ctx, kv, int64(len(v)), false); err != nil {
			return "", "", err
		}
		cctx, cancel := context.WithTimeout(ctx, busTimeout)
		_, err = kv.Create(cctx, keyMeta(code), v)
		cancel()
		if err == nil {
			return code, token, nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return "", "", h.busError(b, "class create", err)
		}
	}
	return "", "", fmt.Errorf("class: create: no free code after 8 draws")
}

// busError turns a bus failure into what a client may hear: an outage is
// ErrUnavailable (logged rate-limited), a refusal stays itself.
func (h *Hub) busError(b *natsBus, what string, err error) error {
	var ce *Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ce), errors.Is(err, ErrUnavailable), errors.Is(err, ErrNotFound),
		errors.Is(err, ErrRateLimited), errors.Is(err, ErrToken), errors.Is(err, context.Canceled):
		return err
	}
	if b != nil {
		b.log.errorf(what, err)
	} else {
		h.blog.errorf(what, err)
	}
	return ErrUnavailable
}

// Lookup checks that code names a live class. The address's wrong-code
// budget is checked first, so that an address over it learns nothing,
// and every miss spends it.
// An ended class is still found until it expires: its teacher's
// dashboard offers the results; joining it is ErrEnded.
func (h *Hub) Lookup(ctx context.Context, code, addr string) error {
	_, _, err := h.lookup(ctx, code, addr)
	return err
}

func (h *Hub) lookup(ctx context.Context, code, addr string) (*natsBus, *meta, error) {
	if wait := h.misses.wait(addr); wait > 0 {
		return nil, nil, &RateLimitError{What: "wrong codes", RetryAfter: wait}
	}
	code, ok := NormalizeCode(code)
	if !ok {
		h.misses.take(addr)
		return nil, nil, ErrNotFound
	}
	b, kv, err := h.kv()
	if err != nil {
		return nil, nil, err
	}
	m, _, err := getJSON[meta](ctx, kv, keyMeta(code))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		h.misses.take(addr)
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, h.busError(b, "class lookup", err)
	}
	return b, m, nil
}

// checkToken compares a teacher token with the class's, spending the
// address's miss budget on a wrong one.
func (h *Hub) checkToken(m *meta, token, addr string) error {
	if !tokenMatches(token, m.TokenHash) {
		h.misses.take(addr)
		return ErrToken
	}
	return nil
}

// Current is the class's current page, for a student's first load.
type Current struct {
	Loss, Slug, Query string
	// Page is the site path of a page that is not a loss page (Slug is
	// then empty).
	Page string
	// Seq is the state's sequence number: a page navigates to a state
	// at most once per seq.
	Seq int64
}

// CurrentPage returns the page the class is on, or nil before the
// teacher's first change.
func (h *Hub) CurrentPage(ctx context.Context, code string) (*Current, error) {
	b, kv, err := h.kv()
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, busTimeout)
	defer cancel()
	e, err := kv.Get(cctx, keyState(code))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, h.busError(b, "class current page", err)
	}
	var s struct {
		Loss  string `json:"loss"`
		Slug  string `json:"slug"`
		Query string `json:"query"`
		Page  string `json:"page"`
		Seq   int64  `json:"seq"`
	}
	if err := json.Unmarshal(e.Value(), &s); err != nil {
		return nil, fmt.Errorf("class %s: state: %w", code, err)
	}
	return &Current{Loss: s.Loss, Slug: s.Slug, Query: s.Query, Seq: s.Seq, Page: s.Page}, nil
}

// Outbox is where a member's messages go: the member's connection
// writer. Offer never blocks; a message with a coalesce key replaces an
// unwritten one with the same key. Offer is called with the class's lock
// held: it must not call back into the class (Leave, Handle).
type Outbox interface {
	Offer(msg []byte, coalesce string)
}

// JoinRequest is a class_join or class_teach message.
type JoinRequest struct {
	Code  string
	Name  string // students
	Token string // teachers
	// Resume is the secret a student's earlier class_joined carried: the
	// student comes back with the same id, name and answers.
	Resume string
	// Lang is the member's language ("en", "zh"): questions and reveals
	// come from its lessons.
	Lang string
	Addr string // client address, for rate limits
}

// Join adds a student (teacher false) or a teacher to a class. The member
// receives class_joined and then the class's current state, mode and
// question.
func (h *Hub) Join(ctx context.Context, req JoinRequest, teacher bool, out Outbox) (mem *Member, err error) {
	defer h.recoverTo(req.Code, &err)
	_, m, err := h.lookup(ctx, req.Code, req.Addr)
	if err != nil {
		return nil, err
	}
	if m.Ended {
		return nil, ErrEnded
	}
	mem = &Member{teacher: teacher, out: out, following: true, lang: lang(req.Lang), limit: newMemberLimiter()}
	if teacher {
		if err := h.checkToken(m, req.Token, req.Addr); err != nil {
			return nil, err
		}
	} else if req.Resume != "" {
		sid, name, ok := openResume(m, req.Resume)
		if !ok {
			h.misses.take(req.Addr)
			return nil, errorf("resume", "not a resume token of class %s", m.Code)
		}
		if slices.Contains(m.Removed, sid) {
			return nil, errorf("resume", "the teacher removed you from class %s", m.Code)
		}
		mem.sid, mem.name = sid, name
	} else {
		mem.sid = newID()
		mem.name = cleanName(req.Name)
		if mem.name == "" {
			mem.name = anonymousName(mem.lang)
		}
	}
	r, err := h.room(ctx, m.Code)
	if err != nil {
		return nil, err
	}
	mem.room = r
	if err := r.add(ctx, mem, m); err != nil {
		r.release()
		return nil, err
	}
	r.touch(ctx, false)
	return mem, nil
}

// recoverTo turns a panic into an internal error, logged with the class
// code and the stack, so that one bad message never takes a replica down.
func (h *Hub) recoverTo(code string, err *error) {
	if v := recover(); v != nil {
		h.log.Error("class panic", "code", code, "panic", v, "stack", string(debug.Stack()))
		*err = errorf("", "class: internal error")
	}
}

// room returns the replica's room for a class, subscribing to it on first
// use. The caller must release it (Member.Leave does).
func (h *Hub) room(ctx context.Context, code string) (*room, error) {
	b, err := h.getBus()
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, ErrUnavailable
	}
	r := h.rooms[code]
	if r == nil {
		r = newRoom(h, b, code)
		h.rooms[code] = r
	}
	r.refs++
	h.mu.Unlock()
	if err := r.waitStarted(ctx); err != nil {
		r.release()
		return nil, err
	}
	return r, nil
}

// getJSON reads a key as JSON with its revision.
func getJSON[T any](ctx context.Context, kv jetstream.KeyValue, key string) (*T, uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, busTimeout)
	defer cancel()
	e, err := kv.Get(ctx, key)
	if err != nil {
		return nil, 0, err
	}
	v := new(T)
	if err := json.Unmarshal(e.Value(), v); err != nil {
		return nil, 0, fmt.Errorf("class: %s: %w", key, err)
	}
	return v, e.Revision(), nil
}

// updateJSON applies change to a key's JSON value with compare-and-swap,
// retrying on a concurrent writer; a missing key starts from zero when
// create is set. change returns false to leave the value alone. Only keys
// with few writers use it (a class's settings, its snapshot list).
func updateJSON[T any](ctx context.Context, kv jetstream.KeyValue, key string, create bool, change func(*T) (bool, error)) (*T, error) {
	for range 50 {
		v, rev, err := getJSON[T](ctx, kv, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) && create {
			v, rev, err = new(T), 0, nil
		}
		if err != nil {
			return nil, err
		}
		ok, err := change(v)
		if err != nil || !ok {
			return v, err
		}
		cctx, cancel := context.WithTimeout(ctx, busTimeout)
		if rev == 0 {
			_, err = kv.Create(cctx, key, encode(v))
		} else {
			_, err = kv.Update(cctx, key, encode(v), rev)
		}
		cancel()
		if err == nil {
			return v, nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) && !isWrongSequence(err) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("class: %s: too many concurrent updates", key)
}

func isWrongSequence(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence || apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant)
}

// publish sends msg on subject with an optional coalesce key.
func publish(nc *nats.Conn, subject string, msg []byte, coalesce string) error {
	if !nc.IsConnected() {
		return ErrUnavailable
	}
	m := nats.NewMsg(subject)
	m.Data = msg
	if coalesce != "" {
		m.Header.Set(headerCoalesce, coalesce)
	}
	return nc.PublishMsg(m)
}

const headerCoalesce = "Lp-Coalesce"

// Stats counts this replica's part of the classes: the classes with a
// member here, and those members (students and teachers).
func (h *Hub) Stats() (classes, members int) {
	h.mu.Lock()
	rooms := make([]*room, 0, len(h.rooms))
	for _, r := range h.rooms {
		rooms = append(rooms, r)
	}
	h.mu.Unlock()
	for _, r := range rooms {
		r.mu.Lock()
		members += len(r.members)
		r.mu.Unlock()
	}
	return len(rooms), members
}

// Retained is the bytes of class states this replica keeps in memory.
func (h *Hub) Retained() int64 { return h.retained.Load() }
