#!/usr/bin/env python3
"""Times PyTorch (CPU, float64) on the losses of the regprob branch, for comparison with

    go test -run '^$' -bench 'Loss/(SmoothL1Loss|HuberLoss|PoissonNLLLoss|GaussianNLLLoss|KLDivLoss|BCELoss|BCEWithLogitsLoss)/' -benchmem -count 5 ./engine

Each case is one forward plus backward, `loss_fn(x, ...).backward()`, with reduction 'mean' and default
parameters, on the shapes and input distributions of the Go Random functions: small is 4x16 elements,
large 1024x1024. Every differentiable input (input; var for GaussianNLLLoss) requires grad, and its .grad
is cleared before each call. Prints one line per case: the benchmark name and ns/op of the fastest of
5 rounds (compare with the fastest of `go test -count 5`).

Run from the repository root:  /usr/bin/python3 engine/torchbench/regprob.py [-t SECONDS] [NAME ...]
"""
import argparse
import time
import warnings

import torch
import torch.nn.functional as F

SHAPES = {"small": (4, 16), "large": (1024, 1024)}


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


def bench(fn, tensors, seconds):
    """ns per call in the fastest of 5 rounds of about seconds/5 each: on a shared machine other
    processes only ever add time, so the fastest round is the best estimate of the cost."""
    diff = [t for t in tensors if t.requires_grad]

    def once():
        for t in diff:
            t.grad = None
        fn(*tensors).backward()

    for _ in range(3):
        once()
    t0 = time.perf_counter_ns()
    once()
    per = max(time.perf_counter_ns() - t0, 1)
    n = max(1, int(seconds / 5 * 1e9 / per))
    rounds = []
    for _ in range(5):
        t0 = time.perf_counter_ns()
        for _ in range(n):
            once()
        rounds.append((time.perf_counter_ns() - t0) / n)
    return min(rounds)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-t", type=float, default=2.0, help="seconds per case (default 2)")
    ap.add_argument("names", nargs="*", default=LOSSES)
    args = ap.parse_args()
    torch.set_default_dtype(torch.float64)
    warnings.simplefilter("ignore")  # KLDivLoss warns about reduction="mean" on every call
    print(f"# torch {torch.__version__}, {torch.get_num_threads()} thread(s), float64, reduction='mean'")
    for name in args.names:
        fn = getattr(torch.nn, name)(reduction="mean")
        for size, shape in SHAPES.items():
            g = torch.Generator().manual_seed(1)
            tensors = inputs(name, shape, g)
            for i in GRADS.get(name, (0,)):
                tensors[i].requires_grad_(True)
            print(f"BenchmarkLoss/{name}/{size}\t{bench(fn, tensors, args.t):14.0f} ns/op", flush=True)


if __name__ == "__main__":
    main()
