"""MarginRankingLoss, HingeEmbeddingLoss, SoftMarginLoss, CosineEmbeddingLoss, TripletMarginLoss and
TripletMarginWithDistanceLoss."""
from common import case

NAN, INF = float("nan"), float("inf")
REDS = ("mean", "sum", "none")
LEGACY = ((False, None), (None, False), (True, True), (False, True), (True, False))


def legacy_params(sa, rd):
    params = {"reduction": "mean"}
    if sa is not None:
        params["size_average"] = sa
    if rd is not None:
        params["reduce"] = rd
    return params


CASES = []

# MarginRankingLoss ------------------------------------------------------------------------------
MR = "MarginRankingLoss"
MR_G = ("input1", "input2")
X1 = [0.8, -0.3, 1.5, 0.2, 2.0]
X2 = [0.5, 0.4, 1.5, -1.0, 2.5]
Y = [1.0, 1.0, -1.0, -1.0, 1.0]


def mr(name, x1, x2, y, params=None):
    CASES.append(case(f"{MR}/{name}", MR, {"input1": x1, "input2": x2, "target": y}, params, grads=MR_G))


for red in REDS:
    for m in (0.0, 0.5, -0.25):
        mr(f"margin={m}/{red}", X1, X2, Y, {"margin": m, "reduction": red})
    mr(f"broadcast-x2/{red}", X1, [0.5], Y, {"reduction": red})
    mr(f"broadcast-target/{red}", X1, X2, [-1.0], {"margin": 0.3, "reduction": red})
    mr(f"2d/{red}", [[0.1, 0.9, -0.2], [1.0, 0.0, 0.5]], [[0.3], [0.2]], [[1.0, -1.0, 1.0]],
       {"margin": 0.1, "reduction": red})
    mr(f"nan-inf/{red}", [NAN, INF, -INF, 1.0, 2.0], [0.0, 1.0, 0.0, INF, NAN], [1.0, 1.0, 1.0, -1.0, 1.0],
       {"reduction": red})
# The clamp passes the gradient at z == 0 exactly.
mr("kink-z=0", [1.0, 1.5, 2.0], [1.0, 1.0, 2.5], [1.0, 1.0, -1.0], {"margin": 0.0, "reduction": "none"})
mr("kink-z=0-margin", [1.5, 0.25], [1.0, 0.0], [1.0, 1.0], {"margin": 0.5, "reduction": "sum"})
mr("target-not-pm1", [0.5, 0.5, 0.5, 0.5, 0.5], [1.0, 1.0, 1.0, 1.0, 1.0], [0.0, 2.0, 0.5, -3.0, NAN],
   {"margin": 0.2, "reduction": "none"})
mr("inf-target-inactive", [2.0, 0.5], [1.0, 1.0], [INF, -INF], {"reduction": "none"})
mr("scalar", 1.0, 2.0, 1.0, {"margin": 0.1})
mr("scalar-none", 1.0, 2.0, -1.0, {"reduction": "none"})
mr("empty-mean", [], [], [])
mr("empty-sum", [], [], [], {"reduction": "sum"})
for sa, rd in LEGACY:
    mr(f"legacy-sa={sa}-reduce={rd}", X1, X2, Y, legacy_params(sa, rd))
