"""Search in the browser, before and after: for each built site, the index's size, the bytes
the browser fetches for search until the first result shows, and that time, in headless Chromium.

    python bench/search_bench.py SITE [SITE ...] [--query Q ...] [--repeat 3] [--latency] [--no-load]

Each query is typed into Material's header search box of a fresh browser context (nothing
cached), the site served on 127.0.0.1 with keep-alive; "search bytes" are the bodies of every
response under ``search/`` plus the search worker, as the server sent them (uncompressed; the
gzip column compresses the same files), until the first result shows. Times (medians):

- "1st result s": Playwright's, from pressing "/" to the result in the DOM (it includes
  Playwright's own round trips for the three key presses, 0.15-0.5 s on a loaded machine);
- "query → result ms": the page's clock, from the keyup that completes the query to the first
  result in the DOM, split into Material's hand-off to the worker, the key shards' round, the
  estimate, the rows' round up to the worker's first answer, and Material's rendering;
- "load → result ms": the page types the query itself at its load event (a reader who types at
  once): from the load event to the first result, waiting for the worker's READY
  ("load → READY ms": the entry fetched and set up) if need be.

Later queries: ``--latency`` runs the given queries in the site's own worker, twice, and
reports the second pass's median and p95 (ms).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
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


# In the page, before Material's bundle: when the query's last keyup happens, when Material
# posts it to the worker and the worker answers, and when the first result is in the DOM
# (page clock, so Playwright's own latency is not counted); with AT_LOAD the page types the
# query itself at the load event, as a reader who types at once.
_PAGE_JS = """([query, atLoad]) => {
  const t = window.__kbT = {}
  const mark = k => { if (!(k in t)) t[k] = performance.now() }
  document.addEventListener('keyup', ev => {
    if (ev.target && ev.target.value === query) mark('keyup') }, true)
  new MutationObserver(() => { if (document.querySelector('.md-search-result__item')) mark('dom') })
    .observe(document, {childList: true, subtree: true})
  const W = window.Worker
  window.Worker = function (url, opts) {
    const w = new W(url, opts), post = w.postMessage.bind(w)
    w.postMessage = (m, ...rest) => {
      if (m && m.type === 0) mark('setup')
      if (m && m.type === 2 && m.data === query) mark('query')
      return post(m, ...rest)
    }
    w.addEventListener('message', ev => {
      if (ev.data && ev.data.type === 1) mark('ready')
      if (ev.data && ev.data.type === 3 && 'query' in t) mark('answer')
    })
    return w
  }
  if (atLoad) addEventListener('load', () => setTimeout(() => {
    const box = document.querySelector('input[data-md-component=search-query]')
    mark('typed')
    box.focus()
    box.value = query
    box.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true}))
  }))
}"""
_TIMES_JS = "() => ({...window.__kbT, load: performance.timing.loadEventStart - performance.timeOrigin})"
_WORKER_JS = """() => ({origin: performance.timeOrigin, files: performance.getEntriesByType('resource')
  .map(e => [e.name.split('?')[0].split('/search/')[1] || '', e.startTime, e.responseEnd])})"""


@dataclass
class Measure:
    seconds: float  # Playwright: from the "/" key to the first result (as measured before)
    query_ms: float  # page clock: from the query's last keyup to the first result in the DOM
    raw: int  # search bytes fetched until then, as the server sent them
    packed: int  # the same files gzipped
    load_ms: float | None = None  # the query typed by the page at its load event: load -> result
    ready_ms: float | None = None  # load -> the worker's READY (the entry fetched and set up)
    phases: dict[str, float] = field(default_factory=dict)  # where query_ms goes (medians)


def _phases(t: dict[str, float], worker: dict[str, object] | None) -> dict[str, float]:
    """query_ms in parts: Material's hand-off, the key shards' round, the estimate, the rows'
    round up to the first answer, Material's rendering (page clock; the worker's resource
    timings moved onto it)."""
    out = {"to worker": t["query"] - t["keyup"], "render": t["dom"] - t["answer"]}
    if worker:
        shift = float(worker["origin"]) - float(t["origin"])  # type: ignore[arg-type]
        files = [(str(n), a + shift, b + shift) for n, a, b in worker["files"]  # type: ignore[union-attr]
                 if a + shift >= t["query"]]
        keys = [f for f in files if f[0].startswith(("k/", "p/"))]
        rows = [f for f in files if f[0].startswith("d/")]
        if keys and rows:
            key_end = max(b for n, a, b in keys if a < min(a for _, a, _ in rows))
            out.update({"key shards": key_end - t["query"], "estimate": min(a for _, a, _ in rows) - key_end,
                        "rows to answer": t["answer"] - min(a for _, a, _ in rows)})
        else:
            out["worker"] = t["answer"] - t["query"]
    return out


def measure(browser: object, site: Path, query: str, repeat: int, at_load: bool = True) -> Measure:
    """Medians over ``repeat`` fresh browser contexts (nothing cached) of typing ``query`` after
    the page loaded; with ``at_load``, as many more with the query typed at the load event."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a static host serves (GitHub Pages: HTTP/2)

        def log_message(self, *args: object) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a browser context closed with a kept-alive connection open

    server = Server(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    times, query_ms, load_ms, ready_ms = [], [], [], []
    phases: dict[str, list[float]] = {}
    raw = packed = 0
    try:
        for mode in ["typed"] * max(1, repeat) + (["at load"] * max(1, repeat) if at_load else []):
            context = browser.new_context()  # type: ignore[attr-defined]
            got: list[str] = []
            context.on("response", lambda r: got.append(r.url) if _searched(r.url) else None)
            context.add_init_script(script=f"({_PAGE_JS})({json.dumps([query, mode == 'at load'])})")
            try:
                page = context.new_page()
                page.goto(f"http://127.0.0.1:{port}/", wait_until="load")
                start = time.perf_counter()
                if mode == "typed":
                    page.keyboard.press("/")
                    box = page.locator("input[data-md-component=search-query]")
                    box.fill(query)
                    box.press("End")
                page.wait_for_function("() => window.__kbT && 'dom' in window.__kbT", polling="raf", timeout=120_000)
                seconds = time.perf_counter() - start
                t = page.evaluate(_TIMES_JS)
                t["origin"] = page.evaluate("performance.timeOrigin")
                ready_ms.append(t["ready"] - t["load"])
                if mode == "at load":
                    load_ms.append(t["dom"] - t["load"])
                    continue
                times.append(seconds)
                query_ms.append(t["dom"] - t["keyup"])
                workers = [w for w in page.workers if "search-worker" in w.url]
                for k, v in _phases(t, workers[0].evaluate(_WORKER_JS) if workers else None).items():
                    phases.setdefault(k, []).append(v)
                files = {u.split("?", 1)[0].split(f":{port}/", 1)[1] for u in got}
                data = [(site / f).read_bytes() for f in files if (site / f).is_file()]
                raw, packed = sum(map(len, data)), sum(len(gzip.compress(d)) for d in data)
            finally:
                context.close()
    finally:
        server.shutdown()
        server.server_close()
    med = statistics.median
    return Measure(med(times), med(query_ms), raw, packed, med(load_ms) if load_ms else None,
                   med(ready_ms), {k: med(v) for k, v in phases.items()})


def first_result(browser: object, site: Path, query: str, repeat: int) -> tuple[float, int, int]:
    """Median seconds from typing to the first result; search bytes fetched (raw, gzip)."""
    m = measure(browser, site, query, repeat, at_load=False)
    return m.seconds, m.raw, m.packed


def later_queries(browser: object, site: Path, queries: list[str]) -> tuple[float, float]:
    """Median and p95 ms of the queries in the site's own worker (second pass)."""
    with harness.serve(site) as base:
        ms = harness.latency(base, [harness.Query(q, "", []) for q in queries], browser)
    return statistics.median(ms), harness.percentile(ms, 0.95)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sites", type=Path, nargs="+")
    ap.add_argument("--query", action="append", help="a query (default: QUERIES); repeatable")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--latency", action="store_true", help="also time every --query in the worker")
    ap.add_argument("--no-load", action="store_true", help="skip the runs that type the query at the load event")
    args = ap.parse_args(argv)
    queries = args.query or QUERIES
    print("| site | query | index MB | search kB to 1st result | gzip kB | 1st result s (Playwright) "
          "| query → result ms | load → result ms | load → READY ms | where query → result goes (ms) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    lat: list[str] = []
    with harness.chromium() as browser:
        for site in args.sites:
            for q in queries:
                m = measure(browser, site, q, args.repeat, at_load=not args.no_load)
                parts = ", ".join(f"{k} {v:.0f}" for k, v in m.phases.items())
                load = "–" if m.load_ms is None else f"{m.load_ms:.0f}"
                print(f"| {site} | {q} | {_index_bytes(site) / 2**20:.2f} | {m.raw / 1024:.0f} | "
                      f"{m.packed / 1024:.0f} | {m.seconds:.2f} | {m.query_ms:.0f} | {load} | "
                      f"{m.ready_ms or 0:.0f} | {parts} |", flush=True)
            if args.latency:
                median, p95 = later_queries(browser, site, queries)
                lat.append(f"| {site} | {median:.1f} | {p95:.1f} |")
    if lat:
        print("\n| site | later queries median ms | p95 ms |\n|---|---:|---:|")
        print("\n".join(lat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
