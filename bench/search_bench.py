"""Search in the browser, before and after: for each built site, the index's size, the bytes
the browser fetches for search until the first result shows, and that time, in headless Chromium.

    python bench/search_bench.py SITE [SITE ...] [--query Q ...] [--repeat 3] [--latency]

Each query is typed into Material's header search box of a fresh browser context (nothing
cached), the site served on 127.0.0.1 with keep-alive; "search bytes" are the bodies of every
response under ``search/`` plus the search worker, as the server sent them (uncompressed; the
gzip column compresses the same files), until the first result shows.
Later queries: ``--latency`` runs the given queries in the site's own worker, twice, and
reports the second pass's median and p95 (ms).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "search"))

import search_harness as harness  # noqa: E402


# Names, a common term, Latin, mixed and a pinyin query (docs/search.md, "Sharded index").
QUERIES = ["知识蒸馏", "稀疏激活技巧 2", "分组查询注意力", "kv缓存", "lora", "位置编码", "transformer",
           "zhishizhengliu", "混合专家", "投机解码"]


def _index_bytes(site: Path) -> int:
    root = site / "search"
    return sum(p.stat().st_size for p in root.rglob("*.json")) if root.is_dir() else 0


def _searched(url: str) -> bool:
    path = url.split("?", 1)[0]
    return "/search/" in path and path.endswith(".json") or "search-worker" in path or "/workers/search" in path


def first_result(browser: object, site: Path, query: str, repeat: int) -> tuple[float, int, int]:
    """Median seconds from typing to the first result; search bytes fetched (raw, gzip)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a static host serves (GitHub Pages: HTTP/2)

        def log_message(self, *args: object) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a browser context closed with a kept-alive connection open

    server = Server(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    times, raw, packed = [], 0, 0
    try:
        for _ in range(max(1, repeat)):
            context = browser.new_context()  # type: ignore[attr-defined]
            got: list[str] = []
            context.on("response", lambda r: got.append(r.url) if _searched(r.url) else None)
            try:
                page = context.new_page()
                page.goto(f"http://127.0.0.1:{server.server_address[1]}/", wait_until="load")
                start = time.perf_counter()
                page.keyboard.press("/")
                box = page.locator("input[data-md-component=search-query]")
                box.fill(query)
                box.press("End")
                page.wait_for_function("() => document.querySelector('.md-search-result__item') !== null",
                                       polling="raf", timeout=120_000)
                times.append(time.perf_counter() - start)
                files = {u.split("?", 1)[0].split(f":{server.server_address[1]}/", 1)[1] for u in got}
                data = [(site / f).read_bytes() for f in files if (site / f).is_file()]
                raw, packed = sum(map(len, data)), sum(len(gzip.compress(d)) for d in data)
            finally:
                context.close()
    finally:
        server.shutdown()
        server.server_close()
    return statistics.median(times), raw, packed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sites", type=Path, nargs="+")
    ap.add_argument("--query", action="append", help="a query (default: QUERIES); repeatable")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--latency", action="store_true", help="also time every --query in the worker")
    args = ap.parse_args(argv)
    queries = args.query or QUERIES
    print("| site | query | index MB | search bytes to 1st result kB | gzip kB | first result s |")
    print("|---|---|---:|---:|---:|---:|")
    lat: list[str] = []
    with harness.chromium() as browser:
        for site in args.sites:
            for q in queries:
                t, raw, packed = first_result(browser, site, q, args.repeat)
                print(f"| {site} | {q} | {_index_bytes(site) / 2**20:.2f} | {raw / 1024:.0f} | "
                      f"{packed / 1024:.0f} | {t:.2f} |", flush=True)
            if args.latency:
                with harness.serve(site) as base:
                    ms = harness.latency(base, [harness.Query(q, "", []) for q in queries], browser)
                lat.append(f"| {site} | {statistics.median(ms):.1f} | {harness.percentile(ms, 0.95):.1f} |")
    if lat:
        print("\n| site | later queries median ms | p95 ms |\n|---|---:|---:|")
        print("\n".join(lat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
