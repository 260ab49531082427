"""Test helpers: write real knowledge bases in a temp folder, build them, read the generated HTML."""

from __future__ import annotations

import contextlib
import logging
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable, Iterator

REPO = Path(__file__).resolve().parent.parent

MKDOCS_YML = """\
site_name: 测试知识库
theme:
  name: material
  language: zh
  font: false
plugins:
  - search
  - kbsite
markdown_extensions:
  - toc:
      permalink: true
  - admonition
  - attr_list
  - pymdownx.superfences
  - pymdownx.tasklist
validation:
  anchors: warn
"""


def make_kb(root: Path, files: dict[str, str | bytes], mkdocs_yml: str = MKDOCS_YML) -> Path:
    """Write a knowledge base: mkdocs.yml, docs/index.md and the given files (paths relative)."""
    (root / "mkdocs.yml").write_text(mkdocs_yml, encoding="utf-8")
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "docs" / "index.md").write_text("# 首页\n", encoding="utf-8")
    (root / "notes").mkdir(exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


class BuildResult:
    def __init__(self, root: Path, logs: list[str]) -> None:
        self.root = root
        self.site = root / "site"
        self.logs = logs

    def html(self, rel: str) -> str:
        return (self.site / rel).read_text(encoding="utf-8")

    def page(self, rel: str) -> "Html":
        return Html(self.html(rel))


@contextlib.contextmanager
def mkdocs_log() -> Iterator[list[str]]:
    """Collect MkDocs' log lines (``LEVEL:message``, INFO and up) while the block runs."""
    records: list[str] = []

    class Grab(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(f"{record.levelname}:{record.getMessage()}")

    handler = Grab(level=logging.INFO)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)


def build_kb(root: Path, strict: bool = False) -> BuildResult:
    """Run a real ``mkdocs build`` on ``root``; capture MkDocs' log lines."""
    from mkdocs.commands import build
    from mkdocs.config import load_config

    with mkdocs_log() as records:
        cfg = load_config(config_file=str(root / "mkdocs.yml"), strict=strict)
        build.build(cfg)
    return BuildResult(root, records)


class Html(HTMLParser):
    """A tiny DOM-less reader: elements with attributes and their text, found by class or id."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []
        self._stack: list[dict] = []
        self.feed(markup)

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "area", "base", "col", "embed", "track"}

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        el = {"tag": tag, "attrs": dict(attrs), "text": "", "children": []}
        if self._stack:
            self._stack[-1]["children"].append(el)
        self.elements.append(el)
        if tag not in self.VOID:
            self._stack.append(el)

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i]["tag"] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        for el in self._stack:
            el["text"] += data

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[dict]:
        out = []
        for el in self.elements:
            if tag and el["tag"] != tag:
                continue
            if cls and cls not in (el["attrs"].get("class") or "").split():
                continue
            if any(el["attrs"].get(k.rstrip("_")) != v for k, v in attrs.items()):
                continue
            out.append(el)
        return out

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> dict:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag or '*'} class={cls!r} {attrs}> in page"
        return found[0]

    def tags(self, tag: str) -> list[dict]:
        return [el for el in self.elements if el["tag"] == tag]


def watch_page(page, base: str) -> list[str]:  # type: ignore[no-untyped-def]
    """What goes wrong on ``page`` while a test drives it: a dialog (dismissed), an uncaught
    script error, a request to anywhere but ``base`` (the site must load nothing from outside)."""
    trouble: list[str] = []
    page.on("dialog", lambda d: (trouble.append("dialog " + d.message), d.dismiss()))
    page.on("pageerror", lambda e: trouble.append(f"error {e}"))
    page.on("request", lambda r: None if r.url.startswith(base) else trouble.append("outside " + r.url))
    return trouble


@contextlib.contextmanager
def serve_rebuilds(root: Path) -> Iterator[Callable[[], object]]:
    """``rebuild() -> plugin``: serve-style rebuilds of the project in ``root``, the way ``mkdocs
    serve`` runs them (a fresh ``load_config`` each time, the same plugin instance, which MkDocs
    caches for plugins that define on_startup); the instance is put back to build mode after."""
    from mkdocs.commands import build
    from mkdocs.config import load_config

    used: list[object] = []

    def rebuild() -> object:
        cfg = load_config(config_file=str(root / "mkdocs.yml"))
        plugin = cfg.plugins["kbsite"]
        if not used:
            plugin.on_startup(command="serve", dirty=False)
        used.append(plugin)
        build.build(cfg)
        return plugin

    try:
        yield rebuild
    finally:
        if used:
            used[0].on_startup(command="build", dirty=False)  # type: ignore[attr-defined]
