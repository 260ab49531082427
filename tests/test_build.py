"""Real builds of tiny knowledge bases: assert on the generated HTML and on MkDocs' log."""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import unquote

import pytest
from mkdocs.exceptions import Abort

from kbsite.search.shards import read_index

from kbtest import build_kb, make_kb

LORA = """\
---
id: lora
title: LoRA
type: technique
aliases: [低秩适配, Low-Rank Adaptation]
topics: [peft]
tags: [微调]
status: done
related: [kd]
---
# LoRA

## 方法

冻结 $W_0$，训练 $\\Delta W = BA$。

$$
h = W_0 x + \\frac{\\alpha}{r} B A x
$$

- [ ] 补充 QLoRA
"""
KD = """\
---
id: kd
title: 知识蒸馏
type: technique
aliases: [KD]
topics: [模型压缩]
status: draft
---
# 知识蒸馏

教师带学生。与 [[ＬｏＲＡ#方法|低秩方法]] 不同，蒸馏改变的是整个学生模型。还想写 [[温度缩放]]。

`[[not-a-link]]` 在代码里。

```
[[also-not]]
```
"""
PEFT = """\
---
id: peft
title: 参数高效微调
type: topic
parent: 大模型
---
# 参数高效微调

只训练少量参数的微调方法。
"""
LLM = """\
---
id: llm
title: 大模型
type: topic
---
# 大模型

概述。
"""
PAPER = """\
---
title: "LoRA: Low-Rank Adaptation of Large Language Models"
type: paper
year: 2021
venue: ICLR 2022
authors: [Edward J. Hu, Yelong Shen]
url: https://arxiv.org/abs/2106.09685
topics: [peft]
status: todo
---
提出 [[LoRA]]。
"""
BASE = {"notes/lora.md": LORA, "notes/kd.md": KD, "notes/topics/peft.md": PEFT,
        "notes/topics/llm.md": LLM, "notes/papers/paper-lora.md": PAPER}


@pytest.fixture
def site(kb):
    return kb(BASE)


def test_notes_are_served_from_notes_dir(site) -> None:
    assert (site.site / "notes/lora/index.html").is_file()
    assert (site.site / "notes/papers/paper-lora/index.html").is_file()
    assert not (site.root / "docs" / "notes").exists()  # nothing copied into docs/


def test_wikilink_with_heading_and_nfkc(site) -> None:
    page = site.page("notes/kd/index.html")
    link = page.find("a", cls="kb-link")
    assert link["attrs"]["href"] == "../lora/#%E6%96%B9%E6%B3%95"  # 方法, percent-encoded
    assert link["text"] == "低秩方法"
    lora = site.page("notes/lora/index.html")
    assert any(h["attrs"].get("id") == "方法" for h in lora.tags("h2"))


def test_wanted_link_is_marked_not_dead(site) -> None:
    page = site.page("notes/kd/index.html")
    wanted = page.find("span", cls="kb-wanted")
    assert wanted["text"] == "温度缩放"
    assert not [a for a in page.tags("a") if a["text"] == "温度缩放"]
    assert "WARNING:kbsite: notes/kd.md:11: warning: wanted note: [[温度缩放]] matches no note (id, title or alias)" in site.logs


def test_code_is_left_alone(site) -> None:
    page = site.page("notes/kd/index.html")
    codes = [c["text"] for c in page.tags("code")]
    assert "[[not-a-link]]" in codes  # inline code, as written
    assert "[[also-not]]\n" in codes  # the fenced block
    assert [a["text"] for a in page.find_all("a", cls="kb-link")] == ["低秩方法"]
    assert [s["text"] for s in page.find_all("span", cls="kb-wanted")] == ["温度缩放"]


def test_backlink_with_snippet(site) -> None:
    page = site.page("notes/lora/index.html")
    items = page.find("ul", cls="kb-backlinks")["children"]
    titles = [li["children"][0]["text"] for li in items]
    assert titles == ["LoRA: Low-Rank Adaptation of Large Language Models", "知识蒸馏"]
    snippet = items[1]["children"][1]
    assert snippet["tag"] == "blockquote"
    snippet = snippet["text"]
    assert snippet == "与 低秩方法 不同，蒸馏改变的是整个学生模型。"


