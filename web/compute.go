package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lossplayground/playground/engine"
	"github.com/lossplayground/playground/web/admission"
	"github.com/lossplayground/playground/web/charts"
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

// computeEnv is what Evaluate needs from the App that serves the request:
// the compute pool and the metrics. The App puts it in every request's
// context (App.withComputeEnv), so that Evaluate stays one function that
// pages, embeds, the API and the WebSocket all call; a context without one
// (a test, a tool) computes without admission or metrics.
type computeEnv struct {
	pool    *admission.Pool
	metrics *metrics.Metrics
	budget  cost.Budget
	timeout time.Duration
}

type computeEnvKey struct{}

func withComputeEnv(ctx context.Context, env *computeEnv) context.Context {
	return context.WithValue(ctx, computeEnvKey{}, env)
}

var defaultComputeEnv = computeEnv{budget: cost.Default, timeout: computeTimeout}

func computeEnvFrom(ctx context.Context) *computeEnv {
	if env, ok := ctx.Value(computeEnvKey{}).(*computeEnv); ok {
		return env
	}
	return &defaultComputeEnv
}

// Evaluate validates and computes a request and builds its charts. It is
// the one path from a request to numbers, shared by the JSON API, the
// WebSocket and server-rendered pages. Before any work it checks the
// call's estimated cost against the budget (an over-budget call is an
// *engine.Error naming the field and the limit) and waits for a compute
// slot (errBusy when the queue is full); the work then stops when ctx is
// done (the client left) or computeTimeout passes (errComputeTimeout).
func Evaluate(ctx context.Context, spec *engine.Spec, req *LossRequest, view *charts.View, into *engine.Result) (*Evaluation, error) {
	env := computeEnvFrom(ctx)
	c, err := engine.DecodeCall(spec, req.Params, req.Inputs)
	if err != nil {
		return nil, err
	}
	if err := applyDType(c, req.DType); err != nil {
		return nil, err
	}
	c.Detail = req.Detail
	if err := env.budget.Check(cost.Of(c, req.Detail, view != nil)); err != nil {
		env.reject(metrics.ReasonBudget)
		return nil, err
	}
	if env.pool != nil {
		release, err := env.pool.Acquire(ctx)
		if err != nil {
			if errors.Is(err, admission.ErrFull) {
				env.reject(metrics.ReasonBusy)
			} else {
				env.reject(metrics.ReasonClientGone)
			}
			return nil, err
		}
		defer release()
	}
	start := time.Now()
	ctx, cancel := context.WithTimeoutCause(ctx, env.timeout, errComputeTimeout)
	defer cancel()
	ev, err := evaluate(ctx, c, view, into)
	if err != nil && ctx.Err() != nil {
		// The engine's error wraps the cause: the client's departure, or
		// the deadline.
		if errors.Is(err, errComputeTimeout) {
			env.reject(metrics.ReasonTimeout)
		} else {
			env.reject(metrics.ReasonClientGone)
		}
		return nil, err
	}
	if env.metrics != nil {
		env.metrics.ObserveCompute(spec.Name, time.Since(start))
	}
	return ev, err
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

func (env *computeEnv) reject(reason string) {
	if env.metrics != nil {
		env.metrics.Reject(reason)
	}
}
