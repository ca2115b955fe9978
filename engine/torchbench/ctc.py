#!/usr/bin/env python3
"""Times PyTorch's CPU CTCLoss forward + backward in float64 on the shapes of the engine's
BenchmarkLoss/CTCLoss/{small,large} (CTCLoss Random(ScaleSmall / ScaleLarge)): log_softmax of normal
logits, random labels != blank, full input and target lengths, reduction 'mean', default parameters.

Run:  /usr/bin/python3 engine/torchbench/ctc.py [--threads N]
Compare with:  go test -run '^$' -bench 'Loss/CTCLoss' -benchmem -count=5 ./engine  (fastest of each)
"""
import argparse
import time

import torch

CASES = {"small": (20, 2, 8, 5), "large": (200, 16, 32, 40)}  # T, N, C, L


def bench(T, N, C, L, min_time=0.5, repeat=5):
    """Best of repeat timings of at least min_time each, in ns per forward+backward: on a shared machine
    the minimum is the least disturbed estimate (compare with the fastest of go test -count=5)."""
    g = torch.Generator().manual_seed(1)
    lp = torch.randn(T, N, C, dtype=torch.float64, generator=g).log_softmax(2)
    targets = torch.randint(1, C, (N, L), generator=g)
    il = torch.full((N,), T, dtype=torch.int64)
    tl = torch.full((N,), L, dtype=torch.int64)
    loss_fn = torch.nn.CTCLoss()

    def step():
        x = lp.detach().requires_grad_(True)
        loss_fn(x, targets, il, tl).backward()

    for _ in range(20):
        step()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            step()
        if time.perf_counter() - t0 >= min_time / 4:
            break
        n *= 2
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(4 * n):
            step()
        best = min(best, (time.perf_counter() - t0) / (4 * n))
    return best * 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0 keeps the default)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    for name, (T, N, C, L) in CASES.items():
        print(f"CTCLoss/{name}\t{bench(T, N, C, L):.0f} ns/op")


if __name__ == "__main__":
    main()
