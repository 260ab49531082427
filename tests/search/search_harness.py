"""Search quality in a real browser: build a site, serve it on 127.0.0.1, type each query of
``queries.tsv`` into Material's header search box (headless Chromium through Playwright) and
score the top 5 results: recall@5 and MRR, overall and per kind.

Used by ``test_search_browser.py`` (floor assertions) and ``bench/search_compare.py`` (kbsite
beside stock mkdocs-material + jieba on the same notes).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit

from kbsite.core.wikilinks import unlink

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
QUERIES = HERE / "queries.tsv"
# A plain folder of Chinese ML notes with no front matter (titles from headings and file
# names, no aliases), and its queries: what a new user's vault looks like.
PLAIN_VAULT = HERE / "plain_vault"
PLAIN_QUERIES = HERE / "plain_queries.tsv"
# Paraphrases written blind and never tuned against: reported by bench/search_compare.py, not gated.
HOLDOUT_QUERIES = HERE / "holdout_queries.tsv"
K = 5
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
KINDS = ("title", "body", "phrase", "alias_en", "alias_zh", "mixed", "subword",
         # issue 14: an exact phrase against scattered words, another language without aliases,
         # 繁體, pinyin in full and by initials, a name without its version, hyphens and spaces.
         "phrase_words", "cross", "trad", "pinyin_full", "pinyin_init", "version", "hyphen")


@dataclass
class Query:
    text: str
    kind: str
    expected: list[str]  # titles; any of them counts


@dataclass
class Outcome:
    query: Query
    results: list[str]  # site-relative URLs of the top results, best first
    rank: int | None  # 1-based rank of the first expected note in the top K


@dataclass
class Report:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)
    index_bytes: int = 0
    ready_seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)  # per query, in the worker

    def metrics(self, kind: str | None = None) -> tuple[int, float, float]:
        """(number of queries, recall@K, MRR) over all queries or one kind."""
        chosen = [o for o in self.outcomes if kind is None or o.query.kind == kind]
        if not chosen:
            return 0, 0.0, 0.0
        recall = sum(o.rank is not None for o in chosen) / len(chosen)
        mrr = sum(1 / o.rank for o in chosen if o.rank) / len(chosen)
        return len(chosen), recall, mrr

    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.rank != 1]


# ---- Queries and notes ----------------------------------------------------------------------


def load_queries(path: Path = QUERIES) -> list[Query]:
    out: list[Query] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, kind, expected = line.split("\t")
        out.append(Query(text, kind, [t.strip() for t in expected.split(" | ")]))
    return out


def note_urls(notes_dir: Path, prefix: str = "notes") -> dict[str, str]:
    """Title -> site-relative URL of every note (``notes/<path>/``), the same for both sites."""
    from kbsite.core.vault import load_vault

    vault = load_vault(notes_dir)
    return {n.title: f"{prefix}/{n.path[:-3]}/" for n in vault.notes}


# ---- Building -------------------------------------------------------------------------------


def _mkdocs(config_file: Path, site_dir: Path) -> None:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONWARNINGS="ignore")
    cmd = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config_file), "-d", str(site_dir)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"mkdocs build failed:\n{proc.stdout}\n{proc.stderr}")


def build_kbsite(project: Path, site_dir: Path, shards: bool | None = None) -> Path:
    """Build the kbsite project at ``project`` (its mkdocs.yml) into ``site_dir``; ``shards``:
    ``search_shards`` set to that (else as the project says)."""
    if shards is None:
        _mkdocs(project / "mkdocs.yml", site_dir)
        return site_dir
    yml = (project / "mkdocs.yml").read_text(encoding="utf-8")
    assert "  - kbsite:\n" in yml
    # Beside the real one, so that docs_dir and notes_dir mean the same folders.
    config = project / f".mkdocs-shards-{os.getpid()}-{site_dir.name}.yml"
    config.write_text(yml.replace("  - kbsite:\n", f"  - kbsite:\n      search_shards: {str(shards).lower()}\n"),
                      encoding="utf-8")
    try:
        _mkdocs(config, site_dir)
    finally:
        config.unlink()
    return site_dir



STOCK_YML = """\
site_name: stock
docs_dir: docs
theme:
  name: material
  language: zh
  font: false
nav:
  - index.md
plugins:
  - search
markdown_extensions:
  - toc:
      permalink: true
      slugify: !!python/object/apply:pymdownx.slugs.slugify
        kwds:
          case: lower
  - admonition
  - attr_list
  - def_list
  - footnotes
  - tables
  - pymdownx.details
  - pymdownx.highlight
  - pymdownx.inlinehilite
  - pymdownx.superfences
  - pymdownx.tasklist
