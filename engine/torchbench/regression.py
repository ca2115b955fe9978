#!/usr/bin/env python3
"""Times PyTorch's CPU L1Loss and MSELoss forward + backward in float64 on the shapes of
BenchmarkLoss/{L1Loss,MSELoss}/{small,large}: normal input and target, reduction 'mean'.

Run:  /usr/bin/python3 engine/torchbench/regression.py
Compare with:  go test -run '^$' -bench 'Loss/(L1|MSE)Loss' -benchmem -count=5 ./engine
"""
import torch

from timing import best_ns

SHAPES = {"small": (4, 16), "large": (1024, 1024)}


def main():
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    g = torch.Generator().manual_seed(1)
    for loss in ("L1Loss", "MSELoss"):
        fn = getattr(torch.nn, loss)()
        for name, shape in SHAPES.items():
            x = torch.randn(*shape, dtype=torch.float64, generator=g)
            y = torch.randn(*shape, dtype=torch.float64, generator=g)

            def step():
                xi = x.detach().requires_grad_(True)
                fn(xi, y).backward()

            print(f"{loss}/{name}\t{best_ns(step):.0f} ns/op")


if __name__ == "__main__":
    main()
