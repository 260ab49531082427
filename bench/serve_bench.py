"""`mkdocs serve` as a writer feels it: from saving a note to the open browser tab showing it.

    /work/venv/bin/python bench/serve_bench.py PROJECT [--edits 3]

Runs the real ``mkdocs serve`` (livereload on) on PROJECT (a bench/run.py project), opens a
note in headless Chromium and measures, from the moment the file is written to the moment the
reloaded tab's text shows the change (polled every 20 ms):

- **body edit**: a new paragraph appended to the open note;
- **link added**: another note gets a ``[[link]]`` to the open note; the open note's backlinks
  must show that note (a page other than the edited one changes).

Each is repeated ``--edits`` times on different notes; the median is reported. The time includes
MkDocs' file watcher and its rebuild, so it is what a writer waits for. ``--trace`` splits it
into phases from the serve log, stamped to the microsecond: write → change detected (the
watcher) → build started (MkDocs waits for writes to stop) → build done ("Reloading browsers")
→ the tab shows it (the long poll answers, the page reloads and renders).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONWARNINGS="ignore")
_ID_RE = re.compile(r"^id: (.+)$", re.M)
_TITLE_RE = re.compile(r'^title: "(.+)"$', re.M)
# `mkdocs serve`, with every line of MkDocs' log also written to argv[1] with its time.time().
TRACED_SERVE = """
import logging, sys
handler = logging.FileHandler(sys.argv[1], encoding="utf-8")
handler.setFormatter(logging.Formatter("%(created).6f %(message)s"))
logging.getLogger("mkdocs").addHandler(handler)
sys.argv = ["mkdocs", *sys.argv[2:]]
from mkdocs.__main__ import cli
cli()
"""
# Log lines that end each phase after a write, in order (livereload and the serve command).
PHASES = (("detected", "Detected file changes"), ("build start", "Building documentation"),
          ("build done", "Reloading browsers"))


def stop(proc: subprocess.Popen[bytes]) -> None:
    """End a child ``mkdocs serve``: politely, then for good."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"mkdocs serve exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"mkdocs serve did not answer at {url}")


def _shows(page: object, text: str, start: float, timeout: float = 120) -> float:
    """Seconds from ``start`` until the tab's text contains ``text`` (it reloads by itself)."""
    script = "t => document.body !== null && document.body.innerText.includes(t)"
    while time.perf_counter() - start < timeout:
        try:
            if page.evaluate(script, text):  # type: ignore[attr-defined]
                return time.perf_counter() - start
        except Exception:  # noqa: BLE001 - the page is reloading: ask again
            pass
        time.sleep(0.02)
    raise RuntimeError(f"the browser never showed {text!r}")


def _url(project: Path, note: Path) -> str:
    rel = note.relative_to(project).with_suffix("")
    return "/".join(rel.parts) + "/"


def phases(trace: Path, written: float, shown: float) -> list[float]:
    """Seconds from the write to each of ``PHASES`` and to ``shown`` (all time.time())."""
    stamps: list[float] = []
    lines = trace.read_text("utf-8", "replace").splitlines()
    at = written
    for _, text in PHASES:
        at = next((float(t) for t, _, msg in (line.partition(" ") for line in lines)
                   if _is_float(t) and float(t) >= at and text in msg), float("nan"))
        stamps.append(at)
    return [t - written for t in stamps] + [shown - written]


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def measure(project: Path, browser: object, edits: int = 3, timeout: float = 900,
            trace: list[list[float]] | None = None) -> tuple[float, float]:
    """(body edit, link added): median seconds from the write until the browser shows it.
    ``trace``: gets, per edit, the seconds from the write to each phase (``phases``)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    log = open(project / "serve-bench.log", "wb")  # a file: a pipe nobody reads can fill up
    stamped = project / "serve-bench.trace"
    stamped.write_text("", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", TRACED_SERVE, str(stamped), "serve", "-f", str(project / "mkdocs.yml"),
                             "-a", f"127.0.0.1:{port}", "--livereload"], env=ENV, stdout=log, stderr=subprocess.STDOUT)
    notes = sorted((project / "notes" / "concepts").glob("*.md")) or sorted((project / "notes").rglob("*.md"))
    body: list[float] = []
    link: list[float] = []
    try:
        _wait_http(base, proc, timeout)
        context = browser.new_context()  # type: ignore[attr-defined]
        page = context.new_page()
        for i in range(edits):
            target = notes[(len(notes) // 3 + 11 * i) % len(notes)]
            source = notes[(2 * len(notes) // 3 + 13 * i) % len(notes)]
            page.goto(base + _url(project, target), wait_until="load")
            time.sleep(1.0)  # let the watcher settle after the last rebuild
            marker = f"基准编辑标记{time.time_ns()}"
            start, written = time.perf_counter(), time.time()
            with open(target, "a", encoding="utf-8") as f:
                f.write(f"\n\n{marker}：知识蒸馏的又一个例子。\n")
            body.append(_shows(page, marker, start))
            if trace is not None:
                trace.append(["body", *phases(stamped, written, written + body[-1])])
            time.sleep(1.0)
            text = source.read_text(encoding="utf-8")
            target_id, source_title = _ID_RE.search(target.read_text("utf-8")), _TITLE_RE.search(text)
            assert target_id and source_title, "bench/gen_corpus.py notes have an id and a quoted title"
            new_title = f"{source_title[1]} 改{time.time_ns() % 10**9}"
            # The source note links to the open note and gets a new title: the open note's
            # backlinks list must show the new title.
            start, written = time.perf_counter(), time.time()
            source.write_text(text.replace(source_title[0], f'title: "{new_title}"', 1)
                              + f"\n\n新加的链接：[[{target_id[1]}]]。\n", encoding="utf-8")
            link.append(_shows(page, new_title, start))
            if trace is not None:
                trace.append(["link", *phases(stamped, written, written + link[-1])])
        context.close()
    finally:
        stop(proc)
        log.close()
    return statistics.median(body), statistics.median(link)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("project", type=Path)
    ap.add_argument("--edits", type=int, default=3)
    ap.add_argument("--trace", action="store_true", help="also a table of the phases of each edit")
    args = ap.parse_args(argv)
    trace: list[list[float]] | None = [] if args.trace else None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            b, link = measure(args.project.resolve(), browser, args.edits, trace=trace)
        finally:
            browser.close()
    print(f"| body edit shown s | link added shown s |\n|---:|---:|\n| {b:.2f} | {link:.2f} |")
    if trace:
        # Each phase's own length: the watcher, the wait for writes to stop, the build, the browser.
        print("\n| edit | detected s | build starts +s | build +s | browser +s | shown s |\n|---|---:|---:|---:|---:|---:|")
        for kind in ("body", "link"):
            rows = [r[1:] for r in trace if r[0] == kind]
            for row in rows:
                steps = [row[0]] + [b - a for a, b in zip(row, row[1:])] + [row[-1]]
                print(f"| {kind} | " + " | ".join(f"{v:.2f}" for v in steps) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
