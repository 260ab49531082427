"""The navigation cache: every page gets exactly the navigation a fresh render would give it."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import pytest

from kbtest import MKDOCS_YML, build_kb, make_kb
from kbsite.plugin import navcache

# Notes at three depths, a topic note inside a folder that an ordinary note shares (its URL is in
# the nav, theirs are not; notes/papers/bert is as deep as notes/topics/pruning but shares less of
# the nav's URLs), nested topics deeper than the nav shows, a hand-written docs page.
FILES = {
    "notes/lora.md": "---\nid: lora\ntitle: LoRA\ntopics: [微调/参数高效]\n---\n正文 [[kd]]\n",
    "notes/kd.md": "---\nid: kd\ntitle: 知识蒸馏\ntopics: [压缩]\n---\n正文\n",
    "notes/topics/compress.md": "---\nid: compress\ntitle: 压缩\ntype: topic\n---\n压缩主题\n",
    "notes/topics/pruning.md": "---\nid: pruning\ntitle: 剪枝\ntopics: [压缩/结构化/通道]\n---\n剪枝\n",
    "notes/papers/bert.md": "---\nid: bert\ntitle: BERT\ntopics: [注意力]\n---\n同深度，另一个文件夹\n",
    "notes/papers/2024/gqa.md": "---\nid: gqa\ntitle: GQA\ntopics: [注意力]\n---\n分组查询注意力\n",
    "notes/papers/2024/mqa.md": "---\nid: mqa\ntitle: MQA\ntopics: [注意力]\n---\n多查询注意力\n",
    "docs/guide/usage.md": "# 用法\n\n说明。\n",
}


def _navs(site: Path) -> dict[str, str]:
    """The primary sidebar of every page, whitespace collapsed (the cache drops indentation)."""
    out = {}
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        start, end = html.find("md-sidebar--primary"), html.find("md-sidebar--secondary")
        if start >= 0:
            out[page.relative_to(site).as_posix()] = re.sub(r"\s+", " ", html[start:end])
    return out


_TREE_RE = re.compile(r' data-kb-nav-tree="([^"]*)"')
_HREF_RE = re.compile(r'\b(href|src)="([^"]*)"')


def _resolved(nav: str, base: str) -> str:
    """``nav`` with every link made absolute against ``base`` (a page's or the site root's URL)."""
    return _HREF_RE.sub(lambda m: f'{m[1]}="{urljoin(base, m[2])}"', nav)


@pytest.mark.parametrize("directory_urls", [True, False])
def test_cached_navigation_equals_a_fresh_render(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  directory_urls: bool) -> None:
    yml = MKDOCS_YML + f"use_directory_urls: {str(directory_urls).lower()}\n"
    yml = yml.replace("  font: false\n", "  font: false\n  logo: assets/logo.png\n")
    files = {**FILES, "docs/assets/logo.png": b"\x89PNG\r\n\x1a\n"}
    puts: list[object] = []
    real_put = navcache.NavCache.put
    monkeypatch.setattr(navcache.NavCache, "put", lambda self, key, *a: puts.append(key) or real_put(self, key, *a))
    (tmp_path / "a").mkdir()
    result = build_kb(make_kb(tmp_path / "a", files, yml))
    cached = _navs(result.site)

    monkeypatch.setattr(navcache.NavCache, "key", lambda self, page: None)  # render every page
    (tmp_path / "b").mkdir()
    fresh = _navs(build_kb(make_kb(tmp_path / "b", files, yml)).site)
    # ... and every page pruned, as Material's own navigation.prune renders it
    pruned_yml = yml.replace("  font: false\n", "  font: false\n  features: [navigation.prune]\n")
    (tmp_path / "c").mkdir()
    pruned = _navs(build_kb(make_kb(tmp_path / "c", files, pruned_yml)).site)

    assert cached.keys() == fresh.keys() == pruned.keys() and len(cached) > 10
    outside = {p for p, nav in cached.items() if _TREE_RE.search(nav)}
    assert outside and len(outside) < len(cached)
    # Pages in the nav render it whole, as before; pages outside it get it pruned, plus the
    # name of the tree file.
    assert [p for p in cached if p not in outside and cached[p] != fresh[p]] == []
    assert [p for p in outside if _TREE_RE.sub("", cached[p]) != pruned[p]] == []
    assert all(len(cached[p]) < len(fresh[p]) / 2 for p in outside)
    # Pages outside the nav shared renderings: one per distinct key, fewer than such pages.
    assert 0 < len(puts) == len(set(puts)) < len(outside)
    # The tree file is the full navigation: with its links resolved against the site root, it is
    # what a fresh render gives each page outside the nav with its links resolved against the page.
    root = "http://kb.test/"
    trees = set()
    for page in sorted(outside):
        href = _TREE_RE.search(cached[page])[1]  # type: ignore[index]
        page_url = urljoin(root, page.removesuffix("index.html"))
        trees.add(urljoin(page_url, href))
        tree_file = result.site / urljoin(page_url, href)[len(root):]
        tree = re.sub(r"\s+", " ", tree_file.read_text(encoding="utf-8"))
        full = fresh[page][fresh[page].index("<nav"):fresh[page].rindex("</nav>") + 6]
        assert _resolved(tree, root) == _resolved(full.strip(), page_url), page
    assert len(trees) == 1  # one file for every page
    # The relative links really differ between depths, so equality above is not vacuous.
    lora = "notes/lora/index.html" if directory_urls else "notes/lora.html"
    gqa = "notes/papers/2024/gqa/index.html" if directory_urls else "notes/papers/2024/gqa.html"
    assert cached[lora] != cached[gqa]
    assert fresh[lora] != fresh[gqa]


def test_custom_dir_overriding_nav_partials_turns_the_cache_off(tmp_path: Path) -> None:
    yml = MKDOCS_YML.replace("  font: false\n", "  font: false\n  custom_dir: overrides\n")
    import material

    original = (Path(material.__file__).parent / "templates" / "partials" / "nav-item.html").read_text("utf-8")
    files = {**FILES, "overrides/partials/nav-item.html": original.replace(
        '<span class="md-ellipsis">', '<span class="md-ellipsis" data-custom="{{ page.url }}">')}
    result = build_kb(make_kb(tmp_path, files, yml))
    # The override prints the page's own URL: a shared rendering would show another page's.
    for rel, want in (("notes/lora/index.html", "notes/lora/"), ("notes/kd/index.html", "notes/kd/")):
        assert f'data-custom="{want}"' in result.html(rel)
