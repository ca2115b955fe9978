#!/usr/bin/env python3
"""Times PyTorch (CPU, float64) forward + backward of the margin and embedding losses on the shapes of
BenchmarkLoss: reduction 'mean', default parameters. Compare with

    go test -run '^$' -bench 'Loss/(MarginRanking|HingeEmbedding|SoftMargin|CosineEmbedding|TripletMargin)' -benchmem ./engine

Run from the repository root: /usr/bin/python3 engine/torchbench/margin.py [--threads N]
"""
import argparse
import time

import torch

SHAPES = {"small": (4, 16), "large": (1024, 1024)}


def signs(*shape):
    return torch.randint(0, 2, shape, dtype=torch.float64) * 2 - 1


def inputs(name, n, d):
    """The differentiable inputs and the others, as Random builds them."""
    if name == "MarginRankingLoss":  # 1-D inputs of n·d elements
        return [torch.randn(n * d), torch.randn(n * d)], [signs(n * d)]
    if name == "HingeEmbeddingLoss":
        return [torch.rand(n, d) * 2], [signs(n, d)]
    if name == "SoftMarginLoss":
        return [torch.randn(n, d)], [signs(n, d)]
    if name == "CosineEmbeddingLoss":
        return [torch.randn(n, d), torch.randn(n, d)], [signs(n)]
    a = torch.randn(n, d)
    return [a, a + 0.5 * torch.randn(n, d), torch.randn(n, d)], []


def bench(name, shape, min_time=1.0):
    """Wall and CPU nanoseconds per forward + backward. On a shared machine the CPU time is the
    steadier of the two."""
    loss_fn = getattr(torch.nn, name)()
    diff, rest = inputs(name, *shape)
    for t in diff:
        t.requires_grad_(True)

    def step():
        for t in diff:
            t.grad = None
        loss_fn(*diff, *rest).backward()

    for _ in range(3):
        step()
    n = 1
    while True:
        start, cpu = time.perf_counter_ns(), time.process_time_ns()
        for _ in range(n):
            step()
        elapsed, cpu = time.perf_counter_ns() - start, time.process_time_ns() - cpu
        if elapsed >= min_time * 1e9:
            return elapsed / n, cpu / n
        n = max(n * 2, int(n * min_time * 1e9 / max(elapsed, 1) * 1.2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: PyTorch's default)")
    args = ap.parse_args()
    torch.set_default_dtype(torch.float64)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    for name in ("MarginRankingLoss", "HingeEmbeddingLoss", "SoftMarginLoss", "CosineEmbeddingLoss",
                 "TripletMarginLoss", "TripletMarginWithDistanceLoss"):
        for size, shape in SHAPES.items():
            wall, cpu = bench(name, shape)
            print(f"{name}/{size}\t{wall:.0f} ns/op\t{cpu:.0f} cpu-ns/op", flush=True)


if __name__ == "__main__":
    main()
