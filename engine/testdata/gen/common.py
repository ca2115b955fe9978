"""Helpers shared by the cases_*.py modules."""
import math

import torch
import torch.nn.functional as F

# Constructor parameters that are tensors.
TENSOR_PARAMS = {"weight", "pos_weight"}


class I(list):
    """Marks an input as an int64 tensor (class indices, lengths)."""


class I0(int):
    """Marks an input as a 0-d int64 tensor (an unbatched class index or CTC length)."""


class R(list):
    """A long 1-d input written compactly: the values repeated `times` times.
    The fixture holds {"repeat": values, "times": times}; the engine's test expands it."""

    def __init__(self, values, times):
        super().__init__(values)
        self.times = times


def _plain(v):
    """The value of an input without its int64 marker."""
    if isinstance(v, R):
        return list(v) * v.times
    if isinstance(v, I):
        return list(v)
    if isinstance(v, I0):
        return int(v)
    return v


def case(name, loss, inputs, params=None, grads=("input",)):
    """One fixture: loss is the torch.nn class name; inputs in functional order;
    grads names the inputs whose gradient PyTorch must report."""
    return {"name": name, "loss": loss, "params": params or {}, "inputs": inputs, "grads": list(grads)}


def encode(v):
    """Nested lists with NaN and infinities as the strings the API uses."""
    if isinstance(v, (list, tuple)):
        return [encode(x) for x in v]
    if isinstance(v, dict):  # params such as p=inf
        return {k: encode(x) for k, x in v.items()}
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    return v


# The dtype of every floating tensor a case makes: generate.py --float32 sets torch.float32.
DTYPE = torch.float64


def to_tensor(v, integer=False):
    if integer:
        return torch.tensor(v, dtype=torch.int64)
    return torch.tensor(v, dtype=DTYPE)


def make_module(loss, params):
    kwargs = {}
    for k, v in params.items():
        if k in TENSOR_PARAMS and v is not None:
            v = to_tensor(v)
        kwargs[k] = v
    if loss == "TripletMarginWithDistanceLoss":
        fn = kwargs.pop("distance_function", "pairwise")
        if fn == "cosine":
            kwargs["distance_function"] = lambda a, b: 1.0 - F.cosine_similarity(a, b)
        elif fn != "pairwise":
            kwargs["distance_function"] = fn  # let PyTorch reject it
    return getattr(torch.nn, loss)(**kwargs)


def run_case(c):
    out = {"name": c["name"], "loss": c["loss"], "params": encode(c["params"]),
           "inputs": {k: {"repeat": encode(list(v)), "times": v.times} if isinstance(v, R) else encode(_plain(v))
                      for k, v in c["inputs"].items()}}
    if DTYPE == torch.float32:
        out["dtype"] = "float32"
    _compute(c, out)
    return out


def _compute(c, out):
    try:
        module = make_module(c["loss"], c["params"])
        tensors = []
        for k, v in c["inputs"].items():
            t = to_tensor(_plain(v), integer=isinstance(v, (I, I0)))
            if k in c["grads"]:
                t.requires_grad_(True)
            tensors.append(t)
        result = module(*tensors)
        if c["grads"]:
            result.sum().backward()
        grads = {}
        for (k, _), t in zip(c["inputs"].items(), tensors):
            if k in c["grads"]:
                g = t.grad if t.grad is not None else torch.zeros_like(t)
                grads[k] = encode(g.tolist())
        out["want"] = {"loss": encode(result.detach().tolist()), "grads": grads}
    except Exception as e:  # PyTorch's refusal is the expected outcome
        out["error"] = f"{type(e).__name__}: {e}".splitlines()[0]
    return out
