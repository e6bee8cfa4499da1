#!/usr/bin/env python3
"""What a cut on the document confidence keeps and loses.

usage: python3 scripts/confidence.py PRED_DIR [--split train|dev] [--shared ../shared]
                                     [--cuts 0.5,0.6,0.7,0.8,0.9]

Every prediction folder dehusk writes (`eval --predictions`, `train --cross-validate
--cv-predictions`) gives each page's `confidence` beside its text: the mean content
probability of the blocks kept, weighted by their words (`dehusk::decode::
page_confidence`). `extract --min-confidence C` empties the text of a document below C.
For each dataset and each cut C this prints, scored with the reference metric
(`shared/reference/shingle_f1.py`):

- the share of the pages kept (confidence at least C), and the share of the gold text
  on them, in words (what a corpus built with the cut still holds of the main text);
- the shingle F1 (mean precision / mean recall) of the kept pages alone: how clean
  the text a corpus keeps is;
- the shingle F1 of all pages with the cut pages' text emptied, as `dehusk eval
  --min-confidence C` scores it (a cut page's recall counts as 0, its precision not
  at all);
- the Spearman correlation between the confidence and each page's own shingle F1.

The confidences compared with a cut are the ones the folder holds, which dehusk writes
rounded to four decimals; `eval --min-confidence` and `extract --min-confidence`
compare the unrounded value, which no prediction folder has. A page whose written
confidence is within 0.00005 of a cut (with a cut of four decimals: equal to it) is
counted kept here but emptied by dehusk when its unrounded confidence is below the cut
(with the bundled HTML model on wcxb's dev pages, each cut set to a page's written
confidence: 6 of 13 such pages). Elsewhere the two agree. After each dataset's table a
note gives how many pages lie that close to each cut: the pages a cut's numbers may
count differently from `eval --min-confidence`.

Use the training pages' out-of-fold folder (`--split train`) to choose a cut; the dev
numbers are for reporting. A `<dataset>.jsonl` with no page of the split (an `eval
--predictions` folder read with the default `--split train`, say) is not scored: stderr
says so, and the exit status is 1. Standard library only.
"""
import argparse
import os
import sys

from predictions import SETS, no_page_of, page_scores, read_gold, read_records

# dehusk writes a page's confidence rounded to four decimals: the written value is
# within this of the one `--min-confidence` compares.
ROUNDING = 0.00005


def ranks(values):
    """Average ranks (ties share their mean rank)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    r = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2
        i = j + 1
    return r


def spearman(a, b):
    ra, rb = ranks(a), ranks(b)
    n = len(a)
    ma, mb = sum(ra) / n, sum(rb) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    va = sum((x - ma) ** 2 for x in ra) ** 0.5
    vb = sum((y - mb) ** 2 for y in rb) ** 0.5
    return cov / (va * vb) if va and vb else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pred_dir")
    ap.add_argument("--split", default="train", choices=["train", "dev"])
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, "shared"))
    ap.add_argument("--cuts", default="0.5,0.6,0.7,0.8,0.9")
    a = ap.parse_args()
    sys.path.insert(0, os.path.join(a.shared, "reference"))
    from shingle_f1 import _TOKEN, page_tp_fp_fn, shingle_f1  # the reference metric

    cuts = [0.0] + [float(c) for c in a.cuts.split(",")]
    unscored = False
    for dataset in SETS:
        records = read_records(a.pred_dir, dataset)
        if records is None:
            continue
        if any("confidence" not in r for r in records.values()):
            sys.exit(f"confidence.py: {a.pred_dir}/{dataset}.jsonl has no confidence "
                     "(written by an older dehusk?)")
        gold = read_gold(a.shared, dataset, a.split)
        mismatch = no_page_of(records, gold, a.pred_dir, dataset, a.split, "; see --split")
        if mismatch:
            print(f"confidence.py: {mismatch}", file=sys.stderr)
            unscored = True
            continue
        pages = []
        for g in gold:
            r = records.get(g["id"], {"text": "", "confidence": 0.0})
            text, conf = r["text"], r["confidence"]
            f1 = page_scores(page_tp_fp_fn, g["main_content"], text)[2]
            gold_words = len(_TOKEN.findall(g["main_content"] or ""))
            pages.append((g["main_content"], text, conf, f1, gold_words))
        if not pages:
            continue
        rho = spearman([x[2] for x in pages], [x[3] for x in pages])
        total_gold = sum(x[4] for x in pages) or 1
        print(f"{dataset} ({a.split}, {len(pages)} pages): Spearman(confidence, page F1) {rho:.3f}")
        print(f"  {'cut':>5}  {'pages kept':>10}  {'gold kept':>9}  {'F1 of kept pages (P / R)':>26}  {'F1, cut pages empty':>19}")
        doubtful = []
        for c in cuts:
            kept = [x for x in pages if x[2] >= c]
            if kept:
                f, p, r = shingle_f1([(x[0], x[1]) for x in kept])
                on_kept = f"{f:.4f} ({p:.4f} / {r:.4f})"
            else:
                on_kept = "-"
            emptied = shingle_f1([(x[0], x[1] if x[2] >= c else "") for x in pages])[0]
            gold_kept = sum(x[4] for x in kept) / total_gold
            print(f"  {c:5.2f}  {len(kept) / len(pages):10.1%}  {gold_kept:9.1%}  {on_kept:>26}  {emptied:19.4f}")
            # A cut of 0 empties nothing, whatever the rounding.
            close = sum(1 for x in pages if c > 0 and abs(x[2] - c) <= ROUNDING + 1e-9)
            if close:
                doubtful.append(f"{close} at {c:g}")
        if doubtful:
            print(f"  note: pages whose written confidence is within {ROUNDING} of a cut, where "
                  f"`eval --min-confidence` may differ (it compares the unrounded value): "
                  f"{', '.join(doubtful)}")
    if unscored:
        sys.exit(1)


if __name__ == "__main__":
    main()
