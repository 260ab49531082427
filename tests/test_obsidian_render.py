"""Obsidian syntax in real builds of vault-shaped fixtures: callouts, embeds of attachments.

Each test builds a small vault (nested folders, an attachments folder, same file names in two
folders, spaces in names) and reads the page element by element.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from kbtest import BuildResult, Html, make_kb
from kbsite.core.attachments import AttachmentIndex, is_attachment_name, media_kind
from kbsite.core.callouts import MATERIAL_CLASS, TYPE_NAMES, parse_callout
from kbsite.core.coverage import note_items
from kbsite.core.vault import load_vault

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def article(result: BuildResult, rel: str) -> Html:
    text = result.html(rel)
    return Html(text[text.index("<article"):text.index("</article>")])


# ---- Callouts -------------------------------------------------------------------------------

CALLOUTS = """\
---
title: 标注
---
> [!tip] 自定义 [[goal|目标]] 标题
> 内容 **粗体**

> [!warning]-
> 折起来的

> [!faq]+ 打开的
> 内容

> [!note]
> > [!bug] 内层
> > 里面
>
> 外层

> [!提示]
> 中文类型

> [!注意] 小心 <script>alert(1)</script>
> x

> [!todo] 写实验
> 说明

> [!待办]
> 补上推导

> [!custom-type]
> 未知类型

> 普通引用
"""


def test_callouts_become_materials_admonitions(kb: Callable[..., BuildResult]) -> None:
    result = kb({"notes/papers/callouts.md": CALLOUTS, "notes/goal.md": "# 目标\n"})
    page = article(result, "notes/papers/callouts/index.html")
    boxes = page.find_all(cls="kb-callout")
    assert [(b["tag"], b["attrs"]["class"].split()[0 if b["tag"] == "details" else 1]) for b in boxes] == [
        ("div", "tip"), ("details", "warning"), ("details", "question"), ("div", "note"), ("div", "bug"),
        ("div", "tip"), ("div", "warning"), ("div", "info"), ("div", "info"), ("div", "note")]
    tip = boxes[0]
    assert tip["attrs"]["class"].split()[:2] == ["admonition", "tip"]
    title = tip["children"][0]
    assert title["tag"] == "p" and title["attrs"]["class"] == "admonition-title"
    assert title["text"] == "自定义 目标 标题"
    assert title["children"][0]["tag"] == "a" and title["children"][0]["attrs"]["href"] == "../../goal/"
    assert tip["children"][1]["text"] == "内容 粗体"
    folded, opened = boxes[1], boxes[2]
    assert "open" not in folded["attrs"] and folded["children"][0]["tag"] == "summary"
    assert folded["children"][0]["text"] == "警告"  # no title: the type's Chinese name
    assert opened["attrs"].get("open") == "open" and opened["children"][0]["text"] == "打开的"
    outer, inner = boxes[3], boxes[4]
    assert inner in outer["children"] and outer["children"][-1]["text"] == "外层"
    assert boxes[5]["children"][0]["text"] == "提示"
    # A title is Markdown, and the page's HTML goes through the sanitiser: no script survives.
    assert boxes[6]["children"][0]["text"].strip() == "小心" and not page.tags("script")
    assert boxes[7]["children"][0]["text"] == "写实验" and "kb-callout-todo" in boxes[7]["attrs"]["class"]
    assert boxes[8]["children"][0]["text"] == "待办"
    assert boxes[9]["children"][0]["text"] == "Custom-type"
    # The plain blockquote after them is a blockquote, not merged into a callout.
    assert [q["text"].strip() for q in page.tags("blockquote")] == ["普通引用"]


def test_adjacent_callouts_are_not_merged(kb: Callable[..., BuildResult]) -> None:
    result = kb({"notes/a.md": "> [!note] 一\n> a\n\n> [!note] 二\n> b\n\n> [!tip] 三\n> c\n"})
    page = article(result, "notes/a/index.html")
    boxes = page.find_all(cls="kb-callout")
    assert [b["children"][0]["text"] for b in boxes] == ["一", "二", "三"]
    assert all(len(b["children"]) == 2 for b in boxes)


def test_every_obsidian_type_and_alias_has_a_material_look() -> None:
    obsidian = {"note": [], "abstract": ["summary", "tldr"], "info": [], "todo": [],
                "tip": ["hint", "important"], "success": ["check", "done"], "question": ["help", "faq"],
                "warning": ["caution", "attention"], "failure": ["fail", "missing"], "danger": ["error"],
                "bug": [], "example": [], "quote": ["cite"]}
    for kind, aliases in obsidian.items():
        for written in [kind, *aliases, kind.upper()]:
            c = parse_callout(f"[!{written}]")
            assert c is not None and c.kind == kind and c.css == MATERIAL_CLASS[kind], written
    for written, kind in {"提示": "tip", "注意": "warning", "警告": "warning", "待办": "todo", "笔记": "note",
                          "问题": "question", "示例": "example", "引用": "quote"}.items():
        c = parse_callout(f"[!{written}]")
        assert c is not None and c.kind == kind and c.title == written
    assert all(parse_callout(f"[!{w}]") for w in TYPE_NAMES)
    assert parse_callout("[!tip]紧贴") is None and parse_callout("不是 [!tip]") is None


def test_todo_callouts_are_open_items(tmp_path: Path) -> None:
    make_kb(tmp_path, {"notes/a.md": CALLOUTS, "notes/goal.md": "# 目标\n"})
    vault = load_vault(tmp_path / "notes")
    note = next(n for n in vault.notes if n.path == "a.md")
    items = [(i.kind, i.text, i.line) for i in note_items(note) if i.kind == "marker"]
    assert items == [("marker", "待办: 写实验", 25), ("marker", "待办: 补上推导", 28)]


# ---- Embeds of attachments ------------------------------------------------------------------

VAULT = {
    "notes/attachments/图 1.png": PNG,
    "notes/attachments/sub/图表.png": PNG,
    "notes/papers/图表.png": PNG,  # same name in two folders: the note's own folder wins
    "notes/z/图 1.png": PNG,  # same depth as attachments/: alphabetical
    "notes/attachments/讲座 录音.mp3": b"ID3",
    "notes/attachments/演示.webm": b"\x1aE",
    "notes/attachments/论文 (v1).pdf": b"%PDF-1.4",
    "notes/data/数据.csv": b"a,b\n",
    "notes/goal.md": "# 目标\n",
}
EMBEDS = """\
---
title: 嵌入
---
图 ![[图 1.png]] 宽 ![[图 1.png|300]] 两 ![[attachments/sub/图表.png|说明|300x200]] 本地 ![[图表.png]]

