#!/usr/bin/env python3
"""Times PyTorch (CPU, float64) on the losses of the regprob branch, for comparison with

    go test -run '^$' -bench 'Loss/(SmoothL1Loss|HuberLoss|PoissonNLLLoss|GaussianNLLLoss|KLDivLoss|BCELoss|BCEWithLogitsLoss)/' -benchmem -count 5 ./engine

Each case is one forward plus backward, `loss_fn(x, ...).backward()`, with reduction 'mean' and default
parameters, on the shapes and input distributions of the Go Random functions: small is 4x16 elements,
large 1024x1024. Every differentiable input (input; var for GaussianNLLLoss) requires grad, and its .grad
is cleared before each call. Prints one line per case: the benchmark name and the wall and CPU ns/op
of the fastest of 5 rounds (compare with the fastest of `go test -count 5`).

Run from the repository root:  /usr/bin/python3 engine/torchbench/regprob.py [--threads N] [-t SECONDS] [NAME ...]
"""
import warnings

import torch
import torch.nn.functional as F

from timing import SHAPES, parse_args, report


def inputs(name, shape, g):
    """Inputs as the Go Random function of each loss draws them, in functional order."""
    randn = lambda: torch.randn(shape, generator=g)
    rand = lambda lo=0.0, hi=1.0: lo + (hi - lo) * torch.rand(shape, generator=g)
    if name in ("SmoothL1Loss", "HuberLoss"):
        return [randn(), randn()]
    if name == "PoissonNLLLoss":
        return [randn(), torch.randint(0, 5, shape, generator=g).double()]
    if name == "GaussianNLLLoss":
        return [randn(), randn(), rand(0.5, 2.0)]
    if name == "KLDivLoss":
        return [F.log_softmax(randn(), dim=-1), F.softmax(randn(), dim=-1)]
    if name == "BCELoss":
        return [rand(0.05, 0.95), rand()]
    if name == "BCEWithLogitsLoss":
        return [randn(), rand()]
    raise KeyError(name)


# Which functional arguments are differentiable (the Go engine's Differentiable inputs).
GRADS = {"GaussianNLLLoss": (0, 2)}
LOSSES = ["SmoothL1Loss", "HuberLoss", "PoissonNLLLoss", "GaussianNLLLoss", "KLDivLoss", "BCELoss",
          "BCEWithLogitsLoss"]


def step_of(fn, tensors):
    """One forward + backward, clearing the gradients of the inputs that require grad."""
    diff = [t for t in tensors if t.requires_grad]

    def step():
        for t in diff:
            t.grad = None
        fn(*tensors).backward()

    return step


def main():
    torch.set_default_dtype(torch.float64)
    args = parse_args(__doc__, LOSSES)
    warnings.simplefilter("ignore")  # KLDivLoss warns about reduction="mean" on every call
    for name in args.names:
        fn = getattr(torch.nn, name)(reduction="mean")
        for size, shape in SHAPES.items():
            g = torch.Generator().manual_seed(1)
            tensors = inputs(name, shape, g)
            for i in GRADS.get(name, (0,)):
                tensors[i].requires_grad_(True)
            report(name, size, step_of(fn, tensors), args.t)


if __name__ == "__main__":
    main()
