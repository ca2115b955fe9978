"""SmoothL1Loss, HuberLoss, PoissonNLLLoss, GaussianNLLLoss, KLDivLoss, BCELoss and BCEWithLogitsLoss.

Parameters hold finite numbers only: common.encode does not reach into the params dict, so NaN or
infinite parameters (a NaN beta, an infinite weight) are tested in the Go unit tests instead."""
from common import case

NAN, INF = float("nan"), float("inf")
REDUCTIONS = ("mean", "sum", "none")
LEGACY = ((False, None), (None, False), (True, True), (False, True), (True, False))

X = [[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]]
Y = [[1.0, -1.0, 0.0], [1.0, 0.5, 0.5]]
X3 = [[[0.3, -1.2, 2.5, 0.0], [1.1, -0.4, 0.7, -2.2], [0.05, 1.9, -0.6, 0.4]],
      [[-0.8, 0.2, 1.4, -1.7], [2.1, -0.1, 0.9, 0.6], [-1.3, 0.8, -0.2, 1.6]]]
Y3 = [[[1.0, 0.0, 2.0, 0.5], [0.0, 0.0, 1.0, -2.0], [0.5, 1.0, 0.0, 0.0]],
      [[-1.0, 0.0, 1.0, -1.0], [2.0, 1.0, 0.0, 1.0], [-1.0, 1.0, 0.0, 2.0]]]

CASES = []


def add(name, loss, inputs, params=None, grads=("input",)):
    CASES.append(case(f"{loss}/{name}", loss, inputs, params, grads))


def legacy(loss, inputs, extra=None, grads=("input",), tag=""):
    for sa, rd in LEGACY:
        params = dict(extra or {})
        params["reduction"] = "mean"
        if sa is not None:
            params["size_average"] = sa
        if rd is not None:
            params["reduce"] = rd
        add(f"legacy{tag}-sa={sa}-reduce={rd}", loss, inputs, params, grads)


# --- SmoothL1Loss and HuberLoss (spec §14, §15) -----------------------------------------------
for loss, knob in (("SmoothL1Loss", "beta"), ("HuberLoss", "delta")):
    for red in REDUCTIONS:
        add(f"{red}", loss, {"input": X, "target": Y}, {"reduction": red})
        for v in (0.5, 2.0, 1e-3):
            add(f"{knob}={v}/{red}", loss, {"input": X, "target": Y}, {"reduction": red, knob: v})
        add(f"broadcast-target-row/{red}", loss, {"input": X, "target": [0.0, 1.0, -2.0]}, {"reduction": red})
        add(f"broadcast-input/{red}", loss, {"input": [[1.0], [2.0]], "target": Y}, {"reduction": red, knob: 0.7})
        add(f"broadcast-both/{red}", loss, {"input": [[0.5], [-1.5]], "target": [[0.0, 1.0, 3.0]]}, {"reduction": red})
        add(f"nan-inf/{red}", loss, {"input": [NAN, INF, -INF, INF, 1.0], "target": [0.0, 0.0, 0.0, INF, NAN]},
            {"reduction": red})
        add(f"3d/{red}", loss, {"input": X3, "target": Y3}, {"reduction": red, knob: 0.8})
    # |d| exactly at the threshold, inside it, and d = 0.
    add("edges", loss, {"input": [0.5, -0.5, 0.0, 0.25, 0.75, -0.75], "target": [0.0] * 6},
        {"reduction": "none", knob: 0.5})
    add("edges-sum", loss, {"input": [0.5, -0.5, 0.0, 0.25, 0.75, -0.75], "target": [0.0] * 6},
        {"reduction": "sum", knob: 0.5})
    add(f"tiny-{knob}", loss, {"input": [1.0, 1e-301, -1e-301, 0.0], "target": [0.0, 0.0, 0.0, 0.0]},
        {"reduction": "none", knob: 1e-300})
    add("huge", loss, {"input": [1e300, 1e200, -1e154], "target": [-1e300, 0.0, 1e154]}, {"reduction": "none"})
    add("scalar", loss, {"input": 1.5, "target": -0.5})
    add("scalar-inside", loss, {"input": 0.25, "target": -0.5}, {"reduction": "sum"})
    add("empty-mean", loss, {"input": [], "target": []})
    add("empty-sum", loss, {"input": [], "target": []}, {"reduction": "sum"})
    add("bad-broadcast", loss, {"input": [1.0, 2.0, 3.0], "target": [1.0, 2.0]})
    add("bad-reduction", loss, {"input": X, "target": Y}, {"reduction": "avg"})
    add(f"{knob}-negative", loss, {"input": X, "target": Y}, {knob: -1.0})

