#!/usr/bin/env python3
"""Time `dehusk extract` against resiliparse and trafilatura on the same pages.

The pages of one gold-text dataset (../shared/data/<set>/html/<id>.html.gz) are
decompressed once into a temporary folder (not timed). Then, interleaved and repeated
--rounds times (best time of each kept, since the machine is noisy):

  dehusk-1t    `dehusk extract --threads 1 -q <tmpdir>`, the whole process
               (start-up, model parsing, file reading, output to /dev/null)
  dehusk-2t    the same with --threads 2 (for the 2-thread scaling)
  resiliparse  in-process, one thread: detect_encoding + bytes_to_str +
               extract_plain_text(html, main_content=True) over pages already in memory
  trafilatura  in-process, one thread: the same decoding + trafilatura.extract(html)
  readability-lxml  (only with --peers ...,readability-lxml) in-process, one thread:
               the same decoding + Document(html).summary() and its text

The peers are timed over in-memory pages without interpreter start-up, which favours
them slightly (dehusk's time includes reading the files and process start-up).

Each peer needs only its own package. Without resiliparse installed, the others
decode a page without its detection (`declared_decode`): a byte-order mark, else the
charset the page declares in its first 4096 bytes, else UTF-8 if the bytes are valid
UTF-8 and windows-1252 if not, undecodable bytes replaced. A note on stderr says so, since that decoding's cost and result differ a
little from resiliparse's.

Prints pages/s and MB/s (decompressed HTML bytes, 10^6) for each, the ratios
dehusk/resiliparse and dehusk/trafilatura (single thread against single thread), and
the 2-thread scaling. With --memory, also the peak resident set size of each (via
/usr/bin/time -v; the peers run in a child python over the same pages).

Usage (from the repository root):

    cargo build --release
    pip install resiliparse trafilatura lxml_html_clean
    python3 scripts/compare_peers.py                      # all 999 wcxb pages, 3 rounds
    python3 scripts/compare_peers.py --limit 200 --rounds 5 --set dragnet --memory
"""

from __future__ import annotations

import argparse
import codecs
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFAULT_BINARY = REPO / "target" / "release" / "dehusk"
GNU_TIME = "/usr/bin/time"

PEERS = ("resiliparse", "trafilatura")
INSTALL_HINT = "pip install resiliparse trafilatura lxml_html_clean"


# --------------------------------------------------------------------------------------
# Peers
# --------------------------------------------------------------------------------------


# The elements after which readability-lxml's output gets a line break (see load_peer).
READABILITY_BLOCKS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li br tr td th dd dt pre blockquote section article".split()
)

# trafilatura's settings by name: its defaults (reader comments included), and the
# settings `shared/reference/peers.md` was measured with (comments left out; `fast`
# skips the fallback extractors), which `scripts/paired.py` reproduces.
TRAFILATURA_VARIANTS = {
    "trafilatura": {},
    "trafilatura-nocomments": {"include_comments": False},
    "trafilatura-fast-nocomments": {"include_comments": False, "fast": True},
    # Its precision/recall knob, beside dehusk's `--favor` (`scripts/paired.py --favor`).
    "trafilatura-precision": {"favor_precision": True},
    "trafilatura-recall": {"favor_recall": True},
}


# A page's declared charset (`<meta charset=...>` or `<meta http-equiv=Content-Type
# content="...; charset=...">`), looked for in its first bytes as browsers do.
DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
PRESCAN_BYTES = 4096


