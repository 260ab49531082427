"""Reader features at scale: the graph view and hover previews, measured in headless Chromium.

    .venv/bin/python bench/reader_bench.py                        # N = 3000 (about 3 minutes)
    .venv/bin/python bench/reader_bench.py --sizes 300,3000 --pages 30
    .venv/bin/python bench/reader_bench.py --sizes 50 --pages 5   # a quick look
    .venv/bin/python bench/reader_bench.py --work /tmp/rb         # keep the corpus and the sites

For each N, bench/gen_corpus.py writes the notes (the corpus of bench/run.py), then:

- **build**: two ``mkdocs build`` child processes, with and without the reader features
  (``kbsite.plugin.features.default_features`` emptied), CPU seconds of each, and the time
  spent in each feature's hooks;
- **data**: sizes of the files a reader downloads: a note page's graph file, a preview file,
  the global graph file;
- **local graph**: note pages (and the biggest neighbourhood), each opened in a fresh browser
  context (nothing cached): ms from the page's load event to the graph drawn with its handlers
  (``performance.mark("kb-graph-local")``; 0 when it was ready before the load event), and the
  graph bytes the page fetched;
- **hover preview**: on the same pages, hovering the first wikilink: bytes fetched for it, and
  ms from the preview's fetch starting to the popover in the page (the 250 ms hover delay is
  not counted);
- **global graph**: ms from navigation start to the canvas drawn and interactive, and to the
  layout settled; frames per second while panning (a pan step on every animation frame, the
  whole graph in view, then zoomed in with labels), the slowest frame; and CPU after the layout
  settles (Chrome's own TaskDuration over 3 s, and frames painted in that time).

One table is printed. Nothing here is asserted: tests check behaviour, this measures it.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_corpus import write_corpus  # noqa: E402
from run import CHROMIUM, CHROMIUM_ARGS, KBSITE_YML, machine  # noqa: E402

ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONWARNINGS="ignore")
BUDGETS = {  # what docs/reader.md promises
    "local_ms": 300, "local_kb": 5.0, "preview_kb": 3.0, "global_s": 3.0, "fps": 30.0, "idle_cpu": 0.02,
}
BUILD = r"""
import json, sys, time, logging, collections
from kbsite.plugin import features
spent = collections.Counter()
def run(feats, hook, *args):
    for f in feats:
        m = getattr(f, hook, None)
        if m is not None:
            t = time.process_time(); m(*args); spent[type(f).__name__] += time.process_time() - t
features.run = run
if sys.argv[3] == "off":
    features.default_features = lambda: []
