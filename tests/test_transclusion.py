"""Places in notes and notes in notes: ``[[#heading]]``, ``^block`` ids, ``![[note]]`` transclusion.

Real builds of a small vault (nested folders, same names, spaces), read element by element.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import unquote

import pytest

from kbtest import BuildResult, Html, make_kb, serve_rebuilds
from kbsite.core.transclusion import MAX_DEPTH, section
from kbsite.core.vault import load_vault

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def article(result: BuildResult, rel: str) -> Html:
    text = result.html(rel)
    return Html(text[text.index("<article"):text.index("</article>")])


def warnings(result: BuildResult) -> list[str]:
    return [line.split("kbsite: ", 1)[-1] for line in result.logs if line.startswith("WARNING")]


SOURCE = """\
---
title: 源笔记
---
# 源笔记

开头一段，引用 [[目标]]。

## 方法

方法段 **要点** ^m1

- 第一条 ^li-1
- 第二条
    - 嵌套 ^nested

| 列 | 值 |
|---|---|
| a | 1 |

^tbl

![本地图](图/局部.png)

### 细节

细节段。

## 结论

结论段 [相对链接](../目标.md)。
"""

VAULT = {
    "notes/深/源笔记.md": SOURCE,
    "notes/深/图/局部.png": PNG,
    "notes/目标.md": "---\ntitle: 目标\n---\n# 目标\n\n目标正文。\n",
}


def test_same_note_links_and_block_ids(kb: Callable[..., BuildResult]) -> None:
    host = ("---\ntitle: 宿主\n---\n见 [[#小节]]、[[#^k1|那段话]]，以及 [[源笔记#^li-1]] 和 [[源笔记#^tbl]]。\n\n"
            "## 小节\n\n一段话 ^k1\n\n坏的：[[#没有这一节]] [[#^nope]] [[源笔记#^gone]]\n")
    result = kb({**VAULT, "notes/宿主.md": host})
    page = article(result, "notes/宿主/index.html")
    links = [(a["text"], a["attrs"]["href"]) for a in page.find_all("a", cls="kb-link")]
    assert links[:4] == [("小节", "#%E5%B0%8F%E8%8A%82"), ("那段话", "#%5Ek1"),
                         ("源笔记 § ^li-1", "../%E6%B7%B1/%E6%BA%90%E7%AC%94%E8%AE%B0/#%5Eli-1"),
                         ("源笔记 § ^tbl", "../%E6%B7%B1/%E6%BA%90%E7%AC%94%E8%AE%B0/#%5Etbl")]
    # The marker is not shown; the paragraph carries the id.
    para = page.find("p", id="^k1")
    assert para["text"] == "一段话"
    assert "^k1" not in "".join(p["text"] for p in page.tags("p"))
    source = article(result, "notes/深/源笔记/index.html")
    assert source.find("p", id="^m1")["text"] == "方法段 要点"
    assert source.find("li", id="^li-1")["text"] == "第一条"
    assert source.find("li", id="^nested")["text"] == "嵌套"
    assert source.find("table", id="^tbl")
    assert "^tbl" not in "".join(p["text"] for p in source.tags("p"))
    # Each missing place is a path:line warning; no link is lost.
    said = warnings(result)
    assert "notes/宿主.md:10: warning: [[#没有这一节]]: this note has no heading '没有这一节'" in said
    assert any(w.startswith("notes/宿主.md:10: warning: [[#^nope]]: this note has no block '^nope'") for w in said)
    assert any(w.startswith("notes/宿主.md:10: warning: [[源笔记#^gone]]: '源笔记' has no block '^gone'")
               for w in said)
    # The same note is no backlink of itself.
    vault = load_vault(result.root / "notes")
    me = next(n for n in vault.notes if n.path == "宿主.md")
    assert me.path not in {rl.source.path for rl in vault.graph.backlinks.get(me.path, [])}


def test_transclusion_of_a_note_a_section_and_a_block(kb: Callable[..., BuildResult]) -> None:
    host = ("---\ntitle: 宿主\n---\n整篇：\n\n![[源笔记]]\n\n一节 ![[源笔记#方法]] 之后\n\n"
            "块 ![[深/源笔记#^m1]]\n\n表 ![[源笔记#^tbl]]\n\n条目 ![[源笔记#^li-1]]\n")
    result = kb({**VAULT, "notes/宿主.md": host})
    page = article(result, "notes/宿主/index.html")
    boxes = page.find_all("div", cls="kb-transclusion")
    top = [b for b in boxes if "kb-transclusion--problem" not in b["attrs"]["class"]]
    assert len(top) == 5
    heads = [b["children"][0]["children"][0] for b in top]
    assert [(h["text"], h["attrs"]["href"]) for h in heads] == [
        ("源笔记", "../%E6%B7%B1/%E6%BA%90%E7%AC%94%E8%AE%B0/"),
        ("源笔记 § 方法", "../%E6%B7%B1/%E6%BA%90%E7%AC%94%E8%AE%B0/#%E6%96%B9%E6%B3%95"),
        ("源笔记 § ^m1", "../%E6%B7%B1/%E6%BA%90%E7%AC%94%E8%AE%B0/#%5Em1"),
        ("源笔记 § ^tbl", "../%E6%B7%B1/%E6%BA%90%E7%AC%94%E8%AE%B0/#%5Etbl"),
        ("源笔记 § ^li-1", "../%E6%B7%B1/%E6%BA%90%E7%AC%94%E8%AE%B0/#%5Eli-1"),
    ]
    whole, sect, block, table, item = (b["children"][-1] for b in top)
    # The whole note: without its H1 (the box names it), every section.
    assert "h1" not in _tags(whole)
    texts = _texts(whole)
    assert "开头一段，引用 目标。" in texts and "结论段 相对链接。" in texts and "源笔记" not in texts
    # A section runs to the next heading of its level: 方法 with 细节, not 结论.
    st = _texts(sect)
    assert st[0] == "方法" and "细节段。" in st and "结论段 相对链接。" not in st
    assert _texts(block) == ["方法段 要点"]
    assert _tags(table) >= {"table"} and "^tbl" not in " ".join(_texts(table))
    assert _texts(item) == ["第一条"]
    # Links inside are relative to the host page; images and Markdown links written relative to
    # the embedded note are rebased; ids inside are dropped (the host's anchors are its own).
    inner = [a for a in _walk(whole) if a["tag"] == "a"]
    hrefs = {a["text"]: a["attrs"].get("href") for a in inner}
    assert hrefs["目标"] == "../%E7%9B%AE%E6%A0%87/" and hrefs["相对链接"] == "../%E7%9B%AE%E6%A0%87/"
    img = next(e for e in _walk(whole) if e["tag"] == "img")
    assert (result.site / "notes" / "宿主" / unquote(img["attrs"]["src"])).resolve().is_file()
    assert not [e for e in _walk(whole) if "id" in e["attrs"]]
    # The paragraph the embed was written in is split around it: no <div> inside a <p>.
    assert [p["text"].strip() for p in page.tags("p") if p["text"].strip() in ("一节", "之后")] == ["一节", "之后"]
    # The host links to the embedded note, and is its backlink.
    vault = load_vault(result.root / "notes")
    src = next(n for n in vault.notes if n.path == "深/源笔记.md")
    assert "宿主.md" in {rl.source.path for rl in vault.graph.backlinks[src.path]}
    assert not [w for w in warnings(result) if "宿主" in w], warnings(result)


def test_cycles_depth_and_missing_sections(kb: Callable[..., BuildResult]) -> None:
    notes = {
        "notes/甲.md": "---\ntitle: 甲\n---\n甲文 ![[乙]]\n\n自己 ![[甲]]\n\n缺 ![[乙#没有]]\n\n未写 ![[未写的笔记]]\n",
        "notes/乙.md": "---\ntitle: 乙\n---\n乙文\n\n![[甲]]\n",
        # A chain deeper than the limit ends in a link, not in a hang.
        **{f"notes/链{i}.md": f"---\ntitle: 链{i}\n---\n第 {i} 层 ![[链{i + 1}]]\n" for i in range(MAX_DEPTH + 2)},
        f"notes/链{MAX_DEPTH + 2}.md": "---\ntitle: 末端\n---\n末端\n",
    }
    result = kb(notes)
    page = article(result, "notes/甲/index.html")
    problems = [p["text"] for p in page.find_all("p", cls="kb-transclusion__problem")]
    assert problems.count("循环嵌入：这篇笔记已在上层嵌入，只显示链接") >= 2
    assert "找不到标题：没有" in problems
    wanted = page.find("span", cls="kb-wanted")
    assert wanted["text"] == "未写的笔记" and "!" not in result.html("notes/甲/index.html").split("未写")[1][:3]
    said = warnings(result)
    assert "notes/甲.md:6: warning: ![[甲]] is a cycle: it embeds itself; where the embed would repeat, " \
           "the page shows a link instead" in said
    assert any(w.startswith("notes/乙.md:6: warning: ![[甲]] is a cycle: it embeds '甲'") for w in said)
    assert "notes/甲.md:8: warning: [[乙#没有]]: '乙' has no heading '没有'" in said
    chain = article(result, "notes/链0/index.html")
    assert len(chain.find_all("div", cls="kb-transclusion")) == MAX_DEPTH + 1
    assert chain.find("p", cls="kb-transclusion__problem")["text"] == f"嵌入层数超过 {MAX_DEPTH} 层，只显示链接"


def test_embedded_html_is_sanitised_with_the_page(kb: Callable[..., BuildResult]) -> None:
    evil = '---\ntitle: 坏\n---\n## 段\n\n<script>alert(1)</script><img src=x onerror="alert(2)">\n\n' \
           '<a href="javascript:alert(3)">点</a> <div id="__config">{}</div>\n'
    result = kb({"notes/坏.md": evil, "notes/宿主.md": "---\ntitle: 宿主\n---\n![[坏#段]]\n"})
    html = result.html("notes/宿主/index.html")
    body = html[html.index('class="kb-transclusion__body"'):]
    body = body[:body.index("</div>")]
    assert "<script" not in body and "onerror" not in body and "javascript:" not in body and "__config" not in body


def test_section_cut_follows_the_scan_not_code() -> None:
    from kbsite.core.parse import parse_note
    body = "## 甲\n\n```\n## 不是标题\n```\n\n甲文\n\n## 乙\n\n乙文 ^b\n"
    note, _ = parse_note("n.md", body.encode())
    got = section(note, "甲")
    assert got is not None and "## 不是标题" in got.markdown and "乙文" not in got.markdown
    assert section(note, "^b").markdown == "乙文 ^b"  # type: ignore[union-attr]
    assert section(note, "丙") is None and section(note, "^nope") is None
    assert section(note, None).digest != section(note, "甲").digest  # type: ignore[union-attr]


# ---- mkdocs serve: a page that embeds another is rebuilt when the embedded one changes ---------


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[], object]]:
    make_kb(tmp_path, {
        "notes/宿主.md": "---\ntitle: 宿主\n---\n![[被嵌#段]]\n",
        "notes/被嵌.md": "---\ntitle: 被嵌\n---\n## 段\n\n旧的内容\n\n## 别的\n\n别的内容\n",
        "notes/旁观.md": "---\ntitle: 旁观\n---\n无关\n",
    })
    with serve_rebuilds(tmp_path) as rebuild:
        yield rebuild


def test_serve_rebuilds_the_host_when_the_embedded_section_changes(tmp_path: Path, serve) -> None:  # type: ignore[no-untyped-def]
    host = tmp_path / "site" / "notes" / "宿主" / "index.html"
    serve()
    assert "旧的内容" in host.read_text(encoding="utf-8")
    (tmp_path / "notes" / "被嵌.md").write_text(
        "---\ntitle: 被嵌\n---\n## 段\n\n新的内容\n\n## 别的\n\n别的内容\n", encoding="utf-8")
    serve()
    text = host.read_text(encoding="utf-8")
    assert "新的内容" in text and "旧的内容" not in text
    # Outside the embedded section nothing the host shows changed: the host is reused.
    (tmp_path / "notes" / "被嵌.md").write_text(
        "---\ntitle: 被嵌\n---\n## 段\n\n新的内容\n\n## 别的\n\n改了别的\n", encoding="utf-8")
    plugin = serve()
    assert plugin._page_cache.hits >= 2  # type: ignore[attr-defined]  # 宿主 and 旁观
    assert "新的内容" in host.read_text(encoding="utf-8")


# ---- helpers over the parsed tree ---------------------------------------------------------------


def _walk(el: dict) -> Iterator[dict]:
    for child in el.get("children", []):
        if isinstance(child, dict):
            yield child
            yield from _walk(child)


def _texts(el: dict) -> list[str]:
    return [c["text"].strip() for c in _walk(el) if c["tag"] in ("p", "li", "h2", "h3", "td") and c["text"].strip()]


def _tags(el: dict) -> set[str]:
    return {c["tag"] for c in _walk(el)}
