"""CrossEntropyLoss, NLLLoss, MultiLabelSoftMarginLoss, MultiMarginLoss and MultiLabelMarginLoss."""
import math

from common import I, I0, case

NAN, INF = float("nan"), float("inf")
REDS = ("mean", "sum", "none")
LEGACY = ((False, None), (None, False), (True, True), (False, True), (True, False))


def legacy(params, sa, rd):
    p = dict(params)
    if sa is not None:
        p["size_average"] = sa
    if rd is not None:
        p["reduce"] = rd
    return p


# (N, C) = (3, 4) logits, class indices and weights.
X = [[1.0, 2.0, 0.5, -1.0], [0.3, -0.2, 1.5, 0.0], [2.5, 0.1, -0.7, 1.2]]
T = I([1, 3, 0])
T_IGN = I([1, -100, 0])
T_ALL_IGN = I([-100, -100, -100])
W = [0.5, 2.0, 1.0, 1.5]
# Probability targets for X: one normalised, one not, one with a negative entry.
P = [[0.1, 0.6, 0.2, 0.1], [0.0, 0.0, 1.0, 0.0], [0.5, -0.25, 0.5, 0.75]]
# Unbatched: (C) logits.
X1 = [0.2, -1.3, 0.8, 2.1]
# K-dimensional: (N, C, d1) = (2, 3, 2), (N, C, d1, d2) = (2, 3, 2, 2), (1, 3, 1, 2, 2).
X3 = [[[0.1, 1.2], [-0.5, 0.3], [2.0, -1.0]], [[0.0, 0.4], [1.1, -0.6], [0.7, 0.2]]]
T3 = I([[0, 2], [1, -100]])
X4 = [[[[0.1, 1.2], [0.3, -0.4]], [[-0.5, 0.3], [0.9, 0.0]], [[2.0, -1.0], [-0.2, 0.6]]],
      [[[0.0, 0.4], [1.5, -1.1]], [[1.1, -0.6], [0.2, 0.8]], [[0.7, 0.2], [-0.3, 0.1]]]]
T4 = I([[[0, 2], [1, 1]], [[2, -100], [0, 1]]])
X5 = [[[[[0.1, 1.2], [0.3, -0.4]]], [[[-0.5, 0.3], [0.9, 0.0]]], [[[2.0, -1.0], [-0.2, 0.6]]]]]
T5 = I([[[[0, 2], [1, 1]]]])
W3 = [1.0, 0.5, 2.0]


def softmax_rows(rows):
    out = []
    for r in rows:
        m = max(r)
        e = [math.exp(v - m) for v in r]
        s = sum(e)
        out.append([v / s for v in e])
    return out


def log_softmax_rows(rows):
    return [[math.log(v) for v in r] for r in softmax_rows(rows)]


CASES = []
add = CASES.append

