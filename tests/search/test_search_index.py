"""kbsite's search index: built at build time, UTF-8, Material's UI pointed at kbsite's worker."""

from __future__ import annotations

import json

import pytest

from kbtest import MKDOCS_YML
from kbsite.search import SearchIndexBuilder, Segmenter, domain_words, page_from_html, split_sections
from kbsite.search.shards import read_index

NOTES = {
    "notes/kd.md": """
        ---
        id: knowledge-distillation
        title: 知识蒸馏
        aliases: [KD, Knowledge Distillation, 模型蒸馏]
        tags: [模型压缩]
        year: 2015
        ---
        # 知识蒸馏

        学生模型模仿教师模型的**软标签**，见 [[rope]]。

        ## 温度

        温度 $T$ 让分布更平缓：$$p_i = \\frac{e^{z_i/T}}{\\sum_j e^{z_j/T}}$$

        ```python
        loss = kl_div(student, teacher)
        ```
        """,
    "notes/rope.md": """
        ---
        id: rope
        title: 旋转位置编码
        aliases: [RoPE, Rotary Position Embedding]
        ---
        RoPE 把位置编码成旋转。
        """,
}


def _index(result) -> dict:  # type: ignore[no-untyped-def]
    index, raw = read_index(result.site)  # the entry and every shard, pages inline
    assert "知识蒸馏" in raw and "\\u77e5" not in raw  # UTF-8, not \\uXXXX escapes
    return index


def _page(index: dict, location: str) -> list:
    return next(p for p in index["docs"]["pages"] if p[0] == location)


def test_index_has_titles_aliases_meta_and_sections(kb) -> None:  # type: ignore[no-untyped-def]
    result = kb(NOTES)
    index = _index(result)
    assert index["docs"]["kbsite"] == 2
    location, title, aliases, meta, sections, *rest = _page(index, "notes/kd/")
    assert title == "知识蒸馏"
    assert aliases == ["KD", "Knowledge Distillation", "模型蒸馏"]
    assert "模型压缩" in meta and "2015" in meta
    text = " ".join(s[2] for s in sections)
    assert "软标签" in text and "kl_div" in text
    # A formula counts as its TeX, in place (no gap in the sentence), not as MathML tokens.
    assert "温度 T 让分布更平缓：" in text and "p_i = \\frac{e^{z_i/T}}{\\sum_j e^{z_j/T}}" in text
    assert "<m" not in text
    assert "¶" not in text  # nor permalinks
    assert ["温度", "温度"] == sections[1][:2]
    # The note linking here counts, and the id "rope" (dropped as an alias by the core) is
    # searchable, spelled as in the body.
    assert "RoPE" in _page(index, "notes/rope/")[2]
    assert _page(index, "notes/rope/")[5] == 1
    # The domain dictionary keeps names whole, first in the word list.
    words = index["docs"]["words"].split(" ")
    assert "知识蒸馏" in words[: index["docs"]["domain"]]
    assert "旋转位置编码" in words[: index["docs"]["domain"]]


def test_material_ui_uses_kbsite_worker(kb) -> None:  # type: ignore[no-untyped-def]
    result = kb(NOTES)
    html = result.html("notes/kd/index.html")
    assert "assets/kbsite/search-worker.js?v=" in html
    assert "workers/search." not in html
    assert (result.site / "assets" / "kbsite" / "search-worker.js").exists()
    assert 'data-md-component="search-query"' in html  # Material's search box is still there
    # Page chrome outside page.content (backlinks, header) never reaches the index.
    index = _index(result)
    rope_text = " ".join(s[2] for s in _page(index, "notes/rope/")[4])
    assert "知识蒸馏" not in rope_text


