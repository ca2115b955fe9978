"""CTCLoss: reductions, zero_infinity, blank, padded / concatenated / unbatched targets, the traps of
spec section 4 (PyTorch's exp(lp) - posterior gradient, infinite losses, unnormalised log_probs) and the
errors PyTorch raises. What PyTorch silently computes as garbage (labels outside [0, C) or equal to blank,
input length 0, negative target length) is refused by the engine and tested in engine/ctc_test.go."""
import torch

from common import I, I0, case

torch.manual_seed(20261128)
G = ("log_probs",)


def lsm(*shape, scale=1.0):
    """log_softmax of normal logits, as nested lists."""
    return (torch.randn(*shape, dtype=torch.float64) * scale).log_softmax(-1).tolist()


def raw(*shape, scale=1.0):
    """Unnormalised log_probs."""
    return (torch.randn(*shape, dtype=torch.float64) * scale).tolist()


def ints(v):
    """An int64 input: a list, or a 0-d tensor for a bare int."""
    return I0(v) if isinstance(v, int) else I(v)


def ctc(name, lp, targets, il, tl, **params):
    return case("CTCLoss/" + name, "CTCLoss",
                {"log_probs": lp, "targets": ints(targets), "input_lengths": ints(il), "target_lengths": ints(tl)},
                params, grads=G)


LP = lsm(6, 3, 5)            # T=6, N=3, C=5
PAD = [[1, 2, 3], [4, 4, 0], [2, 0, 0]]   # L = 3, 2, 1 (row 2 padded with zeros)
CAT = [1, 2, 3, 4, 4, 2]
IL = [6, 5, 4]
TL = [3, 2, 1]
UB = lsm(7, 4)               # unbatched T=7, C=4

CASES = []
for red in ("mean", "sum", "none"):
    for zi in (False, True):
        p = {"reduction": red, "zero_infinity": zi}
        tag = f"{red}/zi={zi}"
        CASES.append(ctc(f"padded/{tag}", LP, PAD, IL, TL, **p))
        CASES.append(ctc(f"concatenated/{tag}", LP, CAT, IL, TL, **p))
        CASES.append(ctc(f"unbatched/{tag}", UB, [1, 2, 1], 7, 3, **p))
        # Sample 1 needs T >= 3 for [4, 4] but has 2 frames; sample 2 has a target longer than its input.
        CASES.append(ctc(f"impossible/{tag}", LP, [[1, 2, 3], [4, 4, 0], [1, 2, 3]], [6, 2, 2], [3, 2, 3], **p))
        CASES.append(ctc(f"unbatched-impossible/{tag}", UB, [1, 1, 1, 1], 6, 4, **p))
        CASES.append(ctc(f"empty-targets/{tag}", LP, [[0, 0], [3, 0], [0, 0]], [6, 4, 1], [0, 1, 0], **p))
    CASES.append(ctc(f"blank=2/{red}", LP, [[1, 3, 4], [4, 4, 0], [0, 1, 0]], IL, TL, blank=2, reduction=red))
    CASES.append(ctc(f"blank=last/{red}", LP, [[1, 2, 3], [3, 3, 0], [0, 1, 0]], IL, [3, 2, 2], blank=4, reduction=red))
    CASES.append(ctc(f"unnormalised/{red}", raw(6, 3, 5, scale=2.0), PAD, IL, TL, reduction=red))
    CASES.append(ctc(f"repeated-labels/{red}", lsm(8, 2, 3), [[1, 1, 2, 2], [2, 2, 2, 0]], [8, 6], [4, 3], reduction=red))
    CASES.append(ctc(f"exactly-feasible/{red}", lsm(5, 2, 3), [[1, 1, 2], [1, 2, 1]], [4, 3], [3, 3], reduction=red))
    CASES.append(ctc(f"large/{red}", lsm(40, 4, 8), torch.randint(1, 8, (4, 12)).tolist(), [40, 33, 25, 12],
                     [12, 9, 7, 12], reduction=red))

