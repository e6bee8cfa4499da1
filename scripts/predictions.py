"""Reading prediction folders and gold splits, and marking an output's lines against its
gold: shared by breakdown.py, oof.py, pages.py and paired.py.

A prediction folder holds one `<dataset>.jsonl` per dataset (`{"id", "text"}` lines), as
`dehusk eval --predictions DIR` (dev) or `dehusk train --cross-validate --cv-predictions
DIR` (train, out of fold) write them. Standard library only.
"""
import json
import os

SETS = ["wcxb", "readability", "dragnet", "cleaneval"]

# A line belongs to the gold when at least this share of its shingles are gold shingles.
IN_GOLD = 0.5


def read_records(folder, dataset):
    """The folder's records (`id`, `text`, `confidence`, ...) by page id, or None when it
    has no file for `dataset`."""
    path = os.path.join(folder, f"{dataset}.jsonl")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return {r["id"]: r for r in map(json.loads, f)}


def read_predictions(folder, dataset):
    """The folder's extracted text by page id, or None when it has no file for `dataset`."""
    records = read_records(folder, dataset)
    return None if records is None else {k: r["text"] for k, r in records.items()}


def page_scores(page_tp_fp_fn, gold, pred):
    """Precision, recall and F1 of one page, as the reference metric counts a page."""
    tp, fp, fn = page_tp_fp_fn(gold, pred)
    p = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def read_gold(shared, dataset, split):
    """The gold records of `dataset`'s `split` ("dev", "train" or "all"), in file order."""
    with open(os.path.join(shared, "data", dataset, "truth.jsonl"), encoding="utf-8") as f:
        return [r for r in map(json.loads, f) if split == "all" or r.get("split") == split]


def no_page_of(pred, gold, folder, dataset, split, hint=""):
    """A message when `pred` (predictions by id) has text for none of the `gold`
    records of `split`, as when a folder of the other split is read (`eval
    --predictions` writes the dev pages, `train --cv-predictions` the train pages):
    scored, every page would count as extracted empty. None when it has any."""
    if not gold or any(g["id"] in pred for g in gold):
        return None
    return (f"{os.path.join(folder, dataset + '.jsonl')}: no prediction for any of the "
            f"{len(gold)} {split} pages of {dataset}, not scored (`eval --predictions` "
            f"writes the dev pages, `train --cv-predictions` the train pages{hint})")


def share_in(own, other):
    """The share of the shingles `own` (a Counter, not empty) that `other` holds."""
    return sum(1 for t in own if t in other) / len(own)


def line_test(shingles, tokens, text):
    """Whether a line belongs to `text`, marked with the reference metric's `shingles`
    and `tokens`: a function line -> (True, False or None, the line's word count). A
    line of four or more words belongs when at least IN_GOLD of its 4-word shingles are
    shingles of `text`. A line of under four words has no shingle of its own (the
    metric's 4-grams run across lines; alone, its words make one short shingle that no
    4-gram equals): it belongs when its words occur together, as a run, in `text`.
    None for a line without words."""
    own = shingles(text)
    # The text's runs of one to three words, to find a short line's words in together.
    words_of_text = tokens(text)
    short_runs = {tuple(words_of_text[i:i + n]) for n in (1, 2, 3)
                  for i in range(len(words_of_text) - n + 1)}

    def test(line):
        words = tokens(line)
        if not words:
            return None, 0
        if len(words) < 4:
            return tuple(words) in short_runs, len(words)
        return share_in(shingles(line), own) >= IN_GOLD, len(words)

    return test


def mark_lines(shingles, tokens, gold_text, pred):
    """Each line of `pred` as (mark, words, line), marked against `gold_text` by
    `line_test`: "gold" when it belongs to the gold, "not" when it does not, None for
    a line without words."""
    in_gold = line_test(shingles, tokens, gold_text)
    marked = []
    for line in pred.split("\n"):
        belongs, words = in_gold(line)
        mark = None if belongs is None else "gold" if belongs else "not"
        marked.append((mark, words, line))
    return marked
