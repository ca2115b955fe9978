"""Cases where float32 parts from float64: run only by generate.py --float32."""
from common import I, R, case

CASES = [
    # A square past √MaxFloat32 ≈ 1.84e19 is +Inf in float32.
    case("MSELoss/square-overflows", "MSELoss", {"input": [2e19, 1.0, -3e19], "target": [0.0, 0.5, 0.0]}),
    case("MSELoss/square-overflows/none", "MSELoss", {"input": [2e19, 1.0, 1e19], "target": [0.0, 0.5, 0.0]},
         {"reduction": "none"}),
    case("MSELoss/sum-overflows", "MSELoss", {"input": [1.5e19, 1.5e19], "target": [0.0, 0.0]}, {"reduction": "sum"}),
    # An input beyond float32's range is ±Inf once it is a float32 tensor.
    case("L1Loss/input-beyond-range", "L1Loss", {"input": [1e39, -1e39, 1.0], "target": [0.0, 0.0, 1.0]}),
    # Neighbours closer than float32's ulp are equal: loss 0, gradient 0.
    case("L1Loss/within-ulp", "L1Loss", {"input": [1.00000001, 3.0], "target": [1.0, 3.00000001]}),
]

import math  # noqa: E402


def sig(z):
    return 1 / (1 + math.exp(-z))


CASES += [
    # σ(17) = 0.99999996 and σ(20) = 0.999999998 are exactly 1 in float32: log(1 − x) = −Inf is
    # clamped to −100, the loss of a wrong target is 100 and the gradient (1 − y)·1e12.
    case("BCELoss/sigmoid-17-rounds-to-1", "BCELoss", {"input": [sig(17), sig(20), sig(16), 0.5],
                                                       "target": [0.0, 0.0, 0.0, 1.0]}, {"reduction": "none"}),
    case("BCELoss/sigmoid-17-target-1", "BCELoss", {"input": [sig(17), sig(20)], "target": [1.0, 1.0]}),
    case("BCELoss/input-rounds-to-0", "BCELoss", {"input": [1e-46, 1e-40], "target": [1.0, 0.0]}, {"reduction": "none"}),
    # With logits, the loss of a confident right answer is exactly 0 from |x| ≈ 16.6 and the gradient saturates.
    case("BCEWithLogitsLoss/logit-17-20", "BCEWithLogitsLoss", {"input": [17.0, 20.0, -17.0, -20.0, 90.0, -90.0],
                                                                "target": [1.0, 1.0, 0.0, 0.0, 1.0, 1.0]},
         {"reduction": "none"}),
    # exp(−x·y) overflows past x·y = −88.72: loss +Inf, gradient NaN.
    case("SoftMarginLoss/past-88.72", "SoftMarginLoss", {"input": [-88.0, -89.0, -100.0, 5.0],
                                                        "target": [1.0, 1.0, 1.0, -1.0]}, {"reduction": "none"}),
    case("SoftMarginLoss/past-88.72/mean", "SoftMarginLoss", {"input": [-88.0, -89.0], "target": [1.0, 1.0]}),
    # exp(x) overflows past 88.72.
    case("PoissonNLLLoss/exp-overflows", "PoissonNLLLoss", {"input": [88.0, 89.0, 1.0], "target": [1.0, 2.0, 3.0]},
         {"reduction": "none"}),
    case("KLDivLoss/log-target-overflows", "KLDivLoss", {"input": [-1.0, -2.0], "target": [88.0, 89.0]},
         {"reduction": "none", "log_target": True}),
    # Squared norms overflow: the cosine of two 1e20 vectors is 0 or NaN, its gradients NaN.
    case("CosineEmbeddingLoss/norms-overflow", "CosineEmbeddingLoss",
         {"input1": [[1e20, 2e20], [1.0, 2.0], [1e19, 1e19]], "input2": [[3e20, 1e20], [2.0, 1.0], [1e19, -1e19]],
          "target": [1.0, -1.0, 1.0]}, {"reduction": "none"}, grads=("input1", "input2")),
    case("TripletMarginLoss/distance-overflows", "TripletMarginLoss",
         {"anchor": [[2e19, 0.0], [1.0, 1.0]], "positive": [[0.0, 0.0], [1.0, 2.0]], "negative": [[1.0, 1.0], [3.0, 3.0]]},
         {"reduction": "none"}, grads=("anchor", "positive", "negative")),
    # Huber and SmoothL1 squares overflow like MSE's.
    case("HuberLoss/square-overflows", "HuberLoss", {"input": [2e19, 1.0], "target": [0.0, 0.0]},
         {"reduction": "none", "delta": 1e20}),
    case("GaussianNLLLoss/square-overflows", "GaussianNLLLoss", {"input": [2e19, 1.0], "target": [0.0, 0.0],
                                                                  "var": [1.0, 1.0]}, {"reduction": "none"},
         grads=("input", "var")),
    # A softmax with logits 1e5 apart: log_softmax stays finite in float32 too.
    case("CrossEntropyLoss/wide-logits", "CrossEntropyLoss", {"input": [[1e5, 0.0, -1e5], [20.0, 0.0, -20.0]],
                                                              "target": I([2, 0])}),
]

# Long sums: 10⁵ terms and more, where a running float32 total drifts; ATen's cascade (and the
# engine's copy of it, to the bit) does not.
PERIOD = [((i * 7919) % 1000) / 997.0 + 1000.0 for i in range(1000)]
CASES.append(case("L1Loss/long-sum", "L1Loss", {"input": R(PERIOD, 300), "target": [0.0]}, {"reduction": "sum"},
                  grads=()))
CASES.append(case("L1Loss/long-mean", "L1Loss", {"input": R(PERIOD, 200), "target": [0.0]}, grads=()))
CASES.append(case("MSELoss/long-sum-odd", "MSELoss", {"input": R(PERIOD[:777], 101), "target": [0.25]},
                  {"reduction": "sum"}, grads=()))

# Wide rows for the losses whose float32 kernel is the float64 result rounded (engine/rounded_f32.go):
# long float32 sums over classes, checked against PyTorch's float32 kernels.
import torch  # noqa: E402

_g = torch.Generator().manual_seed(18)


def _randn(*shape, scale=1.0):
    return (torch.randn(*shape, generator=_g, dtype=torch.float64) * scale).tolist()


CASES += [
    case("CrossEntropyLoss/wide-rows", "CrossEntropyLoss",
         {"input": _randn(4, 1000, scale=8), "target": I([0, 999, 500, 7])}),
    case("CrossEntropyLoss/wide-rows-smoothing", "CrossEntropyLoss",
         {"input": _randn(4, 1000, scale=8), "target": I([3, 1, 4, 1])}, {"label_smoothing": 0.1}),
    case("MultiLabelSoftMarginLoss/wide-rows", "MultiLabelSoftMarginLoss",
         {"input": _randn(4, 256, scale=20), "target": [[float((i * j) % 2) for j in range(256)] for i in range(4)]}),
    case("MultiMarginLoss/wide-rows", "MultiMarginLoss", {"input": _randn(4, 256), "target": I([0, 255, 17, 100])}),
    case("NLLLoss/wide-rows-weighted", "NLLLoss", {"input": _randn(8, 300, scale=5), "target": I([0, 1, 2, 3, 299, 298, 150, 7])},
         {"weight": [0.5 + (j % 7) / 3 for j in range(300)]}),
]