# SmoothL1 at beta = 0: the value is L1, but the gradient at d == 0 is -1 (first branch d <= -0).
for red in REDUCTIONS:
    add(f"beta=0/{red}", "SmoothL1Loss", {"input": [1.0, 2.0, 0.0, -1.0, 3.5], "target": [1.0, 1.0, 1.0, -1.0, 3.5]},
        {"reduction": red, "beta": 0.0})
add("beta=0/broadcast", "SmoothL1Loss", {"input": [[1.0], [2.0]], "target": [1.0, 2.0, 3.0]},
    {"reduction": "sum", "beta": 0.0})
legacy("SmoothL1Loss", {"input": X, "target": Y}, {"beta": 0.5})
add("delta=0", "HuberLoss", {"input": X, "target": Y}, {"delta": 0.0})
add("legacy-arg", "HuberLoss", {"input": X, "target": Y}, {"size_average": False})

# --- PoissonNLLLoss (spec §6) ------------------------------------------------------------------
PX = [[0.5, -1.0, 1.2], [0.0, 2.0, -0.3]]
PY = [[2.0, 0.0, 3.0], [1.0, 6.0, 0.0]]
RATE = [[0.5, 1e-3, 3.2], [0.0, 2.0, 7.5]]
STIRLING_Y = [0.0, 0.5, 1.0, 1.0000001, 2.0, 7.0, -1.0, NAN, INF]
for log_input in (True, False):
    x = PX if log_input else RATE
    for full in (False, True):
        for red in REDUCTIONS:
            add(f"log_input={log_input}-full={full}/{red}", "PoissonNLLLoss", {"input": x, "target": PY},
                {"reduction": red, "log_input": log_input, "full": full})
        add(f"log_input={log_input}-full={full}/stirling-mask", "PoissonNLLLoss",
            {"input": [0.5] * len(STIRLING_Y), "target": STIRLING_Y},
            {"reduction": "none", "log_input": log_input, "full": full})
        add(f"log_input={log_input}-full={full}/broadcast", "PoissonNLLLoss",
            {"input": [[x[0][0]], [x[1][2]]], "target": [1.0, 2.0, 3.0]},
            {"reduction": "sum", "log_input": log_input, "full": full})
        add(f"log_input={log_input}-full={full}/broadcast-target", "PoissonNLLLoss",
            {"input": x[0], "target": [[3.0], [0.0]]},
            {"reduction": "mean", "log_input": log_input, "full": full})
for eps in (0.0, 0.5, 1e-3):
    add(f"eps={eps}", "PoissonNLLLoss", {"input": [0.0, 1e-9, 0.5, 2.0], "target": [1.0, 0.0, 2.0, 3.0]},
        {"reduction": "none", "log_input": False, "eps": eps})
    add(f"eps={eps}-log-input", "PoissonNLLLoss", {"input": PX, "target": PY}, {"eps": eps})
add("rate-edges", "PoissonNLLLoss",
    {"input": [0.0, -1e-8, -1.0, 0.0, INF, NAN, 1e-300], "target": [1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 2.0]},
    {"reduction": "none", "log_input": False})
add("log-rate-edges", "PoissonNLLLoss",
    {"input": [INF, -INF, 800.0, NAN, -800.0, 1.0], "target": [1.0, 1.0, 0.0, 1.0, 2.0, NAN]},
    {"reduction": "none"})
# Where Go's amd64 math.Log (subnormals) and math.Exp (x > ~709.1) go wrong, PyTorch does not.
add("rate-subnormal", "PoissonNLLLoss", {"input": [1e-310, 5e-324], "target": [1.0, 2.0]},
    {"reduction": "none", "log_input": False, "eps": 0.0})
add("log-rate-near-overflow", "PoissonNLLLoss", {"input": [709.5, 709.78, 709.79, 709.0], "target": [0.0, 1.0, 0.0, 2.0]},
    {"reduction": "none"})
add("3d", "PoissonNLLLoss", {"input": X3, "target": [[[abs(v) for v in r] for r in b] for b in Y3]},
    {"full": True})
