"""Each MkDocs/Material internal a kbsite fast path relies on, made to go missing: the build takes
the stock path, the site is the same, and the build says so in exactly one warning.

A newer MkDocs that renames an internal keeps working itself (its own code uses the new name), so
"missing" is simulated as a rename: the internal leaves its old name, and every function of
MkDocs/Material that used the old name uses the new one (:func:`rename`). A fast path that
ignored its probe would then crash or write to a name nobody reads, and the tests below see it.
"""

from __future__ import annotations

import json
import re
import types
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urljoin

import pytest
from mkdocs.commands import build
from mkdocs.config import load_config

from kbtest import MKDOCS_YML, BuildResult, make_kb, mkdocs_log
from kbsite.plugin import probes
from kbsite.search.index import FORMAT

FILES = {
    "notes/lora.md": "---\nid: lora\ntitle: LoRA\ntopics: [微调/参数高效]\n---\n# LoRA\n\n## 方法\n\n低秩增量。\n",
    "notes/kd.md": "---\nid: kd\ntitle: 知识蒸馏\ntopics: [压缩]\n---\n# 知识蒸馏\n\n与 [[lora#方法|LoRA 的方法]] 不同。\n",
    "notes/papers/qlora.md": "---\nid: qlora\ntitle: QLoRA\ntopics: [微调/参数高效]\n---\n见 [[LoRA]]。\n",
    # A docs page whose title comes from its H1 (MkDocs reads it off the render).
    "docs/guide.md": "# 使用指南\n\n说明。\n",
}
MATERIAL_WORKER = re.compile(r"assets/javascripts/workers/search\.[0-9a-f]+\.min\.js")
KBSITE_WORKER = "assets/kbsite/search-worker.js"


# ---- Simulating a renamed internal ------------------------------------------------------------


