#!/usr/bin/env python3
"""Times PyTorch's CPU L1Loss and MSELoss forward + backward in float64 on the shapes of
BenchmarkLoss/{L1Loss,MSELoss}/{small,large}: normal input and target, reduction 'mean'.

Run:  /usr/bin/python3 engine/torchbench/regression.py [--threads N] [-t SECONDS] [NAME ...]
Compare with:  go test -run '^$' -bench 'Loss/(L1|MSE)Loss' -benchmem -count=5 ./engine
"""
import torch

from timing import SHAPES, parse_args, report


def main():
    args = parse_args(__doc__, ["L1Loss", "MSELoss"])
    g = torch.Generator().manual_seed(1)
    for loss in args.names:
        fn = getattr(torch.nn, loss)()
        for name, shape in SHAPES.items():
            x = torch.randn(*shape, dtype=torch.float64, generator=g)
            y = torch.randn(*shape, dtype=torch.float64, generator=g)

            def step():
                xi = x.detach().requires_grad_(True)
                fn(xi, y).backward()

            report(loss, name, step, args.t)


if __name__ == "__main__":
    main()