mr("bad-ndim", X1, [[0.5]], Y)
mr("bad-ndim-target", [[1.0, 2.0]], [[0.5, 0.5]], [1.0, -1.0])
mr("bad-broadcast", [1.0, 2.0, 3.0], [1.0, 2.0], [1.0, 1.0, 1.0])
mr("bad-broadcast-target", [1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [1.0, -1.0])
mr("bad-reduction", X1, X2, Y, {"reduction": "avg"})

# HingeEmbeddingLoss -----------------------------------------------------------------------------
HE = "HingeEmbeddingLoss"
HX = [[0.3, 1.2, 0.5, 2.0], [-0.5, 0.0, 1.0, 0.7]]
HY = [[1.0, 1.0, -1.0, -1.0], [-1.0, 1.0, -1.0, 1.0]]


def he(name, x, y, params=None):
    CASES.append(case(f"{HE}/{name}", HE, {"input": x, "target": y}, params))


for red in REDS:
    for m in (1.0, 0.5, 2.0, -0.5, 0.0):
        he(f"margin={m}/{red}", HX, HY, {"margin": m, "reduction": red})
    he(f"broadcast-target-row/{red}", HX, [1.0, -1.0, -1.0, 1.0], {"reduction": red})
    he(f"broadcast-input/{red}", [[0.4], [1.5]], HY, {"reduction": red})
    he(f"nan-inf/{red}", [NAN, INF, -INF, NAN, INF, -INF], [1.0, 1.0, 1.0, -1.0, -1.0, -1.0], {"reduction": red})
# Targets other than ±1 sum both branches.
he("target-not-pm1", [0.3, 0.3, 1.5, 0.3, -2.0], [0.0, 2.0, 0.0, NAN, 0.5], {"reduction": "none"})
he("nan-input-other-target", [NAN, INF], [0.0, 0.0], {"reduction": "none"})
# At x == margin with y = -1 the clamp passes the gradient: -1, not 0.
he("kink-x=margin", [1.0, 0.5, 0.5], [-1.0, -1.0, 0.0], {"margin": 1.0, "reduction": "none"})
he("kink-x=margin-half", [0.5], [-1.0], {"margin": 0.5, "reduction": "sum"})
he("scalar", 0.4, -1.0)
he("scalar-target", HX, 0.0, {"reduction": "none"})
he("empty-mean", [], [])
he("empty-sum", [], [], {"reduction": "sum"})
for sa, rd in LEGACY:
    he(f"legacy-sa={sa}-reduce={rd}", HX, HY, legacy_params(sa, rd))
he("bad-broadcast", [1.0, 2.0, 3.0], [1.0, -1.0])
he("bad-reduction", HX, HY, {"reduction": "avg"})

# SoftMarginLoss ---------------------------------------------------------------------------------
SM = "SoftMarginLoss"
SX = [[0.8, -1.5, 2.0], [-0.3, 0.5, 0.0]]
SY = [[1.0, -1.0, 1.0], [1.0, -1.0, -1.0]]


def sm(name, x, y, params=None):
    CASES.append(case(f"{SM}/{name}", SM, {"input": x, "target": y}, params))


for red in REDS:
    sm(red, SX, SY, {"reduction": red})
    sm(f"broadcast-target-row/{red}", SX, [1.0, -1.0, 1.0], {"reduction": red})
    sm(f"broadcast-target-scalar/{red}", SX, -1.0, {"reduction": red})
    # exp(-y·x) overflows: loss inf, gradient inf/inf = NaN.
    sm(f"overflow/{red}", [-800.0, 800.0, -709.0, 710.0, 30.0], [1.0, 1.0, 1.0, -1.0, -1.0], {"reduction": red})
    sm(f"nan-inf/{red}", [NAN, INF, -INF, INF, 1.0], [1.0, 1.0, 1.0, -1.0, NAN], {"reduction": red})
sm("target-not-pm1", [0.5, 0.5, -2.0, 1.0], [0.0, 2.0, 0.5, -3.0], {"reduction": "none"})
sm("scalar", 0.3, -1.0)
sm("3d", [[[0.1, -0.2], [0.3, 0.4]], [[-0.5, 0.6], [0.7, -0.8]]], [[1.0, -1.0], [-1.0, 1.0]], {"reduction": "sum"})
sm("empty-mean", [], [])
sm("empty-sum", [], [], {"reduction": "sum"})
for sa, rd in LEGACY:
    sm(f"legacy-sa={sa}-reduce={rd}", SX, SY, legacy_params(sa, rd))
# The output has the input's shape, so the target may not broadcast it up.
sm("bad-target-bigger", [1.0, 2.0, 3.0], [[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0]])
sm("bad-input-row", [[1.0], [2.0]], [[1.0, -1.0, 1.0], [1.0, 1.0, 1.0]])
sm("bad-broadcast", [1.0, 2.0, 3.0], [1.0, -1.0])
sm("bad-reduction", SX, SY, {"reduction": "avg"})

# CosineEmbeddingLoss ----------------------------------------------------------------------------
CE = "CosineEmbeddingLoss"
CE_G = ("input1", "input2")
C1 = [[1.0, 0.5, -0.5], [0.0, 1.0, 1.0], [2.0, -1.0, 0.3], [0.2, 0.2, 0.2]]
C2 = [[0.8, 0.4, 0.0], [1.0, -1.0, 0.5], [1.0, 1.0, 1.0], [-0.5, 0.1, 0.9]]
CY = [1.0, -1.0, -1.0, 1.0]


def ce(name, x1, x2, y, params=None):
    CASES.append(case(f"{CE}/{name}", CE, {"input1": x1, "input2": x2, "target": y}, params, grads=CE_G))


for red in REDS:
    for m in (0.0, 0.5, -0.5):
        ce(f"margin={m}/{red}", C1, C2, CY, {"margin": m, "reduction": red})
    ce(f"1d/{red}", [1.0, 2.0, 3.0], [0.5, -1.0, 2.0], -1.0, {"reduction": red})
    ce(f"broadcast-x2-row/{red}", C1, [[1.0, 0.0, -1.0]], CY, {"reduction": red, "margin": 0.1})
    ce(f"broadcast-target/{red}", C1, C2, [-1.0], {"reduction": red})
    ce(f"broadcast-pairs/{red}", [[1.0, 2.0]], [[0.5, 0.5]], [1.0, -1.0, 0.0], {"reduction": red})
    ce(f"nan-inf/{red}", [[NAN, 1.0], [INF, 1.0], [1.0, 1.0], [1.0, 2.0]],
       [[1.0, 1.0], [1.0, 1.0], [-INF, 0.0], [1.0, 1.0]], [1.0, -1.0, 1.0, -1.0], {"reduction": red})
ce("target-not-pm1", C1, C2, [0.0, 2.0, NAN, -0.5], {"reduction": "none"})
ce("target-not-pm1-mean", C1, C2, [0.0, 1.0, 2.0, -1.0])
ce("zero-vector", [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]], [1.0, -1.0],
   {"reduction": "none"})