from mkdocs.commands import build
from mkdocs.config import load_config
logging.getLogger("mkdocs").setLevel(logging.ERROR)
cfg = load_config(config_file=sys.argv[1], site_dir=sys.argv[2])
wall, cpu = time.perf_counter(), time.process_time()
build.build(cfg)
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "hooks": spent}))
"""


def build(project: Path, site: Path, features: bool) -> dict:
    cmd = [sys.executable, "-c", BUILD, str(project / "mkdocs.yml"), str(site), "on" if features else "off"]
    proc = subprocess.run(cmd, env=ENV, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"mkdocs build failed in {project}:\n{proc.stderr[-3000:]}")
    out = proc.stdout
    return json.loads(out.strip().splitlines()[-1])


def prepare(work: Path, n: int, seed: int) -> Path:
    project = work / f"n{n}"
    if project.exists():
        shutil.rmtree(project)
    write_corpus(project, n, seed)
    (project / "docs").mkdir()
    (project / "docs" / "index.md").write_text("# 知识库\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(KBSITE_YML, encoding="utf-8")
    return project


def sizes(site: Path) -> dict:
    graph = [p.stat().st_size for p in (site / "assets/kbsite/graph").rglob("*.json") if p.name != "global.json"]
    previews = [p.stat().st_size for p in (site / "assets/kbsite/previews").rglob("*.json")]
    return {"graph_files": len(graph), "graph_max": max(graph), "graph_median": statistics.median(graph),
            "preview_files": len(previews), "preview_max": max(previews), "preview_median": statistics.median(previews),
            "global": (site / "assets/kbsite/graph/global.json").stat().st_size}


class Server:
    def __init__(self, site: Path) -> None:
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


LOCAL_JS = """() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const mark = performance.getEntriesByName("kb-graph-local")[0];
    const graph = performance.getEntriesByType("resource").filter(r => r.name.includes("/assets/kbsite/graph/"));
    return {load: nav.loadEventEnd, ready: mark.startTime, nodes: +document.querySelector("section.kb-graph").dataset.kbNodes,
            bytes: graph.reduce((s, r) => s + r.encodedBodySize, 0)};
}"""
PREVIEW_JS = """() => {
    const res = performance.getEntriesByType("resource").filter(r => r.name.includes("/assets/kbsite/previews/"));
    const box = document.querySelector(".kb-preview");
    return {requests: res.length, bytes: res.reduce((s, r) => s + r.encodedBodySize, 0),
            ms: box && res.length ? window.__kbShown - res[0].startTime : null};
}"""
WATCH_JS = """() => { new MutationObserver(() => { if (!window.__kbShown && document.querySelector(".kb-preview"))
    window.__kbShown = performance.now(); }).observe(document.body, {childList: true}); }"""
# Panning as a drag does it (GlobalGraph.panBy), one step per animation frame for 2 s. Each frame
# is timed with its rasterisation (getImageData waits for it), and frames are counted.
PAN_JS = """async (zoom) => {
    const g = document.querySelector("section.kb-graph--global").kbGraph;
    g.fitted = true; g.fit();
    if (zoom > 1) g.zoom(zoom, g.w / 2, g.h / 2);
    await new Promise(r => setTimeout(r, 300));  // still: the full drawing at this zoom
    await new Promise(r => requestAnimationFrame(r));
    let frames = 0, worst = 0;
    const start = performance.now();
    await new Promise(done => {
        function step() {
            const t = performance.now();
            g.panBy(3, 1); g.paint(); g.ctx.getImageData(0, 0, 1, 1);
            worst = Math.max(worst, performance.now() - t); frames++;
            if (performance.now() - start < 2000) requestAnimationFrame(step); else done();
        }
        requestAnimationFrame(step);
    });
    const fps = frames / ((performance.now() - start) / 1000);
    await new Promise(r => setTimeout(r, 300));
    const t = performance.now(); g.renderBase(); g.paint(); g.ctx.getImageData(0, 0, 1, 1);
    return {fps, worst, full: performance.now() - t};
}"""


def local_and_preview(browser: object, base: str, urls: list[str]) -> list[dict]:
    out = []
    for url in urls:
        context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
        try:
            page = context.new_page()
            page.goto(base + url, wait_until="load")
            page.wait_for_selector("section.kb-graph--local[data-kb-ready='1']", timeout=30_000)
            row = page.evaluate(LOCAL_JS)
            row["url"] = url
            link = page.locator(".md-content a.kb-link").first
            if link.count():
                page.evaluate(WATCH_JS)
                link.scroll_into_view_if_needed()
                link.hover()
                page.wait_for_selector(".kb-preview", timeout=10_000)
                row["preview"] = page.evaluate(PREVIEW_JS)
            out.append(row)
        finally:
            context.close()
    return out


def global_graph(browser: object, base: str) -> dict:
    context = browser.new_context(viewport={"width": 1440, "height": 1000})  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.goto(base + "graph/", wait_until="load")
        page.wait_for_selector("section.kb-graph--global[data-kb-ready='1']", timeout=60_000)
        ready = page.evaluate("() => +document.querySelector('section.kb-graph--global').dataset.kbReadyAt")
        page.wait_for_selector("section.kb-graph--global[data-kb-settled='1']", timeout=120_000)
        settled = page.evaluate("() => +document.querySelector('section.kb-graph--global').dataset.kbSettledAt")
        page.wait_for_timeout(1000)
        frames0 = page.evaluate("() => document.querySelector('section.kb-graph--global').kbGraph.frames")
        task0 = _task(cdp)
        t0 = time.perf_counter()
        page.wait_for_timeout(3000)
        idle = (_task(cdp) - task0) / (time.perf_counter() - t0)
        frames = page.evaluate("() => document.querySelector('section.kb-graph--global').kbGraph.frames") - frames0
        worker = page.evaluate("() => document.querySelector('section.kb-graph--global').kbGraph.worker !== null")
        whole = page.evaluate(PAN_JS, 1)
        zoomed = page.evaluate(PAN_JS, 6)
        nodes = page.evaluate("() => document.querySelector('section.kb-graph--global').kbGraph.n")
        edges = page.evaluate("() => document.querySelector('section.kb-graph--global').kbGraph.kinds.length")
        # A second visit: the layout comes from localStorage, nothing to compute.
        page.reload(wait_until="load")
        page.wait_for_selector("section.kb-graph--global[data-kb-settled='1']", timeout=60_000)
        again = page.evaluate("() => { const s = document.querySelector('section.kb-graph--global');"
                              " return [+s.dataset.kbSettledAt, s.dataset.kbLayout || ''] }")
        return {"ready_ms": ready, "settled_ms": settled, "idle_cpu": idle, "idle_frames": frames, "worker": worker,
                "fps_whole": whole["fps"], "worst_whole": whole["worst"], "full_whole": whole["full"],
                "fps_zoomed": zoomed["fps"], "worst_zoomed": zoomed["worst"], "full_zoomed": zoomed["full"],
                "nodes": nodes, "edges": edges, "again_ms": again[0], "again_layout": again[1]}
    finally:
        context.close()


def _task(cdp: object) -> float:
    metrics = cdp.send("Performance.getMetrics")["metrics"]  # type: ignore[attr-defined]
    return next(m["value"] for m in metrics if m["name"] == "TaskDuration")


def sample(site: Path, count: int) -> list[str]:
    """Note pages spread over the corpus, plus the page with the biggest graph file."""
    files = sorted((site / "assets/kbsite/graph/notes").rglob("*.json"))
    step = max(1, len(files) // max(1, count - 1))
    chosen = files[::step][: max(1, count - 1)]
    chosen.append(max(files, key=lambda p: p.stat().st_size))
    urls = [p.relative_to(site / "assets/kbsite/graph").with_suffix("").as_posix() + "/" for p in chosen]
    return [quote(u) for u in dict.fromkeys(urls)]


def measure(n: int, work: Path, seed: int, pages: int, browser: object) -> dict:
    project = prepare(work, n, seed)
    site = project / "site"
    without = build(project, project / "site-off", features=False)
    with_ = build(project, site, features=True)
    row: dict = {"n": n, "build_on": with_, "build_off": without, "sizes": sizes(site)}
    server = Server(site)
    try:
        row["local"] = local_and_preview(browser, server.base, sample(site, pages))
        row["global"] = global_graph(browser, server.base)
    finally:
        server.close()
    return row


def _ok(value: float, budget: float, lower_is_better: bool = True) -> str:
    return "yes" if (value <= budget if lower_is_better else value >= budget) else "**no**"


def table(rows: list[dict]) -> str:
    out = ["| N | measure | value | budget | met |", "|---:|---|---:|---:|:---:|"]
    for r in rows:
        n, on, off, s, g = r["n"], r["build_on"], r["build_off"], r["sizes"], r["global"]
        local = r["local"]
        after = [max(0.0, x["ready"] - x["load"]) for x in local]
        kb = [x["bytes"] / 1024 for x in local]
        previews = [x["preview"] for x in local if x.get("preview")]
        pkb = [p["bytes"] / 1024 for p in previews]
        pms = [p["ms"] for p in previews if p["ms"] is not None]
        hooks = ", ".join(f"{k} {v:.2f}" for k, v in sorted(on["hooks"].items()))
        out += [
            f"| {n} | build CPU s, reader features on / off | {on['cpu']:.1f} / {off['cpu']:.1f} "
            f"(+{100 * (on['cpu'] / off['cpu'] - 1):.0f}%; hooks: {hooks}) | – | – |",
            f"| {n} | graph file per page, KB: median / max (of {s['graph_files']}) | "
            f"{s['graph_median'] / 1024:.2f} / {s['graph_max'] / 1024:.2f} | ≤ {BUDGETS['local_kb']:.0f} | "
            f"{_ok(s['graph_max'] / 1024, BUDGETS['local_kb'])} |",
            f"| {n} | local graph: ms after load, median / max ({len(local)} pages, cold) | "
            f"{statistics.median(after):.0f} / {max(after):.0f} | ≤ {BUDGETS['local_ms']} | {_ok(max(after), BUDGETS['local_ms'])} |",
            f"| {n} | local graph: ms from navigation start, median / max | "
            f"{statistics.median(x['ready'] for x in local):.0f} / {max(x['ready'] for x in local):.0f} | – | – |",
            f"| {n} | local graph: KB fetched per page, max; nodes drawn, max | {max(kb):.2f}; "
            f"{max(x['nodes'] for x in local)} | ≤ {BUDGETS['local_kb']:.0f} | {_ok(max(kb), BUDGETS['local_kb'])} |",
            f"| {n} | preview file, KB: median / max (of {s['preview_files']}) | "
            f"{s['preview_median'] / 1024:.2f} / {s['preview_max'] / 1024:.2f} | ≤ {BUDGETS['preview_kb']:.0f} | "
            f"{_ok(s['preview_max'] / 1024, BUDGETS['preview_kb'])} |",
            f"| {n} | first hover: KB fetched, max; ms fetch → popover, median ({len(previews)} hovers) | "
            f"{max(pkb, default=0):.2f}; {statistics.median(pms) if pms else 0:.0f} | ≤ {BUDGETS['preview_kb']:.0f} | "
            f"{_ok(max(pkb, default=0), BUDGETS['preview_kb'])} |",
            f"| {n} | global graph file, KB ({g['nodes']} nodes, {g['edges']} edges) | {s['global'] / 1024:.0f} | – | – |",
            f"| {n} | global graph: s to interactive (navigation start → drawn, handlers on) | "
            f"{g['ready_ms'] / 1000:.2f} | ≤ {BUDGETS['global_s']:.0f} | {_ok(g['ready_ms'] / 1000, BUDGETS['global_s'])} |",
            f"| {n} | global graph: s to layout settled (worker stopped); second visit (layout {g['again_layout'] or 'computed'}) | "
            f"{g['settled_ms'] / 1000:.2f}; {g['again_ms'] / 1000:.2f} | – | – |",
            f"| {n} | panning fps, whole graph / zoomed in with labels | {g['fps_whole']:.0f} / {g['fps_zoomed']:.0f} "
            f"(slowest frame {g['worst_whole']:.0f} / {g['worst_zoomed']:.0f} ms; the full redraw when the view "
            f"stops: {g['full_whole']:.0f} / {g['full_zoomed']:.0f} ms) | ≥ {BUDGETS['fps']:.0f} | "
            f"{_ok(min(g['fps_whole'], g['fps_zoomed']), BUDGETS['fps'], lower_is_better=False)} |",
            f"| {n} | after settling: page CPU share over 3 s; frames; worker alive | {100 * g['idle_cpu']:.1f}%; "
            f"{g['idle_frames']}; {'yes' if g['worker'] else 'no'} | idle | "
            f"{_ok(g['idle_cpu'], BUDGETS['idle_cpu']) if not g['idle_frames'] and not g['worker'] else '**no**'} |",
        ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[3000])
    ap.add_argument("--pages", type=int, default=20, help="note pages opened for the local graph and previews")
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--work", type=Path, help="keep the projects and sites here (default: a temp dir)")
    ap.add_argument("--json", type=Path, help="also write the raw measurements here")
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="kbsite-reader-"))
    work.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for n in args.sizes:
                print(f"N={n} ...", file=sys.stderr, flush=True)
                rows.append(measure(n, work, args.seed, args.pages, browser))
        finally:
            browser.close()
            if args.work is None:
                shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"Machine: {machine()}\n")
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