# ---------------------------------------------------------------- CrossEntropyLoss
CE = "CrossEntropyLoss"
for red in REDS:
    r = {"reduction": red}
    add(case(f"CE/index/{red}", CE, {"input": X, "target": T}, r))
    add(case(f"CE/index/weight/{red}", CE, {"input": X, "target": T}, {**r, "weight": W}))
    add(case(f"CE/index/ignored/{red}", CE, {"input": X, "target": T_IGN}, r))
    add(case(f"CE/index/ignored-weight/{red}", CE, {"input": X, "target": T_IGN}, {**r, "weight": W}))
    add(case(f"CE/index/ignore-valid-class/{red}", CE, {"input": X, "target": T}, {**r, "ignore_index": 3}))
    add(case(f"CE/index/all-ignored/{red}", CE, {"input": X, "target": T_ALL_IGN}, r))
    add(case(f"CE/index/all-ignored-weight-smooth/{red}", CE, {"input": X, "target": T_ALL_IGN},
             {**r, "weight": W, "label_smoothing": 0.2}))
    add(case(f"CE/index/all-ignored-smooth/{red}", CE, {"input": X, "target": T_ALL_IGN},
             {**r, "label_smoothing": 0.2}))
    add(case(f"CE/index/smooth/{red}", CE, {"input": X, "target": T}, {**r, "label_smoothing": 0.2}))
    add(case(f"CE/index/smooth-ignored/{red}", CE, {"input": X, "target": T_IGN}, {**r, "label_smoothing": 0.3}))
    add(case(f"CE/index/smooth-weight/{red}", CE, {"input": X, "target": T},
             {**r, "label_smoothing": 0.2, "weight": W}))
    add(case(f"CE/index/smooth-weight-ignored/{red}", CE, {"input": X, "target": T_IGN},
             {**r, "label_smoothing": 0.3, "weight": W}))
    add(case(f"CE/index/smooth-one/{red}", CE, {"input": X, "target": T}, {**r, "label_smoothing": 1.0}))
    add(case(f"CE/index/smooth-negative/{red}", CE, {"input": X, "target": T},
             {**r, "label_smoothing": -0.5, "weight": W}))
    add(case(f"CE/index/zero-weights/{red}", CE, {"input": X, "target": T}, {**r, "weight": [0.0] * 4}))
    add(case(f"CE/index/zero-target-weights/{red}", CE, {"input": X, "target": T},
             {**r, "weight": [0.0, 0.0, 1.0, 0.0]}))
    add(case(f"CE/index/zero-weights-smooth/{red}", CE, {"input": X, "target": T},
             {**r, "weight": [0.0, 0.0, 1.0, 0.0], "label_smoothing": 0.1}))
    add(case(f"CE/index/weights-sum-zero/{red}", CE, {"input": X, "target": T},
             {**r, "weight": [1.0, 2.0, 0.5, -3.0]}))
    add(case(f"CE/unbatched/{red}", CE, {"input": X1, "target": I0(2)}, r))
    add(case(f"CE/unbatched/weight-smooth/{red}", CE, {"input": X1, "target": I0(3)},
             {**r, "weight": W, "label_smoothing": 0.25}))
    add(case(f"CE/unbatched/ignored/{red}", CE, {"input": X1, "target": I0(-100)}, {**r, "label_smoothing": 0.25}))
    add(case(f"CE/3d/{red}", CE, {"input": X3, "target": T3}, r))
    add(case(f"CE/3d/weight-smooth/{red}", CE, {"input": X3, "target": T3},
             {**r, "weight": W3, "label_smoothing": 0.15}))
    add(case(f"CE/4d/{red}", CE, {"input": X4, "target": T4}, {**r, "weight": W3}))
    add(case(f"CE/4d/smooth/{red}", CE, {"input": X4, "target": T4}, {**r, "label_smoothing": 0.4}))
    add(case(f"CE/5d/{red}", CE, {"input": X5, "target": T5}, {**r, "label_smoothing": 0.1, "weight": W3}))
    add(case(f"CE/prob/{red}", CE, {"input": X, "target": P}, r))
    add(case(f"CE/prob/weight/{red}", CE, {"input": X, "target": P}, {**r, "weight": W}))
    add(case(f"CE/prob/smooth/{red}", CE, {"input": X, "target": P}, {**r, "label_smoothing": 0.3}))
    add(case(f"CE/prob/smooth-weight/{red}", CE, {"input": X, "target": P},
             {**r, "label_smoothing": 0.3, "weight": W}))
    add(case(f"CE/prob/smooth-negative/{red}", CE, {"input": X, "target": P}, {**r, "label_smoothing": -1.0}))
    add(case(f"CE/prob/unbatched/{red}", CE, {"input": X1, "target": [0.1, 0.2, 0.3, 0.4]}, {**r, "weight": W}))
    add(case(f"CE/prob/3d/{red}", CE, {"input": X3, "target":
             [[[0.2, 0.5], [0.3, 0.5], [0.5, 0.0]], [[1.0, 0.1], [0.0, 0.1], [0.0, 0.8]]]},
             {**r, "weight": W3, "label_smoothing": 0.1}))
    add(case(f"CE/nan-inf/{red}", CE, {
        "input": [[INF, 1.0, 0.0], [-INF, 1.0, 2.0], [-INF, 1.0, 2.0], [NAN, 0.0, 1.0], [1000.0, -1000.0, 0.0],
                  [-INF, -INF, -INF]],
        "target": I([0, 0, 1, -100, 1, -100])}, r))
    add(case(f"CE/nan-inf-smooth/{red}", CE, {
        "input": [[-INF, 1.0, 2.0], [1.0, -INF, 2.0], [1000.0, -1000.0, 0.0], [NAN, 0.0, 1.0]],
        "target": I([1, 0, 2, -100])}, {**r, "label_smoothing": 0.1}))
    add(case(f"CE/prob/nan-inf/{red}", CE, {
        "input": [[-INF, 1.0, 2.0], [1000.0, -1000.0, 0.0], [0.0, 1.0, INF]],
        "target": [[0.0, 0.5, 0.5], [1.0, 0.0, 0.0], [0.2, 0.3, 0.5]]}, r))
    add(case(f"CE/empty-spatial/{red}", CE, {"input": [[[], [], []], [[], [], []]], "target": I([[], []])}, r))
    add(case(f"CE/no-classes-all-ignored/{red}", CE, {"input": [[], []], "target": I([-100, -100])}, r))
    add(case(f"CE/prob/empty/{red}", CE, {"input": [], "target": []}, r))
    add(case(f"CE/prob/no-classes/{red}", CE, {"input": [[], []], "target": [[], []]}, r))
