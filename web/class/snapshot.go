package class

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Snapshot bounds: the list is one bucket value and one message.
const (
	maxSnapshots     = 20
	maxSnapshotBytes = 32 << 10
)

// snapshot is a student's state sent to the teacher ("look at this").
type snapshot struct {
	ID     string                     `json:"id"`
	Name   string                     `json:"name"`
	At     time.Time                  `json:"at"`
	Loss   string                     `json:"loss"`
	Slug   string                     `json:"slug"`
	Query  string                     `json:"query"`
	Params map[string]json.RawMessage `json:"params"`
	Inputs map[string]json.RawMessage `json:"inputs"`
	View   json.RawMessage            `json:"view,omitempty"`
}

type snapshots struct {
	Seq  int        `json:"seq"`
	List []snapshot `json:"list"`
}

// message is the teachers' list, newest first; the sender's name only
// when names are shown.
func (s *snapshots) message(names bool) []byte {
	type item struct {
		ID    string    `json:"id"`
		Name  string    `json:"name,omitempty"`
		At    time.Time `json:"at"`
		Loss  string    `json:"loss"`
		Slug  string    `json:"slug"`
		Query string    `json:"query"`
	}
	items := []item{}
	for i := len(s.List) - 1; i >= 0; i-- {
		sn := s.List[i]
		it := item{ID: sn.ID, At: sn.At, Loss: sn.Loss, Slug: sn.Slug, Query: sn.Query}
		if names {
			it.Name = sn.Name
		}
		items = append(items, it)
	}
	return encode(map[string]any{"type": TypeSnapshots, "snapshots": items})
}

func (r *room) snapshot(ctx context.Context, m *Member, raw []byte) error {
	if len(raw) > maxSnapshotBytes {
		return errorf("inputs", "a snapshot is at most %d bytes, got %d", maxSnapshotBytes, len(raw))
	}
	// The message's own id is the envelope's (a number); the snapshot's
	// id is drawn here.
	var msg struct {
		Loss   string                     `json:"loss"`
		Slug   string                     `json:"slug"`
		Query  string                     `json:"query"`
		Params map[string]json.RawMessage `json:"params"`
		Inputs map[string]json.RawMessage `json:"inputs"`
		View   json.RawMessage            `json:"view,omitempty"`
	}
	if err := decodeMessage(raw, &msg); err != nil {
		return err
	}
	if err := r.checkPage(msg.Loss, msg.Query); err != nil {
		return err
	}
	sn := snapshot{Name: m.name, At: time.Now().UTC(), Loss: msg.Loss, Slug: msg.Slug, Query: msg.Query,
		Params: msg.Params, Inputs: msg.Inputs, View: msg.View}
	b, kv, err := r.hub.kv()
	if err != nil {
		return err
	}
	if err := r.hub.reserve(ctx, kv, int64(len(raw)), true); err != nil {
		return err
	}
	var size int
	s, err := updateJSON(ctx, kv, keySnaps(r.code), true, func(s *snapshots) (bool, error) {
		s.Seq++
		sn.ID = "s" + strconv.Itoa(s.Seq)
		s.List = append(s.List, sn)
		if len(s.List) > maxSnapshots {
			s.List = s.List[len(s.List)-maxSnapshots:]
		}
		size = len(encode(s))
		return true, nil
	})
	if err != nil {
		return r.hub.busError(b, "class snapshot", err)
	}
	r.mu.Lock()
	r.snapsSize = size
	names := r.names
	r.mu.Unlock()
	m.out.Offer(encode(map[string]string{"type": TypeSnapshotSent, "snapshot": sn.ID}), "")
	return r.hub.busError(b, "class publish", publish(b.conn(), subjectTeachers(r.code), s.message(names), CoalesceSnapshots))
}

// showSnapshot puts a snapshot on every screen, like a teacher's change
// (computed once, here); it carries no name.
func (r *room) showSnapshot(ctx context.Context, m *Member, raw []byte) error {
	var msg struct {
		ID  int64  `json:"id"`
		Ref string `json:"snapshot"`
	}
	if err := decodeMessage(raw, &msg); err != nil {
		return err
	}
	b, kv, err := r.hub.kv()
	if err != nil {
		return err
	}
	s, _, err := getJSON[snapshots](ctx, kv, keySnaps(r.code))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return errorf("snapshot", "no snapshots yet")
	}
	if err != nil {
		return r.hub.busError(b, "class snapshot", err)
	}
	for _, sn := range s.List {
		if sn.ID == msg.Ref {
			r.drive(&Drive{ID: msg.ID, Loss: sn.Loss, Params: sn.Params, Inputs: sn.Inputs, Detail: true, View: sn.View, Query: sn.Query, origin: "snapshot", from: m})
			return nil
		}
	}
	return errorf("snapshot", "no snapshot %s (the list keeps the last %d)", strconv.Quote(msg.Ref), maxSnapshots)
}