![[讲座 录音.mp3]]

![[演示.webm|640]]

![[论文 (v1).pdf#page=3]] ![[数据.csv]] ![[没有这个.png]]

链接 [[论文 (v1).pdf|论文]] 和 ![](图 1.png) 以及 [[goal]]
"""


def test_attachment_embeds(kb: Callable[..., BuildResult]) -> None:
    result = kb({**VAULT, "notes/papers/嵌入 笔记.md": EMBEDS})
    page = article(result, "notes/papers/嵌入 笔记/index.html")
    imgs = page.find_all("img", cls="kb-embed-image")
    assert [(i["attrs"]["src"], i["attrs"].get("width"), i["attrs"].get("height"), i["attrs"]["alt"]) for i in imgs] == [
        ("../../attachments/%E5%9B%BE%201.png", None, None, "图 1.png"),
        ("../../attachments/%E5%9B%BE%201.png", "300", None, "图 1.png"),
        ("../../attachments/sub/%E5%9B%BE%E8%A1%A8.png", "300", "200", "说明"),
        ("../%E5%9B%BE%E8%A1%A8.png", None, None, "图表.png"),
    ]
    audio = page.find("audio")
    assert audio["attrs"]["src"] == "../../attachments/%E8%AE%B2%E5%BA%A7%20%E5%BD%95%E9%9F%B3.mp3"
    assert "controls" in audio["attrs"]
    video = page.find("video")
    assert video["attrs"]["src"] == "../../attachments/%E6%BC%94%E7%A4%BA.webm" and video["attrs"]["width"] == "640"
    pdf = page.find("a", cls="kb-embed-pdf")
    assert pdf["attrs"]["href"] == "../../attachments/%E8%AE%BA%E6%96%87%20%28v1%29.pdf#page=3"
    csv = page.find("a", cls="kb-embed-file")
    assert csv["attrs"]["href"] == "../../data/%E6%95%B0%E6%8D%AE.csv" and csv["attrs"]["download"] == "数据.csv"
    missing = page.find("span", cls="kb-embed-missing")
    assert missing["text"] == "没有这个.png"
    link = page.find("a", cls="kb-file")
    assert link["text"] == "论文" and link["attrs"]["href"].endswith("%E8%AE%BA%E6%96%87%20%28v1%29.pdf")
    # A bare-name Markdown image whose file is in another folder is found too.
    plain = [i for i in page.tags("img") if "kb-embed" not in (i["attrs"].get("class") or "")]
    assert [i["attrs"]["src"] for i in plain] == ["../../attachments/%E5%9B%BE%201.png"]
    # Every embed's file is on the site.
    site = result.site / "notes" / "papers" / "嵌入 笔记"
    from urllib.parse import unquote
    for src in [i["attrs"]["src"] for i in imgs] + [audio["attrs"]["src"], video["attrs"]["src"]]:
        assert (site / unquote(src)).resolve().is_file(), src
    # Never wanted notes; the missing one is its own warning.
    warnings = [line for line in result.logs if line.startswith("WARNING")]
    assert not [w for w in warnings if "wanted" in w], warnings
    assert [w for w in warnings if "missing attachment" in w] == [
        "WARNING:kbsite: notes/papers/嵌入 笔记.md:10: warning: missing attachment: ![[没有这个.png]] "
        "matches no file in the vault"]
    assert not page.find_all(cls="kb-wanted")


def test_attachments_are_no_links_and_missing_ones_are_diagnostics(tmp_path: Path) -> None:
    make_kb(tmp_path, {**VAULT, "notes/papers/n.md": EMBEDS})
    vault = load_vault(tmp_path / "notes")
    note = next(n for n in vault.notes if n.path == "papers/n.md")
    assert [lk.target for lk in note.links] == ["goal"]
    assert not vault.graph.wanted
    from kbsite.core.embeds import attachment_diagnostics
    diags = attachment_diagnostics(vault.notes, AttachmentIndex(rel for rel, _ in vault.assets))
    assert [(d.path, d.line, d.code) for d in diags] == [("notes/papers/n.md", 10, "missing-attachment")]


def test_attachment_resolution_follows_obsidian() -> None:
    index = AttachmentIndex(["a/x.png", "b/x.png", "a/b/x.png", "x/y/z.png", "top.png", "Cap.PNG", "n/q.png"])
    assert index.resolve("a/x.png", "n/note.md") == "a/x.png"  # exact path
    assert index.resolve("q.png", "n/note.md") == "n/q.png"
    assert index.resolve("x.png", "b/note.md") == "b/x.png"  # same folder as the note
    assert index.resolve("x.png", "c/note.md") == "a/x.png"  # shortest, then alphabetical
    assert index.resolve("y/z.png", "c/note.md") == "x/y/z.png"  # the end of a path
    assert index.resolve("../a/x.png", "b/note.md") == "a/x.png"
    assert index.resolve("cap.png", None) == "Cap.PNG"  # case-insensitive as a fallback
    assert index.resolve("nope.png", None) is None and index.resolve("/x.png", None) is None
    assert is_attachment_name("a.pdf") and not is_attachment_name("GPT-3.5") and not is_attachment_name("a.md")
    assert [media_kind(n) for n in ("a.PNG", "b.flac", "c.mov", "d.pdf", "e.zip")] == \
        ["image", "audio", "video", "pdf", "file"]


@pytest.mark.parametrize("name", ["x\" onerror=\"alert(1).png", "a<b>.png"])
def test_embed_names_are_escaped(kb: Callable[..., BuildResult], name: str) -> None:
    result = kb({"notes/a.md": f"![[{name}]]\n"})
    page = article(result, "notes/a/index.html")
    assert not [el for el in page.elements if "onerror" in el["attrs"] or el["tag"] == "b"]
    assert page.find("span", cls="kb-embed-missing")["text"] == name.rsplit("/", 1)[-1]


def test_excalidraw_drawings_are_files_shown_by_their_export(kb: Callable[..., BuildResult]) -> None:
    result = kb({
        "notes/Excalidraw/架构.excalidraw.md": "---\nexcalidraw-plugin: parsed\n---\n# Text Elements\n甲\n",
        "notes/Excalidraw/架构.excalidraw.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        "notes/Excalidraw/草图.excalidraw.md": "---\nexcalidraw-plugin: parsed\n---\n# Text Elements\n乙\n",
        "notes/旧/流程.excalidraw": b'{"type": "excalidraw"}',
        "notes/笔记.md": "---\ntitle: 笔记\n---\n![[架构.excalidraw]]\n\n![[草图.excalidraw]]\n\n![[流程.excalidraw]]\n",
    })
    vault = load_vault(result.root / "notes")
    assert [n.path for n in vault.notes] == ["笔记.md"]  # a drawing is no note (no "Text Elements" page)
    page = article(result, "notes/笔记/index.html")
    img = page.find("img", cls="kb-embed-image")
    assert img["attrs"]["src"] == "../Excalidraw/%E6%9E%B6%E6%9E%84.excalidraw.svg"
    drawings = [(d["tag"], d["attrs"].get("href"), d["text"]) for d in page.find_all(cls="kb-embed-drawing")]
    assert drawings == [("span", None, "草图.excalidraw"),  # not exported: named, nothing to fetch
                        ("a", "../%E6%97%A7/%E6%B5%81%E7%A8%8B.excalidraw", "流程.excalidraw")]
    assert not (result.site / "notes" / "Excalidraw" / "草图.excalidraw").exists()
    assert not [line for line in result.logs if "missing attachment" in line or "Text Elements" in line]