for sa, rd in LEGACY:
    add(case(f"CE/legacy-sa={sa}-reduce={rd}", CE, {"input": X, "target": T_IGN}, legacy({"weight": W}, sa, rd)))
    add(case(f"CE/prob/legacy-sa={sa}-reduce={rd}", CE, {"input": X, "target": P}, legacy({}, sa, rd)))
# Label smoothing vs the equivalent soft target with weights: different denominators.
Q = [[0.05, 0.85, 0.05, 0.05], [0.05, 0.05, 0.05, 0.85], [0.85, 0.05, 0.05, 0.05]]
add(case("CE/smooth-vs-soft/index", CE, {"input": X, "target": T}, {"weight": W, "label_smoothing": 0.2}))
add(case("CE/smooth-vs-soft/prob", CE, {"input": X, "target": Q}, {"weight": W}))
# Weight shapes PyTorch accepts for K-dimensional inputs.
add(case("CE/3d/weight-2d", CE, {"input": X3, "target": T3}, {"weight": [[1.0, 0.5, 2.0]]}))
add(case("CE/3d/weight-column-smooth-sum", CE, {"input": X3, "target": T3},
         {"weight": [[1.0], [0.5], [2.0]], "label_smoothing": 0.1, "reduction": "sum"}))
add(case("CE/3d/weight-column-smooth-mean", CE, {"input": X3, "target": T3},
         {"weight": [[1.0], [0.5], [2.0]], "label_smoothing": 0.1}))
add(case("CE/3d/weight-row-smooth", CE, {"input": X3, "target": T3},
         {"weight": [[1.0, 0.5, 2.0]], "label_smoothing": 0.1, "reduction": "sum"}))
