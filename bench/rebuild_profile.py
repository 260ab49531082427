"""Serve-rebuild benchmark: the time of ``mkdocs serve`` rebuilds after one-note edits, in process.

    /work/venv/bin/python bench/rebuild_profile.py --n 3000 --repeat 3    # table of rebuild times (medians)
    /work/venv/bin/python bench/rebuild_profile.py --n 3000 --profile title  # plus a cProfile of one
    /work/venv/bin/python bench/rebuild_profile.py --n 3000 --phases  # CPU seconds per step, no profiler

The generated corpus (bench/gen_corpus.py, same seed as bench/run.py) is built the way
``mkdocs serve`` builds it: one plugin instance, a fresh ``load_config`` per rebuild, MkDocs' own
``build(..., serve_url=...)`` into one kept site folder. After the first build, each kind of edit
is made in turn (a body edit, a title change, a link added) and its rebuild is timed, wall clock
and CPU time of the process (``--repeat``: that many rounds on other notes, medians). Without the
livereload watcher and the browser this isolates the build itself; ``bench/serve_bench.py`` times
the whole path to the browser.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import io
import logging
import pstats
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import prepare  # noqa: E402

SERVE_URL = "http://127.0.0.1:8000/"


class Phases:
    """CPU seconds of MkDocs' steps, of each plugin event and of the garbage collector, timed by
    wrapping them (no profiler: cProfile triples the cost of small calls; a wrapped function
    keeps its source for kbsite's probes, and Page.__init__, whose code a probe reads, is not
    wrapped). Steps nest: a page's
    build holds its page_context and post_page events, ``populate`` its pre_page, page_markdown
    and page_content events."""

    def __init__(self) -> None:
        from mkdocs.commands import build
        from mkdocs.plugins import PluginCollection
        from mkdocs.structure.files import Files
        from mkdocs.structure.pages import Page
        from mkdocs.theme import Theme

        self.spent: dict[str, float] = {}
        self._gc_start = 0.0
        for owner, name, label in ((build, "get_files", "mkdocs: list docs_dir"),
                                   (Theme, "get_env", "mkdocs: theme env"),
                                   (Files, "add_files_from_theme", "mkdocs: theme files"),
                                   (build, "get_navigation", "mkdocs: nav"),
                                   (build, "_populate_page", "mkdocs: populate pages (with their events)"),
                                   (Files, "copy_static_files", "mkdocs: copy static files"),
                                   (build, "_build_theme_template", "mkdocs: theme templates (sitemap, 404)"),
                                   (build, "_build_page", "mkdocs: build pages (with their events)"),
                                   (Page, "validate_anchor_links", "mkdocs: validate anchors")):
            self._wrap(owner, name, label)
        # kbsite's own steps inside those events.
        from kbsite.plugin import graph, incremental, pagecache, plugin, search
        for owner, name, label in ((plugin, "load_vault", "kbsite: load_vault (files)"),
                                   (plugin.KbsitePlugin, "_add_note_files", "kbsite: note File objects (files)"),
                                   (graph.GraphFeature, "on_files", "kbsite: graph data (files)"),
                                   (plugin.KbsitePlugin, "_plan_views", "kbsite: which view models are stale (env)"),
                                   (incremental.Incremental, "plan", "kbsite: fingerprint pages (env)"),
                                   (pagecache.PageCache, "lookup", "kbsite: page cache lookup (page_markdown)"),
                                   (search.SiteSearch, "add_page", "kbsite: search add_page (page_context)"),
                                   (search.SiteSearch, "on_post_build", "kbsite: search index files (post_build)"),
                                   (graph.GraphFeature, "on_post_build", "kbsite: graph files (post_build)"),
                                   (plugin.KbsitePlugin, "_write_feed", "kbsite: feed (post_build)"),
                                   (incremental.Incremental, "finish", "kbsite: sweep (post_build)")):
            self._wrap(owner, name, label)
        real = PluginCollection.run_event

        def run_event(collection: object, name: str, *args: object, **kwargs: object) -> object:
            start = time.process_time()
            try:
                return real(collection, name, *args, **kwargs)  # type: ignore[arg-type]
            finally:
                self._add(f"event: {name}", start)

        PluginCollection.run_event = run_event  # type: ignore[method-assign]
        gc.callbacks.append(self._gc)

    def _add(self, label: str, start: float) -> None:
        self.spent[label] = self.spent.get(label, 0.0) + time.process_time() - start

    def _wrap(self, owner: object, name: str, label: str) -> None:
        real = getattr(owner, name)

        @functools.wraps(real)  # kbsite's probes read MkDocs' source through __wrapped__
        def timed(*args: object, **kwargs: object) -> object:
            start = time.process_time()
            try:
                return real(*args, **kwargs)
            finally:
                self._add(label, start)

        setattr(owner, name, timed)

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_start = time.process_time()
        else:
            self._add("garbage collector", self._gc_start)

    def take(self) -> dict[str, float]:
        spent, self.spent = self.spent, {}
        return spent


def _edits(kb: Path, round_: int = 0) -> list[tuple[str, object]]:
    notes = sorted((kb / "notes").rglob("*.md"))
    n, step = len(notes), 7 * round_  # each round edits other notes
    body, titled, linker = notes[(n // 2 + step) % n], notes[(n // 3 + step) % n], notes[(n // 4 + step) % n]

    def body_edit() -> None:
        with open(body, "a", encoding="utf-8") as f:
            f.write("\n\n编辑后新增的一段：知识蒸馏的又一个例子。\n")

    def title_edit() -> None:
        text = titled.read_text("utf-8")
        titled.write_text(text.replace("title: ", "title: 改过的 ", 1), encoding="utf-8")

    def link_edit() -> None:
        with open(linker, "a", encoding="utf-8") as f:
            f.write(f"\n\n另见 [[{titled.stem}]]。\n")

    return [("body edit", body_edit), ("title change", title_edit), ("link added", link_edit)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--work", type=Path)
    ap.add_argument("--profile", choices=["body", "title", "link"], help="cProfile that edit's rebuild")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--dump", type=Path, help="with --profile: also save the profile there (pstats)")
    ap.add_argument("--repeat", type=int, default=1, help="rounds of the three edits (other notes each); medians")
    ap.add_argument("--idle", type=float, default=1.0,
                    help="seconds between a rebuild and the next edit, as a writer pauses (kbsite collects garbage then)")
    ap.add_argument("--phases", action="store_true", help="CPU seconds per step of each rebuild of the first round")
    ap.add_argument("--pages", action="store_true", help="the pages each rebuild of the first round rendered, slowest first")
    args = ap.parse_args(argv)

    from mkdocs.commands import build
    from mkdocs.config import load_config

    work = args.work or Path(tempfile.mkdtemp(prefix="kbsite-rebuild-"))
    kb, _ = prepare(work, args.n, args.seed)
    site = work / "serve-site"
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    used: list[object] = []
    phases = Phases() if args.phases else None
    steps: dict[str, dict[str, float]] = {}
    rendered: list[int] = []  # pages each rebuild rendered (the rest were unchanged)

    timed: list[tuple[float, str]] = []  # (seconds, src_uri) of each page MkDocs built
    if args.pages:
        real_build_page = build._build_page

        @functools.wraps(real_build_page)
        def build_page(page, *a, **k):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            try:
                return real_build_page(page, *a, **k)
            finally:
                timed.append((time.perf_counter() - t, page.file.src_uri))

        build._build_page = build_page

    def rebuild(prof: cProfile.Profile | None = None) -> tuple[float, float]:
        """Wall and CPU seconds of one rebuild (CPU time moves less on a shared machine)."""
        cpu = time.process_time()
        cfg = load_config(config_file=str(kb / "mkdocs.yml"), site_dir=str(site))
        if phases is not None:
            phases.take()
            phases.spent["mkdocs: load_config (not in the rebuild's time)"] = time.process_time() - cpu
        cfg.site_url = SERVE_URL
        plugin = cfg.plugins["kbsite"]
        if not used:
            plugin.on_startup(command="serve", dirty=False)
        used.append(plugin)
        start, cpu = time.perf_counter(), time.process_time()
        if prof is not None:
            prof.enable()
        build.build(cfg, serve_url=SERVE_URL)
        if prof is not None:
            prof.disable()
        rendered.append(getattr(getattr(plugin, "_incremental", None), "rendered", -1))
        return time.perf_counter() - start, time.process_time() - cpu

    first = rebuild()
    counts: dict[str, list[int]] = {}
    prof = cProfile.Profile() if args.profile else None
    times: dict[str, list[tuple[float, float]]] = {}
    for round_ in range(args.repeat):
        for name, edit in _edits(kb, round_):
            time.sleep(args.idle)
            edit()
            profiled = args.profile and name.startswith(args.profile) and round_ == 0
            timed.clear()
            times.setdefault(name, []).append(rebuild(prof if profiled else None))
            if args.pages and round_ == 0:
                print(f"{name}: {len(timed)} pages, {sum(t for t, _ in timed):.3f} s", file=sys.stderr)
                for t, uri in sorted(timed, reverse=True)[:25]:
                    print(f"  {t * 1000:7.1f} ms  {uri}", file=sys.stderr)
            counts.setdefault(name, []).append(rendered[-1])
            if phases is not None and round_ == 0:
                steps[name] = phases.take()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"| N = {args.n} | seconds | CPU seconds | pages rendered |\n|---|---:|---:|---:|")
    print(f"| first build | {first[0]:.2f} | {first[1]:.2f} | {rendered[0]} |")
    for name, got in times.items():
        print(f"| {name} | {statistics.median(t for t, _ in got):.2f} | {statistics.median(c for _, c in got):.2f} "
              f"| {', '.join(map(str, counts[name]))} |")
    print(f"| peak RSS of the process | {rss:.0f} MB | |")
    if steps:
        names = list(steps)
        print(f"\n| CPU s, round 1 | {' | '.join(names)} |\n|---|{'---:|' * len(names)}")
        for label in sorted({k for v in steps.values() for k in v}):
            print(f"| {label} | " + " | ".join(f"{steps[n].get(label, 0.0):.3f}" for n in names) + " |")
    if prof is not None:
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf)
        if args.dump:
            stats.dump_stats(str(args.dump))
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats("kbsite", args.top)
        print(buf.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
