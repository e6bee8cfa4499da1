#!/usr/bin/env python3
"""Writes a small `.warc.gz` whose records expand to large pages, for memory checks.

    python3 scripts/expanding_warc.py /tmp/expanding.warc.gz          # 64 records
    /usr/bin/time -v target/release/dehusk extract -j1 -q -o /tmp/out.jsonl /tmp/expanding.warc.gz

Each `response` record's HTTP body is gzipped by the "server" (`Content-Encoding:
gzip`): a 60 MB page of one repeated paragraph, 0.2 MB compressed, whose text the
model keeps, so each output line is large too. The records are one gzip member each,
as Common Crawl writes them: about 140 KB on disk for 64 records. The README's
"Performance" section quotes the peak memory dehusk takes on it.
"""

import argparse
import gzip


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--records", type=int, default=64)
    ap.add_argument("--megabytes", type=int, default=60, help="size of each page")
    args = ap.parse_args()

    line = ("<p>" + "The same line repeats here again and again. " * 20 + "</p>\n").encode()
    page = b"<html><body>" + line * (args.megabytes * 1_000_000 // len(line)) + b"</body></html>"
    body = gzip.compress(page, 9, mtime=0)
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n" + body
    with open(args.out, "wb") as out:
        for n in range(args.records):
            head = (
                f"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:expanding:{n}>\r\n"
                f"WARC-Date: 2026-01-01T00:00:00Z\r\nWARC-Target-URI: http://example.org/{n}\r\n"
                f"Content-Type: application/http; msgtype=response\r\n"
                f"Content-Length: {len(http)}\r\n\r\n"
            ).encode()
            out.write(gzip.compress(head + http + b"\r\n\r\n", mtime=0))


if __name__ == "__main__":
    main()