add("scalar", "PoissonNLLLoss", {"input": 0.7, "target": 3.0}, {"full": True})
add("empty-mean", "PoissonNLLLoss", {"input": [], "target": []})
add("empty-sum", "PoissonNLLLoss", {"input": [], "target": []}, {"reduction": "sum"})
legacy("PoissonNLLLoss", {"input": PX, "target": PY}, {"full": True})
add("bad-reduction", "PoissonNLLLoss", {"input": PX, "target": PY}, {"reduction": "batchmean"})
add("bad-broadcast", "PoissonNLLLoss", {"input": [1.0, 2.0, 3.0], "target": [1.0, 2.0]})

# --- GaussianNLLLoss (spec §7) -----------------------------------------------------------------
G = "GaussianNLLLoss"
GV = [[0.5, 1.0, 2.0], [1.0, 0.25, 4.0]]
GG = ("input", "var")


def gadd(name, inputs, params=None):
    add(name, G, inputs, params, GG)


for full in (False, True):
    for red in REDUCTIONS:
        gadd(f"full={full}/{red}", {"input": X, "target": Y, "var": GV}, {"reduction": red, "full": full})
        gadd(f"full={full}/var-per-row/{red}", {"input": X, "target": Y, "var": [0.5, 3.0]},
             {"reduction": red, "full": full})
        gadd(f"full={full}/var-column/{red}", {"input": X, "target": Y, "var": [[0.5], [3.0]]},
             {"reduction": red, "full": full})
for red in REDUCTIONS:
    gadd(f"0d-0d/{red}", {"input": 0.5, "target": 1.0, "var": 2.0}, {"reduction": red})
    gadd(f"0d-var-(1,)/{red}", {"input": 0.5, "target": 1.0, "var": [2.0]}, {"reduction": red})
    gadd(f"1d-var-0d/{red}", {"input": [0.5, 1.0, 2.0], "target": [1.0, 0.0, 0.0], "var": 2.0}, {"reduction": red})
    gadd(f"1d-var-(1,)/{red}", {"input": [0.5, 1.0, 2.0], "target": [1.0, 0.0, 0.0], "var": [2.0]},
         {"reduction": red})
    gadd(f"3d-var-(2,3)/{red}", {"input": X3, "target": Y3, "var": GV}, {"reduction": red})
    gadd(f"3d-var-(2,3,1)/{red}", {"input": X3, "target": Y3, "var": [[[v] for v in r] for r in GV]},
         {"reduction": red})
    gadd(f"target-broadcast-row/{red}", {"input": X, "target": [1.0, 2.0, 3.0], "var": [[2.0], [3.0]]},
         {"reduction": red})
    gadd(f"target-larger/{red}", {"input": X, "target": [Y, X], "var": [2.0, 3.0]}, {"reduction": red})
    gadd(f"input-broadcast/{red}", {"input": [[1.0, 2.0, 3.0]], "target": Y, "var": [[2.0, 1.0, 0.5]]},
         {"reduction": red})
    gadd(f"input-broadcast-var-column/{red}", {"input": [[1.0, 2.0, 3.0]], "target": Y, "var": [[2.0]]},
         {"reduction": red})
    gadd(f"0d-input-larger-target/{red}", {"input": 0.5, "target": [1.0, -1.0, 2.0], "var": 2.0},
         {"reduction": red})
# The clamp is invisible to autograd: var 0 and 1e-8 are clamped in the value, not in the gradient.
for eps in (1e-6, 0.5, 0.0):
    gadd(f"clamp-eps={eps}", {"input": [1.0, 1.0, 1.0, 1.0, 1.0], "target": [0.0, 0.0, 0.0, 1.0, 3.0],
                              "var": [0.0, 1e-8, INF, 0.0, 0.25]}, {"reduction": "none", "eps": eps})
gadd("clamp-mean", {"input": [1.0, 1.0, 1.0], "target": [0.0, 0.5, 3.0], "var": [0.0, 1e-8, 0.5]},
     {"eps": 0.1, "full": True})
gadd("var-subnormal-eps=0", {"input": [0.0, 1e-160], "target": [0.0, 0.0], "var": [1e-310, 5e-324]},
     {"reduction": "none", "eps": 0.0})
