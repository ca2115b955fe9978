"""The harness every torchbench script uses: the command line, the timing and the output lines, so
that all of them measure PyTorch the same way and print what lines up with `go test -bench Loss`."""
import argparse
import time

import torch

# The element-wise benchmark shapes of each Scale (scaleShape in engine/random.go).
SHAPES = {"small": (4, 16), "large": (1024, 1024)}


def measure(step, min_time=0.5, repeat=5):
    """Wall and CPU ns per call of step(), each the best of `repeat` rounds of at least min_time/4:
    on a shared machine other processes only ever add time, so the minimum is the least disturbed
    estimate (compare with the fastest of go test -count=5). CPU time is the steadier of the two."""
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
    wall = cpu = float("inf")
    for _ in range(repeat):
        t0, c0 = time.perf_counter_ns(), time.process_time_ns()
        for _ in range(n):
            step()
        wall = min(wall, (time.perf_counter_ns() - t0) / n)
        cpu = min(cpu, (time.process_time_ns() - c0) / n)
    return wall, cpu


def best_ns(step, min_time=0.5, repeat=5):
    """Wall ns per call of step(), as measure() times it."""
    return measure(step, min_time, repeat)[0]


def parse_args(doc, names=None):
    """Parses the common command line: --threads, -t (seconds per case) and, when names is given, the
    losses to time (default: all of names). Sets the thread count and prints the header line."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0 keeps PyTorch's default)")
    ap.add_argument("-t", type=float, default=0.5, help="minimum seconds per case (default 0.5)")
    if names is not None:
        ap.add_argument("names", nargs="*", default=names, help="losses to time (default: all)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"# torch {torch.__version__}, {torch.get_num_threads()} thread(s), float64, reduction='mean'")
    return args


def report(name, size, step, min_time):
    """Times step() and prints one line shaped like go test's: BenchmarkLoss/<name>/<size>."""
    wall, cpu = measure(step, min_time)
    print(f"BenchmarkLoss/{name}/{size}\t{wall:14.0f} ns/op\t{cpu:14.0f} cpu-ns/op", flush=True)