def test_related_from_front_matter_and_topics(site) -> None:
    lora = site.page("notes/lora/index.html")
    related = [li["children"][0]["text"] for li in lora.find("ul", cls="kb-related")["children"]]
    assert related[0] == "知识蒸馏"  # declared
    assert "LoRA: Low-Rank Adaptation of Large Language Models" in related  # shares topic peft


def test_note_header_metadata(site) -> None:
    page = site.page("notes/papers/paper-lora/index.html")
    assert page.find("span", cls="kb-type")["text"] == "论文"
    assert page.find("span", cls="kb-status")["text"] == "待写"
    assert "kb-status--todo" in page.find("span", cls="kb-status")["attrs"]["class"].split()
    assert page.find("span", cls="kb-paper-meta")["text"] == "2021 · ICLR 2022 · Edward J. Hu, Yelong Shen"
    assert page.find("a", cls="kb-topic")["text"] == "参数高效微调"
    assert any(a["attrs"].get("href") == "https://arxiv.org/abs/2106.09685" for a in page.tags("a"))
    lora = site.page("notes/lora/index.html")
    assert [s["text"] for s in lora.find_all("span", cls="kb-alias")] == ["低秩适配", "Low-Rank Adaptation"]
    assert [s["text"] for s in lora.find_all("a", cls="kb-tag")] == ["#微调"]


def test_topic_pages(site) -> None:
    peft = site.page("notes/topics/peft/index.html")
    crumbs = peft.find("nav", cls="kb-breadcrumb")
    assert [(a["tag"], a["attrs"].get("href"), a["text"]) for a in crumbs["children"] if a["tag"] == "a"] == [
        ("a", "../llm/", "大模型")]
    assert crumbs["children"][-1] == {"tag": "span", "attrs": {}, "text": "参数高效微调", "children": []}
    listed = [a["text"] for ul in peft.find_all("ul", cls="kb-notes") for li in ul["children"] for a in li["children"][:1]]
    assert listed == ["LoRA: Low-Rank Adaptation of Large Language Models", "LoRA"]
    # an implicit topic (named in topics:, no topic note) gets a generated page
    implicit = site.page("topics/模型压缩/index.html")
    assert implicit.find("h1")["text"] == "模型压缩"
    assert [a["text"] for a in implicit.find("ul", cls="kb-notes")["children"][0]["children"][:1]] == ["知识蒸馏"]
    # parents count their sub-topics' notes
    llm = site.page("notes/topics/llm/index.html")
    assert llm.find("p", cls="kb-summary")["text"].strip().startswith("共 2 篇笔记")
    # the topics index: 参数高效微调 is a child of 大模型, 模型压缩 a root
    tree = site.page("topics/index.html").find("div", cls="kb-tree")
    roots = [li for ul in tree["children"] if ul["tag"] == "ul" for li in ul["children"] if li["tag"] == "li"]
    assert [li["children"][0]["text"] for li in roots] == ["大模型", "模型压缩"]
    children = [li["children"][0]["text"] for ul in roots[0]["children"] if ul["tag"] == "ul"
                for li in ul["children"] if li["tag"] == "li"]
    assert children == ["参数高效微调"]


def test_nav_is_topics_first_and_lists_no_notes(site) -> None:
    page = site.page("index.html")
    nav_links = [a["text"].strip() for a in page.find_all("a", cls="md-nav__link")]
    assert "LoRA" not in nav_links and "知识蒸馏" not in nav_links
    labels = [el["text"].strip() for el in page.find_all(cls="md-nav__link")]
    assert any("参数高效微调" in t for t in labels)
    assert any("大模型" in t for t in labels)


def test_math_is_mathml_at_build_time(site) -> None:
    page = site.page("notes/lora/index.html")
    maths = [(m["attrs"].get("display"), m["attrs"].get("alttext")) for m in page.tags("math")]
    assert maths == [("inline", "W_0"), ("inline", "\\Delta W = BA"),
                     ("block", "h = W_0 x + \\frac{\\alpha}{r} B A x")]
    # no math script from anywhere: every script and stylesheet is the site's own
    for el in page.tags("script") + page.tags("link"):
        url = el["attrs"].get("src") or el["attrs"].get("href") or ""
        assert "://" not in url and "mathjax" not in url.lower() and "katex" not in url.lower(), el
    assert not [s for s in page.tags("script") if "MathJax" in s["text"]]


