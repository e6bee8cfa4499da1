#!/usr/bin/env python3
"""Regenerate the README's score tables from `dehusk eval` on the dev splits.

usage: python3 scripts/scores.py [--dehusk target/release/dehusk] [--shared ../shared]
                                 [--update README.md]

Runs the bundled models (both modes) and the opt-in HTML network model
(models/html-network.json) on the dev split of every shared dataset, plus
the variants the README reports (--favor precision/recall, the comment policy other than
each model's own, smoothing off, layout-free text), and prints Markdown tables with the peers' published scores
(shared/reference/peers.md) beside ours. With --update FILE it also rewrites, in
place, each table of FILE whose header row and first column match a generated table
(the tables are found by their header row; rows are matched by their first cell, so
prose around them is untouched). Standard library only.
"""
import argparse
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile

SETS = ["wcxb", "readability", "dragnet", "cleaneval"]


def run_eval(dehusk, shared, mode, extra=(), model=None):
    cmd = [dehusk, "eval", "--mode", mode, "--json"]
    cmd += ["--data"] + [f"{shared}/data/{s}" for s in SETS]
    if model:
        cmd += ["--model", model]
    cmd += list(extra)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return {json.loads(l)["dataset"]: json.loads(l) for l in out.splitlines() if l.startswith("{")}


def peers(shared):
    """Parses the HTML-mode and text-mode tables of peers.md."""
    html, text = {}, {}
    section = None
    for line in open(f"{shared}/reference/peers.md", encoding="utf8"):
        if line.startswith("## "):
            section = "html" if "HTML mode" in line else ("text" if "Plain-text" in line else None)
            continue
        if not line.startswith("|") or "---" in line or "extractor" in line or "line filter" in line:
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        name = cells[0]
        nums = [float(m) for m in (re.search(r"[0-9]\.[0-9]+", c).group(0) for c in cells[1:] if re.search(r"[0-9]\.[0-9]+", c))]
        if section == "html" and len(nums) >= 4:
            # columns: wcxb [snippet] | readability | dragnet | cleaneval | mean
            w = re.findall(r"[0-9]\.[0-9]+", cells[1])
            html[name] = {"wcxb": float(w[0]), "wcxb_snippet": float(w[1]) if len(w) > 1 else None,
                          "readability": nums[-4] if len(nums) == 5 else nums[1], "dragnet": nums[-3] if len(nums) == 5 else nums[2],
                          "cleaneval": nums[-2] if len(nums) == 5 else nums[3]}
        elif section == "text" and len(nums) >= 4:
            text[name] = dict(zip(["wcxb", "readability", "dragnet", "cleaneval"], nums[:4]))
    return html, text


def f(x):
    return f"{x:.3f}"


