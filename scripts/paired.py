#!/usr/bin/env python3
"""dehusk against peers on the same dev pages, with paired bootstrap intervals.

usage: python3 scripts/paired.py [--dehusk target/release/dehusk] [--shared ../shared]
                                 [--peers resiliparse,trafilatura] [--resamples 2000]
                                 [--drop-comments] [--favor precision|recall]

A dev split has 20 to 277 pages, so a lead of 0.007 in shingle F1 may be luck. This
runs the peers here, on the very pages `dehusk eval` scores (HTML mode, dev split),
scores every page with the reference metric (`shared/reference/shingle_f1.py`), and
resamples the pages with replacement: for each dataset it prints every tool's shingle
F1, dehusk's 95% interval, and for each peer the
difference dehusk minus peer with its 95% interval and the share of resamples in which
dehusk is ahead. The resampling is paired (the same pages for both tools), so what
varies is which pages were drawn, not the tools. Peers import as in
`scripts/compare_peers.py`; a missing one is skipped with a message.

The peers: resiliparse (`main_content=True`), and trafilatura three ways: its defaults,
which keep reader comments, and the two settings `peers.md` was measured with, which
leave them out (`include_comments=False`, with and without `fast`): their scores here
reproduce `peers.md` to within 0.002. Compare like with like: dehusk's default against
trafilatura's default, `--drop-comments` against the comment-free settings. And
readability-lxml (`pip install readability-lxml lxml_html_clean`), whose scores here
match `peers.md` on wcxb, dragnet and CleanEval but are 0.005 lower on readability's
pages (0.9695 against 0.974; see the README).

The precision/recall knobs: `--favor precision` (or `recall`) runs dehusk with the same
flag; compare it with `--peers trafilatura-precision` (or `trafilatura-recall`),
trafilatura's `favor_precision` and `favor_recall`. Every tool's line also shows its
mean precision and mean recall, the two halves the F1 is taken of.
"""
import argparse
import gzip
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_peers import load_peers  # noqa: E402
from predictions import SETS, read_gold, read_predictions  # noqa: E402


def f1_of(rows):
    """Shingle F1 as the reference takes it: F1 of the mean precision and the mean recall,
    a page counting toward precision only when it has shingles on the predicted side and
    toward recall only when it has them on the gold side (`rows`: (P or None, R or
    None) per page)."""
    p, r = halves(rows)
    return 2 * p * r / (p + r) if p + r else 0.0


def halves(rows):
    """Mean precision and mean recall, the two halves `f1_of` takes the F1 of."""
    ps = [r[0] for r in rows if r[0] is not None]
    rs = [r[1] for r in rows if r[1] is not None]
    return (sum(ps) / len(ps) if ps else 0.0), (sum(rs) / len(rs) if rs else 0.0)


def interval(values):
    v = sorted(values)
    return v[int(0.025 * len(v))], v[int(0.975 * len(v)) - 1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dehusk", default="target/release/dehusk")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, "shared"))
    ap.add_argument(
        "--peers",
        default="resiliparse,trafilatura,trafilatura-nocomments,trafilatura-fast-nocomments,"
        "readability-lxml",
    )
    ap.add_argument(
        "--drop-comments", action="store_true", help="score dehusk with --drop-comments"
    )
    ap.add_argument(
        "--favor", choices=["precision", "recall"], help="score dehusk with --favor P|R"
    )
    ap.add_argument("--resamples", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    sys.path.insert(0, os.path.join(a.shared, "reference"))
    from shingle_f1 import page_tp_fp_fn  # the reference metric

    def pr(gold, text):
        # As shingle_f1.shingle_f1 scores one page.
        tp, fp, fn = page_tp_fp_fn(gold, text)
        p = 1.0 if fp == fn == 0 else (0.0 if tp == fp == 0 else tp / (tp + fp))
        r = 1.0 if fp == fn == 0 else (0.0 if tp == fn == 0 else tp / (tp + fn))
        return (p if tp + fp > 0 else None), (r if tp + fn > 0 else None)

    peers = load_peers(a.peers)

    with tempfile.TemporaryDirectory() as tmp:
        cmd = [a.dehusk, "eval", "--mode", "html", "--json", "--predictions", tmp]
        cmd += ["--drop-comments"] if a.drop_comments else []
        cmd += ["--favor", a.favor] if a.favor else []
        cmd += ["--data"]
        subprocess.run(cmd + [f"{a.shared}/data/{s}" for s in SETS], check=True, capture_output=True)
        ours = {s: read_predictions(tmp, s) for s in SETS}

    rng = random.Random(a.seed)
    print(
        f"{'dataset':12} {'tool':28} {'pages':>5}  shingle F1 (P / R)        95% interval"
        "      dehusk - tool [95%]      ahead"
    )
    for s in SETS:
        gold = read_gold(a.shared, s, "dev")
        rows = {"dehusk": [pr(g["main_content"], ours[s].get(g["id"], "")) for g in gold]}
        for name, run in peers.items():
            out = []
            for g in gold:
                with gzip.open(f"{a.shared}/data/{s}/html/{g['id']}.html.gz") as fh:
                    raw = fh.read()
                try:
                    text = run(raw)
                except Exception:  # a peer failing on a page scores it as empty
                    text = ""
                out.append(pr(g["main_content"], text))
            rows[name] = out
        n = len(gold)
        draws = [[rng.randrange(n) for _ in range(n)] for _ in range(a.resamples)]
        ours_boot = [f1_of([rows["dehusk"][i] for i in d]) for d in draws]
        lo, hi = interval(ours_boot)
        p, r = halves(rows["dehusk"])
        print(
            f"{s:12} {'dehusk':28} {n:5}  {f1_of(rows['dehusk']):.4f} ({p:.3f} / {r:.3f})"
            f"  [{lo:.4f}, {hi:.4f}]"
        )
        for name in peers:
            diffs = [ob - f1_of([rows[name][i] for i in d]) for ob, d in zip(ours_boot, draws)]
            dlo, dhi = interval(diffs)
            ahead = sum(1 for x in diffs if x > 0) / len(diffs)
            diff = f1_of(rows["dehusk"]) - f1_of(rows[name])
            p, r = halves(rows[name])
            print(
                f"{'':12} {name:28} {n:5}  {f1_of(rows[name]):.4f} ({p:.3f} / {r:.3f}){'':20}"
                f"{diff:+.4f} [{dlo:+.4f}, {dhi:+.4f}]  {ahead:6.1%}"
            )


if __name__ == "__main__":
    main()
