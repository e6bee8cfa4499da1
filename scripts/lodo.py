#!/usr/bin/env python3
"""Leave one dataset out: train on three shared datasets, score the fourth.

usage: python3 scripts/lodo.py [--mode html|text] [--split train|dev|all] [--one-fold]
                               [--dehusk target/release/dehusk] [--shared ../shared]
                               [-- extra train flags...]

The hidden pages dehusk is judged on come from sites, years and sources no training
page shares. Host-grouped cross-validation (`dehusk train --cross-validate`) holds out
sites, but every held-out page still comes from one of the four sources the model was
fitted on, with that source's conventions (what counts as main text, how pages were
collected, when). Holding out a whole source is the nearest measure of a new one: for
each of the four datasets this trains a model on the train splits of the other three
(`dehusk train --data A B C --mode M --decoder-on-all-folds`, as the bundled models
are trained, plus any flags after `--`) and scores it on the held-out dataset with
`dehusk eval`. The decoder is chosen on all five host folds because a choice on one
fold moved a held-out dataset's score by up to 0.03 between otherwise identical
variants; `--one-fold` trains without it (about three times faster, and noisier).
`dehusk train` refuses `--context-stage` with `--decoder-on-all-folds`, so a variant
with the context stage needs `--one-fold` (`lodo.py --one-fold -- --context-stage`),
and is then compared with a `--one-fold` baseline.

The flags after `--` are added to the command as they are, not to the bundled
models' settings: the bundled text model is trained with `--drop-comments`, so a text
variant of it is `lodo.py --mode text -- --drop-comments --no-word-odds`, and its
baseline `lodo.py --mode text -- --drop-comments`.

`--split train` (the default) scores the held-out dataset's *train* pages, so a choice
between variants made on these numbers never looks at a dev split; `--split dev`
reports on the dev pages, as the README's tables do. Prints one line per held-out
dataset and the mean of the four. Standard library only.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

SETS = ["wcxb", "readability", "dragnet", "cleaneval"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", default="html", choices=["html", "text"])
    ap.add_argument("--split", default="train", choices=["train", "dev", "all"])
    ap.add_argument("--dehusk", default="target/release/dehusk")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, "shared"))
    ap.add_argument(
        "--one-fold",
        action="store_true",
        help="choose the decoder on one host fold (faster, noisier) instead of all five",
    )
    ap.add_argument("extra", nargs="*", help="flags passed on to `dehusk train` (after --)")
    args = ap.parse_args()
    if not os.path.exists(args.dehusk):
        sys.exit(f"lodo.py: no dehusk binary at {args.dehusk} (cargo build --release)")
    if "--context-stage" in args.extra and not args.one_fold:
        sys.exit("lodo.py: --context-stage cannot be trained with --decoder-on-all-folds, which "
                 "lodo.py adds unless --one-fold is given: add --one-fold (and compare with a "
                 "--one-fold baseline)")
    scores = {}
    with tempfile.TemporaryDirectory() as tmp:
        for held in SETS:
            model = os.path.join(tmp, f"without-{held}.json")
            train = [args.dehusk, "train", "--mode", args.mode, "-o", model, "--data"]
            train += [f"{args.shared}/data/{s}" for s in SETS if s != held]
            if not args.one_fold and "--decoder-on-all-folds" not in args.extra:
                train.append("--decoder-on-all-folds")
            train += args.extra
            run = subprocess.run(train, capture_output=True, text=True)
            if run.returncode != 0:
                sys.exit(f"lodo.py: training without {held} failed:\n{run.stderr}")
            ev = [args.dehusk, "eval", "--mode", args.mode, "--json", "--model", model]
            ev += ["--split", args.split, "--data", f"{args.shared}/data/{held}"]
            out = subprocess.run(ev, capture_output=True, text=True, check=True).stdout
            rec = next(json.loads(l) for l in out.splitlines() if l.startswith("{"))
            s = rec["shingle"]
            scores[held] = s["f1"]
            print(
                f"{held:<12} {args.mode:<5} {args.split:<6} {rec['pages']:>5} pages  "
                f"shingle F1 {s['f1']:.4f} ({s['precision']:.4f} / {s['recall']:.4f})",
                flush=True,
            )
    print(f"mean of the four held-out datasets: {sum(scores.values()) / len(scores):.4f}")


if __name__ == "__main__":
    main()
