package class

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime/debug"
	"strconv"
	"sync"
	"time"
)

// driver computes a class's states on the replica of the teacher who
// drives: once per state, whatever the number of students. Latest wins:
// while one state computes, a newer drive replaces a waiting one.
type driver struct {
	room    *room
	compute Computer

	slug string // the loss of the last state, owned by loop

	mu      sync.Mutex
	pending *Drive
	wake    chan struct{}
	done    chan struct{}
	once    sync.Once
}

func (r *room) drive(d *Drive) {
	r.mu.Lock()
	if r.driver == nil {
		r.driver = &driver{room: r, compute: r.hub.opts.NewComputer(), wake: make(chan struct{}, 1), done: make(chan struct{})}
		go r.driver.loop()
	}
	dr := r.driver
	r.mu.Unlock()
	dr.mu.Lock()
	dr.pending = d
	dr.mu.Unlock()
	select {
	case dr.wake <- struct{}{}:
	default:
	}
}

func (dr *driver) stop() { dr.once.Do(func() { close(dr.done) }) }

func (dr *driver) loop() {
	defer func() {
		// A panic ends this loop, not the class: the next drive starts
		// another.
		if v := recover(); v != nil {
			r := dr.room
			r.hub.log.Error("class panic", "code", r.code, "in", "driver", "panic", v, "stack", string(debug.Stack()))
			r.mu.Lock()
			if r.driver == dr {
				r.driver = nil
			}
			r.mu.Unlock()
		}
	}()
	for {
		select {
		case <-dr.done:
			return
		case <-dr.wake:
		}
		dr.mu.Lock()
		d := dr.pending
		dr.pending = nil
		dr.mu.Unlock()
		if d != nil {
			dr.run(d)
		}
	}
}

// run computes one drive, publishes the state to every replica and
// stores it for members who join later. A state over the class's byte
// budget or the store's is refused to the teacher alone.
func (dr *driver) run(d *Drive) {
	r := dr.room
	refuse := func(err error) {
		if d.from != nil {
			d.from.out.Offer(ErrorMessage(&d.ID, err, d.from.lang), "")
		}
	}
	c, err := dr.computePage(d)
	if err != nil {
		refuse(err)
		return
	}
	if c.Query != "" {
		d.Query = c.Query
	}
	b, kv, err := r.hub.kv()
	if err != nil {
		refuse(err)
		return
	}
	r.mu.Lock()
	r.lastSeq++
	seq := r.lastSeq
	old := r.stateSize
	r.mu.Unlock()
	msg := encodeState(seq, d, c)
	if max := b.conn().MaxPayload(); int64(len(msg)) > max {
		refuse(errorf("inputs", "this state is %d bytes, more than the %d a class can share; use smaller inputs", len(msg), max))
		return
	}
	if budget := r.hub.limits.ClassBytes; r.usage()-int64(old)+int64(len(msg)) > budget {
		refuse(errorf("inputs", "this state is %d bytes, and the class's store budget is %d bytes; use smaller inputs or turn detail off", len(msg), budget))
		return
	}
	if err := r.hub.reserve(r.ctx, kv, int64(len(msg)-old), true); err != nil {
		refuse(err)
		return
	}
	// The bucket keeps the state for members who join later. On another
	// loss it is stored before it is published: students reload the page
	// on it, and the server renders the page from the bucket. Otherwise
	// the fan-out goes first, off the bucket's round trip.
	store := func() bool {
		ctx, cancel := context.WithTimeout(r.ctx, busTimeout)
		defer cancel()
		if _, err := kv.Put(ctx, keyState(r.code), msg); err != nil {
			refuse(r.hub.busError(b, "class state", err))
			return false
		}
		r.mu.Lock()
		r.stateSize = len(msg)
		r.mu.Unlock()
		return true
	}
	newPage := c.Slug != dr.slug
	dr.slug = c.Slug
	if newPage && !store() {
		dr.slug = ""
		return
	}
	if err := publish(b.conn(), subjectState(r.code), msg, CoalesceState); err != nil {
		refuse(r.hub.busError(b, "class publish", err))
		return
	}
	if !newPage {
		store()
	}
	if d.after != nil {
		// What comes after (a plan step's numeric poll) reads this
		// state: keep it now, not when the bus echoes it back.
		r.mu.Lock()
		if seq >= r.lastSeq {
			r.keepState(msg, seq)
		}
		r.mu.Unlock()
		d.after()
	}
}

// computePage computes a loss page's drive; another page (Page without
// Loss) has nothing to compute, and its page stands for its slug, so
// that a new one is stored before students reload onto it.
func (dr *driver) computePage(d *Drive) (*Computed, error) {
	if d.Loss == "" && d.Page != "" {
		return &Computed{Slug: "page:" + d.Page}, nil
	}
	return dr.compute(dr.room.ctx, d)
}

// encodeState builds the class_state message.
func encodeState(seq int64, d *Drive, c *Computed) []byte {
	var b bytes.Buffer
	b.WriteString(`{"type":"class_state","seq":`)
	b.WriteString(strconv.FormatInt(seq, 10))
	b.WriteString(`,"id":`)
	b.WriteString(strconv.FormatInt(d.ID, 10))
	b.WriteString(`,"origin":`)
	b.Write(encode(d.origin))
	b.WriteString(`,"loss":`)
	b.Write(encode(d.Loss))
	b.WriteString(`,"slug":`)
	b.Write(encode(stateSlug(d, c)))
	b.WriteString(`,"params":`)
	b.Write(encode(orEmpty(d.Params)))
	b.WriteString(`,"inputs":`)
	b.Write(encode(orEmpty(d.Inputs)))
	b.WriteString(`,"view":`)
	if len(d.View) > 0 {
		b.Write(d.View)
	} else {
		b.WriteString("{}")
	}
	if d.DType != "" {
		b.WriteString(`,"dtype":`)
		b.Write(encode(d.DType))
	}
	b.WriteString(`,"query":`)
	b.Write(encode(d.Query))
	// page is the site path every student shows, whatever its kind.
	b.WriteString(`,"page":`)
	b.Write(encode(statePage(d, c)))
	b.WriteString(`,"sent_at":`)
	b.WriteString(strconv.FormatInt(time.Now().UnixMicro(), 10))
	b.WriteString(`,"result":`)
	b.Write(orNull(c.Result))
	b.WriteString(`,"reply":`)
	b.Write(orNull(c.Reply))
	b.WriteByte('}')
	return b.Bytes()
}

func orEmpty(m map[string]json.RawMessage) map[string]json.RawMessage {
	if m == nil {
		return map[string]json.RawMessage{}
	}
	return m
}
