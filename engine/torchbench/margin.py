#!/usr/bin/env python3
"""Times PyTorch (CPU, float64) forward + backward of the margin and embedding losses on the shapes of
BenchmarkLoss: reduction 'mean', default parameters. Compare with

    go test -run '^$' -bench 'Loss/(MarginRanking|HingeEmbedding|SoftMargin|CosineEmbedding|TripletMargin)' -benchmem ./engine

Run from the repository root: /usr/bin/python3 engine/torchbench/margin.py [--threads N] [-t SECONDS] [NAME ...]
"""
import torch

from timing import SHAPES, parse_args, report


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


def step_of(name, shape):
    """One forward + backward of the loss on inputs of the shape."""
    loss_fn = getattr(torch.nn, name)()
    diff, rest = inputs(name, *shape)
    for t in diff:
        t.requires_grad_(True)

    def step():
        for t in diff:
            t.grad = None
        loss_fn(*diff, *rest).backward()

    return step


def main():
    torch.set_default_dtype(torch.float64)
    args = parse_args(__doc__, ["MarginRankingLoss", "HingeEmbeddingLoss", "SoftMarginLoss", "CosineEmbeddingLoss",
                                "TripletMarginLoss", "TripletMarginWithDistanceLoss"])
    torch.manual_seed(1)
    for name in args.names:
        for size, shape in SHAPES.items():
            report(name, size, step_of(name, shape), args.t)


if __name__ == "__main__":
    main()
