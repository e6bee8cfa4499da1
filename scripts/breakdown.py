#!/usr/bin/env python3
"""Where a score's loss sits: by gold length, by host, and by place on the page.

usage: python3 scripts/breakdown.py PRED_DIR [PRED_DIR ...] [--split dev|train]
                                    [--shared ../shared] [--hosts 5]

PRED_DIR holds one `<dataset>.jsonl` per dataset (`{"id", "text"}` lines), as
`dehusk eval --predictions PRED_DIR` (dev) or `dehusk train --cross-validate
--cv-predictions PRED_DIR` (train, out of fold) write them. For each dataset found,
scored with the reference metric (`shared/reference/shingle_f1.py`) against the
split's gold:

- the pages by the length of their gold text (under 50 words, 50 to 199, 200 or
  more): how many, F1 and mean precision / recall. Short golds (a photo post, a
  one-paragraph notice) are where a block classifier loses most, since a few kept
  lines of boilerplate outweigh the content;
- the hosts that carry the most loss, in page units (1 − precision plus 1 − recall
  summed over a host's pages; the metric averages both over pages, so one page's
  unit moves the F1 by about half of 1 / pages), and the F1 of the split without
  them. That last number is not a score to report as one: it says how much of a
  split's score a few sites decide, which is what a per-site split of a few hundred
  pages can hide. As dehusk groups pages, a page whose record names no host is a
  site of its own (listed as `ID (no host)`); hosts without loss are not listed;
- where the kept words that are not gold sit on their pages: before the output's first
  gold line (a page's head: menus, captions, bylines), between gold lines (inside the
  article: teasers, ads, captions), after its last gold line (a page's tail: related
  stories, comments, footers), or on pages where no kept line is gold. Lines are
  marked as `pages.py --show` marks them; a page's first and last gold line are the
  first and last of four or more words.

A `<dataset>.jsonl` with no page of the split (an out-of-fold folder read with the
default `--split dev`, say) is not scored: stderr says so, and the exit status is 1.

Standard library only.
"""
import argparse
import collections
import os
import sys

from predictions import SETS, mark_lines, no_page_of, read_gold, read_predictions

BUCKETS = [(0, 50, "under 50 words"), (50, 200, "50-199 words"), (200, float("inf"), "200+ words")]


def site(g):
    """A page's site, as dehusk groups pages: its host, or its own id when the record
    names no host (a host-less page is a site of its own, not one with every other
    host-less page)."""
    return g.get("host") or g["id"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pred_dirs", nargs="+")
    ap.add_argument("--split", default="dev", choices=["dev", "train", "all"])
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, "shared"))
    ap.add_argument("--hosts", type=int, default=5, help="hosts to list by loss")
    a = ap.parse_args()
    sys.path.insert(0, os.path.join(a.shared, "reference"))
    from shingle_f1 import _TOKEN, page_tp_fp_fn, shingle_f1, shingles  # the reference metric

    unscored = 0
    for folder in a.pred_dirs:
        for s in SETS:
            pred = read_predictions(folder, s)
            if pred is None:
                continue
            gold = read_gold(a.shared, s, a.split)
            mismatch = no_page_of(pred, gold, folder, s, a.split, "; see --split")
            if mismatch:
                print(f"breakdown.py: {mismatch}", file=sys.stderr)
                unscored += 1
                continue
            pairs = {r["id"]: (r["main_content"], pred.get(r["id"], "")) for r in gold}
            f1, p, r = shingle_f1(list(pairs.values()))
            print(f"{folder} {s} ({a.split}, {len(gold)} pages): {f1:.4f} ({p:.4f} / {r:.4f})")

            words = {g["id"]: len(g["main_content"].split()) for g in gold}
            for lo, hi, name in BUCKETS:
                rows = [pairs[i] for i, n in words.items() if lo <= n < hi]
                if rows:
                    bf1, bp, br = shingle_f1(rows)
                    print(f"  gold {name:15s} {len(rows):5d} pages  {bf1:.3f} ({bp:.3f} / {br:.3f})")

            loss = collections.defaultdict(lambda: [0, 0.0])
            shown = {}
            for g in gold:
                tp, fp, fn = page_tp_fp_fn(*pairs[g["id"]])
                # As shingle_f1 averages: precision over pages that extracted something,
                # recall over pages whose gold has text.
                units = (1 - tp / (tp + fp) if tp + fp else 0.0) + (1 - tp / (tp + fn) if tp + fn else 0.0)
                loss[site(g)][0] += 1
                loss[site(g)][1] += units
                shown[site(g)] = g.get("host") or f"{g['id'][:20]} (no host)"
            total = sum(v[1] for v in loss.values())
            worst = sorted((kv for kv in loss.items() if kv[1][1] > 0), key=lambda kv: -kv[1][1])[: a.hosts]
            if not worst:
                print("  host: no page loses anything")
            for key, (pages, units) in worst:
                print(f"  host {shown[key]:30.30s} {pages:4d} pages  loss {units:6.2f} page units "
                      f"({units / total:.0%} of {total:.1f})")
            if worst:
                listed = {key for key, _ in worst}
                rest = [pairs[g["id"]] for g in gold if site(g) not in listed]
                print(f"  without those {len(listed)} hosts ({len(rest)} pages): {shingle_f1(rest)[0]:.4f}")

            place = collections.Counter()
            for gold_text, text in pairs.values():
                marked = mark_lines(shingles, _TOKEN.findall, gold_text, text)
                anchors = [i for i, (m, w, _) in enumerate(marked) if m == "gold" and w >= 4]
                for i, (mark, w, _) in enumerate(marked):
                    if mark == "gold":
                        place["gold"] += w
                    elif mark == "not":
                        if not anchors:
                            where = "nowhere"
                        else:
                            where = "before" if i < anchors[0] else "after" if i > anchors[-1] else "between"
                        place[where] += w
            print(f"  kept words not in the gold: {place['before']} before the first gold line, "
                  f"{place['between']} between, {place['after']} after the last, "
                  f"{place['nowhere']} on pages with no gold line kept "
                  f"(kept words in the gold: {place['gold']})")
    if unscored:
        sys.exit(1)


if __name__ == "__main__":
    main()
