#!/usr/bin/env python3
"""Fit other models on dehusk's own cross-validation rows; write their held-out
probabilities for `dehusk train --cross-validate --cv-probabilities` to score.

Asks whether the features hold more than a dot product reads: the same rows, the
same host folds, the same row weights (a row counted `copies` times), and dehusk's own
decoder choice and metric on the result.

    dehusk train --data ../shared/data/{wcxb,dragnet,cleaneval,readability} --mode html \
        -o /tmp/m.json --cross-validate --cv-rows /tmp/rows
    pip install numpy scikit-learn lightgbm
    python3 scripts/nonlinear.py /tmp/rows /tmp/probs --models lr,gbm,gbm2
    dehusk train ... --cross-validate --cv-probabilities /tmp/probs/gbm

Models (`--models`, comma-separated):
  lr     scikit-learn's logistic regression on standardized rows (C = 1), run to
         convergence: a check that the outside pipeline matches dehusk's own fit;
  gbm    LightGBM, 400 trees of up to 31 leaves (learning rate 0.05);
  gbm2   LightGBM, 800 trees of depth 2 (pairs of features only);
  gbm1   LightGBM, 1500 stumps (no interactions: each feature's own curve);
  gbm_small  LightGBM, 100 trees of depth 4 (about 400 comparisons per block, the
         cost of two dot products);
  mlpN   scikit-learn's MLPClassifier, one hidden layer of N rectified units (mlp8:
         what `dehusk train --hidden-units 8` fits), on standardized rows clipped at
         10 standard deviations; --mlp-alpha (default 10, per minibatch) and
         --mlp-epochs (default 20), batch 512, Adam, random_state --mlp-seed.
Each writes OUT/<model>/probs-K.f32 for every fold K found in ROWS, and the gain
importance of the forests' features (summed over folds) is printed, as is each
model's time: the fits' seconds so far (all cores) and the scoring time per held-out
block on one thread (the forests by LightGBM's own C++ predictor; the logistic
regression's includes standardising the rows). The machine's load counts: run
nothing else meanwhile.

--leave-dataset-out: each held-out page is scored by a model fitted on its fold's
rows of the other datasets only (the group column of fit-K.tsv names the dataset), so
`--cv-predictions` and scripts/oof.py then give each dataset's score as a source the
model never saw (one fit per fold and dataset).
"""
import json
import argparse
import glob
import os
import re
import time

import numpy as np


def fold_ids(rows):
    return sorted(int(re.search(r"fit-(\d+)\.f32$", f).group(1))
                  for f in glob.glob(os.path.join(rows, "fit-*.f32")))


def load(rows, k, width):
    x = np.fromfile(os.path.join(rows, f"fit-{k}.f32"), dtype="<f4").reshape(-1, width)
    meta = [line.rstrip("\n").split("\t") for line in open(os.path.join(rows, f"fit-{k}.tsv"))]
    y = np.array([int(m[2]) for m in meta])
    w = np.array([float(m[3]) for m in meta])
    h = np.fromfile(os.path.join(rows, f"held-{k}.f32"), dtype="<f4").reshape(-1, width)
    assert len(meta) == len(x), "fit rows and their labels disagree"
    fit_sets = np.array([m[1].split(":")[0] for m in meta])
    pages = [json.loads(line) for line in open(os.path.join(rows, f"held-{k}.jsonl"))]
    held_sets = np.array([p["dataset"] for p in pages for _ in p["labels"]])
    assert len(held_sets) == len(h), "held-out rows and pages disagree"
    return x, y, w, h, fit_sets, held_sets


FORESTS = {
    "gbm": dict(n_estimators=400, learning_rate=0.05, num_leaves=31),
    "gbm2": dict(n_estimators=800, learning_rate=0.1, num_leaves=4, max_depth=2),
    "gbm1": dict(n_estimators=1500, learning_rate=0.1, num_leaves=2, max_depth=1),
    "gbm_small": dict(n_estimators=100, learning_rate=0.1, num_leaves=16, max_depth=4),
}


# The MLP's settings (--mlp-alpha, --mlp-epochs, --mlp-seed).
MLP = {"alpha": 10.0, "epochs": 20, "seed": 0}