"""


def build_stock(notes_dir: Path, work: Path, site_dir: Path) -> Path:
    """The same notes as plain Markdown under stock mkdocs-material + jieba: wikilinks become
    their label as plain text, front matter stays (Material reads title and tags from it)."""
    if work.exists():
        shutil.rmtree(work)
    docs = work / "docs"
    (docs / "notes").mkdir(parents=True)
    (docs / "index.md").write_text("# stock\n", encoding="utf-8")
    for path in sorted(notes_dir.rglob("*.md")):
        rel = path.relative_to(notes_dir)
        if any(part.startswith((".", "_")) for part in rel.parts):
            continue
        text = path.read_text(encoding="utf-8")
        text = unlink(text)
        out = docs / "notes" / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    (work / "mkdocs.yml").write_text(STOCK_YML, encoding="utf-8")
    _mkdocs(work / "mkdocs.yml", site_dir)
    return site_dir


# ---- Serving --------------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def serve(site_dir: Path) -> Iterator[str]:
    """Serve ``site_dir`` on 127.0.0.1 (a free port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# ---- Browser --------------------------------------------------------------------------------


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium of the machine's own (never a downloaded one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _site_path(href: str, base: str) -> str:
    path = unquote(urlsplit(href).path)
    base_path = urlsplit(base).path
    return path[len(base_path):] if path.startswith(base_path) else path.lstrip("/")


def run_queries(base: str, queries: list[Query], urls: dict[str, str], name: str,
                k: int = K, browser: object | None = None) -> Report:
    """Type every query into the header search box of the site at ``base``; read the top k.

    ``browser``: a running Playwright browser (the test suite's); else one is launched."""
    if browser is None:
        with chromium() as launched:
            return run_queries(base, queries, urls, name, k, launched)
    report = Report(name)
    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        start = time.perf_counter()
        page.goto(base)
        box = page.locator("input[data-md-component=search-query]")
        page.wait_for_load_state("load")
        page.keyboard.press("/")  # Material's shortcut: focus the header search box
        box.wait_for(state="visible")
        # Ready: the worker answered a first query.
        box.fill(queries[0].text)
        box.press("End")
        page.wait_for_function(
            "() => document.querySelectorAll('.md-search-result__item').length > 0",
            timeout=60_000)
        report.ready_seconds = time.perf_counter() - start
        for q in queries:
            results = _ask(page, box, q.text)[:k]
            wanted = {urls[t] for t in q.expected if t in urls}
            missing = [t for t in q.expected if t not in urls]
            if missing:
                raise KeyError(f"queries.tsv: no note titled {missing} (query {q.text!r})")
            rank = next((i + 1 for i, r in enumerate(results) if r in wanted), None)
            report.outcomes.append(Outcome(q, results, rank))
    finally:
        context.close()
    return report


def _worker_busy(page: object) -> bool:
    """Whether kbsite's worker still owes a query its full answer (``self.kbsiteBusy``)."""
    for worker in page.workers:  # type: ignore[attr-defined]
        if "search-worker" in worker.url:
            try:
                return bool(worker.evaluate("self.kbsiteBusy || 0"))
            except Exception:  # the worker went away with the page
                return False
    return False


# The result list has settled when it reads the same on consecutive polls after an answer
# (Material's "type to search" hint is not an answer). Polled inside the page: one round trip.
_SETTLED_JS = """(polls) => {
  const meta = document.querySelector('.md-search-result__meta')
  const items = [...document.querySelectorAll('.md-search-result__list > .md-search-result__item')]
  const text = meta ? meta.textContent : ''
  const hrefs = items.map(li => (li.querySelector('a') || {}).href || '')
  const answered = hrefs.length > 0 || (text && !text.includes('键入') && !text.includes('Type'))
  const sig = JSON.stringify([text, hrefs])
  const seen = self.__kbsiteSettle || (self.__kbsiteSettle = {sig: null, n: 0})
  if (!answered) { seen.sig = null; seen.n = 0; return false }
  if (sig === seen.sig) seen.n += 1; else { seen.sig = sig; seen.n = 0 }
  return seen.n >= polls ? hrefs : false
}"""


def _ask(page: object, box: object, text: str) -> list[str]:
    """Clear the box, type the query, wait until the result list is settled; return URLs."""
    box.fill("")  # type: ignore[attr-defined]
    box.press("End")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => document.querySelectorAll('.md-search-result__item').length === 0")
    box.fill(text)  # type: ignore[attr-defined]
    box.press("End")  # keyup: what Material listens to  # type: ignore[attr-defined]
    deadline = time.perf_counter() + 20
    while True:
        page.evaluate("() => { self.__kbsiteSettle = null }")  # type: ignore[attr-defined]
        hrefs = page.wait_for_function(  # type: ignore[attr-defined]
            _SETTLED_JS, arg=2, polling=25, timeout=20_000).json_value()
        # kbsite may show a first answer early: settled only once its worker owes nothing more
        if not _worker_busy(page) or time.perf_counter() > deadline:
            break
    base = page.url  # type: ignore[attr-defined]
    return [_site_path(h, base) for h in hrefs]


_LATENCY_JS = """async ([queries, rounds]) => {
  const config = JSON.parse(document.getElementById('__config').textContent)
  const base = new URL(config.base + '/', location.href)
  const worker = new Worker(new URL(config.search, base))
  const index = await (await fetch(new URL('search/search_index.json', base))).json()
  const ask = message => new Promise(resolve => { worker.onmessage = ev => resolve(ev.data); worker.postMessage(message) })
  await ask({type: 0, data: index})
  const times = []
  for (let r = 0; r < rounds; r++) for (const q of queries) {
    const t0 = performance.now()
    await ask({type: 2, data: q})
    if (r === rounds - 1) times.push(performance.now() - t0)
  }
  worker.terminate()
  return times
}"""


def latency(base: str, queries: list[Query], browser: object, rounds: int = 2) -> list[float]:
    """Milliseconds per query, QUERY message to RESULT, in the site's own worker in headless
    Chromium (the last of ``rounds`` passes, so the first pass warms the JIT)."""
    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.goto(base)
        page.wait_for_load_state("load")
        return page.evaluate(_LATENCY_JS, [[q.text for q in queries], rounds])
    finally:
        context.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))] if ordered else 0.0


