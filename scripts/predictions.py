"""Reading prediction folders and gold splits: shared by breakdown.py, oof.py and pages.py.

A prediction folder holds one `<dataset>.jsonl` per dataset (`{"id", "text"}` lines), as
`dehusk eval --predictions DIR` (dev) or `dehusk train --cross-validate --cv-predictions
DIR` (train, out of fold) write them. Standard library only.
"""
import json
import os

SETS = ["wcxb", "readability", "dragnet", "cleaneval"]


def read_predictions(folder, dataset):
    """The folder's extracted text by page id, or None when it has no file for `dataset`."""
    path = os.path.join(folder, f"{dataset}.jsonl")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return {r["id"]: r["text"] for r in map(json.loads, f)}


def read_gold(shared, dataset, split):
    """The gold records of `dataset`'s `split` ("dev", "train" or "all"), in file order."""
    with open(os.path.join(shared, "data", dataset, "truth.jsonl"), encoding="utf-8") as f:
        return [r for r in map(json.loads, f) if split == "all" or r.get("split") == split]