def test_search_off_warns_about_a_separator_that_breaks_chinese(kb) -> None:  # type: ignore[no-untyped-def]
    yml = MKDOCS_YML.replace("  - search\n", "  - search:\n      separator: '[\\s\\-]+'\n")
    yml = yml.replace("  - kbsite\n", "  - kbsite:\n      search: false\n")
    assert yml != MKDOCS_YML
    result = kb(NOTES, mkdocs_yml=yml)
    assert any("U+200B" in line and line.startswith("WARNING") for line in result.logs), result.logs
    index = json.loads((result.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert isinstance(index["docs"], list)  # Material's own index


def test_ignored_material_options_are_reported(kb) -> None:  # type: ignore[no-untyped-def]
    yml = MKDOCS_YML.replace("  - search\n", "  - search:\n      jieba_dict_user: words.txt\n")
    result = kb({**NOTES, "words.txt": "知识蒸馏\n"}, mkdocs_yml=yml)
    assert any("'jieba_dict_user' has no effect" in line for line in result.logs), result.logs


def test_split_sections_skips_chrome() -> None:
    html = ('<p>前言<script>x()</script></p><h2 id="a">标题<a class="headerlink" href="#a">¶</a></h2>'
            '<p>正文<span class="kb-math"><math><mi>x</mi></math></span>结束</p>'
            '<div data-search-exclude><p>隐藏</p></div><ul><li>一</li><li>二</li></ul>')
    sections = split_sections(html)
    assert [(s.anchor, s.heading, s.text) for s in sections] == [
        ("", "", "前言"), ("a", "标题", "正文结束 一 二")]


@pytest.mark.parametrize("html, expected", [
    # entities decoded, <br/> a space, a comment (with tags in it) dropped, ">" inside a quoted attribute
    ('<p>a<br/>b</p><h2 id="x&amp;y">T &lt;<em>i</em></h2>q<!-- c <p>no</p> --><p title="a>b">z</p>',
     [("", "", "a b"), ("x&y", "T <i", "q z")]),
    # a script holding an end tag runs to </script>; an unterminated heading keeps its text
    ('<script>if(a<b){"</div>"}</script><p>k</p><h3 id=a>open', [("", "", "k"), ("a", "open", "")]),
    # data-search-exclude without a value, an upper-case STYLE, a bare "<" in text
    ('<p>x<span data-search-exclude>no</span>yes</p><STYLE>p>a{}</style><pre>1 < 2 &amp;&amp; 3</pre>',
     [("", "", "xyes 1 < 2 && 3")]),
    # a formula is its TeX (alttext), once, even with markup inside; MathML without alttext is skipped
    ('<p>设<math alttext="x^2 &lt; 1"><msup><mi>x</mi><mn>2</mn></msup></math>，且<math><mi>y</mi></math>为</p>',
     [("", "", "设 x^2 < 1 ，且为")]),
    # line-number gutters and nested skipped elements leave the text around them
    ('<table><tr><td class="linenos"><pre>1\n2</pre></td><td><pre>code</pre></td></tr></table>'
     '<p>a<button>copy<span>x</span></button>b</p>', [("", "", "code ab")]),
])
def test_split_sections_html_rules(html: str, expected: list[tuple[str, str, str]]) -> None:
    assert [(s.anchor, s.heading, s.text) for s in split_sections(html)] == expected


def test_page_from_html_dedupes_title_and_aliases() -> None:
    page = page_from_html("x/", "LoRA", "<h1 id='lora'>LoRA</h1><p>正文</p>",
                          aliases=["lora", "低秩适配", "低秩适配 "])
    assert page.aliases == ("低秩适配",)
    # The page's own "# LoRA" is its title, not a section: its text is the page's lead section
    # (a section headed "LoRA" would be a second search result repeating the page).
    assert page.sections == [("", "", "正文")]


def test_domain_words_keep_chinese_names_whole() -> None:
    assert domain_words(["KV 缓存", "知识蒸馏", "LoRA", "分组查询注意力"]) == {"缓存", "知识蒸馏", "分组查询注意力"}


def test_segmentation_is_cached_by_content() -> None:
    calls: list[str] = []

    def cut(text: str) -> list[str]:
        calls.append(text)
        return [text[i:i + 2] for i in range(0, len(text), 2)]

    seg = Segmenter(cut, "fake")
    assert seg.words("知识蒸馏 abc") == ("知识", "蒸馏")
    assert seg.words("知识蒸馏 abc") == ("知识", "蒸馏")
    assert len(calls) == 1 and seg.hits == 1
    builder = SearchIndexBuilder(seg, glossary=[])  # domain words from the notes only
    builder.add(page_from_html("a/", "知识蒸馏", "<p>低秩适配</p>"))
    data = builder.data()
    assert data["docs"]["domain"] == 1
    assert data["docs"]["words"].split(" ")[0] == "知识蒸馏"


def test_rjieba_cuts_like_jieba() -> None:
    import rjieba
    import logging
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    text = "知识蒸馏让学生模型模仿教师模型的软标签分组查询注意力减少键值缓存低秩适配冻结预训练权重"
    assert list(rjieba.cut(text, True)) == list(tok.cut(text, HMM=True))


def test_unchanged_pages_are_not_reparsed_across_rebuilds(monkeypatch) -> None:
    from types import SimpleNamespace

    import kbsite.plugin.search as adapter
    from kbsite.search import SearchIndexBuilder

    calls: list[str] = []
    real = adapter.page_from_html
    monkeypatch.setattr(adapter, "page_from_html", lambda url, *a, **k: calls.append(url) or real(url, *a, **k))
    search = adapter.SiteSearch()

    def build(pages: dict[str, str]) -> list[str]:
        search.builder = SearchIndexBuilder(search.segmenter)
        for url, content in pages.items():
            search.add_page(SimpleNamespace(url=url, content=content, meta={}, title=url))
        return [p.location for p in search.builder.pages]

    build({"a/": "<p>知识蒸馏</p>", "b/": "<p>剪枝</p>"})
    assert calls == ["a/", "b/"]
    search.on_post_build(SimpleNamespace(site_dir=str(__import__("tempfile").mkdtemp())))
    assert build({"a/": "<p>知识蒸馏</p>", "b/": "<p>剪枝与量化</p>"}) == ["a/", "b/"]
    assert calls == ["a/", "b/", "b/"]  # only the changed page was parsed again
    assert search.builder.pages[1].sections[0][2] == "剪枝与量化"
