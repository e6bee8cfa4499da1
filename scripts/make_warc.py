#!/usr/bin/env python3
"""Writes a test WARC from a folder of pages, for timing `dehusk` on record files.

    python3 scripts/make_warc.py /tmp/wcxb.warc.gz                  # ../shared/data/wcxb/html
    python3 scripts/make_warc.py /tmp/big.warc.gz --repeat 3        # every page 3 times
    python3 scripts/make_warc.py /tmp/wcxb.warc --plain              # not gzipped

Each page (`*.html` or `*.html.gz`, sorted by name) becomes a `request` record and a
`response` record (HTTP 200, `Content-Type: text/html`), after one `warcinfo` record;
every record is its own gzip member, as in Common Crawl's `.warc.gz` files. A page's
URL is `https://example.org/<repeat>/<name>`, its name being the file name without
`.html` or `.html.gz` (so `a.b.html` and `a.c.html` are two pages). Record ids
(`<urn:uuid:...>` from the URL) and every record's WARC-Date (one fixed date) are
deterministic, so two runs write the same file. Never commit the output.
"""

import argparse
import gzip
import pathlib
import urllib.parse
import uuid

# Every record's WARC-Date (WARC 1.1 requires one on each record): fixed, so that two
# runs write the same file.
DATE = "2025-06-14T17:04:00Z"


def page_name(page):
    """A page's name: its file name without `.html.gz` or `.html`."""
    for suffix in (".html.gz", ".html"):
        if page.name.endswith(suffix):
            return page.name[: -len(suffix)]
    return page.name


def record(kind, fields, block):
    head = [b"WARC/1.1", b"WARC-Type: " + kind.encode()]
    head += [f"{k}: {v}".encode() for k, v in fields]
    head.append(b"Content-Length: %d" % len(block))
    return b"\r\n".join(head) + b"\r\n\r\n" + block + b"\r\n\r\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=pathlib.Path)
    ap.add_argument("--data", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parent.parent.parent / "shared/data/wcxb/html")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--plain", action="store_true", help="write an uncompressed WARC")
    ap.add_argument("--level", type=int, default=6, help="gzip level (Common Crawl: 6)")
    args = ap.parse_args()

    pages = sorted(p for p in args.data.iterdir() if p.name.endswith((".html", ".html.gz")))
    pack = (lambda b: b) if args.plain else (lambda b: gzip.compress(b, args.level, mtime=0))
    n = 0
    raw = 0
    with open(args.out, "wb") as out:
        out.write(pack(record("warcinfo", [
            ("WARC-Record-ID", "<urn:uuid:%s>" % uuid.UUID(int=0)),
            ("WARC-Date", DATE),
        ], b"software: dehusk scripts/make_warc.py\r\n")))
        for r in range(args.repeat):
            for page in pages:
                body = page.read_bytes()
                if page.name.endswith(".gz"):
                    body = gzip.decompress(body)
                name = urllib.parse.quote(page_name(page))
                url = f"https://example.org/{r}/{name}"
                rid = uuid.uuid5(uuid.NAMESPACE_URL, url)
                out.write(pack(record("request", [
                    ("WARC-Record-ID", f"<urn:uuid:{uuid.uuid5(rid, 'request')}>"),
                    ("WARC-Target-URI", url),
                    ("WARC-Date", DATE),
                    ("Content-Type", "application/http; msgtype=request"),
                ], f"GET /{r}/{name} HTTP/1.1\r\nHost: example.org\r\n\r\n".encode())))
                http = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                        b"Content-Length: %d\r\n\r\n" % len(body)) + body
                out.write(pack(record("response", [
                    ("WARC-Record-ID", f"<urn:uuid:{rid}>"),
                    ("WARC-Target-URI", url),
                    ("WARC-Date", DATE),
                    ("Content-Type", "application/http; msgtype=response"),
                ], http)))
                n += 1
                raw += len(body)
    print(f"{args.out}: {n} responses, {raw / 1e6:.1f} MB of HTML, "
          f"{args.out.stat().st_size / 1e6:.1f} MB on disk")


if __name__ == "__main__":
    main()