gadd("var-nan", {"input": X, "target": Y, "var": [2.0, NAN]}, {"reduction": "none"})
gadd("input-nan-inf", {"input": [NAN, INF, -INF, 1.0], "target": [0.0, 0.0, INF, NAN], "var": [1.0, 1.0, 1.0, 1.0]},
     {"reduction": "none"})
gadd("empty", {"input": [], "target": [], "var": []})
gadd("empty-var-0d", {"input": [], "target": [], "var": 1.0})
gadd("empty-rows", {"input": [[], []], "target": [[], []], "var": [1.0, 2.0]}, {"reduction": "sum"})
gadd("var-negative", {"input": X, "target": Y, "var": [[0.5, 1.0, 2.0], [1.0, -0.25, 4.0]]})
gadd("var-negative-zero-ok", {"input": X, "target": Y, "var": [[0.5, 1.0, 2.0], [1.0, -0.0, 4.0]]})
gadd("var-(3,)", {"input": X, "target": Y, "var": [2.0, 3.0, 1.0]})
gadd("var-(1,3)", {"input": X, "target": Y, "var": [[2.0, 3.0, 1.0]]})
gadd("var-0d-for-2d", {"input": X, "target": Y, "var": 2.0})
gadd("var-(1,)-for-2d", {"input": X, "target": Y, "var": [2.0]})
gadd("var-(2,1,1)-for-3d", {"input": X3, "target": Y3, "var": [[[1.0]], [[2.0]]]})
gadd("var-(1,2,3)-for-3d", {"input": X3, "target": Y3, "var": [GV]})
gadd("var-(2,)-for-0d", {"input": 0.5, "target": 1.0, "var": [2.0, 3.0]})
gadd("var-(1,1)-for-1d", {"input": [0.5, 1.0], "target": [1.0, 0.0], "var": [[2.0]]})
gadd("empty-var-(0,)-for-(0,3)", {"input": [[]], "target": [[]], "var": []})
gadd("bad-target", {"input": X, "target": [1.0, 2.0], "var": GV})
gadd("bad-reduction", {"input": X, "target": Y, "var": GV}, {"reduction": "batchmean"})
gadd("legacy-arg", {"input": X, "target": Y, "var": GV}, {"size_average": False})

# --- KLDivLoss (spec §8) -----------------------------------------------------------------------
K = "KLDivLoss"
KX = [[-1.2039728043259361, -0.916290731874155, -1.2039728043259361],
      [-0.35667494393873245, -1.6094379124341003, -2.302585092994046]]
KY = [[0.2, 0.5, 0.3], [0.6, 0.3, 0.1]]
KLY = [[-1.6, -0.7, -1.2], [-0.5, -1.2, -2.3]]
for log_target in (False, True):
    y = KLY if log_target else KY
    for red in ("none", "batchmean", "sum", "mean"):
        add(f"log_target={log_target}/{red}", K, {"input": KX, "target": y},
            {"reduction": red, "log_target": log_target})
        add(f"log_target={log_target}/3d/{red}", K, {"input": X3, "target": Y3 if log_target else
            [[[abs(v) / 3 for v in r] for r in b] for b in Y3]}, {"reduction": red, "log_target": log_target})
        add(f"log_target={log_target}/1d/{red}", K, {"input": KX[0], "target": y[0]},
            {"reduction": red, "log_target": log_target})
        add(f"log_target={log_target}/0d/{red}", K, {"input": -0.7, "target": y[0][1]},
            {"reduction": red, "log_target": log_target})
        # batchmean divides by input.size(0), even when the target broadcasts the input up.
        add(f"log_target={log_target}/input-broadcast/{red}", K, {"input": [KX[0]], "target": y},
            {"reduction": red, "log_target": log_target})
        add(f"log_target={log_target}/1d-input-2d-target/{red}", K, {"input": KX[1], "target": [y[0], y[1], y[0]]},
            {"reduction": red, "log_target": log_target})
        add(f"log_target={log_target}/0d-input-1d-target/{red}", K, {"input": -0.7, "target": y[1]},
            {"reduction": red, "log_target": log_target})
        add(f"log_target={log_target}/target-broadcast/{red}", K, {"input": KX, "target": [y[1][0]]},
            {"reduction": red, "log_target": log_target})
add("xlogy-edges", K, {"input": [INF, -INF, 1.0, NAN, 1.0, 1.0, 1.0, -2.0],
                       "target": [0.0, 0.0, -1.0, 0.0, NAN, INF, 0.0, 0.5]}, {"reduction": "none"})
