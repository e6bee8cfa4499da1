#!/usr/bin/env python3
"""Out-of-fold scores of the training pages: by dataset, their mean, and by page type.

usage: python3 scripts/oof.py PRED_DIR [PRED_DIR ...] [--shared ../shared]
                              [--labels LABELS.jsonl] [--by-type wcxb]

`dehusk train --cross-validate --cv-predictions PRED_DIR` holds out every training
page exactly once (by host fold) and writes what the model fitted without it
extracted, one `<dataset>.jsonl` per dataset. This scores those predictions with the
reference metric (`shared/reference/shingle_f1.py`) against the *train* split's gold:
one line per folder with each dataset's shingle F1 and the mean of the four, the
measure the issue's "mean of the four" goal takes, read on pages no dev split holds.
Several folders (a baseline and variants) print one line each, for comparison. A
`<dataset>.jsonl` with no train page (an `eval --predictions` folder holds dev pages)
is not scored: its cell shows `-`, stderr says why, and the exit status is 1.

`--by-type wcxb` (the default) also prints that dataset's pages by `page_type` (F1,
mean precision, mean recall) for each folder, and with `--labels` (the JSON lines of
`dehusk label --data ../shared/data/wcxb -o LABELS.jsonl`) the oracle of each type
beside them: the aligned labels as an extraction (what a classifier that learned
them perfectly would score) and the best block selection `label` found (a local
search: the most any block classifier can reach is at least this). Standard library
only.
"""
import argparse
import collections
import json
import os
import sys

from predictions import SETS, no_page_of, read_gold, read_predictions


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pred_dirs", nargs="+", help="folders written by --cv-predictions")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, "shared"))
    ap.add_argument("--by-type", default="wcxb", help="dataset to break down by page_type ('' = none)")
    ap.add_argument("--labels", help="`dehusk label -o` output for --by-type's dataset: "
                    "adds the oracle and the best selection")
    a = ap.parse_args()
    sys.path.insert(0, os.path.join(a.shared, "reference"))
    from shingle_f1 import shingle_f1  # the reference metric

    gold = {s: read_gold(a.shared, s, "train") for s in SETS}

    print("out of fold, train split: " + " ".join(f"{s:>11}" for s in SETS) + "  mean of 4")
    unscored = set()
    for folder in a.pred_dirs:
        scores = []
        for s in SETS:
            pred = read_predictions(folder, s)
            if pred is None:
                scores.append(None)
                continue
            mismatch = no_page_of(pred, gold[s], folder, s, "train")
            if mismatch:
                # An `eval --predictions` folder holds dev pages: every train page
                # would count as empty.
                print(f"oof.py: {mismatch}", file=sys.stderr)
                unscored.add((folder, s))
                scores.append(None)
                continue
            # A page the folder lacks counts as extracted empty, as shingle_f1.py counts it.
            scores.append(shingle_f1([(r["main_content"], pred.get(r["id"], "")) for r in gold[s]])[0])
        cells = " ".join(f"{x:11.4f}" if x is not None else f"{'-':>11}" for x in scores)
        mean = f"{sum(scores) / len(scores):.4f}" if None not in scores else "-"
        print(f"{folder:26.26s} {cells}  {mean}")

    if not a.by_type:
        sys.exit(1 if unscored else 0)
    pages = gold[a.by_type]
    by_type = collections.defaultdict(list)
    for r in pages:
        by_type[r.get("page_type") or "-"].append(r)
    oracle, best = {}, {}
    if a.labels:
        with open(a.labels, encoding="utf-8") as f:
            for r in map(json.loads, f):
                oracle[r["id"]] = "\n".join(b["text"] for b in r["blocks"] if b["label"])
                # Label files written before session 20 have no `best` field.
                if all("best" in b for b in r["blocks"]):
                    best[r["id"]] = "\n".join(b["text"] for b in r["blocks"] if b["best"])
    for folder in a.pred_dirs:
        pred = read_predictions(folder, a.by_type)
        if pred is None or (folder, a.by_type) in unscored:
            continue
        print(f"\n{folder}: {a.by_type} by page type (F1, mean P / mean R)")
        for kind, rows in sorted(by_type.items(), key=lambda kv: -len(kv[1])):
            f1, p, r = shingle_f1([(x["main_content"], pred.get(x["id"], "")) for x in rows])
            line = f"  {kind:14s} {len(rows):4d} pages  {f1:.3f} ({p:.3f} / {r:.3f})"
            if oracle:
                o = shingle_f1([(x["main_content"], oracle.get(x["id"], "")) for x in rows])[0]
                line += f"  oracle {o:.3f}"
            if best:
                c = shingle_f1([(x["main_content"], best.get(x["id"], "")) for x in rows])[0]
                line += f"  best selection {c:.3f}"
            print(line)
    if unscored:
        sys.exit(1)


if __name__ == "__main__":
    main()
