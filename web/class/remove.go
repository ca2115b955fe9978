package class

import (
	"context"
	"slices"
)

// A teacher removes a student from the class (the private view's
// "Remove"): every connection of that student, on every replica, gets
// class_ended with reason "removed" and leaves; their resume token no
// longer joins (they may join again as someone new, with the code).
const (
	TypeRemove  = "class_remove" // teacher → server
	eventRemove = "remove"
	EndRemoved  = "removed" // class_ended's reason for a removed student
	// maxRemoved bounds the removed ids a class keeps.
	maxRemoved = 1000
)

func (r *room) remove(ctx context.Context, raw []byte) error {
	var msg struct {
		StudentID string `json:"student_id"`
	}
	if err := decodeMessage(raw, &msg); err != nil {
		return err
	}
	if msg.StudentID == "" || len(msg.StudentID) > 64 {
		return errorf("student_id", "missing or longer than 64 bytes (the roster's student_id)")
	}
	b, kv, err := r.hub.kv()
	if err != nil {
		return err
	}
	if _, err := updateJSON(ctx, kv, keyMeta(r.code), false, func(mt *meta) (bool, error) {
		if slices.Contains(mt.Removed, msg.StudentID) {
			return false, nil
		}
		if len(mt.Removed) >= maxRemoved {
			return false, errorf("student_id", "a class removes at most %d students", maxRemoved)
		}
		mt.Removed = append(mt.Removed, msg.StudentID)
		return true, nil
	}); err != nil {
		return r.hub.busError(b, "class remove", err)
	}
	return r.hub.busError(b, "class publish", publish(b.conn(), subjectControl(r.code), encode(control{Event: eventRemove, SID: msg.StudentID}), ""))
}

// removeLocal ends the class for this replica's connections of student
// sid.
func (r *room) removeLocal(sid string) {
	msg := encode(map[string]string{"type": TypeEnded, "code": r.code, "reason": EndRemoved})
	r.mu.Lock()
	var gone []*Member
	for mem := range r.members {
		if !mem.teacher && mem.sid == sid {
			mem.out.Offer(msg, "")
			mem.mu.Lock()
			mem.ended = true
			mem.mu.Unlock()
			gone = append(gone, mem)
		}
	}
	r.mu.Unlock()
	for _, mem := range gone {
		mem.Leave()
	}
}