ce("tiny-vectors", [[1e-7, 2e-7], [3e-8, 0.0]], [[1e-7, -1e-7], [1e-8, 1e-8]], [1.0, -1.0], {"reduction": "none"})
# Orthogonal vectors with margin 0: cos - margin == 0, and the clamp passes the gradient.
ce("kink-orthogonal", [[1.0, 0.0], [0.0, 2.0]], [[0.0, 1.0], [3.0, 0.0]], [-1.0, -1.0], {"reduction": "none"})
ce("kink-cos=margin", [[1.0, 0.0]], [[1.0, 0.0]], [-1.0], {"margin": 1.0 - 1e-12 / (1.0 + 1e-12), "reduction": "sum"})
ce("broadcast-features", [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[2.0], [-1.0]], [1.0, -1.0], {"reduction": "none"})
ce("empty-batch-mean", [[], []], [[], []], [1.0, -1.0])
ce("empty-features-sum", [[], []], [[], []], [1.0, -1.0], {"reduction": "sum"})
ce("empty-1d-scalar-target", [], [], 1.0, {"reduction": "none"})
ce("bad-empty-1d-target", [], [], [])
for sa, rd in LEGACY:
    ce(f"legacy-sa={sa}-reduce={rd}", C1, C2, CY, legacy_params(sa, rd))
