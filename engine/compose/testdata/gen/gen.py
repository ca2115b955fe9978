"""Golden fixtures for the formula language, from PyTorch 1.13 in float64.

Every case is a formula of the language beside the same loss written by hand
with torch operations (not translated by the Go code: the two are independent),
run on every input set with every reduction. The fixtures hold the loss and
the gradients of loss.sum() with respect to input and target.

    /usr/bin/python3 engine/compose/testdata/gen/gen.py > engine/compose/testdata/fixtures.json
"""
import json
import math
import sys

import torch

NAN, INF = float("nan"), float("inf")
F = torch.nn.functional


def c(x, v):
    """A constant with x's dtype, as a tensor (torch.maximum etc. refuse floats)."""
    return x.new_tensor(v)


# (name, formula, params, torch function of input x, target t and params p).
CASES = [
    # Operators.
    ("add", "input + target", {}, lambda x, t, p: x + t),
    ("sub", "input - target", {}, lambda x, t, p: x - t),
    ("mul", "input * target", {}, lambda x, t, p: x * t),
    ("div", "input / target", {}, lambda x, t, p: x / t),
    ("div-scalar", "1 / (input - target)", {}, lambda x, t, p: 1.0 / (x - t)),
    ("neg", "-input * target", {}, lambda x, t, p: -x * t),
    ("pow2", "(input - target)^2", {}, lambda x, t, p: (x - t) ** 2),
    ("pow-half-abs", "abs(input)^0.5", {}, lambda x, t, p: torch.abs(x) ** 0.5),
    ("pow-tensor", "input ^ target", {}, lambda x, t, p: x ** t),
    ("pow-scalar-base", "2 ^ input", {}, lambda x, t, p: 2.0 ** x),
    ("pow-param", "abs(input - target)^gamma", {"gamma": 1.5}, lambda x, t, p: torch.abs(x - t) ** p["gamma"]),
    ("pow-zero", "input^0 + target^1", {}, lambda x, t, p: x ** 0.0 + t ** 1.0),
    ("neg-pow", "-input^2", {}, lambda x, t, p: -(x ** 2)),
    ("pow-right", "2^input^2", {}, lambda x, t, p: 2.0 ** (x ** 2)),
    ("pow-neg-exp", "abs(input)^-target", {}, lambda x, t, p: torch.abs(x) ** (-t)),
    ("lt", "where(input < target, input, target)", {}, lambda x, t, p: torch.where(x < t, x, t)),
    ("le", "where(input <= target, input - target, 0)", {}, lambda x, t, p: torch.where(x <= t, x - t, c(x, 0.0))),
    ("gt", "where(input > 0, input, 0.1*input)", {}, lambda x, t, p: torch.where(x > 0, x, 0.1 * x)),
    ("ge", "where(input >= target, 1, 2) * input", {}, lambda x, t, p: torch.where(x >= t, c(x, 1.0), c(x, 2.0)) * x),
    ("eq", "where(input == target, 1, input)", {}, lambda x, t, p: torch.where(x == t, c(x, 1.0), x)),
    ("ne-nan-branch", "where(input != 0, log(abs(input)), 0)", {},
     lambda x, t, p: torch.where(x != 0, torch.log(torch.abs(x)), c(x, 0.0))),
    # Functions.
    ("abs", "abs(input - target)", {}, lambda x, t, p: torch.abs(x - t)),
    ("exp", "exp(input)", {}, lambda x, t, p: torch.exp(x)),
    ("log", "log(input)", {}, lambda x, t, p: torch.log(x)),
    ("log1p", "log1p(input)", {}, lambda x, t, p: torch.log1p(x)),
    ("sqrt", "sqrt(input)", {}, lambda x, t, p: torch.sqrt(x)),
    ("sigmoid", "sigmoid(input)", {}, lambda x, t, p: torch.sigmoid(x)),
    ("softplus", "softplus(10*input)", {}, lambda x, t, p: F.softplus(10 * x)),
    ("tanh", "tanh(input - target)", {}, lambda x, t, p: torch.tanh(x - t)),
    ("cosh", "cosh(input)", {}, lambda x, t, p: torch.cosh(x)),
    ("relu", "relu(input - target)", {}, lambda x, t, p: torch.relu(x - t)),
    ("max", "max(input, target)", {}, lambda x, t, p: torch.maximum(x, t)),
    ("min", "min(input, target)", {}, lambda x, t, p: torch.minimum(x, t)),
    ("max-zero", "max(input, 0)", {}, lambda x, t, p: torch.maximum(x, c(x, 0.0))),
    ("clamp", "clamp(input, -1, 1)", {}, lambda x, t, p: torch.clamp(x, c(x, -1.0), c(x, 1.0))),
    ("clamp-tensor", "clamp(input, target, target + 1)", {}, lambda x, t, p: torch.clamp(x, t, t + 1)),
    ("clamp-crossed", "clamp(input, target + 1, target)", {}, lambda x, t, p: torch.clamp(x, t + 1, t)),
    ("clamp-equal", "clamp(input, target, target)", {}, lambda x, t, p: torch.clamp(x, t, t)),
    ("sum", "sum(input * target)", {}, lambda x, t, p: torch.sum(x * t)),
    ("mean", "mean((input - target)^2)", {}, lambda x, t, p: torch.mean((x - t) ** 2)),
    ("centered", "(input - mean(input))^2", {}, lambda x, t, p: (x - torch.mean(x)) ** 2),
    ("times-sum", "input * sum(target)", {}, lambda x, t, p: x * torch.sum(t)),
    ("constant", "3", {}, lambda x, t, p: c(x, 3.0)),
    # Ready-made formulas of the page.
    ("focal", "alpha*target*(1 - sigmoid(input))^gamma*softplus(-input) + (1 - alpha)*(1 - target)*sigmoid(input)^gamma*softplus(input)",
     {"alpha": 0.25, "gamma": 2.0},
     lambda x, t, p: p["alpha"] * t * (1 - torch.sigmoid(x)) ** p["gamma"] * F.softplus(-x)
     + (1 - p["alpha"]) * (1 - t) * torch.sigmoid(x) ** p["gamma"] * F.softplus(x)),
    ("dice", "1 - (2*sum(sigmoid(input)*target) + eps)/(sum(sigmoid(input)) + sum(target) + eps)", {"eps": 1.0},
     lambda x, t, p: 1 - (2 * torch.sum(torch.sigmoid(x) * t) + p["eps"])
     / (torch.sum(torch.sigmoid(x)) + torch.sum(t) + p["eps"])),
    ("log-cosh", "log(cosh(input - target))", {}, lambda x, t, p: torch.log(torch.cosh(x - t))),
    ("pinball", "max(tau*(target - input), (tau - 1)*(target - input))", {"tau": 0.9},
     lambda x, t, p: torch.maximum(p["tau"] * (t - x), (p["tau"] - 1) * (t - x))),
    ("charbonnier", "sqrt((input - target)^2 + eps^2)", {"eps": 1e-3},
     lambda x, t, p: torch.sqrt((x - t) ** 2 + p["eps"] ** 2)),
    ("tversky",
     "1 - (sum(sigmoid(input)*target) + eps)/(sum(sigmoid(input)*target) + alpha*sum(sigmoid(input)*(1 - target)) + beta*sum((1 - sigmoid(input))*target) + eps)",
     {"alpha": 0.3, "beta": 0.7, "eps": 1.0},
     lambda x, t, p: 1 - (torch.sum(torch.sigmoid(x) * t) + p["eps"])
     / (torch.sum(torch.sigmoid(x) * t) + p["alpha"] * torch.sum(torch.sigmoid(x) * (1 - t))
        + p["beta"] * torch.sum((1 - torch.sigmoid(x)) * t) + p["eps"])),
    ("huber", "where(abs(input - target) < delta, 0.5*(input - target)^2, delta*(abs(input - target) - 0.5*delta))",
     {"delta": 1.0},
     lambda x, t, p: torch.where(torch.abs(x - t) < p["delta"], 0.5 * (x - t) ** 2,
                                 p["delta"] * (torch.abs(x - t) - 0.5 * p["delta"]))),
    ("smooth-l1", "where(abs(input - target) < beta, 0.5*(input - target)^2/beta, abs(input - target) - 0.5*beta)",
     {"beta": 1.0},
     lambda x, t, p: torch.where(torch.abs(x - t) < p["beta"], 0.5 * (x - t) ** 2 / p["beta"],
                                 torch.abs(x - t) - 0.5 * p["beta"])),
    ("soft-margin", "log1p(exp(-target*input))", {}, lambda x, t, p: torch.log1p(torch.exp(-t * x))),
    ("bce", "-(target*max(log(input), -100) + (1 - target)*max(log(1 - input), -100))", {},
     lambda x, t, p: -(t * torch.maximum(torch.log(x), c(x, -100.0))
                       + (1 - t) * torch.maximum(torch.log(1 - x), c(x, -100.0)))),
]

