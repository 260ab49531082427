"""Incremental `mkdocs serve` rebuilds give the same site as a clean build, byte for byte.

A 300-note generated corpus is built the way ``mkdocs serve`` builds it (one plugin instance, a
fresh ``load_config`` per rebuild, MkDocs' own ``build(..., serve_url=...)`` into one site
folder). After each kind of edit — a body edit, a title change, a link added, a link removed,
a topic change, a note added (that a wanted link names), a note renamed and one deleted — the
whole site folder is compared with a clean ``mkdocs build`` of the same files by a fresh plugin
instance: the same file set, the same bytes. Each incremental rebuild must also have skipped
most pages, so a test that passes because everything was re-rendered is not possible.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest
from mkdocs.commands import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

from kbtest import REPO, mkdocs_log

SERVE_URL = "http://127.0.0.1:8000/"
MKDOCS_YML = """\
site_name: 增量测试
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
  - footnotes
  - tables
  - pymdownx.highlight
  - pymdownx.superfences
  - pymdownx.tasklist
"""


def _corpus(root: Path, n: int) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from gen_corpus import write_corpus
    finally:
        sys.path.remove(str(REPO / "bench"))
    write_corpus(root, n, seed=3)
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# 知识库\n\n从[主题](topics/index.md)开始。\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")


def _config(root: Path, site: Path) -> MkDocsConfig:
    cfg = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(site))
    cfg.site_url = SERVE_URL  # as `mkdocs serve` sets it
    return cfg


def _tree(site: Path) -> dict[str, bytes]:
    out = {}
    for folder, _, names in os.walk(site):
        for name in names:
            path = Path(folder) / name
            out[path.relative_to(site).as_posix()] = path.read_bytes()
    return out


@pytest.fixture
def serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], object]]:
    """``serve() -> plugin``: one serve rebuild into tmp_path/serve-site."""
    # The sitemap's dates are the build day: a run across midnight must not differ for that.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    root = tmp_path / "kb"
    _corpus(root, 300)
    used: list[object] = []
    logs: list[list[str]] = []  # each rebuild's MkDocs log lines, info ones too
    mkdocs_logger = logging.getLogger("mkdocs")
    level = mkdocs_logger.level
    mkdocs_logger.setLevel(logging.INFO)

    def rebuild() -> object:
        cfg = _config(root, tmp_path / "serve-site")
        plugin = cfg.plugins["kbsite"]
        if not used:
            plugin.on_startup(command="serve", dirty=False)
        used.append(plugin)
        with mkdocs_log() as lines:
            build.build(cfg, serve_url=SERVE_URL)
        assert not [line for line in lines if "Page skipped" in line]  # kbsite's skips are silent
        logs.append(lines)
        return plugin

    rebuild.logs = logs  # type: ignore[attr-defined]
    yield rebuild
    mkdocs_logger.setLevel(level)
    if used:
        used[0].on_startup(command="build", dirty=False)  # the instance is shared in this process


def _clean_build(root: Path, site: Path) -> None:
    """A clean build of the same project by a fresh plugin instance (MkDocs caches plugins that
    define on_startup per process; the serve instance is put back afterwards)."""
    cache = MkDocsConfig.plugins.plugin_cache  # type: ignore[attr-defined]
    saved = dict(cache)
    cache.clear()
    try:
        cfg = _config(root, site)
        cfg.plugins["kbsite"].on_startup(command="build", dirty=False)
        build.build(cfg, serve_url=SERVE_URL)
    finally:
        cache.clear()
        cache.update(saved)


def _assert_same_as_clean(tmp_path: Path, step: str) -> None:
    clean = tmp_path / f"clean-{step}"
    _clean_build(tmp_path / "kb", clean)
    want, got = _tree(clean), _tree(tmp_path / "serve-site")
    assert sorted(set(got) - set(want)) == [], f"{step}: stale files left by the incremental build"
    assert sorted(set(want) - set(got)) == [], f"{step}: files missing from the incremental build"
    differ = sorted(rel for rel in want if want[rel] != got[rel])
    assert differ == [], f"{step}: files differ from a clean build"


def _edit(path: Path, pattern: str, repl: str) -> None:
    text = path.read_text(encoding="utf-8")
    new = re.sub(pattern, repl, text, count=1, flags=re.M)
    assert new != text, f"{path.name}: {pattern!r} not found"
    path.write_text(new, encoding="utf-8")


def test_incremental_rebuilds_equal_clean_builds(tmp_path: Path, serve) -> None:
    notes = tmp_path / "kb" / "notes"
    plugin = serve()
    inc = plugin._incremental
    assert inc.rendered > 300 and inc.skipped == 0  # the first build renders everything
    pages = inc.rendered
    _assert_same_as_clean(tmp_path, "first")

    def step(name: str, most_skipped: bool = True, share: float = 0.5, views_reused: bool = False,
             rebuilt: float | None = None) -> None:
        serve()
        reused = plugin._view_cache.reused
        print(f"{name}: {inc.rendered} pages rendered, {inc.skipped} skipped, {reused} view models reused")
        if most_skipped:
            assert inc.skipped > pages * share, f"{name}: {inc.skipped} of {pages} pages skipped"
        # The skipped pages never went through MkDocs' page build (pageloop.py).
        assert plugin._page_loop.bypassed == inc.skipped, f"{name}: {plugin._page_loop.bypassed} bypassed"
        # A body-only edit reuses the other pages' view models (viewcache.py); an edit of other
        # fields those of the pages whose inputs it did not touch (viewdeps.py: at most
        # ``rebuilt`` of them are built again); anything else none. The comparison with a
        # clean build below is what shows that reusing them was right.
        if views_reused:
            assert reused > pages * 0.9, f"{name}: {reused} view models reused"
        elif rebuilt is not None:
            assert 0 < pages - reused <= pages * rebuilt, f"{name}: {pages - reused} of {pages} view models rebuilt"
        else:
            assert reused == 0, f"{name}: {reused} view models reused"
        # Exactly the body-only edits keep the last vault (core.vault.VaultMemo): no new link graph.
        assert plugin._vault_memo.reused == views_reused, f"{name}: vault kept {plugin._vault_memo.reused}"
        assert inc.rendered >= 1
        _assert_same_as_clean(tmp_path, name)

    papers = sorted((notes / "papers").glob("*.md"))
    concepts = sorted((notes / "concepts").glob("*.md"))
    with open(papers[3], "a", encoding="utf-8") as f:
        f.write("\n\n编辑后新增的一段：知识蒸馏的又一个例子。\n")
    step("body edit", views_reused=True)
    # The wanted notes the first build listed are not listed again, but counted.
    first, again = serve.logs[0], serve.logs[1]
    wanted = [line for line in first if line.startswith("INFO:") and "wanted note" in line]
    assert wanted and not [line for line in again if "wanted note" in line]
    counted = [int(m[1]) for line in again if (m := re.match(r"INFO:kbsite: (\d+) info lines as in the last build", line))]
    assert counted and counted[0] >= len(wanted)

    # The sentence around a link is the backlink snippet the linked note's page shows.
    _edit(papers[5], r"\[\[", "（前文改过）[[")
    step("backlink snippet edited", rebuilt=0.1)

    # A title change: every page listing or linking the note shows the new title.
    _edit(concepts[2], r'^title: "(.*)"$', r'title: "\1（改名）"')
    step("title change", rebuilt=0.1)

    target_id = re.search(r"^id: (.*)$", concepts[5].read_text(encoding="utf-8"), re.M)[1]
    with open(papers[10], "a", encoding="utf-8") as f:
        f.write(f"\n\n新加的链接：[[{target_id}]]。\n")
    step("link added", rebuilt=0.1)

    _edit(papers[10], r"\[\[[^\]]+\]\]", "（去掉的链接）")
    step("link removed", rebuilt=0.1)

    # Other fields other pages show: a status (topic and folder counts), a related entry, a
    # title that a wanted link names (that link now resolves: the wanted list changes).
    def having(pattern: str) -> Path:
        return next(c for c in concepts[20:] if re.search(pattern, c.read_text(encoding="utf-8"), re.M))

    done = having(r"^status: done$")
    _edit(done, r"^status: done$", "status: draft")
    step("status change", rebuilt=0.5)
    _edit(having(r"^related: \["), r"^related: \[", f"related: [{target_id}, ")
    step("related added", rebuilt=0.1)
    wanted_name = sorted(set(re.findall(r"\[\[(未写的笔记 \d+)\]\]", "".join(
        p.read_text(encoding="utf-8") for p in papers + concepts))))[-1]
    _edit(concepts[9], r'^title: "(.*)"$', f'title: "{wanted_name}"')
    step("title names a wanted note", rebuilt=0.5)

    # A transclusion, then an edit of the note it shows: the host page must follow.
    shown_id = re.search(r"^id: (.*)$", concepts[4].read_text(encoding="utf-8"), re.M)[1]
    with open(papers[12], "a", encoding="utf-8") as f:
        f.write(f"\n\n嵌入一篇：\n\n![[{shown_id}]]\n\n#增量/标签 ^blk-1\n")
    step("embed added")  # a new tag: another tag tree, every view model again
    with open(concepts[4], "a", encoding="utf-8") as f:
        f.write("\n\n被嵌入的笔记新写的一段。\n")
    step("embedded note edited", views_reused=True)
    assert "被嵌入的笔记新写的一段" in (tmp_path / "serve-site" / "notes" / "papers" / papers[12].stem
                                      / "index.html").read_text(encoding="utf-8")

    # Topics are ordered by size in the navigation every page shows: this edit may re-render all.
    _edit(papers[20], r"^topics: \[(.*)\]$", "topics: [topic-0000]")
    step("topic change", most_skipped=False)

    # A new note that a wanted link of other notes names: those links now resolve.
    wanted = sorted(set(re.findall(r"\[\[(未写的笔记 \d+)\]\]", "".join(
        p.read_text(encoding="utf-8") for p in papers + concepts))))
    assert wanted
    (notes / "concepts" / "new-note.md").write_text(
        f"---\nid: new-note\ntitle: \"{wanted[0]}\"\ntype: concept\ntopics: [topic-0001]\n---\n\n"
        f"# {wanted[0]}\n\n新写的笔记，链接到 [[{target_id}]]。\n", encoding="utf-8")
    step("note added")

    # Rename one note and delete another: the counts of their topics change on every page that
    # lists those topics.
    concepts[7].rename(notes / "concepts" / "renamed.md")
    papers[30].unlink()
    step("rename and delete", share=0.3)

    # A new folder is a new entry in the folder navigation on every page.
    (notes / "moved").mkdir()
    concepts[8].rename(notes / "moved" / "moved.md")
    step("moved to a new folder", most_skipped=False)


def test_sharded_search_index_under_serve_equals_a_clean_build(tmp_path: Path, serve,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``search_shards: true`` the key shards and page files of each rebuild are those of a
    clean build; a page's postings are worked out again only when its text, or a 繁→简 pair
    its text holds, changed (an edit that brings in a new character changes the table); and
    while the pages keep their numbers only the key shards, rows and pinyin files holding what
    changed are made again (kbsite.search.shards.Splitter), the others are kept as they are."""
    import kbsite.search.index as index

    config = tmp_path / "kb" / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "      wanted: info\n", "      wanted: info\n      search_shards: true\n"), encoding="utf-8")
    made: list[str] = []
    real = index._page_postings
    monkeypatch.setattr(index, "_page_postings", lambda page, simplify: made.append(page.location) or real(page, simplify))
    notes = sorted((tmp_path / "kb" / "notes").rglob("*.md"))
    plugin = serve()
    assert (tmp_path / "serve-site" / "search" / "k").is_dir()  # sharded, not one file
    splitter = plugin.search.index_cache.splitter  # type: ignore[attr-defined]
    assert splitter.keep and splitter.made["full"] == 1
    pages, shards = len(made), splitter.made["shards"]
    _assert_same_as_clean(tmp_path, "sharded-first")

    def append(note: Path, text: str) -> Callable[[], None]:
        return lambda: note.write_text(note.read_text(encoding="utf-8") + text, encoding="utf-8")

    new_note = tmp_path / "kb" / "notes" / "concepts" / "added-note.md"
    # (step, edit, whether the pages keep their numbers)
    steps = (("body edit", append(notes[3], "\n\n正文里新写的一句：知识蒸馏与量化。\n"), True),
             ("new characters", append(notes[4], "\n\n鬱鬱蔥蔥的一段：們。\n"), True),
             ("title change", lambda: _edit(notes[7], r'^title: "(.*)"$', r'title: "\1（改名）"'), True),
             ("note deleted", lambda: notes[9].unlink(), False),
             ("note added", lambda: new_note.write_text(
                 "---\nid: added-note\ntitle: 新加的笔记\ntype: concept\n---\n\n# 新加的笔记\n\n新写的正文。\n",
                 encoding="utf-8"), False),
             ("renamed", lambda: notes[11].rename(notes[11].with_name("renamed-note.md")), False))
    for step, edit, numbered in steps:
        made.clear()
        edit()
        serve()
        # A new title is in the text of every page linking the note (20 here): those only.
        assert 0 < len(made) <= pages // 10, f"{step}: postings made again for {len(made)} of {pages} pages"
        did = splitter.made
        if numbered:
            assert did["full"] == 0 and 0 < did["rows"] <= len(made) + 1, (step, did, len(made))
            assert 0 < did["shards"] < shards // 2, (step, did, shards)
        else:
            assert did["full"] == 1, (step, did)
        _assert_same_as_clean(tmp_path, f"sharded-{step}")
