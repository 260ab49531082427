"""Wikilinks in front matter (Obsidian properties): ``up: "[[MOC]]"``, ``topics: ["[[主题]]"]``."""

from __future__ import annotations

from typing import Callable

from kbtest import BuildResult
from kbsite.core.parse import parse_note
from kbsite.core.vault import load_vault

NOTE = """\
---
up: [[总览]]
topics: ["[[大模型]]", 对齐]
related:
  - [[LoRA]]
source: "读自 [[论文甲|甲]] 和 [[缺的笔记]]"
---
# 笔记

正文。
"""


def test_property_wikilinks_name_topics_and_link_notes(kb: Callable[..., BuildResult]) -> None:
    note, diags = parse_note("a.md", NOTE.encode())
    assert not diags
    assert note.topics == ("大模型", "对齐") and note.related == ("LoRA",)
    assert [(lk.target, lk.label, lk.line, lk.prop) for lk in note.links] == [
        ("总览", None, 2, "up"), ("论文甲", "甲", 6, "source"), ("缺的笔记", None, 6, "source")]
    result = kb({
        "notes/笔记.md": NOTE,
        "notes/总览.md": "# 总览\n\n目录页。\n",
        "notes/论文甲.md": "# 论文甲\n",
        "notes/lora.md": "---\ntitle: LoRA\n---\n正文\n",
        "notes/大模型.md": "---\ntitle: 大模型\ntype: topic\n---\n主题概览\n",
    })
    page = result.page("notes/笔记/index.html")
    fields = page.find("dl", cls="kb-meta__fields")
    dts = [c["text"] for c in fields["children"] if c["tag"] == "dt"]
    assert dts[:2] == ["主题", "up"] and "source" in dts
    props = [(a["text"], a["attrs"]["href"]) for a in page.find_all("a", cls="kb-property")]
    assert props == [("总览", "../%E6%80%BB%E8%A7%88/"), ("论文甲", "../%E8%AE%BA%E6%96%87%E7%94%B2/")]
    assert page.find("span", cls="kb-wanted")["text"] == "缺的笔记"
    topics = [a["text"] for a in page.find_all("a", cls="kb-topic")]
    assert topics == ["大模型", "对齐"]  # not "[[大模型]]"
    # The MOC has the note as a backlink, with the property as its sentence.
    moc = result.page("notes/总览/index.html")
    assert "up: 总览" in moc.find("section", cls="kb-connections")["text"]
    warnings = [line for line in result.logs if line.startswith("WARNING")]
    assert any("notes/笔记.md:6: warning: wanted note: [[缺的笔记]]" in w for w in warnings), warnings
    vault = load_vault(result.root / "notes")
    assert {t.title for t in vault.topics} >= {"大模型", "对齐"}
    assert not [t for t in vault.topics if "[[" in t.title]


def test_publish_false_keeps_a_note_off_the_site(kb: Callable[..., BuildResult]) -> None:
    result = kb({
        "notes/公开.md": "---\ntitle: 公开\ntopics: [主题甲]\ntags: [t]\n---\n见 [[私密]] 和 [[私密|那篇]]，还有 [[没写]]。\n",
        "notes/私密.md": "---\ntitle: 私密\npublish: false\ntopics: [主题甲]\ntags: [t]\n---\n秘密内容 [[公开]]\n",
    })
    assert not (result.site / "notes" / "私密").exists()
    everything = "".join(p.read_text(encoding="utf-8", errors="replace") for p in result.site.rglob("*")
                         if p.is_file() and p.suffix in (".html", ".json", ".xml", ".js"))
    assert "秘密内容" not in everything
    page = result.page("notes/公开/index.html")
    assert [s["text"] for s in page.find_all("span", cls="kb-private")] == ["私密", "那篇"]
    assert [s["text"] for s in page.find_all("span", cls="kb-wanted")] == ["没写"]
    # No backlink from the private note, and it is in no topic or tag list.
    assert "还没有笔记链接到这里" in page.find("section", cls="kb-connections")["text"]
    assert "私密" not in result.page("tags/t/index.html").find("ul", cls="kb-notes")["text"]
    warnings = [line for line in result.logs if line.startswith("WARNING")]
    assert not [w for w in warnings if "私密" in w], warnings
    assert [w for w in warnings if "[[没写]]" in w]


def test_cssclasses_reach_the_content_and_nothing_else(kb: Callable[..., BuildResult]) -> None:
    result = kb({"notes/a.md": '---\ncssclasses: [wide, "bad\\" onclick=x", 表格]\n---\n正文\n',
                 "notes/b.md": "---\ncssclass: narrow cards\n---\n正文\n"})
    body = result.page("notes/a/index.html").find("div", cls="kb-note-body")
    assert body["attrs"]["class"] == "kb-note-body wide"
    assert result.page("notes/b/index.html").find("div", cls="kb-note-body")["attrs"]["class"] == \
        "kb-note-body narrow cards"