CASES += [
    ctc("defaults", LP, PAD, IL, TL),
    ctc("full-lengths", LP, [[1, 2, 3], [4, 3, 1], [2, 1, 2]], [6, 6, 6], [3, 3, 3]),
    ctc("single-frame", lsm(1, 2, 3), [[1], [2]], [1, 1], [1, 0]),
    ctc("single-frame-two-labels", lsm(1, 1, 3), [[1, 2]], [1], [2], reduction="none"),
    ctc("padding-values-ignored", LP, [[1, 2, 3], [4, 4, 99], [2, -7, 1000]], IL, TL),
    ctc("lengths-2d", LP, PAD, [[6], [5], [4]], [[3], [2], [1]]),
    ctc("unbatched-padded-2d", UB, [[1, 2, 3, 0]], 7, 3),
    ctc("unbatched-lengths-1d", UB, [1, 2, 3], [7], [3]),
    ctc("unbatched-empty-target", UB, [], 5, 0, reduction="sum"),
    ctc("batch-of-one", lsm(5, 1, 4), [[3, 1]], [5], [2]),
    ctc("confident", lsm(6, 2, 5, scale=40.0), [[1, 2], [3, 3]], [6, 6], [2, 2], reduction="sum"),
    ctc("very-negative", raw(6, 2, 4, scale=400.0), [[1, 2], [3, 1]], [6, 5], [2, 2], reduction="none"),
    ctc("neg-inf-logprob", [[[0.0, float("-inf"), -1.0]], [[-1.0, -0.5, float("-inf")]], [[-0.2, -2.0, -3.0]]],
        [[1]], [3], [1], reduction="sum"),
    ctc("neg-inf-on-blank-only", [[[float("-inf"), -1.0, -1.0]], [[-1.0, -1.0, -1.0]]], [[1, 2]], [2], [2]),
    ctc("neg-inf-on-every-path", [[[-1.0, float("-inf"), -1.0]], [[-1.0, -1.0, -1.0]]], [[1, 2]], [2], [2]),
    ctc("neg-inf-on-every-path-zi", [[[-1.0, float("-inf"), -1.0]], [[-1.0, -1.0, -1.0]]], [[1, 2]], [2], [2],
        zero_infinity=True),
    ctc("pos-inf-logprob", [[[0.0, float("inf"), -1.0]], [[-1.0, -0.5, -2.0]]], [[1]], [2], [1], reduction="sum"),
    ctc("nan-logprob", [[[0.0, float("nan"), -1.0]], [[-1.0, -0.5, -2.0]], [[-1.0, -0.5, -2.0]]], [[2]], [3], [1],
        reduction="none"),
    ctc("pos-inf-logprob-zi", [[[0.0, float("inf"), -1.0]], [[-1.0, -0.5, -2.0]]], [[1]], [2], [1], reduction="none",
        zero_infinity=True),
    ctc("nan-logprob-zi", [[[0.0, float("nan"), -1.0]], [[-1.0, -0.5, -2.0]], [[-1.0, -0.5, -2.0]]], [[2]], [3], [1],
        reduction="none", zero_infinity=True),
    ctc("huge-logprob", [[[1e300, 0.0, -1.0]], [[-1.0, 1e300, -2.0]], [[-1.0, -0.5, -1e300]]], [[1], [1]][:1], [3], [1],
        reduction="sum"),
    ctc("nan-in-unused-frame", [[[-0.1, -2.0, -3.0]], [[float("nan")] * 3]], [[1]], [1], [1], reduction="sum"),
    # Errors PyTorch raises.
    ctc("error/input-length-gt-T", LP, PAD, [7, 5, 4], TL),
    ctc("error/target-length-gt-width", LP, PAD, IL, [4, 2, 1]),
    ctc("error/concatenated-total", LP, [1, 2, 3, 4, 4], IL, TL),
    ctc("error/unbatched-targets-longer", UB, [1, 2, 1, 3], 7, 3),
    ctc("error/blank-eq-C", LP, PAD, IL, TL, blank=5),
    ctc("error/blank-negative", LP, PAD, IL, TL, blank=-1),
    ctc("error/input-lengths-size", LP, PAD, [6, 5], TL),
    ctc("error/target-lengths-size", LP, PAD, IL, [3, 2, 1, 1]),
    ctc("error/padded-rows", LP, [[1, 2, 3], [4, 4, 0]], IL, TL),
    ctc("error/targets-0d", lsm(4, 1, 3), 1, [4], [1]),
    ctc("error/targets-3d", lsm(4, 1, 3), [[[1]]], [4], [1]),
    ctc("error/log-probs-1d", [-0.5, -1.0, -2.0], [1], [3], [1]),
    ctc("error/log-probs-4d", [lsm(4, 1, 3)], [[1]], [4], [1]),
    ctc("error/bad-reduction", LP, PAD, IL, TL, reduction="avg"),
]
