#!/usr/bin/env python3
"""Times PyTorch's CPU CTCLoss forward + backward in float64 on the shapes of the engine's
BenchmarkLoss/CTCLoss/{small,large} (CTCLoss Random(ScaleSmall / ScaleLarge)): log_softmax of normal
logits, random labels != blank, full input and target lengths, reduction 'mean', default parameters.

Run:  /usr/bin/python3 engine/torchbench/ctc.py [--threads N] [-t SECONDS]
Compare with:  go test -run '^$' -bench 'Loss/CTCLoss' -benchmem -count=5 ./engine  (fastest of each)
"""
import torch

from timing import parse_args, report

CASES = {"small": (20, 2, 8, 5), "large": (200, 16, 32, 40)}  # T, N, C, L


def step_of(T, N, C, L):
    """One forward + backward on the inputs of the case."""
    g = torch.Generator().manual_seed(1)
    lp = torch.randn(T, N, C, dtype=torch.float64, generator=g).log_softmax(2)
    targets = torch.randint(1, C, (N, L), generator=g)
    il = torch.full((N,), T, dtype=torch.int64)
    tl = torch.full((N,), L, dtype=torch.int64)
    loss_fn = torch.nn.CTCLoss()

    def step():
        x = lp.detach().requires_grad_(True)
        loss_fn(x, targets, il, tl).backward()

    return step


def main():
    args = parse_args(__doc__)
    for name, case in CASES.items():
        report("CTCLoss", name, step_of(*case), args.t)


if __name__ == "__main__":
    main()