add("xlogy-edges-sum", K, {"input": [1.0, 1.0, -2.0], "target": [0.0, -0.5, 0.5]}, {"reduction": "sum"})
add("log-target-edges", K, {"input": [1.0, 1.0, 1.0, INF, -INF, NAN, 0.5],
                            "target": [NAN, INF, -INF, -INF, 0.0, 0.0, 800.0]},
    {"reduction": "none", "log_target": True})
add("log-target-near-overflow", K, {"input": [0.0, 0.0, 1.0], "target": [709.5, 709.0, 709.78]},
    {"reduction": "none", "log_target": True})
add("empty-batchmean", K, {"input": [], "target": []}, {"reduction": "batchmean"})
add("empty-rows-batchmean", K, {"input": [[], []], "target": [[], []]}, {"reduction": "batchmean"})
add("empty-mean", K, {"input": [], "target": []})
add("empty-sum", K, {"input": [], "target": []}, {"reduction": "sum"})
legacy(K, {"input": KX, "target": KY})
# The module turns size_average/reduce into a reduction string, so 'batchmean' is overridden.
legacy(K, {"input": KX, "target": KLY}, {"log_target": True}, tag="-log_target")
for sa, rd in LEGACY:
    params = {"reduction": "batchmean"}
    if sa is not None:
        params["size_average"] = sa
    if rd is not None:
        params["reduce"] = rd
    add(f"legacy-batchmean-sa={sa}-reduce={rd}", K, {"input": KX, "target": KY}, params)
add("bad-reduction", K, {"input": KX, "target": KY}, {"reduction": "avg"})
add("bad-broadcast", K, {"input": KX, "target": [0.5, 0.5]})