add(case("CE/single-class-prob", CE, {"input": [0.5], "target": [1.0]}))
# Errors PyTorch raises.
add(case("CE/err/target-out-of-range", CE, {"input": X, "target": I([1, 4, 0])}))
add(case("CE/err/target-negative", CE, {"input": X, "target": I([1, -1, 0])}))
add(case("CE/err/target-out-of-range-none", CE, {"input": X, "target": I([1, 4, 0])}, {"reduction": "none"}))
add(case("CE/err/target-out-of-range-smooth", CE, {"input": X, "target": I([1, 4, 0])}, {"label_smoothing": 0.1}))
add(case("CE/err/batch-mismatch", CE, {"input": X, "target": I([1, 0])}))
add(case("CE/err/spatial-mismatch", CE, {"input": X3, "target": I([[0, 1, 2], [0, 1, 2]])}))
add(case("CE/err/4d-target-rank", CE, {"input": X4, "target": I([[0, 1], [1, 0]])}))
add(case("CE/err/multi-target", CE, {"input": X, "target": I([[1], [0], [2]])}))
add(case("CE/err/weight-size", CE, {"input": X, "target": T}, {"weight": [1.0, 2.0, 3.0]}))
add(case("CE/err/weight-2d", CE, {"input": X, "target": T}, {"weight": [[0.5, 2.0, 1.0, 1.5]]}))
add(case("CE/err/prob-weight-size", CE, {"input": X, "target": P}, {"weight": [1.0, 2.0, 3.0]}))
add(case("CE/err/prob-ignore-index", CE, {"input": X, "target": P}, {"ignore_index": 0}))
add(case("CE/err/smoothing-above-one", CE, {"input": X, "target": T}, {"label_smoothing": 1.5}))
add(case("CE/err/prob-smoothing-above-one", CE, {"input": X, "target": P}, {"label_smoothing": 1.01}))
add(case("CE/err/scalar-input", CE, {"input": 1.0, "target": 1.0}))
add(case("CE/err/unbatched-target-length", CE, {"input": X1, "target": I([1])}))
add(case("CE/err/float-target", CE, {"input": X, "target": [1.5, 0.0, 2.0]}))
add(case("CE/err/bad-reduction", CE, {"input": X, "target": T}, {"reduction": "avg"}))

# ---------------------------------------------------------------- NLLLoss
NLL = "NLLLoss"
LX = log_softmax_rows(X)
for red in REDS:
    r = {"reduction": red}
    add(case(f"NLL/{red}", NLL, {"input": LX, "target": T}, r))
    add(case(f"NLL/raw-input/{red}", NLL, {"input": X, "target": T}, r))
    add(case(f"NLL/weight/{red}", NLL, {"input": LX, "target": T}, {**r, "weight": W}))
    add(case(f"NLL/ignored/{red}", NLL, {"input": LX, "target": T_IGN}, {**r, "weight": W}))
    add(case(f"NLL/ignore-valid-class/{red}", NLL, {"input": LX, "target": T}, {**r, "ignore_index": 1}))
    add(case(f"NLL/all-ignored/{red}", NLL, {"input": LX, "target": T_ALL_IGN}, r))
    add(case(f"NLL/all-ignored-weight/{red}", NLL, {"input": LX, "target": T_ALL_IGN}, {**r, "weight": W}))
    add(case(f"NLL/zero-weights/{red}", NLL, {"input": LX, "target": T}, {**r, "weight": [0.0] * 4}))
    add(case(f"NLL/weights-sum-zero/{red}", NLL, {"input": LX, "target": T}, {**r, "weight": [1.0, 2.0, 0.5, -3.0]}))
    add(case(f"NLL/weights-negative-sum/{red}", NLL, {"input": LX, "target": T}, {**r, "weight": [1.0, -5.0, 0.5, 1.0]}))
    add(case(f"NLL/unbatched/{red}", NLL, {"input": X1, "target": I0(1)}, {**r, "weight": W}))
    add(case(f"NLL/unbatched-ignored/{red}", NLL, {"input": X1, "target": I0(-100)}, r))
    add(case(f"NLL/single-class-target-1/{red}", NLL, {"input": [-0.5], "target": I([0])}, r))
    add(case(f"NLL/3d/{red}", NLL, {"input": X3, "target": T3}, {**r, "weight": W3}))
    add(case(f"NLL/4d/{red}", NLL, {"input": X4, "target": T4}, {**r, "weight": W3}))
    add(case(f"NLL/4d-ignore-valid/{red}", NLL, {"input": X4, "target": I([[[0, 2], [1, 1]], [[2, 2], [0, 1]]])},
             {**r, "ignore_index": 1}))
    add(case(f"NLL/5d/{red}", NLL, {"input": X5, "target": T5}, r))
    add(case(f"NLL/nan-inf/{red}", NLL, {"input": [[-INF, 0.0], [NAN, 1.0], [INF, 2.0], [NAN, -1.0]],
                                         "target": I([0, 0, 0, -100])}, r))
    add(case(f"NLL/nan-inf-zero-weight/{red}", NLL, {"input": [[-INF, 0.0], [NAN, 1.0]], "target": I([0, 1])},
             {**r, "weight": [0.0, 2.0]}))
    add(case(f"NLL/empty-spatial/{red}", NLL, {"input": [[[], [], []], [[], [], []]], "target": I([[], []])}, r))
    add(case(f"NLL/no-classes-all-ignored/{red}", NLL, {"input": [[], []], "target": I([-100, -100])}, r))
    add(case(f"NLL/unbatched-no-classes/{red}", NLL, {"input": [], "target": I0(-100)}, r))
