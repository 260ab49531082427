"""Serve-rebuild benchmark: the time of ``mkdocs serve`` rebuilds after one-note edits, in process.

    /work/venv/bin/python bench/rebuild_profile.py --n 3000               # table of rebuild times
    /work/venv/bin/python bench/rebuild_profile.py --n 3000 --profile title  # plus a cProfile of one

The generated corpus (bench/gen_corpus.py, same seed as bench/run.py) is built the way
``mkdocs serve`` builds it: one plugin instance, a fresh ``load_config`` per rebuild, MkDocs' own
``build(..., serve_url=...)`` into one kept site folder. After the first build, each kind of edit
is made in turn (a body edit, a title change, a link added) and its rebuild is timed. Without the
livereload watcher and the browser this isolates the build itself; ``bench/serve_bench.py`` times
the whole path to the browser.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import pstats
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import prepare  # noqa: E402

SERVE_URL = "http://127.0.0.1:8000/"


def _edits(kb: Path) -> list[tuple[str, object]]:
    notes = sorted((kb / "notes").rglob("*.md"))
    body, titled, linker = notes[len(notes) // 2], notes[len(notes) // 3], notes[len(notes) // 4]

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
    args = ap.parse_args(argv)

    from mkdocs.commands import build
    from mkdocs.config import load_config

    work = args.work or Path(tempfile.mkdtemp(prefix="kbsite-rebuild-"))
    kb, _ = prepare(work, args.n, args.seed)
    site = work / "serve-site"
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    used: list[object] = []

    def rebuild(prof: cProfile.Profile | None = None) -> float:
        cfg = load_config(config_file=str(kb / "mkdocs.yml"), site_dir=str(site))
        cfg.site_url = SERVE_URL
        plugin = cfg.plugins["kbsite"]
        if not used:
            plugin.on_startup(command="serve", dirty=False)
        used.append(plugin)
        start = time.perf_counter()
        if prof is not None:
            prof.enable()
        build.build(cfg, serve_url=SERVE_URL)
        if prof is not None:
            prof.disable()
        return time.perf_counter() - start

    rows = [("first build", rebuild())]
    prof = cProfile.Profile() if args.profile else None
    for name, edit in _edits(kb):
        edit()
        rows.append((name, rebuild(prof if args.profile and name.startswith(args.profile) else None)))
    print(f"| N = {args.n} | seconds |\n|---|---:|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} |")
    if prof is not None:
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf)
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats("kbsite", args.top)
        print(buf.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
