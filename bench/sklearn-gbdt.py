#!/usr/bin/python3
"""scikit-learn side of the GBDT benchmark (regressor:gbdt), in the format of ../shared/bench/bench.py.
Usage: sklearn-gbdt.py N [--rounds R] [--leaves L] [--grid-rows G]
HistGradientBoostingRegressor with the same hyperparameters as the soilscale run: L2 loss, R rounds,
L leaves, learning rate 0.1, min_samples_leaf 20, no L2 penalty, 255 bins, early stopping off.
Reads $SKBENCH_DATA (train_N.bin, grid.bin, meta.json written by gen_data.py). Prints one RESULT line."""
import argparse
import json
import os
import time

import numpy as np
import sklearn
from sklearn.ensemble import HistGradientBoostingRegressor

D = os.environ["SKBENCH_DATA"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--leaves", type=int, default=31)
    ap.add_argument("--grid-rows", type=int, default=0)
    a = ap.parse_args()
    meta = json.load(open(os.path.join(D, "meta.json")))
    tm = meta["train"][str(a.n)]
    arr = np.fromfile(os.path.join(D, tm["file"]), dtype="<f4").reshape(tm["rows"], tm["cols"])
    nf = tm["n_fit"]
    Xtr, ytr = arr[:nf, :12].astype(np.float64), arr[:nf, 12].astype(np.float64)
    Xte, yte = arr[nf:, :12].astype(np.float64), arr[nf:, 12].astype(np.float64)
    gm = meta["grid"]
    grows = a.grid_rows if a.grid_rows > 0 else gm["rows"]
    Xg = np.fromfile(os.path.join(D, gm["file"]), dtype="<f4").reshape(gm["rows"], gm["cols"])[:grows].astype(np.float64)
    m = HistGradientBoostingRegressor(loss="squared_error", max_iter=a.rounds, max_leaf_nodes=a.leaves, learning_rate=0.1,
                                      min_samples_leaf=20, l2_regularization=0.0, max_bins=255, early_stopping=False,
                                      random_state=42)
    t0 = time.perf_counter(); c0 = time.process_time()
    m.fit(Xtr, ytr)
    fit_s = time.perf_counter() - t0; fit_cpu = time.process_time() - c0
    pte = m.predict(Xte)
    rmse = float(np.sqrt(np.mean((pte - yte) ** 2)))
    r2 = float(1 - np.sum((pte - yte) ** 2) / np.sum((yte - yte.mean()) ** 2))
    t0 = time.perf_counter(); c0 = time.process_time()
    pg = m.predict(Xg)
    pred_s = time.perf_counter() - t0; pred_cpu = time.process_time() - c0
    res = {"lib": "sklearn " + sklearn.__version__, "model": "gbdt", "N": a.n, "n_fit": nf, "jobs": os.cpu_count(),
           "fit_s": round(fit_s, 3), "predict_rows": grows, "predict_s": round(pred_s, 3),
           "predict_1M_s": round(pred_s * (1_000_000 / grows), 2), "extrapolated": grows != 1_000_000,
           "r2": round(r2, 4), "rmse": round(rmse, 5), "grid_pred_mean": round(float(pg.mean()), 4),
           "fit_cpu_s": round(fit_cpu, 3), "predict_cpu_1M_s": round(pred_cpu * (1_000_000 / grows), 2),
           "n_iter": int(m.n_iter_)}
    print("RESULT " + json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
