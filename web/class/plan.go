package class

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/lossplayground/playground/lessons"
	"github.com/lossplayground/playground/lessons/plans"
	"github.com/nats-io/nats.go/jetstream"
)

// A lesson plan in a class (package lessons/plans): the teacher loads one
// (class_plan, by id or inline) and steps through it (class_step); a step
// drives its page like class_drive, then scrolls to its section and asks
// its question. Only teachers see the plan and its notes; students see
// what the steps do.
const (
	TypePlan = "class_plan" // teacher → server → teachers
	TypeStep = "class_step" // teacher → server
)

// PageDrive turns a step's page (a site path with its query) into the
// drive that shows it, checking it as the page itself would: a loss page
// becomes a computed drive, any other page a Drive with only Page set.
// It returns an *Error naming what is wrong.
type PageDrive func(page string) (*Drive, error)

// planState is the class's plan and where the teacher is in it, under
// keyPlan. Step is -1 before the first step.
type planState struct {
	Plan *plans.Plan `json:"plan"`
	Step int         `json:"step"`
}

func keyPlan(code string) string { return "c." + code + ".plan" }

// maxPlanMessage bounds a class_plan message: the plan's 64 KB and its
// envelope.
const maxPlanMessage = plans.MaxBytes + 1024

// handlePlan serves class_plan and class_step from a teacher.
func (r *room) handlePlan(ctx context.Context, m *Member, typ string, raw []byte) error {
	if typ == TypePlan {
		return r.loadPlan(ctx, raw)
	}
	return r.step(ctx, m, raw)
}

// loadPlan sets the class's plan: {"plan": "<id>", "lang": "zh"}, an
// inline plan object, or null to drop it. Nothing moves until a step.
func (r *room) loadPlan(ctx context.Context, raw []byte) error {
	if len(raw) > maxPlanMessage {
		return errorf("plan", "at most %d bytes, got %d", plans.MaxBytes, len(raw))
	}
	var msg struct {
		Plan json.RawMessage `json:"plan"`
		Lang string          `json:"lang"`
		// Step keeps the teacher's place in a plan they edited (-1, the
		// default, is before the first step); nothing moves.
		Step *int `json:"step"`
	}
	if err := decodeMessage(raw, &msg); err != nil {
		return err
	}
	b, kv, err := r.hub.kv()
	if err != nil {
		return err
	}
	body := bytes.TrimSpace(msg.Plan)
	if len(body) == 0 || string(body) == "null" {
		cctx, cancel := context.WithTimeout(ctx, busTimeout)
		err := kv.Delete(cctx, keyPlan(r.code))
		cancel()
		if err != nil {
			return r.hub.busError(b, "class plan", err)
		}
		return r.hub.busError(b, "class publish", publish(b.conn(), subjectTeachers(r.code), planMessage(&planState{Step: -1}), CoalescePlan))
	}
	p, err := r.resolvePlan(body, msg.Lang)
	if err != nil {
		return err
	}
	ps := &planState{Plan: p, Step: -1}
	if msg.Step != nil {
		if *msg.Step < -1 || *msg.Step >= len(p.Steps) {
			return errorf("step", "the plan has %d steps: must be -1 to %d, got %d", len(p.Steps), len(p.Steps)-1, *msg.Step)
		}
		ps.Step = *msg.Step
	}
	v := encode(ps)
	if err := r.hub.reserve(ctx, kv, int64(len(v)), false); err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, busTimeout)
	_, err = kv.Put(cctx, keyPlan(r.code), v)
	cancel()
	if err != nil {
		return r.hub.busError(b, "class plan", err)
	}
	return r.hub.busError(b, "class publish", publish(b.conn(), subjectTeachers(r.code), planMessage(ps), CoalescePlan))
}

// resolvePlan reads a plan id or an inline plan, and validates it.
func (r *room) resolvePlan(body []byte, lang string) (*plans.Plan, error) {
	if lang == "" {
		lang = lessons.Languages[0]
	}
	if body[0] == '"' {
		var id string
		if err := json.Unmarshal(body, &id); err != nil {
			return nil, errorf("plan", "%v", err)
		}
		lib, err := plans.Load()
		if err != nil {
			return nil, err
		}
		switch lang {
		case "en", "zh":
		default:
			return nil, errorf("lang", `must be "en" or "zh", got %s`, strconv.Quote(lang))
		}
		p, ok := lib.Get(id, lang)
		if !ok {
			return nil, errorf("plan", "no plan %s (GET /api/v1/plans lists them)", strconv.Quote(id))
		}
		return p, nil
	}
	if body[0] != '{' {
		return nil, errorf("plan", "a plan id or a plan object, got %s", truncate(body))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	p := new(plans.Plan)
	if err := dec.Decode(p); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return nil, errorf("plan."+te.Field, "expected %s, got %s", te.Type.Kind(), te.Value)
		}
		return nil, errorf("plan", "%v", err)
	}
	if p.Lang == "" {
		p.Lang = lang
	}
	drive := r.hub.opts.PageDrive
	if drive == nil {
		return nil, errorf("plan", "this server cannot show plan pages")
	}
	if err := p.Validate(func(page string) error { _, err := drive(page); return err }); err != nil {
		var pe *plans.Error
		if errors.As(err, &pe) {
			return nil, errorf("plan."+pe.Field, "%s", pe.Msg)
		}
		return nil, err
	}
	return p, nil
}

