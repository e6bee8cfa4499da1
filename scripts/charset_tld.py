#!/usr/bin/env python3
"""Measures what a record's URL does for decoding unlabelled legacy pages.

    cargo build --release
    python3 scripts/charset_tld.py                  # ../shared/data, target/release/dehusk

Samples the gold texts of the shared datasets that are in a language with a legacy
encoding (20+ characters of its script), cuts each to 120, 400 and 2,000 characters,
and encodes each cut in the legacy encodings of its language (Russian windows-1251 and
KOI8-R, Czech windows-1250 and ISO-8859-2, Japanese Shift_JIS and EUC-JP, Chinese GBK
and Big5, French and German windows-1252, Arabic windows-1256), plus twelve short
Hungarian strings written here in windows-1250 and ISO-8859-2. Each sample becomes an
HTML page with no charset label anywhere (no `<meta>`, `Content-Type: text/html`), put
twice in one WARC: under a URL of its region's top-level domain (`.ru`, `.cz`, `.jp`,
`.cn`, `.tw`, `.fr`, `.de`, `.eg`, `.hu`) and under `example.com`, which tells the
detector nothing. A third copy is labelled with its encoding in the HTTP header: the
text dehusk reads when told the encoding (Python's tables and the WHATWG ones that
dehusk decodes with differ on a few characters, such as Big5's dashes). `dehusk
classify` reads the WARC; an unlabelled copy counts as decoded right when its blocks,
joined, give the labelled copy's text. Prints the count per language and encoding, with
and without the domain.
"""

import argparse
import gzip
import html
import json
import pathlib
import re
import subprocess
import tempfile

SCRIPTS = {
    "ru": ("[а-яА-Я]", [("windows-1251", "ru"), ("koi8-r", "ru")]),
    "cs": ("[řěů]", [("windows-1250", "cz"), ("iso-8859-2", "cz")]),
    "ja": ("[ぁ-ゖ]", [("shift_jis", "jp"), ("euc-jp", "jp")]),
    "zh": ("[一-鿿]", [("gbk", "cn"), ("big5", "tw")]),
    "fr": ("[éèàç]", [("windows-1252", "fr")]),
    "de": ("[äöüß]", [("windows-1252", "de")]),
    "ar": ("[ء-ي]", [("windows-1256", "eg")]),
}
HUNGARIAN = [
    "Győr és Pécs között új vasútvonal épül.",
    "A szőlő érett, a bor jó lesz idén.",
    "Hírlevél feliratkozás",
    "Elfogadom az adatkezelési tájékoztatót",
    "Tovább olvasom a cikket",
    "A városi közgyűlés tegnap elfogadta a jövő évi költségvetést.",
]
SETS = ["wcxb", "dragnet", "cleaneval", "readability"]


def samples(data):
    for name in SETS:
        for line in open(data / name / "truth.jsonl", encoding="utf-8"):
            text = json.loads(line)["main_content"]
            for lang, (chars, encodings) in SCRIPTS.items():
                if len(re.findall(chars, text)) < 20:
                    continue
                for encoding, tld in encodings:
                    for size in (120, 400, 2000):
                        cut = text[:size]
                        # Characters the encoding lacks are left out of the sample.
                        cut = cut.encode(encoding, errors="ignore").decode(encoding)
                        if cut.isascii():
                            continue
                        yield lang, encoding, tld, cut
    for text in HUNGARIAN:
        for encoding in ("windows-1250", "iso-8859-2"):
            yield "hu", encoding, "hu", text


def record(n, url, body, content_type="text/html"):
    http = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n\r\n".encode() + body
    head = (
        f"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:sample:{n}>\r\n"
        f"WARC-Target-URI: {url}\r\nContent-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    )
    return gzip.compress(head.encode() + http + b"\r\n\r\n", mtime=0)


def squash(text):
    return " ".join(text.split())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parent.parent.parent / "shared/data")
    ap.add_argument("--dehusk", default="target/release/dehusk")
    args = ap.parse_args()

    cases = list(samples(args.data))
    with tempfile.TemporaryDirectory() as tmp:
        warc = pathlib.Path(tmp) / "samples.warc.gz"
        with open(warc, "wb") as out:
            for n, (lang, encoding, tld, text) in enumerate(cases):
                body = f"<html><body><p>{html.escape(text)}</p></body></html>"
                body = body.encode(encoding)
                out.write(record(3 * n, f"https://example.{tld}/{n}", body))
                out.write(record(3 * n + 1, f"https://example.com/{n}", body))
                labelled = f"text/html; charset={encoding}"
                out.write(record(3 * n + 2, f"https://example.com/{n}", body, labelled))
        run = subprocess.run(
            [args.dehusk, "classify", "-q", str(warc)], capture_output=True, check=True
        )
    records = [json.loads(line) for line in run.stdout.decode().splitlines()]
    assert len(records) == 3 * len(cases), "three records per sample"

    def text_of(rec):
        return squash("".join(b["text"] for b in rec.get("blocks", [])))

    counts = {}
    for n, (lang, encoding, _, text) in enumerate(cases):
        row = counts.setdefault((lang, encoding), [0, 0, 0])
        row[0] += 1
        want = text_of(records[3 * n + 2])
        # The labelled copy is the sample, but for the tables' few differences.
        assert len(want) == len(squash(text)), (want, text)
        for column, rec in ((1, records[3 * n]), (2, records[3 * n + 1])):
            row[column] += text_of(rec) == want
    print("language encoding      samples  right with domain  right without")
    for (lang, encoding), (total, with_tld, without) in sorted(counts.items()):
        print(f"{lang:8} {encoding:14} {total:7}  {with_tld:17}  {without:13}")
    total = [sum(r[i] for r in counts.values()) for i in range(3)]
    print(f"{'all':23} {total[0]:7}  {total[1]:17}  {total[2]:13}")


if __name__ == "__main__":
    main()