# --- BCELoss (spec §9) -------------------------------------------------------------------------
B = "BCELoss"
BX = [[0.9, 0.2, 0.6], [0.3, 0.8, 0.5]]
BY = [[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]
BX3 = [[[0.1, 0.5, 0.9, 0.3], [0.7, 0.2, 0.6, 0.4], [0.05, 0.95, 0.5, 0.8]],
       [[0.6, 0.4, 0.3, 0.7], [0.9, 0.1, 0.2, 0.5], [0.35, 0.65, 0.15, 0.85]]]
BY3 = [[[0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.5, 1.0], [0.0, 1.0, 1.0, 0.25]],
       [[1.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 1.0]]]
WEIGHTS2 = {"row": [[2.0], [0.5]], "col": [1.0, 2.0, 3.0], "full": [[1.0, 2.0, 0.0], [0.5, 3.0, 1.5]],
            "scalar": 2.5, "(1,3)": [[1.0, 2.0, 3.0]], "(1,1)": [[3.0]]}
WEIGHTS3 = {"col": [1.0, 2.0, 3.0, 4.0], "(3,1)": [[1.0], [2.0], [3.0]], "(2,1,4)": [[[1.0, 2.0, 3.0, 4.0]],
            [[0.5, 0.5, 2.0, 2.0]]], "(2,1,1)": [[[2.0]], [[3.0]]], "(1,3,1)": [[[1.0], [0.0], [2.0]]]}
for red in REDUCTIONS:
    add(f"{red}", B, {"input": BX, "target": BY}, {"reduction": red})
    add(f"soft-targets/{red}", B, {"input": BX, "target": [[0.7, 0.1, 0.5], [0.3, 0.9, 0.0]]}, {"reduction": red})
    for wn, w in WEIGHTS2.items():
        add(f"weight-{wn}/{red}", B, {"input": BX, "target": BY}, {"reduction": red, "weight": w})
    for wn, w in WEIGHTS3.items():
        add(f"3d-weight-{wn}/{red}", B, {"input": BX3, "target": BY3}, {"reduction": red, "weight": w})
    add(f"clamps/{red}", B, {"input": [0.0, 1.0, 1e-50, 0.0, 1.0, 1e-40, 1.0 - 1e-16, 1e-300],
                             "target": [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0]}, {"reduction": red})
add("targets-unchecked", B, {"input": [0.5, 0.5, 1.0, 0.0, 0.25, 0.5], "target": [2.0, -1.0, INF, INF, NAN, 0.5]},
    {"reduction": "none"})
add("clamps-weighted", B, {"input": [0.0, 1.0, 1e-50, 0.5], "target": [1.0, 0.0, 1.0, 1.0]},
    {"reduction": "none", "weight": [3.0, 0.0, -1.0, 1e300]})
add("scalar", B, {"input": 0.3, "target": 1.0})
add("scalar-weight-0d", B, {"input": 0.3, "target": 1.0}, {"weight": 2.0})
add("1d-weight", B, {"input": [0.3, 0.6], "target": [1.0, 0.0]}, {"weight": [2.0, 0.5], "reduction": "sum"})
add("empty-mean", B, {"input": [], "target": []})
add("empty-sum", B, {"input": [], "target": []}, {"reduction": "sum"})
add("empty-weight-(1,)", B, {"input": [], "target": []}, {"weight": [2.0]})
legacy(B, {"input": BX, "target": BY}, {"weight": [1.0, 2.0, 3.0]})
add("input-below-0", B, {"input": [0.5, -0.1], "target": [1.0, 0.0]})
add("input-above-1", B, {"input": [0.5, 1.1], "target": [1.0, 0.0]})
add("input-nan", B, {"input": [0.3, NAN], "target": [1.0, 0.0]})
add("input-inf", B, {"input": [0.3, INF], "target": [1.0, 0.0]})
add("target-size", B, {"input": [0.3, 0.2], "target": [[1.0, 0.0]]})
add("target-size-broadcastable", B, {"input": BX, "target": [1.0, 0.0, 1.0]})
add("weight-bad", B, {"input": BX, "target": BY}, {"weight": [1.0, 2.0]})
add("weight-larger", B, {"input": BX, "target": BY}, {"weight": [[[1.0, 2.0, 3.0]], [[1.0, 1.0, 1.0]]]})
add("weight-(1,4)-for-(3,1)", B, {"input": [[0.3], [0.5], [0.7]], "target": [[1.0], [0.0], [1.0]]},
    {"weight": [[1.0, 2.0, 3.0, 4.0]]})
add("scalar-weight-(1,)", B, {"input": 0.3, "target": 1.0}, {"weight": [2.0]})
add("bad-reduction", B, {"input": BX, "target": BY}, {"reduction": "batchmean"})

# --- BCEWithLogitsLoss (spec §10) --------------------------------------------------------------
L = "BCEWithLogitsLoss"
LX = [[2.0, -1.5, 0.5], [-0.5, 1.0, 0.0]]
LY = [[1.0, 0.0, 1.0], [0.0, 1.0, 0.5]]
LX3 = [[[3 * v - 1.5 for v in r] for r in b] for b in BX3]
POS2 = {"col": [1.0, 2.0, 3.0], "scalar": 3.0, "row": [[2.0], [0.5]], "(1,3)": [[0.5, 1.0, 4.0]],
        "full": [[1.0, 2.0, 0.0], [0.5, 3.0, 1.5]], "(1,)": [2.0]}
POS3 = {"col": [1.0, 2.0, 3.0, 4.0], "(3,1)": [[1.0], [2.0], [3.0]], "(2,1,4)": [[[1.0, 2.0, 3.0, 4.0]],
        [[0.5, 0.5, 2.0, 2.0]]], "(2,1,1)": [[[2.0]], [[3.0]]]}
for red in REDUCTIONS:
    add(f"{red}", L, {"input": LX, "target": LY}, {"reduction": red})
    for pn, p in POS2.items():
        add(f"pos_weight-{pn}/{red}", L, {"input": LX, "target": LY}, {"reduction": red, "pos_weight": p})
    for pn, p in POS3.items():
        add(f"3d-pos_weight-{pn}/{red}", L, {"input": LX3, "target": BY3}, {"reduction": red, "pos_weight": p})
    for wn, w in WEIGHTS2.items():
        add(f"weight-{wn}/{red}", L, {"input": LX, "target": LY}, {"reduction": red, "weight": w})
    add(f"3d-weight-(3,1)/{red}", L, {"input": LX3, "target": BY3}, {"reduction": red, "weight": WEIGHTS3["(3,1)"]})
    add(f"weight-and-pos_weight/{red}", L, {"input": LX, "target": LY},
        {"reduction": red, "weight": [[2.0], [0.5]], "pos_weight": [1.0, 2.0, 3.0]})
    add(f"3d-weight-and-pos_weight/{red}", L, {"input": LX3, "target": BY3},
        {"reduction": red, "weight": WEIGHTS3["(2,1,4)"], "pos_weight": POS3["(3,1)"]})
EXTREME_X = [INF, INF, -INF, -INF, -INF, NAN, 1000.0, -1000.0, 40.0, -40.0, 745.0, -745.0, INF, -INF]
EXTREME_Y = [1.0, 0.0, 1.0, 0.0, 2.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.5, 0.5]
add("extremes", L, {"input": EXTREME_X, "target": EXTREME_Y}, {"reduction": "none"})
add("extremes-pos_weight", L, {"input": EXTREME_X, "target": EXTREME_Y}, {"reduction": "none", "pos_weight": 3.0})
add("extremes-neg-pos_weight", L, {"input": EXTREME_X, "target": EXTREME_Y},
    {"reduction": "none", "pos_weight": -2.0})
add("extremes-big-pos_weight", L, {"input": [40.0, 36.0, 30.0, -40.0], "target": [1.0, 1.0, 1.0, 1.0]},
    {"reduction": "none", "pos_weight": 1e10})
add("extremes-sum", L, {"input": [1000.0, -1000.0, 0.0], "target": [0.0, 1.0, 1.0]}, {"reduction": "sum"})
add("targets-unchecked", L, {"input": [0.5, -0.5, 2.0, 1.0, 0.0], "target": [2.0, -1.0, INF, NAN, -INF]},
    {"reduction": "none"})
add("targets-unchecked-pos_weight", L, {"input": [0.5, -0.5, 2.0, 1.0, 0.0], "target": [2.0, -1.0, INF, NAN, -INF]},
    {"reduction": "none", "pos_weight": 2.0})
add("weight-extremes", L, {"input": [0.5, -0.5, 2.0, 1000.0], "target": [1.0, 0.0, 1.0, 0.0]},
    {"reduction": "none", "weight": [1e300, 0.0, -1.0, 1e300], "pos_weight": [1e300, 0.0, -3.0, 2.0]})
add("scalar", L, {"input": 0.3, "target": 1.0})
add("scalar-pos_weight-0d", L, {"input": -0.3, "target": 1.0}, {"pos_weight": 2.0, "weight": 0.5})
add("1d", L, {"input": [0.3, -2.0, 1.5], "target": [1.0, 0.0, 1.0]}, {"pos_weight": [2.0, 1.0, 0.5]})
add("empty-mean", L, {"input": [], "target": []})
add("empty-sum", L, {"input": [], "target": []}, {"reduction": "sum"})
add("empty-pos_weight-(1,)", L, {"input": [], "target": []}, {"pos_weight": [2.0]})
legacy(L, {"input": LX, "target": LY}, {"pos_weight": [1.0, 2.0, 3.0], "weight": [[2.0], [0.5]]})
add("target-size", L, {"input": [1.0, 2.0], "target": [[1.0, 2.0]]})
add("target-size-broadcastable", L, {"input": LX, "target": [1.0, 0.0, 1.0]})
add("pos_weight-(2,)", L, {"input": LX, "target": LY}, {"pos_weight": [1.0, 2.0]})
add("pos_weight-(3,1)", L, {"input": LX, "target": LY}, {"pos_weight": [[1.0], [2.0], [3.0]]})
add("pos_weight-larger", L, {"input": LX, "target": LY}, {"pos_weight": [[[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]]]})
add("pos_weight-(3,1)-for-1d", L, {"input": [0.5, -1.0, 2.0], "target": [1.0, 0.0, 1.0]},
    {"pos_weight": [[1.0], [2.0], [3.0]]})
add("pos_weight-(1,)-for-0d", L, {"input": 0.3, "target": 1.0}, {"pos_weight": [2.0]})
add("pos_weight-(2,)-for-empty", L, {"input": [], "target": []}, {"pos_weight": [2.0, 3.0]})
add("weight-(3,1)", L, {"input": LX, "target": LY}, {"weight": [[1.0], [2.0], [3.0]]})
add("weight-larger", L, {"input": LX, "target": LY}, {"weight": [[[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]]]})
add("weight-(1,)-for-0d", L, {"input": 0.3, "target": 1.0}, {"weight": [2.0]})
add("bad-reduction", L, {"input": LX, "target": LY}, {"reduction": "batchmean"})