func truncate(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

// step moves the class to step i of its plan: the page on every screen
// first, then, once the state is stored, the section and the question,
// so that a student who reloads onto the page finds both.
func (r *room) step(ctx context.Context, m *Member, raw []byte) error {
	var msg struct {
		Step *int `json:"step"`
	}
	if err := decodeMessage(raw, &msg); err != nil {
		return err
	}
	if msg.Step == nil {
		return errorf("step", "missing (the step's index, from 0)")
	}
	i := *msg.Step
	b, kv, err := r.hub.kv()
	if err != nil {
		return err
	}
	var st plans.Step
	ps, err := updateJSON(ctx, kv, keyPlan(r.code), false, func(ps *planState) (bool, error) {
		if ps.Plan == nil {
			return false, errorf("step", "no plan: send class_plan first")
		}
		if n := len(ps.Plan.Steps); i < 0 || i >= n {
			return false, errorf("step", "the plan has %d steps: must be 0 to %d, got %d", n, n-1, i)
		}
		st = ps.Plan.Steps[i]
		ps.Step = i
		return true, nil
	})
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return errorf("step", "no plan: send class_plan first")
	}
	if err != nil {
		return r.hub.busError(b, "class plan", err)
	}
	if r.hub.opts.PageDrive == nil {
		return errorf("step", "this server cannot show plan pages")
	}
	d, err := r.hub.opts.PageDrive(st.Page)
	if err != nil {
		return err
	}
	if d.Loss != "" {
		if err := r.checkPage(d.Loss, d.Query); err != nil {
			return err
		}
	}
	if err := publish(b.conn(), subjectTeachers(r.code), planMessage(ps), CoalescePlan); err != nil {
		return r.hub.busError(b, "class publish", err)
	}
	d.origin, d.from = "plan", m
	d.after = func() { r.afterStep(m, st) }
	r.drive(d)
	r.touch(ctx, false)
	return nil
}

// afterStep scrolls every screen to the step's section and asks its
// question; it runs on the driver once the step's state is out.
func (r *room) afterStep(m *Member, st plans.Step) {
	ctx, cancel := context.WithTimeout(r.ctx, busTimeout)
	defer cancel()
	if s := st.Section; s != nil {
		b, _, err := r.hub.kv()
		if err == nil {
			err = r.hub.busError(b, "class publish", publish(b.conn(), subjectAll(r.code), sectionMessage(s), CoalesceSection))
		}
		if err != nil {
			m.out.Offer(ErrorMessage(nil, err, m.lang), "")
		}
	}
	if q := st.Question; q != nil {
		launch := encode(struct {
			Type string `json:"type"`
			plans.Question
		}{TypeQuestion, *q})
		if err := r.launch(ctx, m, launch); err != nil {
			m.out.Offer(ErrorMessage(nil, err, m.lang), "")
		}
	}
}

// planMessage is what teachers see of the plan: all of it, with the step.
func planMessage(ps *planState) []byte {
	return encode(struct {
		Type string      `json:"type"`
		Plan *plans.Plan `json:"plan"`
		Step int         `json:"step"`
	}{TypePlan, ps.Plan, ps.Step})
}

// sendPlan gives a joining member the plan's part of the class: a
// teacher the plan and step, a student the current step's section.
func (r *room) sendPlan(ctx context.Context, mem *Member) {
	_, kv, err := r.hub.kv()
	if err != nil {
		return
	}
	ps, _, err := getJSON[planState](ctx, kv, keyPlan(r.code))
	if err != nil || ps.Plan == nil {
		return
	}
	if mem.teacher {
		mem.out.Offer(planMessage(ps), CoalescePlan)
		return
	}
	if ps.Step >= 0 && ps.Step < len(ps.Plan.Steps) {
		if s := ps.Plan.Steps[ps.Step].Section; s != nil {
			mem.out.Offer(sectionMessage(s), CoalesceSection)
		}
	}
}

// CoalescePlan keeps only a teacher's newest plan message.
const CoalescePlan = "plan"

// checkPageDrive lets a teacher's class_drive show a page that is not a
// loss page (a comparison or lesson page: {"page": "/compare/margin?at=1"}
// without loss), checked as a plan's page is.
func (r *room) checkPageDrive(d *Drive) error {
	if d.Loss != "" || d.Page == "" {
		d.Page = "" // a loss page's path comes from its slug and query
		return nil
	}
	if r.hub.opts.PageDrive == nil {
		return errorf("page", "this server cannot show pages other than loss pages")
	}
	pd, err := r.hub.opts.PageDrive(d.Page)
	if err != nil {
		return err
	}
	if pd.Loss != "" {
		return errorf("page", "a loss page is driven with loss, params and inputs")
	}
	return nil
}

// statePage is the site path a class state shows.
func statePage(d *Drive, c *Computed) string {
	if d.Loss == "" {
		return d.Page
	}
	slug := c.Slug
	if d.Query == "" {
		return "/losses/" + slug
	}
	return "/losses/" + slug + "?" + d.Query
}

func orNull(b []byte) []byte {
	if len(b) == 0 {
		return []byte("null")
	}
	return b
}

// stateSlug is the loss a class state shows, or "" for another page.
func stateSlug(d *Drive, c *Computed) string {
	if d.Loss == "" {
		return ""
	}
	return c.Slug
}

// sectionMessage is a class_section naming its lesson (slug), as a
// teacher's own class_section does.
func sectionMessage(s *plans.Section) []byte {
	return encode(map[string]any{"type": TypeSection, "lesson": s.Lesson, "slug": s.Lesson, "section": s.Index})
}
