"""Cases where float32 parts from float64: run only by generate.py --float32."""
from common import R, case

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

# Long sums: 10⁵ terms and more, where a running float32 total drifts; ATen's cascade (and the
# engine's copy of it, to the bit) does not.
PERIOD = [((i * 7919) % 1000) / 997.0 + 1000.0 for i in range(1000)]
CASES.append(case("L1Loss/long-sum", "L1Loss", {"input": R(PERIOD, 300), "target": [0.0]}, {"reduction": "sum"},
                  grads=()))
CASES.append(case("L1Loss/long-mean", "L1Loss", {"input": R(PERIOD, 200), "target": [0.0]}, grads=()))
CASES.append(case("MSELoss/long-sum-odd", "MSELoss", {"input": R(PERIOD[:777], 101), "target": [0.25]},
                  {"reduction": "sum"}, grads=()))
