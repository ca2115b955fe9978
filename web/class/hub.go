// Package class runs live classes: a teacher drives a loss page, students
// follow on their own devices, answer questions and send snapshots. A
// class lives on a NATS bus (bus.go), so that any number of replicas can
// hold its members; the replica a teacher is connected to computes each
// state once and publishes it, and every replica fans the same bytes out
// to its students.
package class

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/time/rate"
)

// Limits bound what classes may cost.
type Limits struct {
	// MaxStudents caps the students of one class.
	MaxStudents int
	// Idle is how long a class lives without a join or a change.
	Idle time.Duration
	// CreateEvery and CreateBurst rate-limit class creation per address.
	CreateEvery time.Duration
	CreateBurst int
	// MissEvery and MissBurst rate-limit lookups of codes that do not
	// exist, per address, so that codes cannot be enumerated.
	MissEvery time.Duration
	MissBurst int
}

// DefaultLimits suit a lecture hall: 500 students (a 200-person class,
// twice over), classes gone after 6 idle hours, 10 classes an address
// at once and one more every 6 minutes, 10 wrong codes at once and one
// more every 6 seconds (10⁹ codes take centuries).
var DefaultLimits = Limits{
	MaxStudents: 500,
	Idle:        6 * time.Hour,
	CreateEvery: 6 * time.Minute,
	CreateBurst: 10,
	MissEvery:   6 * time.Second,
	MissBurst:   10,
}

// Options configure a Hub.
type Options struct {
	Log *slog.Logger
	// NATSURL is an external NATS server shared by replicas; empty runs
	// an embedded one in this process, started on first use.
	NATSURL string
	Limits  Limits
	// NewComputer returns a Computer for one class's driver goroutine.
	NewComputer func() Computer
	// PageDrive checks a lesson plan's pages and turns them into drives
	// (plan.go); nil refuses plans and page drives.
	PageDrive PageDrive
}

// Computer turns a drive into what a page shows: it is the WebSocket's own
// compute path.
// ctx ends when the class leaves this replica.
type Computer func(ctx context.Context, d *Drive) (*Computed, error)

// Drive is a state the teacher puts on every screen.
type Drive struct {
	ID     int64                      `json:"id"`
	Loss   string                     `json:"loss"`
	Params map[string]json.RawMessage `json:"params"`
	Inputs map[string]json.RawMessage `json:"inputs"`
	Detail bool                       `json:"detail"`
	View   json.RawMessage            `json:"view,omitempty"`
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
}

// Hub holds this replica's part of every class: the members connected
// here and one subscription per class they are in.
type Hub struct {
	opts    Options
	log     *slog.Logger
	creates *addrLimiter
	misses  *addrLimiter

	busMu sync.Mutex
	bus   *Bus

	mu     sync.Mutex
	rooms  map[string]*room
	closed bool
}

// NewHub returns a hub; it connects to NATS on first use.
func NewHub(opts Options) *Hub {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Limits == (Limits{}) {
		opts.Limits = DefaultLimits
	}
	return &Hub{
		opts:    opts,
		log:     opts.Log,
		creates: newAddrLimiter(opts.Limits.CreateEvery, opts.Limits.CreateBurst),
		misses:  newAddrLimiter(opts.Limits.MissEvery, opts.Limits.MissBurst),
		rooms:   map[string]*room{},
	}
}

// ErrUnavailable reports that the bus cannot be reached.
var ErrUnavailable = errors.New("classes are unavailable: the message bus cannot be reached")