def _list_after(page, heading_id: str, tag: str, cls: str) -> dict:  # type: ignore[no-untyped-def]
    """The first ``<tag class=cls>`` after the heading ``heading_id`` (the list of that section)."""
    start = page.elements.index(page.find(id=heading_id))
    found = [el for el in page.elements[start:]
             if el["tag"] == tag and cls in (el["attrs"].get("class") or "").split()]
    assert found, (heading_id, tag, cls)
    return found[0]


def test_todo_page_lists_wanted_and_todo(site) -> None:
    page = site.page("todo/index.html")
    wanted = [li for li in page.find("ul", cls="kb-wanted-list")["children"] if li["tag"] == "li"]
    assert len(wanted) == 1
    name, referrer = wanted[0]["children"][0], [c for c in wanted[0]["children"] if c["tag"] == "a"]
    assert (name["tag"], name["attrs"]["class"], name["text"]) == ("span", "kb-wanted", "温度缩放")
    assert [(a["attrs"]["href"], a["text"]) for a in referrer] == [("../notes/kd/", "知识蒸馏")]
    todo = [li for li in _list_after(page, "todo-notes", "ul", "kb-notes")["children"] if li["tag"] == "li"]
    assert [(li["children"][0]["tag"], li["children"][0]["attrs"]["href"], li["children"][0]["text"]) for li in todo] == [
        ("a", "../notes/papers/paper-lora/", "LoRA: Low-Rank Adaptation of Large Language Models")]
    badge = [c for c in todo[0]["children"] if (c["attrs"].get("class") or "").startswith("kb-s--")]
    assert [(b["text"], b["attrs"]["class"]) for b in badge] == [("待写", "kb-s--todo")]


HOSTILE = """\
---
title: "<script>alert('t')</script>"
id: hostile
aliases: ["<img src=x onerror=alert(1)>"]
tags: ["<b onmouseover=alert(2)>"]
venue: "</title><script>alert(3)</script>"
authors: ["<svg onload=alert(4)>"]
url: "javascript:alert(5)"
topics: ["<i>topic</i>"]
type: paper
---
正文 $\\text{<script>alert(6)</script>}$ 结束。
"""


def _assert_no_hostile_markup(page, rel: str) -> None:  # type: ignore[no-untyped-def]
    """Element by element: no handler, no javascript: URL, no element the front matter wrote."""
    for el in page.elements:
        for name, value in el["attrs"].items():
            assert not name.startswith("on"), (rel, el["tag"], name, value)
            if name in ("href", "src", "action", "formaction") and value:
                assert not value.strip().lower().startswith("javascript:"), (rel, el["tag"], value)
                assert "alert(" not in value, (rel, el["tag"], name, value)
        if el["tag"] == "script":
            assert "alert(" not in el["text"], (rel, el["text"][:80])
        # the front matter's markup, had it been parsed, would be these elements
        assert not (el["tag"] == "img" and el["attrs"].get("src") == "x"), rel
    assert not [el for el in page.tags("i") if el["text"] == "topic"], rel