def _renamed_code(code: types.CodeType, old: str, new: str) -> types.CodeType:
    consts = tuple(_renamed_code(c, old, new) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    names = tuple(new if n == old else n for n in code.co_names)
    return code.replace(co_names=names, co_consts=consts)


def _uses(code: types.CodeType, name: str) -> bool:
    return name in code.co_names or any(isinstance(c, types.CodeType) and _uses(c, name) for c in code.co_consts)


def _functions(owner: Any) -> Iterator[types.FunctionType]:
    """Functions defined in a module (and its classes' methods and properties), or in a class."""
    values = list(vars(owner).values())
    if isinstance(owner, types.ModuleType):
        values += [m for c in list(values) if isinstance(c, type) and c.__module__ == owner.__name__
                   for m in vars(c).values()]
    for value in values:
        for fn in (value, getattr(value, "func", None), getattr(value, "fget", None),
                   getattr(value, "__wrapped__", None)):
            if isinstance(fn, types.FunctionType) and (not isinstance(owner, types.ModuleType)
                                                       or fn.__module__ == owner.__name__):
                yield fn


def rename(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> None:
    """``owner.name`` becomes ``owner.name__v2`` and the code of ``owner`` (a module or a class)
    refers to the new name: a newer library that moved the internal. Code elsewhere that reads
    the old name (kbsite's fast paths) finds nothing."""
    new = f"{name}__v2"
    if name in vars(owner):
        monkeypatch.setattr(owner, new, vars(owner)[name], raising=False)
        monkeypatch.delattr(owner, name)
    renamed = 0
    for fn in _functions(owner):
        if _uses(fn.__code__, name):
            monkeypatch.setattr(fn, "__code__", _renamed_code(fn.__code__, name, new))
            renamed += 1
    assert renamed, f"nothing uses {name}: the simulation would prove nothing"


# ---- Builds -------------------------------------------------------------------------------------


def _build(root: Path, *, serve: bool = False, rebuilds: int = 1) -> list[BuildResult]:
    """Real builds of ``root`` (as ``mkdocs serve`` runs them when ``serve``), each with its log."""
    results = []
    plugin = None
    try:
        for _ in range(rebuilds):
            with mkdocs_log() as records:
                cfg = load_config(config_file=str(root / "mkdocs.yml"))
                plugin = cfg.plugins["kbsite"]
                plugin.on_startup(command="serve" if serve else "build", dirty=False)
                build.build(cfg)
            results.append(BuildResult(root, records))
    finally:
        if plugin is not None:
            plugin.on_startup(command="build", dirty=False)  # MkDocs shares the instance in-process
    return results


def _site(root: Path, *, serve: bool = False) -> BuildResult:
    make_kb(root, FILES, MKDOCS_YML)
    return _build(root, serve=serve)[-1]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The site with every internal in place (every fast path on)."""
    return _site(tmp_path_factory.mktemp("baseline"))


def _article(result: BuildResult, rel: str) -> str:
    html = result.html(rel)
    return html[html.index("<article"):html.index("</article>")]


_TREE_RE = re.compile(r' data-kb-nav-tree="([^"]*)"')
_LINK_RE = re.compile(r'\b(href|src)="([^"]*)"')


def _nav(result: BuildResult, rel: str) -> str:
    """The sidebar navigation a reader with scripts gets, every link absolute: the page's own, or
    the shared tree file its pruned nav names (navcache.py), which nav.js swaps in."""
    html = result.html(rel)
    start, end = html.find("md-sidebar--primary"), html.find("md-sidebar--secondary")
    assert start >= 0 and end > start
    nav = html[start:end]
    nav, base = nav[nav.index("<nav"):nav.rindex("</nav>") + 6], urljoin(ROOT, rel.removesuffix("index.html"))
    tree = _TREE_RE.search(nav)
    if tree:
        url = urljoin(base, tree[1])
        nav, base = (result.site / url[len(ROOT):]).read_text(encoding="utf-8"), ROOT
    nav = _LINK_RE.sub(lambda m: f'{m[1]}="{urljoin(base, m[2])}"', nav)
    return re.sub(r"\s+", " ", nav).strip()


ROOT = "http://kb.test/"


PAGES = ("notes/kd/index.html", "notes/lora/index.html", "notes/papers/qlora/index.html", "guide/index.html",
         "index.html", "topics/index.html", "todo/index.html")


def assert_same_site(result: BuildResult, baseline: BuildResult) -> None:
    """The fallback builds the site the fast path builds: wikilinks, titles, navigation."""
    kd = result.page("notes/kd/index.html")
    link = kd.find("a", cls="kb-link")
    assert (link["attrs"]["href"], link["text"]) == ("../lora/#%E6%96%B9%E6%B3%95", "LoRA 的方法")
    assert result.page("guide/index.html").find("title")["text"].startswith("使用指南")
    nav = _nav(result, "notes/kd/index.html")
    assert "参数高效" in nav and "压缩" in nav
    for rel in PAGES:
        assert _article(result, rel) == _article(baseline, rel), rel
        assert _nav(result, rel) == _nav(baseline, rel), rel
        assert result.page(rel).find("title")["text"] == baseline.page(rel).find("title")["text"], rel


def assert_one_warning(result: BuildResult, internal: str, fallback: str | None = None) -> None:
    """One WARNING line names ``internal`` (and, given, the fallback it took), and every probe
    warning of the build names ``internal``: nothing else fell back, nothing was said twice."""
    lines = [line for line in result.logs if "is not there" in line]
    assert lines and all(line.startswith("WARNING:") and internal in line for line in lines), result.logs
    assert len(lines) == len(set(lines)), lines
    if fallback is None:
        assert len(lines) == 1, lines
    else:
        assert len([line for line in lines if fallback in line]) == 1, lines


def _search_index(result: BuildResult) -> Any:
    return json.loads((result.site / "search" / "search_index.json").read_text(encoding="utf-8"))  # the entry


def assert_kbsite_search(result: BuildResult) -> None:
    html = result.html("notes/kd/index.html")
    assert KBSITE_WORKER in html and not MATERIAL_WORKER.search(html)
    assert _search_index(result)["docs"]["kbsite"] == FORMAT


def assert_material_search(result: BuildResult) -> None:
    for rel in PAGES:
        html = result.html(rel)
        assert MATERIAL_WORKER.search(html), rel
        assert KBSITE_WORKER not in html, rel
    docs = _search_index(result)["docs"]
    assert isinstance(docs, list) and docs, "Material's own index (a list of documents) is written"
    assert {"location", "title", "text"} <= set(docs[0])
    # Material's index: jieba's words joined by zero-width spaces
    assert any(d["location"] == "notes/kd/" and d["title"].replace("\u200b", "") == "知识蒸馏" for d in docs)


# ---- Nothing missing ----------------------------------------------------------------------------


def test_no_probe_warning_when_every_internal_is_there(baseline: BuildResult, tmp_path: Path) -> None:
    assert [line for line in baseline.logs if "is not there" in line] == []
    assert_kbsite_search(baseline)
    served = _build(make_kb(tmp_path, FILES, MKDOCS_YML), serve=True, rebuilds=2)
    for result in served:
        assert [line for line in result.logs if "is not there" in line] == []
    assert_same_site(served[-1], baseline)


def test_every_probe_passes_on_the_installed_versions() -> None:
    assert {name: check() for name, (check, _) in probes.PROBES.items()} == dict.fromkeys(probes.PROBES)


# ---- Shared Markdown render ---------------------------------------------------------------------


@pytest.mark.parametrize("internal", probes.PAGE_INTERNALS)
def test_shared_markdown_falls_back(internal: str, baseline: BuildResult, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from mkdocs.structure import pages

    rename(monkeypatch, pages, internal)
    result = _site(tmp_path)
    assert_one_warning(result, f"mkdocs.structure.pages.{internal}")
    assert_same_site(result, baseline)
    assert_kbsite_search(result)


# ---- Serve page cache ---------------------------------------------------------------------------


@pytest.mark.parametrize("internal", ["present_anchor_ids", "links_to_anchors", "_title_from_render"])
def test_page_cache_falls_back(internal: str, baseline: BuildResult, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    from mkdocs.structure.pages import Page

    if internal == "_title_from_render":
        rename(monkeypatch, Page, internal)  # MkDocs keeps the H1 title under another name
    else:
        monkeypatch.delattr(Page, internal)  # the documented class attribute is gone
    make_kb(tmp_path, FILES, MKDOCS_YML)
    first, second = _build(tmp_path, serve=True, rebuilds=2)
    for result in (first, second):  # once per build, not once per page or per rebuild
        assert_one_warning(result, f"Page.{internal}", probes.PROBES["page-cache"][1])
    plugin = load_config(config_file=str(tmp_path / "mkdocs.yml")).plugins["kbsite"]
    assert plugin._use_page_cache is False  # every note was rendered again
    assert_same_site(second, baseline)


def test_shared_markdown_falls_back_when_pages_keep_their_h1_title_elsewhere(
        baseline: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared render writes the render's results into the Page (title, anchors) as MkDocs 1.6
    does; if MkDocs keeps them under other names, pages must render the stock way, not lose
    their H1 titles."""
    from mkdocs.structure.pages import Page

    rename(monkeypatch, Page, "_title_from_render")
    result = _site(tmp_path)
    assert_one_warning(result, "Page._title_from_render", probes.PROBES["shared-markdown"][1])
    assert_same_site(result, baseline)


# ---- Navigation cache ---------------------------------------------------------------------------


@pytest.mark.parametrize("internal", ["_get_norm_url", "_norm_parts"])
def test_nav_cache_falls_back(internal: str, baseline: BuildResult, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    import mkdocs.utils

    rename(monkeypatch, mkdocs.utils, internal)
    result = _site(tmp_path)
    assert_one_warning(result, f"mkdocs.utils.{internal}")
    assert_same_site(result, baseline)


# ---- Search worker swap -------------------------------------------------------------------------


def test_search_falls_back_when_materials_worker_url_changed(baseline: BuildResult, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(probes, "MATERIAL_WORKER_RE", re.compile(r"assets/javascripts/workers/search\.v2\.js"))
    result = _site(tmp_path)
    assert_one_warning(result, "the search worker URL in Material's base.html")
    assert_material_search(result)
    assert "kb-link" in _article(result, "notes/kd/index.html")
    assert _article(result, "notes/kd/index.html") == _article(baseline, "notes/kd/index.html")


def test_search_falls_back_when_materials_base_html_is_gone(baseline: BuildResult, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import material

    monkeypatch.setattr(material, "__file__", str(tmp_path / "moved" / "material" / "__init__.py"))
    (tmp_path / "kb").mkdir()
    result = _site(tmp_path / "kb")
    assert_one_warning(result, "material/templates/base.html")
    assert_material_search(result)
    assert _article(result, "notes/kd/index.html") == _article(baseline, "notes/kd/index.html")


def test_search_falls_back_without_plugin_events(baseline: BuildResult, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from mkdocs.plugins import PluginCollection

    rename(monkeypatch, PluginCollection, "events")
    result = _site(tmp_path)
    assert_one_warning(result, "PluginCollection.events")
    assert_material_search(result)
    assert_same_site(result, baseline)


# ---- Serve page loop ----------------------------------------------------------------------------


def test_serve_page_loop_falls_back_when_build_calls_another_function(baseline: BuildResult, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A MkDocs whose ``build`` no longer calls ``_build_page`` by that name: unchanged pages go
    through MkDocs' page build again (still rendering nothing), and the site is the same."""
    from kbsite.plugin.pageloop import PageLoop

    monkeypatch.setattr(build, "_build_page__v2", build._build_page, raising=False)
    monkeypatch.setattr(build.build, "__code__", _renamed_code(build.build.__code__, "_build_page", "_build_page__v2"))
    starts: list[object] = []
    real_start = PageLoop.start
    monkeypatch.setattr(PageLoop, "start", lambda self, skip: starts.append(skip) or real_start(self, skip))
    make_kb(tmp_path, FILES, MKDOCS_YML)
    first, second = _build(tmp_path, serve=True, rebuilds=2)
    assert [line for line in first.logs if "is not there" in line] == []  # nothing skipped: not asked
    assert_one_warning(second, "mkdocs.commands.build._build_page", probes.PROBES["page-loop"][1])
    assert starts == []
    plugin = load_config(config_file=str(tmp_path / "mkdocs.yml")).plugins["kbsite"]
    assert plugin._incremental.skipped > 0 and plugin._page_loop.bypassed == 0
    assert_same_site(second, baseline)


def test_serve_page_loop_bypasses_unchanged_pages(tmp_path: Path) -> None:
    make_kb(tmp_path, FILES, MKDOCS_YML)
    real = build._build_page
    _build(tmp_path, serve=True, rebuilds=2)
    plugin = load_config(config_file=str(tmp_path / "mkdocs.yml")).plugins["kbsite"]
    assert plugin._page_loop.bypassed == plugin._incremental.skipped > 0
    assert build._build_page is real  # MkDocs' own function is back after the build