def fit_predict(m, x, y, w, h, importance, timing):
    """Fits model `m` on rows `x` (labels `y`, weights `w`); probabilities of `h`.
    Adds the fit's seconds and the scoring's seconds on one thread to `timing[m]`."""
    if m == "lr":
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler
        start = time.perf_counter()
        sc = StandardScaler().fit(x)
        fit = LogisticRegression(C=1.0, max_iter=300).fit(sc.transform(x), y, sample_weight=w)
        fitted = time.perf_counter()
        p = fit.predict_proba(sc.transform(h))[:, 1]
        add_time(timing, m, fitted - start, time.perf_counter() - fitted, len(h))
        return p
    if m.startswith("mlp"):
        from sklearn.neural_network import MLPClassifier
        from sklearn.preprocessing import StandardScaler
        start = time.perf_counter()
        sc = StandardScaler().fit(x)
        fit = MLPClassifier(hidden_layer_sizes=(int(m[3:]),), alpha=MLP["alpha"],
                            batch_size=512, learning_rate_init=1e-3,
                            max_iter=MLP["epochs"], random_state=MLP["seed"], tol=1e-5,
                            n_iter_no_change=MLP["epochs"] + 1)
        fit.fit(np.clip(sc.transform(x), -10, 10), y, sample_weight=w)
        fitted = time.perf_counter()
        p = fit.predict_proba(np.clip(sc.transform(h), -10, 10))[:, 1]
        add_time(timing, m, fitted - start, time.perf_counter() - fitted, len(h))
        return p
    import lightgbm as lgb
    start = time.perf_counter()
    fit = lgb.LGBMClassifier(min_child_samples=100, subsample=0.8, subsample_freq=1,
                             colsample_bytree=0.5, verbose=-1, **FORESTS[m])
    fit.fit(x, y, sample_weight=w)
    fitted = time.perf_counter()
    gain = fit.booster_.feature_importance("gain")
    importance[m] = importance.get(m, 0) + gain / gain.sum()
    # Scored by the booster's own C++ predictor on one thread, as dehusk scores a page.
    p = fit.booster_.predict(h, num_threads=1)
    add_time(timing, m, fitted - start, time.perf_counter() - fitted, len(h))
    return p


def add_time(timing, m, fit_s, score_s, rows):
    t = timing.setdefault(m, [0.0, 0.0, 0])
    t[0] += fit_s
    t[1] += score_s
    t[2] += rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rows", help="folder written by --cv-rows")
    ap.add_argument("out", help="folder to write OUT/<model>/probs-K.f32 into")
    ap.add_argument("--models", default="lr,gbm")
    ap.add_argument("--leave-dataset-out", action="store_true")
    ap.add_argument("--mlp-alpha", type=float, default=MLP["alpha"])
    ap.add_argument("--mlp-epochs", type=int, default=MLP["epochs"])
    ap.add_argument("--mlp-seed", type=int, default=MLP["seed"])
    a = ap.parse_args()
    MLP.update(alpha=a.mlp_alpha, epochs=a.mlp_epochs, seed=a.mlp_seed)
    names = open(os.path.join(a.rows, "names.txt")).read().split()
    models = a.models.split(",")
    importance = {}
    timing = {}
    for m in models:
        if m != "lr" and m not in FORESTS and not re.fullmatch(r"mlp[1-9][0-9]*", m):
            raise SystemExit(f"unknown model {m!r} (lr, mlpN, {', '.join(FORESTS)})")
    for k in fold_ids(a.rows):
        x, y, w, h, fit_sets, held_sets = load(a.rows, k, len(names))
        # (rows to fit on, held-out rows to score) pairs: all of them, or per dataset.
        parts = [(np.ones(len(x), bool), np.ones(len(h), bool))]
        if a.leave_dataset_out:
            parts = [(fit_sets != d, held_sets == d) for d in np.unique(held_sets)]
        for m in models:
            p = np.zeros(len(h))
            for fit_rows, held_rows in parts:
                p[held_rows] = fit_predict(m, x[fit_rows], y[fit_rows], w[fit_rows], h[held_rows],
                                           importance, timing)
            os.makedirs(os.path.join(a.out, m), exist_ok=True)
            p.astype("<f4").tofile(os.path.join(a.out, m, f"probs-{k}.f32"))
            fit_s, score_s, rows = timing[m]
            print(f"fold {k}: {m} written (so far: fit {fit_s:.1f} s, scoring "
                  f"{score_s / max(rows, 1) * 1e6:.2f} µs per block on one thread)", flush=True)
    for m, v in importance.items():
        top = np.argsort(-v)[:15]
        print(f"{m}, share of gain:", ", ".join(f"{names[i]} {v[i] / v.sum():.3f}" for i in top))


if __name__ == "__main__":
    main()
