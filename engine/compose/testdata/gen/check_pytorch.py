"""Runs every "Copy as PyTorch" function the playground writes in PyTorch 1.13 and
compares its loss and input gradient with the playground's (rtol 1e-6, atol 1e-9).

    go test ./engine/compose -run TestPyTorchDump -pytorch-dump /tmp/pytorch.json
    /usr/bin/python3 engine/compose/testdata/gen/check_pytorch.py /tmp/pytorch.json
"""
import json
import math
import sys

import torch


def num(v):
    return float({"NaN": "nan", "Infinity": "inf", "-Infinity": "-inf"}.get(v, v)) if isinstance(v, str) else float(v)


def same(a, b):
    return len(a) == len(b) and all(
        (math.isnan(u) and math.isnan(v)) or u == v or abs(u - v) <= 1e-9 + 1e-6 * abs(v) for u, v in zip(a, b))


def main(path):
    records = json.load(open(path))
    bad = 0
    for r in records:
        ns = {}
        exec(r["Code"], ns)
        x = torch.tensor([num(v) for v in r["Input"]], dtype=torch.float64).reshape(r["InputShape"]).requires_grad_()
        t = torch.tensor([num(v) for v in r["Target"]], dtype=torch.float64).reshape(r["TargetShape"])
        name = r["Code"].split('"""')[1]
        try:
            loss = ns["fn"](x, t, reduction=r["Reduction"])
            g = torch.autograd.grad(loss.sum(), x, allow_unused=True)[0] if loss.requires_grad else None
            g = torch.zeros_like(x) if g is None else g
        except Exception as e:  # noqa: BLE001 - report every failure
            print("error:", name, r["Reduction"], e)
            bad += 1
            continue
        if not same(loss.reshape(-1).tolist(), [num(v) for v in r["Loss"]]) or \
                not same(g.reshape(-1).tolist(), [num(v) for v in r["Grad"]]):
            print("mismatch:", name, r["Reduction"])
            bad += 1
    print(f"{len(records)} generated functions run in torch {torch.__version__}; {bad} differ")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main(sys.argv[1])