def declared_decode(raw: bytes) -> str:
    """The decoding the peers use when resiliparse is not installed: a byte-order mark,
    else the charset the page declares in its first 4096 bytes (UTF-8 if Python does
    not know it), else UTF-8 when the bytes are valid UTF-8 and windows-1252 when not;
    bytes the encoding cannot read become U+FFFD."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):
            return raw[len(bom):].decode(encoding, errors="replace")
    m = DECLARED_CHARSET.search(raw[:PRESCAN_BYTES])
    if not m:
        # Undeclared: UTF-8 if the bytes are UTF-8, else windows-1252 (the usual
        # legacy default of browsers in Western locales).
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("cp1252", errors="replace")
    encoding = "utf-8"
    try:
        encoding = codecs.lookup(m.group(1).decode("ascii")).name
    except LookupError:
        pass
    # As the HTML standard reads the labels: latin-1 and ASCII as windows-1252, GB2312
    # as GBK, and a UTF-16 label found by an ASCII-compatible prescan as UTF-8.
    encoding = {"iso8859-1": "cp1252", "ascii": "cp1252", "gb2312": "gbk"}.get(encoding, encoding)
    if encoding.startswith(("utf-16", "utf-32")):
        encoding = "utf-8"
    try:
        return raw.decode(encoding, errors="replace")
    except LookupError:  # a codec that is not a text encoding (base64, rot13, ...)
        return raw.decode("utf-8", errors="replace")


def page_decoder():
    """The decoding every peer runs before extracting: resiliparse's
    `bytes_to_str(raw, detect_encoding(raw))` when resiliparse is installed (what the
    timings and scores were taken with), else `declared_decode`. Returns the function
    and its name."""
    try:
        from resiliparse.parse.encoding import bytes_to_str, detect_encoding
    except ImportError:
        return declared_decode, "their declared charset, else UTF-8 or windows-1252 (resiliparse is not installed)"

    def decode(raw: bytes) -> str:
        return bytes_to_str(raw, detect_encoding(raw))

    return decode, "resiliparse's detect_encoding + bytes_to_str"


def load_peer(name: str):
    """Returns a function html_bytes -> text for a peer, or raises ImportError with a
    message saying how to install it. Each peer needs only its own package; the page
    decoding is `page_decoder`'s."""
    decode, _ = page_decoder()

    if name == "resiliparse":
        try:
            from resiliparse.extract.html2text import extract_plain_text
        except ImportError as e:
            raise ImportError(f"resiliparse is not installed ({e}); install it with: {INSTALL_HINT}") from e

        def run(raw: bytes) -> str:
            return extract_plain_text(decode(raw), main_content=True)

        return run
    if name in TRAFILATURA_VARIANTS:
        try:
            import trafilatura
        except ImportError as e:
            raise ImportError(
                f"trafilatura is not importable ({e}); install it with: {INSTALL_HINT} "
                "(recent lxml needs lxml_html_clean for trafilatura's justext fallback)"
            ) from e
        options = TRAFILATURA_VARIANTS[name]

        def run(raw: bytes) -> str:
            return trafilatura.extract(decode(raw), **options) or ""

        return run
    if name == "readability-lxml":
        try:
            import lxml.html
            from readability import Document
        except ImportError as e:
            raise ImportError(
                f"readability-lxml is not importable ({e}); install it with: "
                "pip install readability-lxml lxml_html_clean"
            ) from e

        def run(raw: bytes) -> str:
            # The library returns the article as HTML; its text, with a line break
            # after each block element so that words of adjacent paragraphs are not
            # glued together (lxml's text_content alone would join "end.Next").
            root = lxml.html.fromstring(Document(decode(raw)).summary(html_partial=True))
            for el in root.iter():
                if el.tag in READABILITY_BLOCKS:
                    el.tail = "\n" + (el.tail or "")
            return root.text_content()

        return run
    raise ValueError(f"unknown peer {name}")


def load_peers(spec: str) -> dict:
    """The peers named in a comma-separated list, by name; a missing one is skipped with
    a message saying how to install it, an unknown name ends the run."""
    peers = {}
    for name in [p for p in spec.split(",") if p]:
        try:
            peers[name] = load_peer(name)
        except ImportError as e:
            print(f"SKIPPING {name}: {e}", file=sys.stderr)
        except ValueError as e:
            sys.exit(str(e))
    decode, how = page_decoder()
    if peers and decode is declared_decode:
        print(f"note: the peers decode pages by {how}: their times and scores can differ "
              "a little from runs with resiliparse's detection", file=sys.stderr)
    return peers


def time_peer(run, pages: list[bytes]) -> tuple[float, int]:
    """Seconds to run a peer over every page, and the number of pages it failed on."""
    failures = 0
    start = time.perf_counter()
    for raw in pages:
        try:
            run(raw)
        except Exception:  # a peer failing on a page still spent the time
            failures += 1
    return time.perf_counter() - start, failures


def peer_worker(name: str, folder: Path) -> int:
    """Child mode for --memory: run one peer over the pages of a folder, in memory."""
    run = load_peer(name)
    pages = [p.read_bytes() for p in sorted(folder.iterdir())]
    seconds, failures = time_peer(run, pages)
    print(json.dumps({"seconds": seconds, "failures": failures}))
    return 0


# --------------------------------------------------------------------------------------
# dehusk
# --------------------------------------------------------------------------------------


def dehusk_cmd(args, threads: int, folder: Path) -> list[str]:
    cmd = [str(args.dehusk), "extract", "--threads", str(threads), "-q"]
    if args.model:
        cmd += ["--model", str(args.model)]
    return cmd + [str(folder)]


