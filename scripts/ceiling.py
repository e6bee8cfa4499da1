#!/usr/bin/env python3
"""The best block selection a page's segmentation allows: a ceiling for any block classifier.

usage: python3 scripts/ceiling.py LABELS.jsonl [LABELS.jsonl ...] [--shared ../shared]
                                  [--write OUT.jsonl] [--jobs 2]

`dehusk label --data ../shared/data/<set> --split dev -o LABELS.jsonl` writes every
block of every page with its aligned label, and prints the *oracle*: those labels
scored as an extraction. The oracle mixes two things: what the segmentation allows
and what the alignment rule (half of a long block's 4-grams in the gold; a short
block near long content) happens to pick. A classifier can beat it (the bundled HTML
model does on readability's dev split), so it is no bound.

This script looks for the block subset with the best shingle F1 on each page instead:
starting from the aligned labels, it flips one block at a time (blocks farthest from
the middle of the labelled content first, so that of two copies of a text the
peripheral one goes) and keeps a flip when the page's F1 rises, until a sweep changes
nothing (at most six sweeps). Only blocks that are kept or could add a gold 4-gram
(short blocks: every token in the gold) are tried. The result is a local optimum, so
the true ceiling is at least this high (a page needing several blocks at once, such as
a gold of three one-word blocks, is also tried with every such block kept).

It prints, per labels file, the aligned labels' and the refined selection's shingle F1
(the reference metric: F1 of the mean precision and mean recall over pages), the pages
and blocks changed. `--write` writes the refined labels in the same format (session
20 trained on them: held-out F1 level, README "eighteenth round"). Pure Python with
the reference metric; a dev split takes a minute or two, the training splits about
45 minutes on two cores.
"""
import argparse
import json
import os
import re
import sys
from multiprocessing import Pool

TOKEN = re.compile(r"\w+", re.UNICODE)
GOLD = {}
SHINGLES = None


def page_pr(gold, texts, keep):
    """One page's (precision, recall) as the reference metric computes them."""
    p = SHINGLES("\n".join(x for x, k in zip(texts, keep) if k))
    tp = sum((gold & p).values())
    fp = sum((p - gold).values())
    fn = sum((gold - p).values())
    if fp == fn == 0:
        return 1.0, 1.0
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    return prec, rec


def f1(pr):
    p, r = pr
    return 2 * p * r / (p + r) if p + r else 0.0


def refine(line):
    page = json.loads(line)
    gold_text = GOLD[(page["dataset"], page["id"])]
    gold = SHINGLES(gold_text)
    vocab = set(TOKEN.findall(gold_text))
    texts = [b["text"] for b in page["blocks"]]
    keep = [b["label"] for b in page["blocks"]]
    aligned = "\n".join(x for x, k in zip(texts, keep) if k)

    def could_add(text):
        toks = TOKEN.findall(text)
        if not toks:
            return False
        if len(toks) < 4:
            return all(w in vocab for w in toks)
        return any(tuple(toks[j:j + 4]) in gold for j in range(len(toks) - 3))

    candidates = [i for i, t in enumerate(texts) if keep[i] or could_add(t)]
    kept = [i for i, k in enumerate(keep) if k]
    middle = kept[len(kept) // 2] if kept else len(keep) // 2
    candidates.sort(key=lambda i: -abs(i - middle))
    best = f1(page_pr(gold, texts, keep))
    for _ in range(6):
        improved = False
        for i in candidates:
            keep[i] = not keep[i]
            f = f1(page_pr(gold, texts, keep))
            if f > best + 1e-9:
                best, improved = f, True
            else:
                keep[i] = not keep[i]
        if not improved:
            break
    # A gold of a few short blocks (three one-word lines make one 3-token shingle) is
    # out of reach of single flips: try keeping every block that could add.
    every = [could_add(t) for t in texts]
    if f1(page_pr(gold, texts, every)) > best + 1e-9:
        keep = every
    refined = "\n".join(x for x, k in zip(texts, keep) if k)
    flips = sum(b["label"] != k for b, k in zip(page["blocks"], keep))
    for b, k in zip(page["blocks"], keep):
        b["label"] = k
    return page, gold_text, aligned, refined, flips


def main():
    global SHINGLES
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("labels", nargs="+")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
    ap.add_argument("--write")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(args.shared, "reference"))
    from shingle_f1 import shingle_f1, shingles
    SHINGLES = shingles
    lines = []
    for path in args.labels:
        with open(path) as f:
            lines.extend(f.readlines())
    for ds in {json.loads(l)["dataset"] for l in lines}:
        with open(os.path.join(args.shared, "data", ds, "truth.jsonl")) as f:
            for l in f:
                r = json.loads(l)
                GOLD[(ds, r["id"])] = r.get("main_content") or ""
    out = open(args.write, "w") if args.write else None
    by_set = {}
    with Pool(args.jobs) as pool:
        for page, gold, aligned, refined, flips in pool.imap(refine, lines, chunksize=4):
            s = by_set.setdefault(page["dataset"], [[], [], 0, 0, 0])
            s[0].append((gold, aligned))
            s[1].append((gold, refined))
            s[2] += flips > 0
            s[3] += flips
            s[4] += len(page["blocks"])
            if out:
                out.write(json.dumps(page, ensure_ascii=False) + "\n")
    if out:
        out.close()
    print(f"{'dataset':12s} {'pages':>6s} {'aligned':>8s} {'best found':>10s} {'pages changed':>14s} {'blocks flipped':>15s}")
    for ds, (al, re_, pages, flips, blocks) in sorted(by_set.items()):
        print(f"{ds:12s} {len(al):6d} {shingle_f1(al)[0]:8.4f} {shingle_f1(re_)[0]:10.4f} "
              f"{pages:14d} {flips:8d} of {blocks}")


if __name__ == "__main__":
    main()
