#!/usr/bin/env python3
"""Page by page: which pages of a split cost most, and which of their lines.

usage: python3 scripts/pages.py PRED_DIR [--set wcxb] [--split dev|train|all]
                                [--type forum] [--gold-words MIN:MAX]
                                [--sort f1|precision|recall] [--top 20]
       python3 scripts/pages.py PRED_DIR --set dragnet --show ID[,ID...] [--missed]

PRED_DIR holds one `<dataset>.jsonl` per dataset (`{"id", "text"}` lines), as
`dehusk eval --predictions PRED_DIR` (dev) or `dehusk train --cross-validate
--cv-predictions PRED_DIR` (train, out of fold) write them. A `<dataset>.jsonl` with no
page of the split (an out-of-fold folder read with the default `--split dev`, say) is
left out: stderr says so, and the exit status is 1.

Without --show: the pages of the split (of every dataset found, or of --set), scored
one by one with the reference metric (`shared/reference/shingle_f1.py`), worst first
by --sort, one line each: dataset, id, host, page type (wcxb), precision, recall, F1,
and the words of the output and of the gold. --type keeps one wcxb page type,
--gold-words a range of gold lengths (`:50`, `50:200`, `200:`).

With --show: each line of a page's output, marked by whether it belongs to the gold:
`  ` most of its 4-word shingles are in the gold, `- ` few or none are (kept, not
gold: what costs precision). A line of under four words has no shingle of its own
(the metric's 4-grams run across lines): `? ` when its words occur together in the
gold, `- ` when they do not. With --missed, the gold's paragraphs that the output
lacks follow (what costs recall), tested the same way against the output: a
paragraph of under four words is lacking when its words do not occur together in
the output.

This is how the comment headings of session 27 were found: the out-of-fold pages
whose kept lines after the article cost most. Read training pages (`--cv-predictions`
output) to find what to change, never dev pages.

Standard library only.
"""
import argparse
import os
import sys

from predictions import (SETS, line_test, mark_lines, no_page_of, page_scores, read_gold,
                         read_predictions)


def load(shared, folder, sets, split):
    """(dataset, gold record, predicted text) for each page of `split`, and whether a
    dataset's file was left out for holding no page of `split` (said on stderr)."""
    rows, unscored = [], False
    for s in sets:
        pred = read_predictions(folder, s)
        if pred is None:
            continue
        gold = read_gold(shared, s, split)
        mismatch = no_page_of(pred, gold, folder, s, split, "; see --split")
        if mismatch:
            print(f"pages.py: {mismatch}", file=sys.stderr)
            unscored = True
            continue
        rows.extend((s, g, pred.get(g["id"], "")) for g in gold)
    return rows, unscored


def gold_range(spec):
    lo, _, hi = spec.partition(":")
    return int(lo or 0), (int(hi) if hi else float("inf"))


def show(shingles, tokens, dataset, g, pred, missed):
    print(f"===== {dataset} {g['id']} {g.get('host') or '(no host)'}")
    marks = {None: "  ", "gold": "  ", "not": "- "}
    for mark, words, line in mark_lines(shingles, tokens, g["main_content"], pred):
        # A short line found in the gold is only likely gold: its words, not its shingles.
        print(f"{'? ' if mark == 'gold' and words < 4 else marks[mark]}{line}")
    if missed:
        # Tested as the output's lines are against the gold, the other way round: a
        # paragraph of under four words by whether its words occur together in the
        # output.
        in_output = line_test(shingles, tokens, pred)
        lacking = [para for para in g["main_content"].split("\n") if in_output(para)[0] is False]
        print(f"----- gold paragraphs the output lacks: {len(lacking)}")
        for para in lacking:
            print(f"+ {para}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pred_dir")
    ap.add_argument("--set", choices=SETS, help="one dataset (default: every one found)")
    ap.add_argument("--split", default=None, choices=["dev", "train", "all"],
                    help="default: dev, or all with --show")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, "shared"))
    ap.add_argument("--type", help="wcxb page_type to keep (article, forum, product, ...)")
    ap.add_argument("--gold-words", default=":", help="MIN:MAX words of gold text")
    ap.add_argument("--sort", default="f1", choices=["f1", "precision", "recall"])
    ap.add_argument("--top", type=int, default=20, help="pages to list")
    ap.add_argument("--show", help="comma-separated page ids: print their lines, marked")
    ap.add_argument("--missed", action="store_true", help="with --show: the gold the output lacks")
    a = ap.parse_args()
    sys.path.insert(0, os.path.join(a.shared, "reference"))
    from shingle_f1 import _TOKEN, page_tp_fp_fn, shingles  # the reference metric

    split = a.split or ("all" if a.show else "dev")
    rows, unscored = load(a.shared, a.pred_dir, [a.set] if a.set else SETS, split)
    if not rows:
        sys.exit(f"no pages: no <dataset>.jsonl in {a.pred_dir} with pages of split {split}")
    if a.show:
        wanted = a.show.split(",")
        found = [r for r in rows if r[1]["id"] in wanted]
        for dataset, g, pred in found:
            show(shingles, _TOKEN.findall, dataset, g, pred, a.missed)
        missing = set(wanted) - {g["id"] for _, g, _ in found}
        if missing:
            sys.exit(f"not found: {', '.join(sorted(missing))}")
        sys.exit(1 if unscored else 0)
    lo, hi = gold_range(a.gold_words)
    scored = []
    for dataset, g, pred in rows:
        gold_words = len(g["main_content"].split())
        if not lo <= gold_words < hi or (a.type and g.get("page_type") != a.type):
            continue
        p, r, f1 = page_scores(page_tp_fp_fn, g["main_content"], pred)
        scored.append((dataset, g, p, r, f1, len(pred.split()), gold_words))
    key = {"f1": 4, "precision": 2, "recall": 3}[a.sort]
    scored.sort(key=lambda x: (x[key], x[1]["id"]))
    print(f"{len(scored)} pages; the {min(a.top, len(scored))} lowest by {a.sort}")
    print(f"{'set':11s} {'id':14s} {'host':28s} {'type':13s}  P     R     F1    words  gold")
    for dataset, g, p, r, f1, words, gold_words in scored[: a.top]:
        print(f"{dataset:11s} {g['id']:14.14s} {(g.get('host') or '-'):28.28s} "
              f"{(g.get('page_type') or '-'):13.13s} {p:.2f}  {r:.2f}  {f1:.2f}  {words:6d} {gold_words:5d}")
    if unscored:
        sys.exit(1)


if __name__ == "__main__":
    main()
