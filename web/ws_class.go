package web

import (
	"context"
	"errors"
	"time"

	"github.com/lossplayground/playground/charts"
	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/i18n"
	"github.com/lossplayground/playground/web/class"
	"github.com/lossplayground/playground/web/live"
	"github.com/prometheus/client_golang/prometheus"
)

// Class messages on /ws (docs/protocol.md, "Classes") go to package class;
// this file only connects a socket to it: the join, the member's
// messages, and the compute path a class's driver uses (the socket's own,
// wsComputer). A member's pushed messages go to the connection's outbox
// (live.Outbox implements class.Outbox).

// wsClassPrefix starts every class message type; package class knows
// them all.
const wsClassPrefix = "class_"

// wsClassTimeout bounds the bus work of one class message.
const wsClassTimeout = 10 * time.Second

// classMember is what a socket needs of its membership in a class.
type classMember interface {
	Code() string
	Ended() bool
	Handle(ctx context.Context, typ string, raw []byte) error
	Leave()
}

var _ classMember = (*class.Member)(nil)
var _ class.Outbox = (*live.Outbox)(nil)

// wsClassSession is a connection's membership: at most one class. The
// reader handles class messages; the connection's end leaves the class.
type wsClassSession struct {
	member classMember
}

// wsClassJoin is a class_join or class_teach message; other fields are
// the class package's to check.
type wsClassJoin struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Token string `json:"token"`
	// Resume is a student's resume token from class_joined; Lang the
	// page's language, for questions and reveals.
	Resume string `json:"resume"`
	Lang   string `json:"lang"`
}

// classMessage serves a class message on the reader, so that a member's
// messages are handled in order.
func (s *wsSession) classMessage(env live.Envelope, raw []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), wsClassTimeout)
	defer cancel()
	return wsClassError(s.classHandle(ctx, env, raw), s.lang)
}

func (s *wsSession) classHandle(ctx context.Context, env live.Envelope, raw []byte) error {
	m := s.class.member
	if m != nil && m.Ended() {
		// The class ended: the socket is free to join another.
		s.leaveClass()
		m = nil
	}
	switch env.Type {
	case class.TypeJoin, class.TypeTeach:
		if m != nil {
			return class.Errorf("type", "this socket is in class %s already; send class_leave first", m.Code())
		}
		var j wsClassJoin
		if err := jsonLoose(raw, &j); err != nil {
			return class.Errorf("", "message: %s", live.DescribeJSONError(err))
		}
		if j.Code == "" {
			return class.Errorf("code", "missing (the six-character class code)")
		}
		teacher := env.Type == class.TypeTeach
		if teacher && j.Token == "" {
			return class.Errorf("token", "missing (the teacher token POST /api/v1/classes returned)")
		}
		mem, err := s.app.classes.Join(ctx, class.JoinRequest{Code: j.Code, Name: j.Name, Token: j.Token,
			Resume: j.Resume, Lang: j.Lang, Addr: s.addr}, teacher, s.conn.Outbox())
		if err != nil {
			return err
		}
		s.class.member = mem
		return nil
	case class.TypeLeave:
		s.leaveClass()
		return nil
	}
	if m == nil {
		return class.Errorf("type", "%s: join a class first (class_join or class_teach)", env.Type)
	}
	return m.Handle(ctx, env.Type, raw)
}

// leaveClass ends the connection's membership, if any. It runs on the
// reader, or once the reader has stopped.
func (s *wsSession) leaveClass() {
	if m := s.class.member; m != nil {
		s.class.member = nil
		m.Leave()
	}
}

// wsClassError keeps refusals as they are and words anything else for a
// client without internals, in the page's language (class.ErrorText).
func wsClassError(err error, lang string) error {
	if err == nil {
		return nil
	}
	var ce *class.Error
	field := func(name string) string { return name + i18n.T(lang, "error.fieldSep") + class.ErrorText(err, lang) }
	switch {
	case errors.As(err, &ce):
		return &live.Error{Field: ce.Field, Msg: class.ErrorText(err, lang)}
	case errors.Is(err, class.ErrNotFound):
		return &live.Error{Field: "code", Msg: field("code")}
	case errors.Is(err, class.ErrToken):
		return &live.Error{Field: "token", Msg: field("token")}
	case errors.Is(err, class.ErrRateLimited), errors.Is(err, class.ErrUnavailable):
		return &live.Error{Msg: class.ErrorText(err, lang)}
	case errors.Is(err, context.DeadlineExceeded):
		return &live.Error{Msg: class.ErrorText(class.ErrUnavailable, lang)}
	}
	return &live.Error{Msg: i18n.T(lang, "class.err.ws.internal")}
}

// wsClassRefusal is a class driver's refusal from the compute path: an
// engine error keeps its cause, to be said in the teacher's language.
func wsClassRefusal(err error) error {
	var le *live.Error
	if errors.As(err, &le) {
		return &class.Error{Field: le.Field, Msg: le.Msg}
	}
	var ee *engine.Error
	if errors.As(err, &ee) {
		return &class.Error{Field: ee.Field, Msg: ee.Error(), Err: ee}
	}
	return err
}

// newClassComputer is the compute path of a class's driver: the same
// validation and computation as a page's compute message, so that a class
// state is exactly what the page would have shown.
func (a *App) newClassComputer() class.Computer {
	comp := &wsComputer{log: a.log, cp: a.compute}
	return func(ctx context.Context, d *class.Drive) (*class.Computed, error) {
		m := &wsComputeMessage{Loss: d.Loss, LossRequest: LossRequest{Params: d.Params, Inputs: d.Inputs, Detail: d.Detail, DType: d.DType}}
		if len(d.View) > 0 {
			var v charts.View
			if err := live.DecodeStrict(d.View, &v); err != nil {
				return nil, &class.Error{Field: "view", Msg: "view: " + live.DescribeJSONError(err)}
			}
			m.View = &v
		}
		if err := m.check(); err != nil {
			return nil, wsClassRefusal(err)
		}
		res, err := comp.result(ctx, d.ID, m)
		if err != nil {
			return nil, wsClassRefusal(err)
		}
		return &class.Computed{Slug: m.spec.Slug, Result: append([]byte(nil), res.api...), Reply: res.appendTo(nil)}, nil
	}
}

// registerClassMetrics adds this replica's classes and their members to
// /metrics.
func (a *App) registerClassMetrics() error {
	classes := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "playground_classes",
		Help: "Classes with a member connected to this replica."},
		func() float64 { n, _ := a.classes.Stats(); return float64(n) })
	members := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "playground_class_members",
		Help: "Students and teachers connected to this replica's classes."},
		func() float64 { _, n := a.classes.Stats(); return float64(n) })
	if err := a.metrics.Register(classes); err != nil {
		return err
	}
	return a.metrics.Register(members)
}