def check_dehusk(args, folder: Path, n: int) -> None:
    """One untimed run that also warms the page cache: the output must have a line per
    page, else the timings would be of a failing run."""
    with tempfile.TemporaryFile() as out:
        p = subprocess.run(dehusk_cmd(args, 1, folder), stdout=out, stderr=subprocess.PIPE)
        out.seek(0)
        lines = sum(1 for _ in out)
    if p.returncode not in (0, 2) or lines == 0:
        sys.exit(
            f"dehusk failed (exit {p.returncode}, {lines} output lines):\n"
            + p.stderr.decode(errors="replace")[-2000:]
            + "\n(if the bundled models are still empty, pass --model PATH)"
        )
    if lines != n or p.returncode == 2:
        print(
            f"warning: dehusk wrote {lines} lines for {n} pages (exit {p.returncode}): "
            + p.stderr.decode(errors="replace")[-500:],
            file=sys.stderr,
        )


def time_dehusk(args, threads: int, folder: Path) -> float:
    start = time.perf_counter()
    p = subprocess.run(dehusk_cmd(args, threads, folder), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if p.returncode not in (0, 2):
        sys.exit(f"dehusk failed (exit {p.returncode}): {p.stderr.decode(errors='replace')[-2000:]}")
    return seconds


# --------------------------------------------------------------------------------------
# Memory
# --------------------------------------------------------------------------------------


def peak_rss_kb(cmd: list[str]) -> tuple[int | None, str]:
    """Peak RSS (KiB) of a command run under GNU time -v, and its stdout."""
    p = subprocess.run([GNU_TIME, "-v"] + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    m = re.search(rb"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    if p.returncode not in (0, 2):
        print(f"warning: {' '.join(cmd[:3])}... exited {p.returncode}", file=sys.stderr)
    return (int(m.group(1)) if m else None), p.stdout.decode(errors="replace")


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", default="wcxb", choices=["wcxb", "dragnet", "readability", "cleaneval"],
                    help="dataset whose html/ pages to use (default wcxb)")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA,
                    help=f"folder of the datasets (default {DEFAULT_DATA})")
    ap.add_argument("--limit", type=int, default=0,
                    help="use only the first N pages by sorted id (default: all)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds; best of each kept (default 3)")
    ap.add_argument("--dehusk", type=Path, default=DEFAULT_BINARY,
                    help="dehusk binary (default target/release/dehusk; build with cargo build --release)")
    ap.add_argument("--model", type=Path, help="pass --model PATH to dehusk (e.g. while the bundled model is empty)")
    ap.add_argument("--peers", default=",".join(PEERS),
                    help="comma-separated peers to time (default resiliparse,trafilatura; '' for none)")
    ap.add_argument("--no-threads2", action="store_true", help="skip the 2-thread dehusk run")
    ap.add_argument("--memory", action="store_true",
                    help="also measure peak RSS of each with /usr/bin/time -v (one extra run each)")
    ap.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    ap.add_argument("--_worker", nargs=2, metavar=("PEER", "DIR"), help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args._worker:
        return peer_worker(args._worker[0], Path(args._worker[1]))

    if not args.dehusk.exists():
        sys.exit(f"no dehusk binary at {args.dehusk}: run `cargo build --release` first (or pass --dehusk)")
    html_dir = args.data / args.set / "html"
    if not html_dir.is_dir():
        sys.exit(f"no pages at {html_dir} (the datasets live in ../shared/data; see --data)")

    peers = load_peers(args.peers)

    files = sorted(html_dir.glob("*.html.gz"))
    if args.limit > 0:
        files = files[: args.limit]
    if not files:
        sys.exit(f"no *.html.gz pages in {html_dir}")

    tmp = Path(tempfile.mkdtemp(prefix="dehusk-compare-"))
    try:
        # Decompress once (not timed). dehusk reads the plain .html files; the peers get
        # the same bytes in memory.
        pages: list[bytes] = []
        for f in files:
            raw = gzip.decompress(f.read_bytes())
            (tmp / f.name[: -len(".gz")]).write_bytes(raw)
            pages.append(raw)
        n = len(pages)
        mb = sum(len(p) for p in pages) / 1e6
        # Time a private copy of the binary: a `cargo build` by someone else during the
        # run must not swap it half-way.
        print(f"{n} {args.set} pages, {mb:.1f} MB of HTML, in {tmp}; {args.rounds} rounds, best kept")
        binary = tmp.parent / f"{tmp.name}-dehusk"
        shutil.copy2(args.dehusk, binary)
        print(f"dehusk: {args.dehusk} (copied to {binary})"
              + (f" --model {args.model}" if args.model else " (bundled model)"))
        args.dehusk_original, args.dehusk = args.dehusk, binary

        check_dehusk(args, tmp, n)
        for run in peers.values():  # warm-up: imports, lazy initialisation
            run(pages[0])

        runners = [("dehusk-1t", lambda: time_dehusk(args, 1, tmp))]
        if not args.no_threads2:
            runners.append(("dehusk-2t", lambda: time_dehusk(args, 2, tmp)))
        failures: dict[str, int] = {}
        for name, run in peers.items():
            def timed(name=name, run=run):
                seconds, failed = time_peer(run, pages)
                failures[name] = failed
                return seconds
            runners.append((name, timed))

        times: dict[str, list[float]] = {name: [] for name, _ in runners}
        for r in range(args.rounds):
            # Rotate the order each round so no tool always runs first (or last).
            order = runners[r % len(runners):] + runners[: r % len(runners)]
            for name, fn in order:
                t = fn()
                times[name].append(t)
                print(f"  round {r + 1}: {name:<16} {t:8.2f} s  {n / t:8.1f} pages/s", flush=True)

        rss: dict[str, int | None] = {}
        if args.memory:
            if not (os.path.exists(GNU_TIME) or shutil.which("time")):
                print("no /usr/bin/time: skipping --memory (apt-get install time)", file=sys.stderr)
            else:
                rss["dehusk-1t"], _ = peak_rss_kb(dehusk_cmd(args, 1, tmp))
                if not args.no_threads2:
                    rss["dehusk-2t"], _ = peak_rss_kb(dehusk_cmd(args, 2, tmp))
                for name in peers:
                    rss[name], _ = peak_rss_kb([sys.executable, __file__, "--_worker", name, str(tmp)])
                # A bare interpreter with the pages loaded is the peers' floor.
                rss["python-baseline"], _ = peak_rss_kb([sys.executable, "-c",
                    f"import pathlib; d=[p.read_bytes() for p in sorted(pathlib.Path({str(tmp)!r}).iterdir())]"])

        best = {name: min(ts) for name, ts in times.items()}
        print()
        print(f"{'tool':<18}{'best s':>9}{'pages/s':>10}{'MB/s':>9}{'peak RSS MB':>13}   all rounds (s)")
        for name, t in best.items():
            mem = rss.get(name)
            mem_s = f"{mem / 1024:.0f}" if mem else "-"
            all_s = " ".join(f"{x:.2f}" for x in times[name])
            print(f"{name:<18}{t:9.2f}{n / t:10.1f}{mb / t:9.2f}{mem_s:>13}   {all_s}")
        if "python-baseline" in rss and rss["python-baseline"]:
            print(f"{'(python + pages, no extraction)':<40}{rss['python-baseline'] / 1024:>13.0f}")
        for name, failed in failures.items():
            if failed:
                print(f"note: {name} raised on {failed} of {n} pages (timed anyway)")

        # Ratios of the best times, and (more robust to a burst of load from elsewhere)
        # the median of the ratios within each round, where the runs were adjacent.
        def per_round(a: str, b: str) -> float:
            return statistics.median(tb / ta for ta, tb in zip(times[a], times[b]))

        print()
        d1 = n / best["dehusk-1t"]
        ratios, round_ratios = {}, {}
        for name in peers:
            ratios[name] = best[name] / best["dehusk-1t"]
            round_ratios[name] = per_round("dehusk-1t", name)
            print(f"dehusk/{name}: {ratios[name]:.2f}x (single thread, pages/s; "
                  f"median of per-round ratios {round_ratios[name]:.2f}x)")
        scaling = round_scaling = None
        if "dehusk-2t" in best:
            scaling = best["dehusk-1t"] / best["dehusk-2t"]
            round_scaling = per_round("dehusk-2t", "dehusk-1t")
            print(f"dehusk 2-thread scaling: {scaling:.2f}x (2-thread pages/s / 1-thread pages/s, "
                  f"{os.cpu_count()} cores; median of per-round ratios {round_scaling:.2f}x)")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        if load is not None and load > 1.5:
            print(f"note: load average {load:.1f} at the end: other work shared the cores; "
                  "numbers are noisy (rerun when the machine is idle)")

        if args.json:
            args.json.write_text(json.dumps({
                "set": args.set, "pages": n, "mb": mb, "rounds": args.rounds,
                "dehusk": str(args.dehusk_original), "model": str(args.model) if args.model else None,
                "times": times, "best_seconds": best,
                "pages_per_s": {k: n / v for k, v in best.items()},
                "mb_per_s": {k: mb / v for k, v in best.items()},
                "ratios": ratios, "median_round_ratios": round_ratios,
                "two_thread_scaling": scaling, "median_round_two_thread_scaling": round_scaling,
                "peak_rss_kb": rss, "peer_failures": failures,
            }, indent=2) + "\n")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        (tmp.parent / f"{tmp.name}-dehusk").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
