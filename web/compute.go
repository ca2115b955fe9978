package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lossplayground/playground/charts"
	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/web/admission"
	"github.com/lossplayground/playground/web/cost"
	"github.com/lossplayground/playground/web/metrics"
)

// Evaluation is one computed page state: the validated call, its result,
// and the chart options drawn from them.
type Evaluation struct {
	Call   *engine.Call
	Result *engine.Result
	Charts map[string]json.RawMessage
}

// computeTimeout bounds one computation, charts included, from the moment
// it is admitted. The budgets (package cost) keep every allowed call far
// below it; it is the backstop that stops whatever they misjudge.
const computeTimeout = 5 * time.Second

// Errors of Evaluate besides the request's own (*engine.Error): the
// handlers answer them 503, with Retry-After, or a typed WebSocket error.
var (
	// errBusy: every compute slot is busy and the queue is full.
	errBusy = admission.ErrFull
	// errComputeTimeout: the computation ran past computeTimeout.
	errComputeTimeout = errors.New("the computation took longer than the server allows")
)

// wsQueueWait bounds how long a WebSocket computation waits for a compute
// slot in the sockets' fair queue. Each socket has at most one computation
// waiting (newer slider events replace it), so the queue is as long as
// the sockets computing at once: 300 students exploring on a 2-core
// server wait a few hundred milliseconds, well inside it. Past it the
// socket answers "busy", the server being overloaded for real.
const wsQueueWait = 15 * time.Second

// Computer is the one path from a request to numbers, shared by the JSON
// API, the WebSocket, classes and server-rendered pages: budget check,
// admission to the compute pool, deadline, metrics. Its pool and metrics
// are constructor arguments, so that no path computes unadmitted.
type Computer struct {
	pool    *admission.Pool
	metrics *metrics.Metrics
	budget  cost.Budget
	timeout time.Duration
	// queueWait bounds a socket's wait in the fair queue (wsQueueWait).
	queueWait time.Duration
}

// NewComputer returns a Computer admitting through pool and counting in
// m; both are required.
func NewComputer(pool *admission.Pool, m *metrics.Metrics) *Computer {
	if pool == nil || m == nil {
		panic("web: NewComputer needs a pool and metrics")
	}
	return &Computer{pool: pool, metrics: m, budget: cost.Default, timeout: computeTimeout, queueWait: wsQueueWait}
}

// Evaluate validates and computes a request and builds its charts. Before
// any work it checks the call's estimated cost against the budget (an
// over-budget call is an *engine.Error naming the field and the limit)
// and waits for a compute slot in the pool's short queue (errBusy when
// the queue is full: the stateless API answers 503); the work then stops
// when ctx is done (the client left) or computeTimeout passes
// (errComputeTimeout).
func (cp *Computer) Evaluate(ctx context.Context, spec *engine.Spec, req *LossRequest, view *charts.View, into *engine.Result) (*Evaluation, error) {
	return cp.evaluate(ctx, cp.pool.Acquire, spec, req, view, into)
}

// EvaluateInTurn is Evaluate for a WebSocket: it waits for a slot in the
// sockets' fair queue, first come first served, for up to wsQueueWait
// (errBusy after it), instead of being refused by the API's short queue.
// The caller must have at most one computation in flight.
func (cp *Computer) EvaluateInTurn(ctx context.Context, spec *engine.Spec, req *LossRequest, view *charts.View, into *engine.Result) (*Evaluation, error) {
	return cp.evaluate(ctx, cp.waitInTurn, spec, req, view, into)
}

// waitInTurn takes a slot in the sockets' fair queue, errBusy after
// queueWait.
func (cp *Computer) waitInTurn(ctx context.Context) (func(), error) {
	wctx, cancel := context.WithTimeoutCause(ctx, cp.queueWait, errBusy)
	defer cancel()
	return cp.pool.Wait(wctx)
}

func (cp *Computer) evaluate(ctx context.Context, admit func(context.Context) (func(), error), spec *engine.Spec, req *LossRequest, view *charts.View, into *engine.Result) (*Evaluation, error) {
	c, err := engine.DecodeCall(spec, req.Params, req.Inputs)
	if err != nil {
		return nil, err
	}
	if err := applyDType(c, req.DType); err != nil {
		return nil, err
	}
	c.Detail = req.Detail
	var ev *Evaluation
	err = cp.run(ctx, admit, spec.Name, cost.Of(c, req.Detail, view != nil), func(ctx context.Context) (err error) {
		ev, err = evaluate(ctx, c, view, into)
		return err
	})
	return ev, err
}

// run does one admitted computation: it checks the estimate against the
// budget before any work, waits for a slot through admit, and runs work
// under the server's timeout, counting refusals, timeouts, clients that
// left, and the compute time under name.
func (cp *Computer) run(ctx context.Context, admit func(context.Context) (func(), error), name string, estimate cost.Estimate, work func(context.Context) error) error {
	if err := cp.budget.Check(estimate); err != nil {
		cp.metrics.Reject(metrics.ReasonBudget)
		return err
	}
	release, err := admit(ctx)
	if err != nil {
		if errors.Is(err, errBusy) {
			cp.metrics.Reject(metrics.ReasonBusy)
		} else {
			cp.metrics.Reject(metrics.ReasonClientGone)
		}
		return err
	}
	defer release()
	start := time.Now()
	ctx, cancel := context.WithTimeoutCause(ctx, cp.timeout, errComputeTimeout)
	defer cancel()
	err = work(ctx)
	if err != nil && ctx.Err() != nil {
		// The engine's error wraps the cause: the client's departure, or
		// the deadline.
		if errors.Is(err, errComputeTimeout) {
			cp.metrics.Reject(metrics.ReasonTimeout)
		} else {
			cp.metrics.Reject(metrics.ReasonClientGone)
		}
		return err
	}
	cp.metrics.ObserveCompute(name, time.Since(start))
	return err
}

func evaluate(ctx context.Context, c *engine.Call, view *charts.View, into *engine.Result) (*Evaluation, error) {
	if into == nil {
		into = &engine.Result{}
	}
	if err := c.ComputeContext(ctx, into); err != nil {
		return nil, err
	}
	ev := &Evaluation{Call: c, Result: into}
	if view != nil {
		var err error
		if ev.Charts, err = charts.BuildContext(ctx, c, into, *view); err != nil {
			return nil, err
		}
	}
	if err := context.Cause(ctx); err != nil {
		// A loss without long loops does not poll ctx: the deadline may
		// have passed unseen.
		return nil, fmt.Errorf("%s: %w", c.Spec.Name, err)
	}
	return ev, nil
}
