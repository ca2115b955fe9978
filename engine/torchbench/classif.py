#!/usr/bin/env python3
"""Times PyTorch 1.13 (CPU, float64) forward+backward for the classification losses.

Run:  /usr/bin/python3 engine/torchbench/classif.py
Compare with:
  go test -run '^$' -bench 'Loss/(CrossEntropyLoss|NLLLoss|MultiLabelSoftMarginLoss|MultiMarginLoss|MultiLabelMarginLoss)/' -benchmem ./engine

Each case is what BenchmarkLoss runs: reduction 'mean', default parameters,
small = (N, C) = (4, 16) and large = (4096, 256), class-index targets for
CrossEntropyLoss, NLLLoss and MultiMarginLoss, 0/1 labels for
MultiLabelSoftMarginLoss, and rows of up to 4 labels then -1 for
MultiLabelMarginLoss. One op is loss_fn(x, target).backward().
"""
import sys
import time

import torch

SHAPES = {"small": (4, 16), "large": (4096, 256)}


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


def bench(fn, x, t, budget=1.0):
    """Wall and CPU ns per forward+backward, each the best of 5 runs of an
    adaptively chosen count (CPU time is steadier on a shared machine)."""
    x = x.clone().requires_grad_(True)

    def run(k):
        wall, cpu = time.perf_counter_ns(), time.process_time_ns()
        for _ in range(k):
            x.grad = None
            fn(x, t).backward()
        return time.perf_counter_ns() - wall, time.process_time_ns() - cpu

    k = 1
    while run(k)[0] < 0.05e9:
        k *= 2
    k = max(1, int(k * budget / 5 / max(run(k)[0] / 1e9, 1e-9)))
    runs = [run(k) for _ in range(5)]
    return min(r[0] for r in runs) / k, min(r[1] for r in runs) / k


def main(argv):
    torch.manual_seed(1)
    g = torch.Generator().manual_seed(2)
    names = argv or ["CrossEntropyLoss", "NLLLoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss",
                     "MultiLabelMarginLoss"]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    for name in names:
        fn = getattr(torch.nn, name)(reduction="mean")
        for size, (n, c) in SHAPES.items():
            x, t = inputs(name, n, c, g)
            wall, cpu = bench(fn, x, t)
            print(f"BenchmarkLoss/{name}/{size}\t{wall:12.0f} ns/op\t{cpu:12.0f} cpu-ns/op", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