# Input sets: ties (input == target), zeros and the functions' kinks;
# broadcasting either way; NaN and ±Inf; the unit interval with its ends;
# 0-d tensors.
SETS = {
    "points": ([-2.0, -1.0, -0.5, 0.0, 0.0, 0.5, 1.0, 3.0], [0.0, -1.0, 0.5, 0.0, 1.0, 0.5, 1.0, 1.0]),
    "broadcast-target": ([[-1.5, 0.0, 0.7], [2.0, -0.3, 1.0]], [0.0, 0.0, 1.0]),
    "broadcast-both": ([0.2, -0.4, 1.1], [[0.5], [-1.0]]),
    "special": ([NAN, INF, -INF, 0.0, 1.0, -30.0, 30.0, 2.5], [0.0, 1.0, 1.0, NAN, INF, 0.0, 1.0, -INF]),
    "unit": ([0.01, 0.2, 0.5, 0.8, 0.99, 1.0, 0.0], [0.0, 1.0, 0.5, 1.0, 0.0, 1.0, 0.0]),
    "scalar": (0.3, 1.0),
}
REDUCTIONS = ("none", "mean", "sum")


def enc(v):
    if isinstance(v, list):
        return [enc(u) for u in v]
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def main():
    out = []
    for name, formula, params, fn in CASES:
        for set_name, (xs, ts) in SETS.items():
            for red in REDUCTIONS:
                x = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
                t = torch.tensor(ts, dtype=torch.float64, requires_grad=True)
                p = {k: x.new_tensor(v) for k, v in params.items()}
                loss = fn(x, t, p)
                if loss.dim() > 0:
                    loss = {"mean": loss.mean, "sum": loss.sum, "none": lambda: loss}[red]()
                if loss.requires_grad:
                    gx, gt = torch.autograd.grad(loss.sum(), (x, t), allow_unused=True)
                else:
                    gx = gt = None
                gx = torch.zeros_like(x) if gx is None else gx
                gt = torch.zeros_like(t) if gt is None else gt
                out.append({
                    "name": name, "formula": formula, "params": params, "set": set_name, "reduction": red,
                    "input": enc(xs), "target": enc(ts),
                    "loss": enc(loss.tolist()),
                    "grads": {"input": enc(gx.tolist()), "target": enc(gt.tolist())},
                })
    json.dump({"torch": torch.__version__, "fixtures": out}, sys.stdout, indent=None, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
