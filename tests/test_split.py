"""``mkdocs build`` in two processes (plugin/split.py) writes the same site as one process.

Each project is built twice by MkDocs' own ``build()``: once split (``KBSITE_BUILD_PROCESSES=2``:
a forked second process converts and renders part of the pages) and once in one process. The two
site folders must hold the same files with the same bytes, and the same log lines; the split
build must really have split (the second process rendered pages), so a test that passes
because both builds ran in one process is not possible.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from mkdocs.exceptions import Abort

from kbtest import REPO

MKDOCS_YML = """\
site_name: 分进程构建
theme:
  name: material
  language: zh
  font: false
plugins:
  - search
  - kbsite:
      notes_dir: notes
      wanted: info
markdown_extensions:
  - toc:
      permalink: true
  - admonition
  - attr_list
  - def_list
  - footnotes
  - tables
  - pymdownx.details
  - pymdownx.highlight
  - pymdownx.inlinehilite
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
  - pymdownx.tasklist:
      custom_checkbox: true
validation:
  anchors: warn
"""
# Hand-written notes beside the generated ones: embeds, a diagram, footnotes, links to anchors
# of other notes (checked by MkDocs after every page rendered, whichever process rendered them).
EXTRA = {
    "notes/extra/嵌入.md": "---\nid: embed-host\ntitle: 嵌入别的笔记\n---\n## 正文\n\n![[anchor-target#方法]]\n\n"
                          "见 [[anchor-target#不存在的小节]] 和 [方法](anchor-target.md#方法)。[^1]\n\n"
                          "[^1]: 脚注。\n\n```mermaid\ngraph TD; A-->B\n```\n",
    "notes/extra/anchor-target.md": "---\nid: anchor-target\ntitle: 被链接的笔记\n---\n## 方法\n\n"
                                    "先这样做，再那样做。\n\n## 结果\n\n$$a^2+b^2=c^2$$\n",
}


def _corpus(root: Path, n: int) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from gen_corpus import write_corpus
    finally:
        sys.path.remove(str(REPO / "bench"))
    write_corpus(root, n, seed=5)
    for rel, text in EXTRA.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# 知识库\n\n从[主题](topics/index.md)开始。\n", encoding="utf-8")
    (root / "docs" / "guide.md").write_text("# 使用说明\n\n## 第一步\n\n写笔记。\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")


def _tree(site: Path) -> dict[str, bytes]:
    out = {}
    for folder, _, names in os.walk(site):
        for name in names:
            path = Path(folder) / name
            out[path.relative_to(site).as_posix()] = path.read_bytes()
    return out


# Each build runs in a fresh Python process: the split forks only a process with no other
# threads (a fork copies one thread and whatever locks the others held), and the test session's
# own threads (Playwright's, an earlier serve's idle collector) must not decide it.
_BUILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
from kbtest import mkdocs_log
from mkdocs.commands import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
cfg = load_config(config_file=sys.argv[2], site_dir=sys.argv[3], strict=sys.argv[4] == "1")
plugin = cfg.plugins["kbsite"]
plugin.on_startup(command="build", dirty=False)
out = {"abort": None}
with mkdocs_log() as logs:
    try:
        build.build(cfg)
    except Abort as exc:
        out["abort"] = str(exc)
split = plugin._split
out.update(child_pages=split.child_pages, child_uris=sorted(split.child_uris), safe=split.safe, logs=list(logs))
with open(sys.argv[5], "w", encoding="utf-8") as f:
    json.dump(out, f, ensure_ascii=False)
"""


