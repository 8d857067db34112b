#!/usr/bin/python3
"""scikit-learn side of the RF station-table check (bench/rf-station-table.ts writes the table).
Usage: rf-station-sklearn.py TABLE.bin NFEATURES --seeds 0,1,2 --trees 150 --max-features 2 --min-leaf 5 --jobs 2
TABLE.bin: float32 rows [features..., y, isTest]. One RandomForestRegressor fit per seed (bootstrap,
min_samples_leaf, max_features as given); prints RESULT {"rmse": [...], "fit_s": [...], "fit_cpu_s": [...]}."""
import argparse
import json
import time

import numpy as np
from sklearn.ensemble import RandomForestRegressor


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("table")
    ap.add_argument("nf", type=int)
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--trees", type=int, default=150)
    ap.add_argument("--max-features", type=int, default=2)
    ap.add_argument("--min-leaf", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    arr = np.fromfile(a.table, dtype="<f4").reshape(-1, a.nf + 2).astype(np.float64)
    test = arr[:, a.nf + 1] == 1
    Xtr, ytr = arr[~test, :a.nf], arr[~test, a.nf]
    Xte, yte = arr[test, :a.nf], arr[test, a.nf]
    res = {"rmse": [], "fit_s": [], "fit_cpu_s": []}
    for seed in (int(s) for s in a.seeds.split(",")):
        m = RandomForestRegressor(n_estimators=a.trees, max_features=a.max_features, min_samples_leaf=a.min_leaf,
                                  bootstrap=True, n_jobs=a.jobs, random_state=seed)
        t0 = time.perf_counter(); c0 = time.process_time()
        m.fit(Xtr, ytr)
        res["fit_s"].append(round(time.perf_counter() - t0, 4)); res["fit_cpu_s"].append(round(time.process_time() - c0, 4))
        res["rmse"].append(float(np.sqrt(np.mean((m.predict(Xte) - yte) ** 2))))
    print("RESULT " + json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
