"""L1Loss and MSELoss."""
from common import case

X = [[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]]
Y = [[1.0, -1.0, 0.0], [1.0, 0.5, 0.5]]
NAN_INF_X = [float("nan"), float("inf"), -1.0, 2.0]
NAN_INF_Y = [1.0, 0.0, float("-inf"), 2.0]

CASES = []
for loss in ("L1Loss", "MSELoss"):
    for red in ("mean", "sum", "none"):
        CASES.append(case(f"{loss}/{red}", loss, {"input": X, "target": Y}, {"reduction": red}))
        CASES.append(case(f"{loss}/broadcast-target-row/{red}", loss, {"input": X, "target": [0.0, 1.0, -2.0]},
                          {"reduction": red}))
        CASES.append(case(f"{loss}/broadcast-input/{red}", loss, {"input": [[1.0], [2.0]], "target": Y},
                          {"reduction": red}))
        CASES.append(case(f"{loss}/nan-inf/{red}", loss, {"input": NAN_INF_X, "target": NAN_INF_Y},
                          {"reduction": red}))
    CASES.append(case(f"{loss}/scalar", loss, {"input": 1.5, "target": -0.5}))
    CASES.append(case(f"{loss}/empty-mean", loss, {"input": [], "target": []}))
    CASES.append(case(f"{loss}/empty-sum", loss, {"input": [], "target": []}, {"reduction": "sum"}))
    CASES.append(case(f"{loss}/equal-elements", loss, {"input": [1.0, 2.0], "target": [1.0, 3.0]}))
    for sa, rd in ((False, None), (None, False), (True, True), (False, True), (True, False)):
        params = {"reduction": "mean"}
        if sa is not None:
            params["size_average"] = sa
        if rd is not None:
            params["reduce"] = rd
        CASES.append(case(f"{loss}/legacy-sa={sa}-reduce={rd}", loss, {"input": X, "target": Y}, params))
    CASES.append(case(f"{loss}/bad-broadcast", loss, {"input": [1.0, 2.0, 3.0], "target": [1.0, 2.0]}))
    CASES.append(case(f"{loss}/bad-reduction", loss, {"input": X, "target": Y}, {"reduction": "avg"}))