# ---- Reporting ------------------------------------------------------------------------------


def evaluate(name: str, site_dir: Path, queries: list[Query], urls: dict[str, str],
             browser: object | None = None, timing: bool = False) -> Report:
    """Quality (and, with ``timing``, per-query latency in the worker) of the site."""
    if browser is None and timing:
        with chromium() as launched:
            return evaluate(name, site_dir, queries, urls, launched, timing)
    with serve(site_dir) as base:
        report = run_queries(base, queries, urls, name, browser=browser)
        if timing:
            report.latencies_ms = latency(base, queries, browser)
    report.index_bytes = sum(len(b) for b in index_files(site_dir))
    return report


def index_files(site_dir: Path) -> list[bytes]:
    """The search index's files: the entry, and kbsite's shards (kbsite.search.shards) if any."""
    root = site_dir / "search"
    return [p.read_bytes() for p in sorted(root.rglob("*.json"))] if root.is_dir() else []


def table(reports: list[Report]) -> str:
    """Recall@5 and MRR per kind, one column pair per report."""
    head = f"{'kind':<10}{'n':>4}" + "".join(f"{r.name + ' R@5':>16}{r.name + ' MRR':>14}" for r in reports)
    lines = [head, "-" * len(head)]
    for kind in (*KINDS, None):
        n = reports[0].metrics(kind)[0]
        if not n:
            continue
        row = f"{kind or 'overall':<10}{n:>4}"
        for r in reports:
            _, recall, mrr = r.metrics(kind)
            row += f"{recall:>16.3f}{mrr:>14.3f}"
        lines.append(row)
    lines.append("")
    for r in reports:
        lines.append(f"{r.name}: index {r.index_bytes:,} bytes; first result {r.ready_seconds:.2f} s after navigation")
        if r.latencies_ms:
            lines.append(f"{r.name}: per query in the worker (headless Chromium): median "
                         f"{percentile(r.latencies_ms, 0.5):.1f} ms, p95 {percentile(r.latencies_ms, 0.95):.1f} ms, "
                         f"max {max(r.latencies_ms):.1f} ms over {len(r.latencies_ms)} queries")
    return "\n".join(lines)


def misses_text(report: Report, urls: dict[str, str]) -> str:
    by_url = {u: t for t, u in urls.items()}
    out = []
    for o in report.misses():
        got = ", ".join(by_url.get(r, r) for r in o.results) or "(nothing)"
        out.append(f"  [{o.query.kind}] {o.query.text!r}: rank {o.rank or '-'}; want {o.query.expected}; got {got}")
    return "\n".join(out)


def by_kind(report: Report) -> dict[str, tuple[int, float, float]]:
    out: dict[str, tuple[int, float, float]] = defaultdict(lambda: (0, 0.0, 0.0))
    for kind in KINDS:
        out[kind] = report.metrics(kind)
    return dict(out)