def tables(text):
    """The Markdown tables in `text`: lists of consecutive lines starting with '|'."""
    out, cur = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            cur.append(line)
        elif cur:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def update(path, generated):
    """Rewrites the rows of `path`'s tables that the generated tables have anew."""
    new_rows = {}
    for table in tables(generated):
        for row in table[2:]:
            new_rows[(table[0], row.split("|")[1].strip())] = row
    lines = open(path, encoding="utf8").read().split("\n")
    header, changed = None, 0
    for i, line in enumerate(lines):
        if not line.startswith("|"):
            header = None
            continue
        if header is None:
            header = line
            continue
        row = new_rows.get((header, line.split("|")[1].strip()))
        if row is not None and row != line:
            lines[i] = row
            changed += 1
    with open(path, "w", encoding="utf8") as fh:
        fh.write("\n".join(lines))
    print(f"{path}: {changed} table rows rewritten", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dehusk", default="target/release/dehusk")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, "shared"))
    ap.add_argument("--update", metavar="FILE", help="rewrite the matching table rows of FILE")
    a = ap.parse_args()
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        print_tables(a)
    print(buf.getvalue(), end="")
    if a.update:
        update(a.update, buf.getvalue())


def print_tables(a):
    peer_html, peer_text = peers(a.shared)

    print("### HTML mode: shingle F1 on the dev splits (snippet F1 for wcxb in brackets)\n")
    print("| extractor | wcxb | readability | dragnet | cleaneval | mean of 4 |")
    print("|---|---|---|---|---|---|")
    ours = run_eval(a.dehusk, a.shared, "html")
    # The opt-in HTML model with hidden units (models/html-network.json).
    net = run_eval(a.dehusk, a.shared, "html", model="models/html-network.json")
    for label, r in [("**dehusk** (bundled html model)", ours),
                     ("**dehusk**, `--model models/html-network.json` (8 hidden units)", net)]:
        mean = sum(r[s]["shingle"]["f1"] for s in SETS) / 4
        print(f"| {label} | {f(r['wcxb']['shingle']['f1'])} [{f(r['wcxb']['snippet']['f1'])}] | "
              + " | ".join(f(r[s]["shingle"]["f1"]) for s in SETS[1:]) + f" | {f(mean)} |")
    for name, p in peer_html.items():
        m = sum(p[s] for s in SETS) / 4
        sn = f" [{f(p['wcxb_snippet'])}]" if p.get("wcxb_snippet") else ""
        print(f"| {name} | {f(p['wcxb'])}{sn} | " + " | ".join(f(p[s]) for s in SETS[1:]) + f" | {f(m)} |")

    print("\n### Text mode (the `text/` renderings): shingle F1 on the dev splits\n")
    print("| line classifier | wcxb | readability | dragnet | cleaneval | mean of 4 |")
    print("|---|---|---|---|---|---|")
    ours_t = run_eval(a.dehusk, a.shared, "text")
    flat_t = run_eval(a.dehusk, a.shared, "text", ["--flatten", "all"])
    com_t = run_eval(a.dehusk, a.shared, "text", ["--comments", "model"])
    for label, r in [("**dehusk** (bundled text model, drops comments)", ours_t),
                     ("dehusk, layout removed (`--flatten all`)", flat_t),
                     ("dehusk, the model decides about comments (`--comments model`)", com_t)]:
        m = sum(r[s]["shingle"]["f1"] for s in SETS) / 4
        print(f"| {label} | " + " | ".join(f(r[s]["shingle"]["f1"]) for s in SETS) + f" | {f(m)} |")
    for name, p in peer_text.items():
        m = sum(p[s] for s in SETS) / 4
        print(f"| {name} | " + " | ".join(f(p[s]) for s in SETS) + f" | {f(m)} |")

    print("\n### The precision/recall knob, the comment policy and smoothing, HTML mode (shingle F1, P / R)\n")
    print("| setting | " + " | ".join(SETS) + " |")
    print("|---|" + "---|" * len(SETS))
    rows = [("default", ours)]
    rows.append(("`--favor precision`", run_eval(a.dehusk, a.shared, "html", ["--favor", "precision"])))
    rows.append(("`--favor recall`", run_eval(a.dehusk, a.shared, "html", ["--favor", "recall"])))
    rows.append(("`--drop-comments`", run_eval(a.dehusk, a.shared, "html", ["--drop-comments"])))
    with open("models/html.json", encoding="utf8") as fh:
        model = json.load(fh)
    variants = [
        ("no HMM smoothing", {"smoothing": None}),
        ("no confidence slope or relative threshold", {"confidence_slope": 0.0, "relative_threshold": 0.0}),
        ("smoothing without length weight", {"smoothing": {**model["smoothing"], "length_weight": 0.0}}),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for k, (label, change) in enumerate(variants):
            path = os.path.join(tmp, f"variant{k}.json")
            with open(path, "w", encoding="utf8") as fh:
                json.dump({**model, **change}, fh)
            rows.append((label, run_eval(a.dehusk, a.shared, "html", model=path)))
    for label, r in rows:
        print(f"| {label} | " + " | ".join(
            f"{f(r[s]['shingle']['f1'])} ({f(r[s]['shingle']['precision'])} / {f(r[s]['shingle']['recall'])})" for s in SETS) + " |")


if __name__ == "__main__":
    sys.exit(main())
