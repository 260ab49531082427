"""`mkdocs serve` rebuilds reuse the HTML of unchanged notes, and nothing stale survives.

Rebuilds run in-process the way ``mkdocs serve`` runs them: a fresh ``load_config`` per build,
the same plugin instance (MkDocs caches plugins that define ``on_startup``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from kbtest import Html, make_kb, serve_rebuilds

NOTES = {
    "notes/a.md": "---\ntitle: 甲\ntopics: [主题T]\n---\n# 甲\n\n甲链接到 [[乙]] 和 [[丙#方法]]，公式 $x^2$。\n",
    "notes/b.md": "---\ntitle: 乙\ntopics: [主题T]\n---\n# 乙\n\n乙的正文。\n",
    "notes/c.md": "---\ntitle: 丙\n---\n# 丙\n\n## 方法\n\n丙的方法。\n",
}


@pytest.fixture
def serve_build(tmp_path: Path) -> Iterator[object]:
    """``serve_build() -> plugin``: one serve-style rebuild of the project in tmp_path."""
    make_kb(tmp_path, NOTES)
    with serve_rebuilds(tmp_path) as rebuild:
        yield rebuild


def _page(root: Path, rel: str) -> Html:
    return Html((root / "site" / rel).read_text(encoding="utf-8"))


def test_unchanged_notes_are_not_converted_again(tmp_path: Path, serve_build) -> None:
    plugin = serve_build()
    assert (plugin._page_cache.hits, plugin._page_cache.misses) == (0, 3)
    first = (tmp_path / "site/notes/a/index.html").read_text(encoding="utf-8")
    again = serve_build()
    assert again is plugin
    assert (plugin._page_cache.hits, plugin._page_cache.misses) == (3, 0)
    # Reused HTML gives the same page, toc included.
    assert (tmp_path / "site/notes/a/index.html").read_text(encoding="utf-8") == first
    assert _page(tmp_path, "notes/c/index.html").find("a", cls="md-nav__link", href="#方法")

    (tmp_path / "notes/b.md").write_text("---\ntitle: 乙\ntopics: [主题T]\n---\n# 乙\n\n乙的新正文。\n",
                                         encoding="utf-8")
    serve_build()
    assert (plugin._page_cache.hits, plugin._page_cache.misses) == (2, 1)
    assert "乙的新正文" in _page(tmp_path, "notes/b/index.html").find("article")["text"]


def test_renamed_and_deleted_notes_leave_nothing_stale(tmp_path: Path, serve_build) -> None:
    serve_build()
    # Rename b (new file, new title): a's [[乙]] becomes a wanted note, b leaves the topic page.
    (tmp_path / "notes/b.md").unlink()
    (tmp_path / "notes/b2.md").write_text("---\ntitle: 乙二\ntopics: [主题T]\n---\n# 乙二\n\n正文。\n",
                                          encoding="utf-8")
    (tmp_path / "notes/c.md").unlink()
    plugin = serve_build()
    assert plugin._page_cache.misses >= 1  # a: its links resolve differently now
    a = _page(tmp_path, "notes/a/index.html")
    assert [s["text"] for s in a.find_all("span", cls="kb-wanted")] == ["乙", "丙"]
    assert not a.find_all("a", cls="kb-link")
    topic = _page(tmp_path, "topics/主题t/index.html")
    listed = [el["text"] for el in topic.find_all("a") if el["text"] in ("乙", "乙二", "甲")]
    assert "乙" not in listed and "乙二" in listed and "甲" in listed
    b2 = _page(tmp_path, "notes/b2/index.html")
    assert "还没有笔记链接到这里" in b2.find("section", cls="kb-connections")["text"]