ce("bad-2d-target", C1, C2, [[1.0], [1.0], [1.0], [1.0]])
ce("bad-1d-inputs-1d-target", [1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [1.0])
ce("bad-2d-inputs-0d-target", C1, C2, 1.0)
ce("bad-mixed-ndim", C1, [1.0, 2.0, 3.0], CY)
ce("bad-features", C1, [[1.0, 2.0]] * 4, CY)
ce("bad-batch", C1, C2[:3], CY)
ce("bad-target-length", C1, C2, [1.0, -1.0])
ce("bad-reduction", C1, C2, CY, {"reduction": "avg"})

# TripletMarginLoss ------------------------------------------------------------------------------
TM = "TripletMarginLoss"
TG = ("anchor", "positive", "negative")
A = [[0.0, 1.0, 0.5], [1.0, -0.5, 0.0], [0.3, 0.3, -1.2]]
P = [[0.5, 1.0, 0.0], [1.5, 0.0, 0.5], [0.0, 0.5, -1.0]]
N = [[1.0, 0.0, 1.0], [-1.0, 0.5, 1.0], [0.5, 0.2, -1.0]]


def tm(name, a, p, n, params=None, loss=TM):
    CASES.append(case(f"{loss}/{name}", loss, {"anchor": a, "positive": p, "negative": n}, params, grads=TG))


for red in REDS:
    tm(red, A, P, N, {"reduction": red})
    tm(f"swap/{red}", A, P, N, {"reduction": red, "swap": True})
    tm(f"1d/{red}", [0.0, 1.0, 0.5], [0.5, 1.0, 0.0], [0.2, 0.9, 0.8], {"reduction": red})
    tm(f"broadcast-negative/{red}", A, P, [[0.5, 0.5, 0.0]], {"reduction": red, "swap": True})
    tm(f"nan-inf/{red}", [[NAN, 0.0], [INF, 0.0], [0.0, 0.0], [1.0, 1.0]],
       [[0.0, 0.0], [0.0, 0.0], [INF, 0.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [-INF, 1.0]],
       {"reduction": red})
for p in (1.0, 1.5, 3.0, 0.5, 0.0, INF, 2.5, 4.0):
    tm(f"p={p}", A, P, N, {"p": p, "reduction": "none"})
    tm(f"p={p}/swap", A, P, N, {"p": p, "swap": True, "margin": 2.0, "reduction": "sum"})
for m in (0.0, 2.0, -1.0, 0.25):
    tm(f"margin={m}", A, P, N, {"margin": m, "reduction": "none"})
for eps in (0.0, 1e-3, -0.5):
    tm(f"eps={eps}", A, P, N, {"eps": eps, "reduction": "none"})
# Components of the difference that are exactly 0 (sign(0) for p = 1, masks for p < 1 and p = 2).
tm("zero-diff-p=1", [[1.0, 2.0]], [[1.0, 3.0]], [[0.0, 2.0]], {"p": 1.0, "eps": 0.0, "reduction": "none", "margin": 5.0})
tm("zero-diff-p=0.5", [[1.0, 2.0]], [[1.0, 3.0]], [[0.0, 2.0]], {"p": 0.5, "eps": 0.0, "reduction": "none", "margin": 5.0})
tm("zero-dist-p=2", [[1.0, 2.0]], [[1.0, 2.0]], [[0.0, 2.0]], {"eps": 0.0, "reduction": "none", "margin": 5.0})
tm("zero-dist-p=3", [[1.0, 2.0]], [[1.0, 2.0]], [[0.0, 2.0]], {"p": 3.0, "eps": 0.0, "reduction": "none", "margin": 5.0})
tm("p=inf-ties", [[0.0, 0.0, 0.0]], [[1.0, -1.0, 0.5]], [[3.0, 0.0, 0.0]], {"p": INF, "eps": 0.0, "reduction": "none", "margin": 5.0})
tm("p=inf-nan", [[NAN, 1.0]], [[0.0, 0.0]], [[3.0, 0.0]], {"p": INF, "reduction": "none"})
tm("p=1-nan", [[NAN, 1.0]], [[0.0, 0.0]], [[3.0, 0.0]], {"p": 1.0, "reduction": "none"})
# Hinge exactly at 0: margin + d_ap - d_an == 0 passes the gradient.
tm("kink", [[0.0, 0.0]], [[1.0, 0.0]], [[2.0, 0.0]], {"eps": 0.0, "margin": 1.0, "reduction": "none"})
tm("kink-p=1", [[0.0, 0.0]], [[1.0, 1.0]], [[2.0, 2.0]], {"eps": 0.0, "p": 1.0, "margin": 2.0, "reduction": "sum"})
# Swap tie: d(a, n) == d(p, n) when a == p; the gradient splits 50/50.
tm("swap-tie", [[0.0, 1.0], [2.0, 2.0]], [[0.0, 1.0], [2.0, 2.0]], [[1.0, 1.0], [0.0, 1.0]],
   {"swap": True, "margin": 3.0, "reduction": "none"})
tm("swap-tie-eps0", [[0.0, 1.0]], [[0.0, 1.0]], [[1.0, 1.0]], {"swap": True, "eps": 0.0, "margin": 3.0, "reduction": "sum"})
# Swap uses d(p, n) (not d(n, p)): asymmetric with eps.
tm("swap-asymmetric", [[0.0, 0.0]], [[0.5, 0.5]], [[0.6, 0.4]], {"swap": True, "eps": 0.1, "reduction": "none", "margin": 1.0})
tm("swap-chooses-pn", A, P, [[0.4, 0.9, 0.1], [1.6, 0.1, 0.4], [0.1, 0.5, -1.1]], {"swap": True, "margin": 1.0, "reduction": "none"})
tm("same-points", [[1.0, 2.0]], [[1.0, 2.0]], [[1.0, 2.0]], {"reduction": "none"})
tm("3d", [[[0.1, 0.2], [0.3, -0.4]], [[0.5, 0.1], [0.0, 0.0]]], [[[0.0, 0.2], [0.3, 0.4]], [[-0.5, 0.1], [1.0, 0.0]]],
   [[[1.0, 0.2], [0.1, -0.4]], [[0.5, 0.2], [0.0, 1.0]]], {"reduction": "none", "swap": True})
tm("scalar", 1.0, 1.5, 1.2, {"reduction": "none"})
tm("scalar-mean", 1.0, 1.5, 3.0)
tm("empty-1d-mean", [], [], [])
tm("empty-1d-sum", [], [], [], {"reduction": "sum"})
tm("empty-features", [[], []], [[], []], [[], []], {"reduction": "none"})
for sa, rd in LEGACY:
    tm(f"legacy-sa={sa}-reduce={rd}", A, P, N, legacy_params(sa, rd))
tm("bad-ndim", A, P, [0.5, 0.5, 0.0])
tm("bad-ndim-1d-anchor", [0.0, 1.0, 0.5], P, N)
tm("bad-broadcast", A, P, [[0.5, 0.5]])
tm("bad-broadcast-batch", A, P[:2], N)
tm("bad-reduction", A, P, N, {"reduction": "avg"})

# TripletMarginWithDistanceLoss ------------------------------------------------------------------
TW = "TripletMarginWithDistanceLoss"


def tw(name, a, p, n, params=None):
    tm(name, a, p, n, params, loss=TW)


for red in REDS:
    for fn in ("pairwise", "cosine"):
        tw(f"{fn}/{red}", A, P, N, {"distance_function": fn, "reduction": red})
        tw(f"{fn}/swap/{red}", A, P, N, {"distance_function": fn, "reduction": red, "swap": True})
        tw(f"{fn}/broadcast-1d-negative/{red}", A, P, [0.5, 0.5, 0.0], {"distance_function": fn, "reduction": red})
        tw(f"{fn}/nan-inf/{red}", [[NAN, 0.0], [INF, 0.0], [0.0, 0.0], [1.0, 1.0]],
           [[0.0, 0.0], [0.0, 0.0], [INF, 0.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [-INF, 1.0]],
           {"distance_function": fn, "reduction": red})
    tw(f"default/{red}", A, P, N, {"reduction": red})
for m in (0.0, 2.0, -0.5):
    for fn in ("pairwise", "cosine"):
        tw(f"{fn}/margin={m}", A, P, N, {"distance_function": fn, "margin": m, "reduction": "none"})
tw("pairwise/1d", [0.0, 1.0, 0.5], [0.5, 1.0, 0.0], [0.2, 0.9, 0.8], {"reduction": "none"})
tw("pairwise/1d-positive-2d-anchor", A, [0.5, 1.0, 0.0], N, {"reduction": "none", "swap": True})
tw("pairwise/scalar-distance-broadcast", [0.0, 1.0, 0.5], P, [0.2, 0.9, 0.8], {"reduction": "none"})
tw("pairwise/swap-tie", [[0.0, 1.0], [2.0, 2.0]], [[0.0, 1.0], [2.0, 2.0]], [[1.0, 1.0], [0.0, 1.0]],
   {"swap": True, "margin": 3.0, "reduction": "none"})
tw("pairwise/kink", [[0.0, 0.0]], [[1.0, 0.0]], [[2.0, 0.0]], {"margin": 1.0, "reduction": "none"})
tw("pairwise/3d", [[[0.1, 0.2], [0.3, -0.4]]], [[[0.0, 0.2], [0.3, 0.4]]], [[[1.0, 0.2], [0.1, -0.4]]],
   {"reduction": "none"})
tw("pairwise/scalar", 1.0, 1.5, 1.2, {"reduction": "none"})
tw("cosine/1d-anchor-2d-positive", [0.0, 1.0, 0.5], P, N, {"distance_function": "cosine", "reduction": "none"})
tw("cosine/3d", [[[0.1, 0.2], [0.3, -0.4], [0.2, 0.2]], [[0.5, 0.1], [0.0, 0.0], [1.0, 1.0]]],
   [[[0.0, 0.2], [0.3, 0.4], [0.1, 0.0]], [[-0.5, 0.1], [1.0, 0.0], [1.0, 0.5]]],
   [[[1.0, 0.2], [0.1, -0.4], [0.0, 0.3]], [[0.5, 0.2], [0.0, 1.0], [0.2, 0.2]]],
   {"distance_function": "cosine", "reduction": "none", "swap": True})
tw("cosine/zero-vector", [[0.0, 0.0], [1.0, 2.0]], [[1.0, 1.0], [0.0, 0.0]], [[1.0, -1.0], [1.0, 0.0]],
   {"distance_function": "cosine", "reduction": "none"})
tw("cosine/tiny-vectors", [[1e-9, 2e-9], [1e-5, 0.0]], [[3.0, 1.0], [1e-5, 1e-10]], [[1.0, -1.0], [0.0, 1e-9]],
   {"distance_function": "cosine", "reduction": "none"})
tw("cosine/swap-tie", [[0.0, 1.0], [2.0, 2.0]], [[0.0, 1.0], [2.0, 2.0]], [[1.0, 1.0], [0.0, 1.0]],
   {"distance_function": "cosine", "swap": True, "margin": 3.0, "reduction": "none"})
tw("pairwise/empty-1d", [], [], [])
tw("pairwise/empty-features", [[], []], [[], []], [[], []], {"reduction": "none"})
tw("cosine/empty-features", [[], []], [[], []], [[], []], {"distance_function": "cosine", "reduction": "none"})
tw("cosine/bad-empty-1d", [], [], [], {"distance_function": "cosine", "reduction": "sum"})
tw("cosine/bad-1d", [0.0, 1.0, 0.5], [0.5, 1.0, 0.0], [0.2, 0.9, 0.8], {"distance_function": "cosine"})
tw("cosine/bad-scalar", 1.0, 1.5, 1.2, {"distance_function": "cosine"})
tw("pairwise/bad-broadcast", A, P, [[0.5, 0.5]])
tw("pairwise/bad-distance-broadcast", A, [[0.5, 1.0, 0.0], [0.1, 0.1, 0.1]], [[[0.5, 0.5, 0.0]]] * 2, {"reduction": "none"})
tw("bad-distance-function", A, P, N, {"distance_function": "euclidean"})
tw("bad-size-average", A, P, N, {"size_average": False})
tw("bad-reduction", A, P, N, {"reduction": "avg"})

# Later additions: empty features under every norm degree, and inputs that only the generic paths see.
for p in (0.0, 0.5, 1.0, 1.5, 3.0, INF):
    tm(f"empty-features/p={p}", [[], []], [[], []], [[], []], {"p": p, "reduction": "none", "swap": True})
tm("p=1.5-broadcast-anchor", [[0.1, 0.2, 0.3]], P, N, {"p": 1.5, "reduction": "none", "swap": True})
tm("p=inf-inf-input", [[INF, 0.0], [1.0, 1.0]], [[0.0, 0.0], [1.0, 1.0]], [[0.0, 2.0], [-INF, 1.0]], {"p": INF, "reduction": "none"})
tm("p=0.5-inf-input", [[INF, 0.0], [1.0, 1.0]], [[0.0, 0.0], [1.0, 1.0]], [[0.0, 2.0], [-INF, 1.0]], {"p": 0.5, "reduction": "none"})
tm("p=3-inf-input", [[INF, 0.0], [1.0, 1.0]], [[0.0, 0.0], [1.0, 1.0]], [[0.0, 2.0], [-INF, 1.0]], {"p": 3.0, "reduction": "none"})
tm("huge-values", [[1e200, -1e200]], [[-1e200, 1e200]], [[0.0, 0.0]], {"reduction": "none"})
tm("margin-nan", A, P, N, {"margin": NAN, "reduction": "none"})
mr("margin-nan", X1, X2, Y, {"margin": NAN, "reduction": "none"})
he("margin-inf", HX, HY, {"margin": INF, "reduction": "none"})
ce("huge-values", [[1e200, 1e200]], [[1e200, -1e200]], [1.0], {"reduction": "none"})
ce("margin-inf", C1, C2, CY, {"margin": -INF, "reduction": "none"})
tw("cosine/huge-values", [[1e200, 1e200]], [[1e200, -1e200]], [[-1e200, 1e200]], {"distance_function": "cosine", "reduction": "none"})
tw("cosine/inf-values", [[INF, 1.0]], [[1.0, 1.0]], [[-1.0, 1.0]], {"distance_function": "cosine", "reduction": "none"})
