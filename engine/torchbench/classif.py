#!/usr/bin/env python3
"""Times PyTorch 1.13 (CPU, float64) forward+backward for the classification losses.

Run:  /usr/bin/python3 engine/torchbench/classif.py [--threads N] [-t SECONDS] [NAME ...]
Compare with:
  go test -run '^$' -bench 'Loss/(CrossEntropyLoss|NLLLoss|MultiLabelSoftMarginLoss|MultiMarginLoss|MultiLabelMarginLoss)/' -benchmem ./engine

Each case is what BenchmarkLoss runs: reduction 'mean', default parameters,
small = (N, C) = (4, 16) and large = (4096, 256), class-index targets for
CrossEntropyLoss, NLLLoss and MultiMarginLoss, 0/1 labels for
MultiLabelSoftMarginLoss, and rows of up to 4 labels then -1 for
MultiLabelMarginLoss. One op is loss_fn(x, target).backward().
"""
import torch

from timing import parse_args, report

SHAPES = {"small": (4, 16), "large": (4096, 256)}  # (N, C): clsScaleShape in engine/classification.go


def inputs(name, n, c, g):
    x = torch.randn(n, c, generator=g, dtype=torch.float64)
    if name in ("CrossEntropyLoss", "MultiMarginLoss"):
        return x, torch.randint(0, c, (n,), generator=g)
    if name == "NLLLoss":
        return torch.log_softmax(x, 1), torch.randint(0, c, (n,), generator=g)
    if name == "MultiLabelSoftMarginLoss":
        return x, torch.randint(0, 2, (n, c), generator=g).to(torch.float64)
    if name == "MultiLabelMarginLoss":
        t = torch.randint(0, c, (n, c), generator=g)
        for row in range(n):
            k = 1 + int(torch.randint(0, min(4, c - 1), (1,), generator=g))
            t[row, :k] = torch.randperm(c, generator=g)[:k]
            t[row, k] = -1
        return x, t
    raise ValueError(name)


def step_of(fn, x, t):
    """One forward + backward of fn on x (which requires grad) and t."""
    x = x.clone().requires_grad_(True)

    def step():
        x.grad = None
        fn(x, t).backward()

    return step


def main():
    args = parse_args(__doc__, ["CrossEntropyLoss", "NLLLoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss",
                                "MultiLabelMarginLoss"])
    torch.manual_seed(1)
    g = torch.Generator().manual_seed(2)
    for name in args.names:
        fn = getattr(torch.nn, name)(reduction="mean")
        for size, (n, c) in SHAPES.items():
            x, t = inputs(name, n, c, g)
            report(name, size, step_of(fn, x, t), args.t)


if __name__ == "__main__":
    main()