for sa, rd in LEGACY:
    add(case(f"NLL/legacy-sa={sa}-reduce={rd}", NLL, {"input": LX, "target": T_IGN}, legacy({"weight": W}, sa, rd)))
add(case("NLL/3d/weight-2d", NLL, {"input": X3, "target": T3}, {"weight": [[1.0, 0.5, 2.0]]}))
add(case("NLL/4d/weight-column", NLL, {"input": X4, "target": T4}, {"weight": [[1.0], [0.5], [2.0]]}))
add(case("NLL/3d/weight-0d-one-class", NLL, {"input": [[[0.5, -0.5]], [[1.0, 2.0]]], "target": I([[0, 0], [0, -100]])},
         {"weight": 3.0}))
add(case("NLL/err/target-out-of-range", NLL, {"input": LX, "target": I([1, 4, 0])}))
add(case("NLL/err/target-out-of-range-none", NLL, {"input": LX, "target": I([1, 4, 0])}, {"reduction": "none"}))
add(case("NLL/err/target-negative", NLL, {"input": LX, "target": I([1, -1, 0])}))
add(case("NLL/err/ignore-index-not-matching", NLL, {"input": LX, "target": I([1, -100, 0])}, {"ignore_index": -1}))
add(case("NLL/err/3d-out-of-range", NLL, {"input": X3, "target": I([[0, 3], [1, 1]])}))
add(case("NLL/err/batch-mismatch", NLL, {"input": LX, "target": I([1, 0])}))
add(case("NLL/err/spatial-mismatch", NLL, {"input": X3, "target": I([[0, 1, 2], [0, 1, 2]])}))
add(case("NLL/err/3d-target-1d", NLL, {"input": X3, "target": I([0, 1])}))
add(case("NLL/err/multi-target", NLL, {"input": LX, "target": I([[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])}))
add(case("NLL/err/scalar-target-2d-input", NLL, {"input": LX, "target": I0(1)}))
add(case("NLL/err/scalar-input", NLL, {"input": -1.0, "target": I0(0)}))
add(case("NLL/err/unbatched-target-length", NLL, {"input": X1, "target": I([1])}))
add(case("NLL/err/weight-size", NLL, {"input": LX, "target": T}, {"weight": [1.0, 2.0]}))
add(case("NLL/err/weight-2d", NLL, {"input": LX, "target": T}, {"weight": [[0.5, 2.0, 1.0, 1.5]]}))
add(case("NLL/err/3d-weight-size", NLL, {"input": X3, "target": T3}, {"weight": [1.0, 2.0]}))
add(case("NLL/err/float-target", NLL, {"input": LX, "target": [1.5, 0.0, 2.0]}))
add(case("NLL/err/bad-reduction", NLL, {"input": LX, "target": T}, {"reduction": "avg"}))

# ---------------------------------------------------------------- MultiLabelSoftMarginLoss
MLSM = "MultiLabelSoftMarginLoss"
Y01 = [[1.0, 0.0, 1.0, 0.0], [0.0, 0.0, 1.0, 1.0], [1.0, 1.0, 0.0, 0.0]]
for red in REDS:
    r = {"reduction": red}
    add(case(f"MLSM/{red}", MLSM, {"input": X, "target": Y01}, r))
    add(case(f"MLSM/weight/{red}", MLSM, {"input": X, "target": Y01}, {**r, "weight": W}))
    add(case(f"MLSM/soft-labels/{red}", MLSM, {"input": X, "target": [[0.2, 0.9, -0.5, 1.5]] * 3}, r))
    add(case(f"MLSM/unbatched/{red}", MLSM, {"input": X1, "target": [1.0, 0.0, 0.0, 1.0]}, {**r, "weight": W}))
    add(case(f"MLSM/3d/{red}", MLSM, {"input": X3, "target": [[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]] * 2}, r))
    add(case(f"MLSM/broadcast-target/{red}", MLSM, {"input": X, "target": [1.0, 0.0, 0.0, 1.0]}, r))
    add(case(f"MLSM/broadcast-weight-column/{red}", MLSM, {"input": X, "target": Y01},
             {**r, "weight": [[1.0], [0.5], [2.0]]}))
    add(case(f"MLSM/weight-full/{red}", MLSM, {"input": X, "target": Y01}, {**r, "weight": [[1.0, 0.5, 2.0, 0.0]] * 3}))
    add(case(f"MLSM/nan-inf/{red}", MLSM, {
        "input": [[-INF, INF, 1000.0, -1000.0], [-INF, INF, NAN, 0.0]],
        "target": [[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0]]}, r))
    add(case(f"MLSM/inf-weights/{red}", MLSM, {"input": [[-INF, 1.0, 2.0]], "target": [[1.0, 1.0, 1.0]]},
             {**r, "weight": [0.0, INF, 1.0]}))
    add(case(f"MLSM/no-classes/{red}", MLSM, {"input": [[], []], "target": [[], []]}, r))
    add(case(f"MLSM/empty-unbatched/{red}", MLSM, {"input": [], "target": []}, r))
for sa, rd in LEGACY:
    add(case(f"MLSM/legacy-sa={sa}-reduce={rd}", MLSM, {"input": X, "target": Y01}, legacy({"weight": W}, sa, rd)))
add(case("MLSM/err/scalar-input", MLSM, {"input": 1.0, "target": 1.0}))
add(case("MLSM/err/target-shape", MLSM, {"input": X, "target": [1.0, 0.0, 1.0]}))
add(case("MLSM/err/weight-shape", MLSM, {"input": X, "target": Y01}, {"weight": [1.0, 2.0]}))
add(case("MLSM/err/bad-reduction", MLSM, {"input": X, "target": Y01}, {"reduction": "avg"}))

# ---------------------------------------------------------------- MultiMarginLoss
MM = "MultiMarginLoss"
TIE = [[0.0, 1.0, 2.0], [1.0, 1.0, 0.5]]  # z == 0 exactly for target 1 (class 2) and target 0 (class 1)
for red in REDS:
    r = {"reduction": red}
    for p in (1, 2):
        add(case(f"MM/p{p}/{red}", MM, {"input": X, "target": T}, {**r, "p": p}))
        add(case(f"MM/p{p}/weight/{red}", MM, {"input": X, "target": T}, {**r, "p": p, "weight": W}))
        add(case(f"MM/p{p}/margin-0.5/{red}", MM, {"input": X, "target": T}, {**r, "p": p, "margin": 0.5}))
        add(case(f"MM/p{p}/margin-2.5-weight/{red}", MM, {"input": X, "target": T},
                 {**r, "p": p, "margin": 2.5, "weight": W}))
        add(case(f"MM/p{p}/strict-hinge-at-zero/{red}", MM, {"input": TIE, "target": I([1, 0])}, {**r, "p": p}))
        add(case(f"MM/p{p}/nan-inf/{red}", MM, {
            "input": [[NAN, 1.0, 0.0], [INF, 0.0, 1.0], [0.0, INF, 1.0], [1.0, 2.0, -INF]],
            "target": I([1, 2, 2, 2])}, {**r, "p": p}))
        add(case(f"MM/p{p}/inf-zero-weight/{red}", MM, {"input": [[INF, 0.0, 1.0]], "target": I([2])},
                 {**r, "p": p, "weight": [1.0, 1.0, 0.0]}))
    add(case(f"MM/margin-0/{red}", MM, {"input": X, "target": T}, {**r, "margin": 0.0}))
    add(case(f"MM/margin-negative/{red}", MM, {"input": X, "target": T}, {**r, "margin": -1.0}))
    add(case(f"MM/margin-nan/{red}", MM, {"input": X, "target": T}, {**r, "margin": NAN}))
    add(case(f"MM/unbatched/{red}", MM, {"input": X1, "target": I0(2)}, {**r, "weight": W}))
    add(case(f"MM/unbatched-target-1/{red}", MM, {"input": X1, "target": I([3])}, {**r, "p": 2}))
    add(case(f"MM/batch-of-one-scalar-target/{red}", MM, {"input": [X1], "target": I0(3)}, r))
    add(case(f"MM/scalar-input/{red}", MM, {"input": 0.5, "target": I0(0)}, r))
    add(case(f"MM/zero-weight-target-class/{red}", MM, {"input": X, "target": T}, {**r, "weight": [1.0, 0.0, 1.0, 1.0]}))
for sa, rd in LEGACY:
    add(case(f"MM/legacy-sa={sa}-reduce={rd}", MM, {"input": X, "target": T}, legacy({"p": 2, "weight": W}, sa, rd)))
add(case("MM/p-float-2.0", MM, {"input": X, "target": T}, {"p": 2.0}))
add(case("MM/err/p3", MM, {"input": X, "target": T}, {"p": 3}))
add(case("MM/err/p0", MM, {"input": X, "target": T}, {"p": 0}))
add(case("MM/err/target-out-of-range", MM, {"input": X, "target": I([1, 4, 0])}))
add(case("MM/err/target-minus-one", MM, {"input": X, "target": I([1, -1, 0])}))
add(case("MM/err/target-size", MM, {"input": X, "target": I([1, 0])}))
add(case("MM/err/target-2d", MM, {"input": X, "target": I([[1], [3], [0]])}))
add(case("MM/err/input-3d", MM, {"input": X3, "target": I([0, 1])}))
add(case("MM/err/no-classes", MM, {"input": [[], []], "target": I([0, 0])}))
add(case("MM/err/empty-unbatched", MM, {"input": [], "target": I([0])}))
add(case("MM/err/weight-2d", MM, {"input": X, "target": T}, {"weight": [W]}))
add(case("MM/err/weight-0d", MM, {"input": X, "target": T}, {"weight": 1.0}))
add(case("MM/err/bad-reduction", MM, {"input": X, "target": T}, {"reduction": "avg"}))

# ---------------------------------------------------------------- MultiLabelMarginLoss
MLM = "MultiLabelMarginLoss"
XM = [[0.1, 0.2, 0.4, 0.8], [0.5, -1.0, 2.0, 0.3], [1.0, 0.0, -0.5, 0.25]]
TM = I([[3, 0, -1, 1], [2, -1, -1, -1], [0, 1, 2, 3]])
for red in REDS:
    r = {"reduction": red}
    add(case(f"MLM/{red}", MLM, {"input": XM, "target": TM}, r))
    add(case(f"MLM/duplicates/{red}", MLM, {"input": XM, "target": I([[2, 2, -1, -1], [1, 1, 1, -1], [3, -1, 3, 3]])}, r))
    add(case(f"MLM/after-terminator/{red}", MLM, {"input": XM, "target": I([[1, -1, 2, 3], [-1, 0, 1, 2], [0, -1, -1, 0]])}, r))
    add(case(f"MLM/boundary/{red}", MLM, {"input": [[0.0, 1.0, 0.0, 2.0]], "target": I([[1, -1, 0, 0]])}, r))
    add(case(f"MLM/unbatched/{red}", MLM, {"input": X1, "target": I([2, 0, -1, 1])}, r))
    add(case(f"MLM/scalar-input/{red}", MLM, {"input": 0.5, "target": I0(0)}, r))
    add(case(f"MLM/scalar-input-target-1/{red}", MLM, {"input": 0.5, "target": I([-1])}, r))
    add(case(f"MLM/nan-inf/{red}", MLM, {"input": [[NAN, 1.0, 0.0], [INF, 1.0, 0.0], [1.0, -INF, 0.0], [0.0, 0.5, INF]],
                                         "target": I([[1, -1, 0], [1, -1, 0], [1, -1, 0], [2, 0, -1]])}, r))
for sa, rd in LEGACY:
    add(case(f"MLM/legacy-sa={sa}-reduce={rd}", MLM, {"input": XM, "target": TM}, legacy({}, sa, rd)))
add(case("MLM/err/out-of-range-after-terminator", MLM, {"input": XM, "target": I([[3, -1, 4, 1], [2, -1, -1, -1], [0, 1, 2, 3]])}))
add(case("MLM/err/below-minus-one", MLM, {"input": XM, "target": I([[3, -1, -2, 1], [2, -1, -1, -1], [0, 1, 2, 3]])}))
add(case("MLM/err/out-of-range", MLM, {"input": XM, "target": I([[4, -1, 0, 0], [2, -1, -1, -1], [0, 1, 2, 3]])}))
add(case("MLM/err/target-shape", MLM, {"input": XM, "target": I([[3, -1], [2, -1], [0, 1]])}))
add(case("MLM/err/unbatched-target-2d", MLM, {"input": X1, "target": I([[2, 0, -1, 1]])}))
add(case("MLM/err/input-3d", MLM, {"input": X3, "target": I([[[0, -1], [0, -1], [0, -1]]] * 2)}))
add(case("MLM/err/no-classes", MLM, {"input": [[], []], "target": I([[], []])}))
add(case("MLM/err/bad-reduction", MLM, {"input": XM, "target": TM}, {"reduction": "avg"}))

# ---------------------------------------------------------------- more NaN / Inf in parameters and targets
for red in REDS:
    r = {"reduction": red}
    add(case(f"CE/nan-weight/{red}", CE, {"input": X, "target": T}, {**r, "weight": [NAN, 1.0, 1.0, 1.0]}))
    add(case(f"CE/inf-weight-smooth/{red}", CE, {"input": X, "target": T},
             {**r, "weight": [1.0, 1.0, INF, 1.0], "label_smoothing": 0.1}))
    add(case(f"CE/prob/nan-target/{red}", CE, {"input": X, "target": [[NAN, 0.5, 0.5, 0.0]] + P[1:]}, r))
    add(case(f"NLL/3d-all-ignored-weight/{red}", NLL, {"input": X3, "target": I([[-100, -100], [-100, -100]])},
             {**r, "weight": W3}))
    add(case(f"MM/margin-inf/{red}", MM, {"input": X, "target": T}, {**r, "margin": INF, "weight": W}))
    add(case(f"MM/nan-weight/{red}", MM, {"input": X, "target": T}, {**r, "weight": [NAN, 1.0, 1.0, 1.0]}))
    add(case(f"MLSM/nan-target/{red}", MLSM, {"input": X, "target": [[NAN, 0.0, 1.0, 0.0]] + Y01[1:]}, r))