def test_hostile_front_matter_is_escaped_everywhere(kb) -> None:
    result = kb({"notes/h.md": HOSTILE, "notes/ref.md": "见 [[hostile]]\n"})
    page = result.page("notes/h/index.html")
    # the generated page of the hostile topic, found the way a reader finds it
    chip = page.find("a", cls="kb-topic")
    assert chip["text"] == "<i>topic</i>"
    topic_rel = posixpath.normpath(posixpath.join("notes/h/", unquote(chip["attrs"]["href"]))) + "/index.html"
    assert topic_rel.startswith("topics/") and (result.site / topic_rel).is_file(), topic_rel
    pages = ["notes/h/index.html", "notes/ref/index.html", "topics/index.html", "todo/index.html",
             "index.html", topic_rel]
    for rel in pages:
        html = result.html(rel)
        for needle in ["<script>alert", "<img src=x", "<b onmouseover", "<svg onload", "<i>topic",
                       'href="javascript:']:
            assert needle not in html, (rel, needle)
        _assert_no_hostile_markup(result.page(rel), rel)
    # each value is there, as text, in its own element
    assert page.find("h1")["text"] == "<script>alert('t')</script>"
    assert [s["text"] for s in page.find_all("span", cls="kb-alias")] == ["<img src=x onerror=alert(1)>"]
    assert [s["text"] for s in page.find_all("a", cls="kb-tag")] == ["#<b onmouseover=alert(2)>"]
    assert [s["text"] for s in page.find_all("span", cls="kb-paper-meta")] == [
        "</title><script>alert(3)</script> · <svg onload=alert(4)>"]
    assert all(el["children"] == [] for cls in ("kb-alias", "kb-tag", "kb-paper-meta")
               for el in page.find_all(None, cls=cls))
    assert not [a for a in page.tags("a") if a["text"] == "原文链接"]  # the javascript: url is not linked
    title = page.find("title")["text"]
    assert title.startswith("<script>alert('t')</script>")  # the text of <title>, not markup
    assert "&lt;script&gt;" in result.html("notes/h/index.html")
    # the referring note shows the title as a link's text; the topic page as its heading
    ref = result.page("notes/ref/index.html")
    assert [a["text"] for a in ref.find_all("a", cls="kb-link")] == ["<script>alert('t')</script>"]
    topic = result.page(topic_rel)
    assert topic.find("h1")["text"] == "<i>topic</i>"
    assert [a["text"] for a in topic.find("ul", cls="kb-notes")["children"][0]["children"][:1]] == [
        "<script>alert('t')</script>"]
    assert [a["text"] for a in result.page("topics/index.html").find("div", cls="kb-tree")["children"][0]
            ["children"][0]["children"][:1]] == ["<i>topic</i>"]
    index = read_index(result.site)[1]  # the entry and every shard
    assert "<script>alert('t')" not in index


def test_hostile_id_and_topic_cannot_write_outside_site(kb, tmp_path: Path) -> None:
    result = kb({"notes/x.md": "---\nid: ../../escape\ntopics: ['../../../outside']\n---\n"})
    assert not (tmp_path.parent / "outside").exists()
    assert not (tmp_path / "escape").exists()
    for path in result.site.rglob("*"):
        assert path.resolve().is_relative_to(result.site.resolve())
    assert any("not a safe slug" in line for line in result.logs)


def test_notes_without_front_matter_build(kb) -> None:
    result = kb({"notes/a.md": "# 第一篇\n\n见 [第二篇](sub/b.md)。\n", "notes/sub/b.md": "第二篇的正文\n",
                 "notes/img/pic.png": b"\x89PNG\r\n"})
    page = result.page("notes/a/index.html")
    assert page.find("a", href="../sub/b/")["text"] == "第二篇"
    assert page.find("h1")["text"] == "第一篇"
    assert (result.site / "notes/img/pic.png").is_file()
    back = result.page("notes/sub/b/index.html").find("ul", cls="kb-backlinks")
    assert [(li["children"][0]["attrs"]["href"], li["children"][0]["text"]) for li in back["children"]] == [
        ("../../a/", "第一篇")]


def test_bad_note_is_reported_and_the_rest_builds(kb) -> None:
    result = kb({"notes/bad.md": "---\ntitle: [broken\n---\n正文\n", "notes/good.md": "# 好\n"})
    assert (result.site / "notes/good/index.html").is_file()
    assert (result.site / "notes/bad/index.html").is_file()  # shown with defaults
    assert any(line.startswith("WARNING:kbsite: notes/bad.md:3: error: front matter is not valid YAML")
               for line in result.logs), result.logs


def test_strict_build_fails_on_note_problems(tmp_path: Path) -> None:
    make_kb(tmp_path, {"notes/bad.md": "---\nstatus: finished\n---\n"})
    with pytest.raises(Abort):
        build_kb(tmp_path, strict=True)


def test_plugin_never_writes_into_notes(kb, tmp_path: Path) -> None:
    make_kb(tmp_path, BASE)
    before = {p: p.read_bytes() for p in (tmp_path / "notes").rglob("*")
              if p.is_file()}
    build_kb(tmp_path)
    after = {p: p.read_bytes() for p in (tmp_path / "notes").rglob("*") if p.is_file()}
    assert before == after