def _build(config_file: Path, site: Path, *, split: bool, strict: bool = False,
           monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[str]]:
    """A fresh process builds ``config_file`` into ``site``; (its split state, log lines).
    Raises Abort as the build did (``--strict``)."""
    env = dict(os.environ, KBSITE_BUILD_PROCESSES="2" if split else "1", NO_MKDOCS_2_WARNING="1")
    report = site.parent / f".{site.name}-report.json"
    proc = subprocess.run([sys.executable, "-c", _BUILD, str(Path(__file__).parent), str(config_file), str(site),
                           "1" if strict else "0", str(report)], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(report.read_text(encoding="utf-8"))
    if out["abort"] is not None:
        raise Abort(out["abort"])
    state = SimpleNamespace(child_pages=out["child_pages"], child_uris=set(out["child_uris"]), safe=out["safe"])
    return state, out["logs"]


def _assert_same(a: Path, b: Path) -> None:
    want, got = _tree(a), _tree(b)
    assert sorted(set(want) ^ set(got)) == []
    assert sorted(rel for rel in want if want[rel] != got[rel]) == []


@pytest.fixture(autouse=True)
def _fixed_dates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # the sitemap's dates: the build day


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_split_build_equals_one_process_generated_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "kb"
    _corpus(root, 150)
    split, split_logs = _build(root / "mkdocs.yml", tmp_path / "split", split=True, monkeypatch=monkeypatch)
    serial, serial_logs = _build(root / "mkdocs.yml", tmp_path / "serial", split=False, monkeypatch=monkeypatch)
    assert split.child_pages > 50 and serial.child_pages == 0
    # Both processes rendered note pages that link to anchors, embed and draw (the checks
    # below would pass trivially if one of them did everything).
    assert {"notes/extra/嵌入.md", "notes/extra/anchor-target.md"} & split.child_uris
    _assert_same(tmp_path / "serial", tmp_path / "split")
    assert sorted(split_logs) == sorted(serial_logs)  # anchors checked in both: the same lines


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_split_build_equals_one_process_repo_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    split, split_logs = _build(REPO / "mkdocs.yml", tmp_path / "split", split=True, monkeypatch=monkeypatch)
    serial, serial_logs = _build(REPO / "mkdocs.yml", tmp_path / "serial", split=False, monkeypatch=monkeypatch)
    assert split.child_pages > 50 and serial.child_pages == 0
    _assert_same(tmp_path / "serial", tmp_path / "split")
    assert sorted(split_logs) == sorted(serial_logs)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_strict_counts_a_warning_from_the_second_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "kb"
    _corpus(root, 120)
    # The longest note goes to the second process first (split.balance): its broken link warns there.
    (root / "notes" / "extra" / "long.md").write_text(
        "---\nid: long\ntitle: 很长的笔记\n---\n见[不存在的页面](missing-page.md)。\n\n" + "很长的一段正文。\n\n" * 3000,
        encoding="utf-8")
    for split in (True, False):
        with pytest.raises(Abort, match="strict"):
            _build(root / "mkdocs.yml", tmp_path / f"site-{split}", split=split, strict=True, monkeypatch=monkeypatch)
    state, logs = _build(root / "mkdocs.yml", tmp_path / "site-lenient", split=True, monkeypatch=monkeypatch)
    assert "notes/extra/long.md" in state.child_uris
    assert any("missing-page.md" in line for line in logs)


def test_another_plugin_with_page_events_keeps_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "kb"
    _corpus(root, 120)
    yml = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(yml.replace("  - search\n", "  - search\n  - tags\n"), encoding="utf-8")
    state, _ = _build(root / "mkdocs.yml", tmp_path / "site", split=True, monkeypatch=monkeypatch)
    assert state.child_pages == 0 and not state.safe


def test_a_serve_after_a_build_with_the_same_plugin_instance_shows_edits(tmp_path: Path) -> None:
    """MkDocs caches plugin instances: one that ran ``mkdocs build`` (where page HTML may be let go
    after writing) and then serves must keep every page's HTML, or an edit is fingerprinted
    without its text and the page is left stale."""
    from mkdocs.commands import build
    from mkdocs.config import load_config

    from kbtest import serve_rebuilds

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# 首页\n", encoding="utf-8")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.md").write_text("# 甲\n\n甲的正文，见 [[b]]。\n", encoding="utf-8")
    (tmp_path / "notes" / "b.md").write_text("# 乙\n\n乙的正文。\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    cfg = load_config(config_file=str(tmp_path / "mkdocs.yml"))
    plugin = cfg.plugins["kbsite"]
    plugin.on_startup(command="build", dirty=False)
    build.build(cfg)
    assert plugin._split.safe  # the build let HTML go after writing: the state a serve must not keep
    with serve_rebuilds(tmp_path) as rebuild:
        assert rebuild() is plugin
        (tmp_path / "notes" / "b.md").write_text("# 乙\n\n乙的新正文。\n", encoding="utf-8")
        rebuild()
    page = (tmp_path / "site" / "notes" / "b" / "index.html").read_text(encoding="utf-8")
    assert "乙的新正文" in page