func (h *Hub) getBus(ctx context.Context) (*Bus, error) {
	h.busMu.Lock()
	defer h.busMu.Unlock()
	if h.bus != nil {
		return h.bus, nil
	}
	var b *Bus
	var err error
	if h.opts.NATSURL != "" {
		b, err = ConnectURL(ctx, h.opts.NATSURL, h.opts.Limits.Idle)
	} else {
		dir, derr := os.MkdirTemp("", "lossplayground-nats-")
		if derr != nil {
			return nil, derr
		}
		ns, serr := EmbeddedServer(false, dir)
		if serr != nil {
			return nil, serr
		}
		b, err = ConnectEmbedded(ctx, ns, h.opts.Limits.Idle)
		if err != nil {
			ns.Shutdown()
		} else {
			b.embedded = ns
		}
	}
	if err != nil {
		h.log.Error("class bus", "err", err)
		return nil, ErrUnavailable
	}
	h.bus = b
	return b, nil
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

// meta is a class's settings, in the bucket.
type meta struct {
	Code      string    `json:"code"`
	TokenHash string    `json:"token_hash"`
	Created   time.Time `json:"created"`
	Mode      string    `json:"mode"`
	Names     bool      `json:"names"`
}

// ErrRateLimited refuses an address that asked too often.
var ErrRateLimited = errors.New("too many requests from this address; wait a minute")

// ErrNotFound reports a code that names no live class.
var ErrNotFound = errors.New("no class has this code (it may have expired)")

// Create starts a class and returns its code and the teacher's token.
func (h *Hub) Create(ctx context.Context, addr string) (code, token string, err error) {
	if !h.creates.allow(addr) {
		return "", "", ErrRateLimited
	}
	b, err := h.getBus(ctx)
	if err != nil {
		return "", "", err
	}
	token = newToken()
	for range 8 {
		code = newCode()
		m := meta{Code: code, TokenHash: tokenHash(token), Created: time.Now().UTC(), Mode: ModeFollow}
		cctx, cancel := context.WithTimeout(ctx, busTimeout)
		_, err = b.kv.Create(cctx, keyMeta(code), encode(m))
		cancel()
		if err == nil {
			return code, token, nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return "", "", fmt.Errorf("class: create: %w", err)
		}
	}
	return "", "", fmt.Errorf("class: create: no free code after 8 draws")
}

// Lookup checks that code names a live class. Misses count against the
// address's join budget.
func (h *Hub) Lookup(ctx context.Context, code, addr string) error {
	_, _, err := h.lookup(ctx, code, addr)
	return err
}

func (h *Hub) lookup(ctx context.Context, code, addr string) (*Bus, *meta, error) {
	code, ok := NormalizeCode(code)
	if !ok {
		if !h.misses.allow(addr) {
			return nil, nil, ErrRateLimited
		}
		return nil, nil, ErrNotFound
	}
	b, err := h.getBus(ctx)
	if err != nil {
		return nil, nil, err
	}
	m, _, err := getJSON[meta](ctx, b.kv, keyMeta(code))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		if !h.misses.allow(addr) {
			return nil, nil, ErrRateLimited
		}
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	return b, m, nil
}

// Current is the class's current page, for a student's first load.
type Current struct {
	Loss, Slug, Query string
	// Page is the site path of a page that is not a loss page (Slug is
	// then empty).
	Page string
}

// CurrentPage returns the page the class is on, or nil before the
// teacher's first change.
func (h *Hub) CurrentPage(ctx context.Context, code string) (*Current, error) {
	b, err := h.getBus(ctx)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, busTimeout)
	defer cancel()
	e, err := b.kv.Get(cctx, keyState(code))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var s struct {
		Loss  string `json:"loss"`
		Slug  string `json:"slug"`
		Query string `json:"query"`
		Page  string `json:"page"`
	}
	if err := json.Unmarshal(e.Value(), &s); err != nil {
		return nil, err
	}
	return &Current{Loss: s.Loss, Slug: s.Slug, Query: s.Query, Page: s.Page}, nil
}

// Outbox is where a member's messages go: the member's connection
// writer. Offer never blocks; a message with a coalesce key replaces an
// unwritten one with the same key.
type Outbox interface {
	Offer(msg []byte, coalesce string)
}

// JoinRequest is a class_join or class_teach message.
type JoinRequest struct {
	Code  string
	Name  string // students
	Token string // teachers
	Addr  string // client address, for rate limits
}

// Join adds a student (teacher false) or a teacher to a class. The member
// receives class_joined and then the class's current state, mode and
// question.
func (h *Hub) Join(ctx context.Context, req JoinRequest, teacher bool, out Outbox) (*Member, error) {
	b, m, err := h.lookup(ctx, req.Code, req.Addr)
	if err != nil {
		return nil, err
	}
	if teacher && !tokenMatches(req.Token, m.TokenHash) {
		// A wrong token is a miss as well: tokens cannot be guessed
		// faster than codes.
		h.misses.allow(req.Addr)
		return nil, errorf("token", "not this class's teacher token")
	}
	r, err := h.room(ctx, b, m.Code)
	if err != nil {
		return nil, err
	}
	mem := &Member{room: r, id: newID(), teacher: teacher, out: out, following: true,
		limit: rate.NewLimiter(memberRate, memberBurst)}
	if !teacher {
		mem.name = cleanName(req.Name)
		if mem.name == "" {
			mem.name = anonymousName()
		}
	}
	if err := r.add(ctx, mem, m); err != nil {
		r.release()
		return nil, err
	}
	r.touch(ctx, true)
	return mem, nil
}

// room returns the replica's room for a class, subscribing to it on first
// use. The caller must release it (Member.Leave does).
func (h *Hub) room(ctx context.Context, b *Bus, code string) (*room, error) {
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
// create is set. change returns false to leave the value alone.
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