def _validated(options: dict, cwd: Path) -> tuple[object, list, list]:
    from kbsite.plugin.config import KbsiteConfig

    cfg = KbsiteConfig(config_file_path=str(cwd / "mkdocs.yml"))  # notes_dir is relative to it
    cfg.load_dict(options)
    errors, warnings = cfg.validate()
    return cfg, errors, warnings


def test_config_defaults(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    cfg, errors, warnings = _validated({}, tmp_path)
    assert (errors, warnings) == ([], [])
    assert cfg["enabled"] is True
    assert Path(cfg["notes_dir"]) == tmp_path / "notes"
    assert cfg["wanted"] == "warn"
    assert cfg["nav"] is True and cfg["search"] is True and cfg["sanitize"] is True
    cfg, errors, warnings = _validated({"wanted": "info", "sanitize": False, "search": False}, tmp_path)
    assert (errors, warnings) == ([], [])
    assert (cfg["wanted"], cfg["sanitize"], cfg["search"]) == ("info", False, False)


@pytest.mark.parametrize("options, key", [
    ({"wanted": "loud"}, "wanted"),
    ({"sanitize": "no"}, "sanitize"),  # a string is not a boolean, even one that reads like one
    ({"nav": "yes"}, "nav"),
    ({"notes_dir": "missing"}, "notes_dir"),
    ({"santize": False}, "santize"),  # a typo is not silently ignored
])
def test_config_rejects_bad_values(tmp_path: Path, options: dict, key: str) -> None:
    (tmp_path / "notes").mkdir()
    _, errors, warnings = _validated(options, tmp_path)
    assert [name for name, _ in errors + warnings] == [key], (errors, warnings)
    if key != "santize":
        assert [name for name, _ in errors] == [key]  # an error, not a warning: the build stops


def test_wikilink_in_table_and_inline_display_math(kb) -> None:
    result = kb({"notes/a.md": "# A\n\n## 小节\n", "notes/b.md":
                 "| 名称 | 链接 |\n|---|---|\n| 一 | [[a#小节\\|去 A]] |\n\n- 列表里的公式 $$x^2$$ 也行\n"})
    page = result.page("notes/b/index.html")
    cell = page.find("td", cls=None)
    link = page.find("a", cls="kb-link")
    assert link["text"] == "去 A"
    assert link["attrs"]["href"] == "../a/#%E5%B0%8F%E8%8A%82"  # 小节
    assert len(page.tags("td")) == 2 and cell["text"] == "一"
    assert page.find("span", cls="kb-math--display")["children"][0]["tag"] == "math"


def test_github_style_lists(kb) -> None:
    result = kb({"notes/a.md": "# A\n\n**三类方法**\n- 剪枝\n  - 结构化\n  - 非结构化\n- 量化\n\n```\n- 代码里\n```\n"})
    page = result.page("notes/a/index.html")
    outer = [ul for ul in page.tags("ul") if "剪枝" in ul["text"] and "量化" in ul["text"]][0]
    items = [li for li in outer["children"] if li["tag"] == "li"]
    assert [li["text"].split()[0] for li in items] == ["剪枝", "量化"]
    nested = [c for c in items[0]["children"] if c["tag"] == "ul"][0]
    assert [li["text"] for li in nested["children"]] == ["结构化", "非结构化"]
    assert "- 代码里\n" in [c["text"] for c in page.tags("code")]  # the fence is code, not a list


def test_edit_button_points_at_the_note(kb) -> None:
    from kbtest import MKDOCS_YML

    yml = "repo_url: https://example.org/u/kb\nedit_uri: edit/main/docs/\n" + MKDOCS_YML.replace(
        "  font: false\n", "  font: false\n  features: [content.action.edit]\n")
    result = kb({"notes/sub/a.md": "# A\n"}, mkdocs_yml=yml)
    hrefs = [a["attrs"].get("href") for a in result.page("notes/sub/a/index.html").tags("a")]
    assert "https://example.org/u/kb/edit/main/notes/sub/a.md" in hrefs
