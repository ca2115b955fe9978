#!/usr/bin/env python3
"""Golden fixtures for the engine, computed by PyTorch (Debian's python3-torch, 1.13, float64).

Run from the repository root:  /usr/bin/python3 engine/testdata/gen/generate.py [module ...]

Every cases_*.py module beside this file defines CASES, a list built with case(). Each module
is written to engine/testdata/fixtures/<module>.json. A case records the loss, its constructor
parameters and functional inputs exactly as the JSON API takes them, and what PyTorch returns:
the loss and the gradient of loss.sum() for every differentiable input, or the error it raises.
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

from common import run_case  # noqa: E402


def main(argv):
    torch.set_default_dtype(torch.float64)
    warnings.simplefilter("ignore")  # deprecation and broadcasting warnings are expected
    names = argv or sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(HERE, "cases_*.py")))
    for name in names:
        mod = importlib.import_module(name)
        seen = set()
        out = []
        for c in mod.CASES:
            if c["name"] in seen:
                raise SystemExit(f"{name}: duplicate case name {c['name']}")
            seen.add(c["name"])
            out.append(run_case(c))
        path = os.path.join(OUT, name[len("cases_"):] + ".json")
        with open(path, "w") as f:
            # One case a line keeps diffs of regenerated fixtures readable.
            f.write('{"generator": "engine/testdata/gen/generate.py", "torch": %s, "cases": [\n' % json.dumps(torch.__version__))
            f.write(",\n".join(json.dumps(c, allow_nan=False) for c in out))
            f.write("\n]}\n")
        print(f"{path}: {len(out)} cases")


if __name__ == "__main__":
    main(sys.argv[1:])
