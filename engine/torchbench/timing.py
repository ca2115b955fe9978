"""Shared timing for the torchbench scripts."""
import time


def best_ns(step, min_time=0.5, repeat=5):
    """Best of `repeat` timings of at least min_time/4 each, in ns per call of step(): on a shared machine
    the minimum is the least disturbed estimate (compare with the fastest of go test -count=5)."""
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
        for _ in range(n):
            step()
        best = min(best, (time.perf_counter() - t0) / n)
    return best * 1e9
