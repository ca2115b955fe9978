#!/usr/bin/env python3
"""Golden fixtures for the engine, computed by PyTorch (Debian's python3-torch, 1.13, float64).

Run from the repository root:  /usr/bin/python3 engine/testdata/gen/generate.py [--float32] [module ...]

Every cases_*.py module beside this file defines CASES, a list built with case(). Each module
is written to engine/testdata/fixtures/<module>.json. A case records the loss, its constructor
parameters and functional inputs exactly as the JSON API takes them, and what PyTorch returns:
the loss and the gradient of loss.sum() for every differentiable input, or the error it raises.

With --float32 the same cases, and those of float32_cases.py (where float32 parts from float64:
overflow, rounding to a clamp, saturation, long sums), run with float32 tensors (torch's default
dtype set to float32, as in a student's notebook) into fixtures/float32_<module>.json. Each such
case says "dtype": "float32", and "parts": true when float64 gives another answer (beyond the
float32 tolerance, or another inf or NaN). Only the float32 files are written in that mode.
"""
import glob
import importlib
import json
import math
import os
import sys
import warnings

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures")
sys.path.insert(0, HERE)

import common  # noqa: E402
from common import run_case  # noqa: E402

# Tolerances of the engine's float32 fixture test (engine/fixture_test.go).
RTOL32, ATOL32 = 1e-5, 1e-6


def main(argv):
    float32 = "--float32" in argv
    argv = [a for a in argv if a != "--float32"]
    torch.set_default_dtype(torch.float32 if float32 else torch.float64)
    if float32:
        common.DTYPE = torch.float32
    warnings.simplefilter("ignore")  # deprecation and broadcasting warnings are expected
    names = argv or sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(HERE, "cases_*.py")))
    if float32 and not argv:
        names.append("float32_cases")
    parted = total = 0
    for name in names:
        mod = importlib.import_module(name)
        seen = set()
        out = []
        for c in mod.CASES:
            if c["name"] in seen:
                raise SystemExit(f"{name}: duplicate case name {c['name']}")
            seen.add(c["name"])
            r = run_case(c)
            if float32:
                r["parts"] = parts_from_float64(c, r)
                parted += r["parts"]
                total += 1
            out.append(r)
        base = name[len("cases_"):] if name.startswith("cases_") else name[len("float32_"):]
        path = os.path.join(OUT, ("float32_" if float32 else "") + base + ".json")
        with open(path, "w") as f:
            # One case a line keeps diffs of regenerated fixtures readable.
            f.write('{"generator": "engine/testdata/gen/generate.py", "torch": %s, "cases": [\n' % json.dumps(torch.__version__))
            f.write(",\n".join(json.dumps(c, allow_nan=False) for c in out))
            f.write("\n]}\n")
        print(f"{path}: {len(out)} cases")
    if float32:
        print(f"float32: {total} cases, {parted} part from float64")


def parts_from_float64(c, r32):
    """Whether the case's float64 answer differs from its float32 one beyond the float32 tolerance."""
    common.DTYPE = torch.float64
    torch.set_default_dtype(torch.float64)
    try:
        r64 = {}
        common._compute(c, r64)
    finally:
        common.DTYPE = torch.float32
        torch.set_default_dtype(torch.float32)
    if ("error" in r64) != ("error" in r32):
        return True
    if "error" in r64:
        return False
    return not same(r32["want"], r64["want"])


def same(a, b):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, str) or isinstance(b, str):  # "NaN", "Infinity", "-Infinity"
        return a == b
    return abs(a - b) <= ATOL32 + RTOL32 * abs(b)


if __name__ == "__main__":
    main(sys.argv[1:])
