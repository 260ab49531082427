"""Hover preview fragments, from real builds: one small file per note (and generated topic page)
with every heading, sanitised excerpts, site-relative links, within 3 KB."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from kbtest import REPO, Html, build_kb, make_kb

from kbsite.core.graphdata import data_path
from kbsite.plugin.previews import BUDGET, _RESOLVE, build_preview, split_sections, truncate_html

LONG = "这一段很长，用来测试摘要的截断。" * 80
NOTES = {
    "notes/lora.md": "---\ntitle: LoRA\ntype: technique\nstatus: done\naliases: [低秩适配]\n---\n# LoRA\n\n"
                     "引言：冻结原权重，见 [[QLoRA]]。\n\n## 方法\n\n低秩增量 $W = W_0 + BA$，**只训练** $A$ 和 $B$。\n\n"
                     "```python\nprint('code is left out')\n```\n\n## KV Cache 量化\n\n- 还缺 [[NF4 量化]]\n\n"
                     "### 细节 & 注意\n\n" + LONG + "\n",
    "notes/qlora.md": "---\ntitle: QLoRA\ntopics: [参数高效微调]\n---\n在 [[低秩适配#方法|LoRA 的方法]] 之上，"
                      "见 [[LoRA#KV Cache 量化]]。\n\n## 小节\n\n" + LONG + "\n",
    "notes/hostile.md": "---\ntitle: \"<img src=x onerror=alert(1)>\"\n---\n## 小节<script>alert(2)</script>\n\n"
                        "<img src=x onerror=\"alert(3)\"> <a href=\"javascript:alert(4)\">点我</a> "
                        "<iframe src=\"https://example.com\"></iframe> 文本 [[LoRA]]。\n",
    "notes/many.md": "---\ntitle: 很多小节\n---\n" + "".join(f"## 第{i}节\n\n" + LONG[:200] + "\n\n" for i in range(40)),
    "notes/sub/深层 笔记.md": "# 深层\n\n相对链接 [上一级](../lora.md#方法) 和 [[qlora]]。\n",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("previews")
    make_kb(root, NOTES)
    build_kb(root)
    return root / "site"


def _preview(site: Path, url: str) -> dict:
    body = (site / "assets/kbsite/previews" / (data_path(url) + ".json")).read_bytes()
    assert len(body) <= BUDGET, (url, len(body))
    return json.loads(body)


def _page_headings(site: Path, url: str) -> list[tuple[str, str]]:
    """(id, text) of the headings of the note's own body (not kbsite's sections after it)."""
    html = (site / unquote(url) / "index.html").read_text("utf-8")
    body = html.split('<div class="kb-meta"', 1)[1].split('<section class="kb-', 1)[0]
    page = Html(body)
    return [(h["attrs"]["id"], h["text"].rstrip("¶").strip()) for h in page.elements
            if h["tag"] in ("h2", "h3", "h4") and h["attrs"].get("id")]


def test_a_fragment_for_every_note_and_heading(site: Path) -> None:
    for url in ("notes/lora/", "notes/qlora/", "notes/hostile/", "notes/many/", "notes/sub/%E6%B7%B1%E5%B1%82%20%E7%AC%94%E8%AE%B0/"):
        data = _preview(site, url)
        assert data["url"] == url
        assert [(s[0], s[1]) for s in data["sections"][1:]] == _page_headings(site, url), url
    lora = _preview(site, "notes/lora/")
    assert (lora["title"], lora["type_label"], lora["status"], lora["status_label"]) == ("LoRA", "技术", "done", "完成")
    ids = [s[0] for s in lora["sections"]]
    assert ids == ["", "方法", "kv-cache-量化", "细节--注意"]
    method = lora["sections"][1][3]
    assert "<strong>只训练</strong>" in method and "<code>W = W_0 + BA</code>" in method  # formulas as TeX
    assert "code is left out" not in json.dumps(lora)  # code blocks are left out
    assert '<span class="kb-wanted">NF4 量化</span>' in lora["sections"][2][3]
    assert lora["sections"][3][3].endswith("…</p>")  # cut to fit, tags closed
    # 40 sections still fit: every heading is listed, the excerpts share the budget.
    many = _preview(site, "notes/many/")
    assert len(many["sections"]) == 41 and all(s[3] for s in many["sections"][1:])


def test_links_are_site_relative_and_encoded(site: Path) -> None:
    intro = _preview(site, "notes/lora/")["sections"][0][3]
    assert '<a class="kb-link" href="notes/qlora/">QLoRA</a>' in intro
    qlora = _preview(site, "notes/qlora/")["sections"][0][3]
    assert 'href="notes/lora/#%E6%96%B9%E6%B3%95"' in qlora  # [[低秩适配#方法]]
    assert 'href="notes/lora/#kv-cache-%E9%87%8F%E5%8C%96"' in qlora
    deep = _preview(site, "notes/sub/%E6%B7%B1%E5%B1%82%20%E7%AC%94%E8%AE%B0/")["sections"][0][3]
    assert 'href="notes/lora/#%E6%96%B9%E6%B3%95"' in deep and 'href="notes/qlora/"' in deep
    for path in (site / "assets/kbsite/previews").rglob("*.json"):
        for section in json.loads(path.read_text("utf-8"))["sections"]:
            for href in re.findall(r'href="([^"]*)"', section[3]):
                assert re.fullmatch(r"[A-Za-z0-9/%#\-._~!$&'()*+,;=:@?]+", href), (path, href)


def test_hostile_note_stays_inert(site: Path) -> None:
    data = _preview(site, "notes/hostile/")
    assert data["title"] == "<img src=x onerror=alert(1)>"  # data: preview.js writes it with textContent
    text = " ".join(str(part) for section in data["sections"] for part in section)
    for bad in ("<script", "onerror", "javascript:", "<iframe", "<img", "alert(2)", "alert(3)"):
        assert bad not in text, bad
    assert "点我" in text and 'href="notes/lora/"' in text


def test_generated_topic_page_has_a_preview(site: Path) -> None:
    data = _preview(site, "topics/%E5%8F%82%E6%95%B0%E9%AB%98%E6%95%88%E5%BE%AE%E8%B0%83/")
    assert data["title"] == "参数高效微调" and data["type_label"] == "主题"
    assert "共 1 篇笔记" in data["sections"][0][3]


def test_bench_corpus_every_note_within_budget(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from gen_corpus import write_corpus
    finally:
        sys.path.remove(str(REPO / "bench"))
    write_corpus(tmp_path, 40, seed=5)
    make_kb(tmp_path, {})
    build_kb(tmp_path)
    site = tmp_path / "site"
    notes = sorted((tmp_path / "notes").rglob("*.md"))
    for note in notes:
        url = note.relative_to(tmp_path).with_suffix("").as_posix() + "/"
        data = _preview(site, url)
        assert [(s[0], s[1]) for s in data["sections"][1:]] == _page_headings(site, url), url


# ---- Units ----------------------------------------------------------------------------------


def test_split_sections() -> None:
    html = ('<p>intro</p><h2 id="方法">方法<a class="headerlink" href="#方法">¶</a></h2><p>a</p>'
            '<h3 id="x-y">X &amp; <code>Y</code></h3><ul><li>b</li></ul>')
    assert split_sections(html) == [("", "", 0, "<p>intro</p>"), ("方法", "方法", 2, "<p>a</p>"),
                                    ("x-y", "X & Y", 3, "<ul><li>b</li></ul>")]


def test_truncate_closes_tags_and_keeps_entities_whole() -> None:
    html = "<p>一二三 <strong>四五 &amp; 六七八九</strong> 十</p><p>后面</p>"
    for limit in range(0, 120, 3):
        out = truncate_html(html, limit)
        assert len(json.dumps(out, ensure_ascii=False).encode()) - 2 <= max(limit, 0) or out == ""
        assert out.count("<p>") == out.count("</p>") and out.count("<strong>") == out.count("</strong>")
        assert not re.search(r"&[a-z]*…", out)
    assert truncate_html(html, 1000) == html


def test_budget_is_kept_with_many_headings() -> None:
    sections = [(f"h{i}", f"标题{i}", 2, "<p>" + "字" * 300 + "</p>") for i in range(30)]
    body = build_preview({"v": 1, "title": "t"}, [("", "", 0, "<p>intro</p>")] + sections)
    data = json.loads(body)
    assert len(body) <= BUDGET and len(data["sections"]) == 31


@pytest.mark.parametrize(("page", "href", "out"), [
    ("notes/a/", "../b/#%E6%96%B9", "notes/b/#%E6%96%B9"), ("notes/a/", "#fn:1", "notes/a/#fn:1"),
    ("notes/a.html", "b.html", "notes/b.html"), ("notes/a/", "脚注", "notes/a/%E8%84%9A%E6%B3%A8"),
    ("notes/a/", "../../../x", None), ("", "notes/x/", "notes/x/"),
])
def test_relative_links_resolve_against_the_page(page: str, href: str, out: str | None) -> None:
    _RESOLVE.set_page(page)
    assert _RESOLVE(href) == out
