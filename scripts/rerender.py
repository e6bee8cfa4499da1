#!/usr/bin/env python3
"""Score the text model on a second renderer's plain text.

usage: python3 scripts/rerender.py [--dehusk target/release/dehusk] [--shared ../shared]
                                   [--out /tmp/dehusk-rerender]

The shared datasets come with one WET-like rendering of each page (`text/`). Real plain
text comes from many renderers (Common Crawl's WET, html2text, a browser's innerText),
each breaking lines and laying out menus its own way. This renders every dev page a
second way, with dehusk's own HTML segmentation (every block one line, no indents or
blank lines: `dehusk extract --threshold 0.000001` keeps every block but the hidden
copies, blocks of five or more words hidden by markup that repeat a kept block, which
the hidden-copy rule drops at any threshold: `drop_hidden_copies` in src/policy.rs;
682 blocks on 104 of the 622 dev pages), writes it as a dataset folder beside a copy of
the dev gold, and runs `dehusk eval --mode text` on it, so the text model is scored on
a renderer it was never trained on. Standard library only.
"""
import argparse
import json
import os
import subprocess

SETS = ["wcxb", "readability", "dragnet", "cleaneval"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dehusk", default="target/release/dehusk")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, "shared"))
    ap.add_argument("--out", default="/tmp/dehusk-rerender")
    args = ap.parse_args()
    for name in SETS:
        src = os.path.join(args.shared, "data", name)
        dst = os.path.join(args.out, name)
        os.makedirs(os.path.join(dst, "text"), exist_ok=True)
        ids = []
        with open(os.path.join(src, "truth.jsonl")) as f, open(
            os.path.join(dst, "truth.jsonl"), "w"
        ) as out:
            for line in f:
                if json.loads(line)["split"] == "dev":
                    out.write(line)
                    ids.append(json.loads(line)["id"])
        pages = {os.path.join(src, "html", f"{i}.html.gz"): i for i in ids}
        cmd = [args.dehusk, "extract", "--threshold", "0.000001", "--format", "jsonl", "-q"]
        out = subprocess.run(cmd + list(pages), capture_output=True, text=True, check=True)
        written = 0
        for line in out.stdout.splitlines():
            rec = json.loads(line)
            page_id = pages.get(rec["id"])
            if page_id is None:
                continue
            with open(os.path.join(dst, "text", f"{page_id}.txt"), "w") as t:
                t.write(rec.get("text", ""))
            written += 1
        if written != len(ids):
            raise SystemExit(f"{name}: rendered {written} of {len(ids)} dev pages")
    cmd = [args.dehusk, "eval", "--mode", "text", "--data"]
    cmd += [os.path.join(args.out, s) for s in SETS]
    print(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout, end="")


if __name__ == "__main__":
    main()
