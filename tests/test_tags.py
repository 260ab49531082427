"""Tags: a page per tag, nested tags as a hierarchy, a tag index, note headers link to them."""

from __future__ import annotations

from kbtest import Html
from kbsite.core.parse import parse_note
from kbsite.core.tags import TagTree


def _notes(files: dict[str, str]):  # type: ignore[no-untyped-def]
    return [parse_note(p, t.encode("utf-8"))[0] for p, t in files.items()]


def test_nested_tags_roll_up_and_match_case_insensitively() -> None:
    tree = TagTree(_notes({
        "a.md": "---\ntags: [ml/rl, LoRA]\n---\n# A\n",
        "b.md": "---\ntags: [ML/RL/ppo, lora]\n---\n# B\n",
        "c.md": "---\ntags: [ml]\n---\n# C\n",
    }))
    assert [t.name for t in tree.roots()] == ["LoRA", "ml"]
    ml = tree.tags["ml"]
    assert [n.path for n in ml.all_notes()] == ["a.md", "b.md", "c.md"]
    rl = tree.tags["ml/rl"]
    assert rl.name == "ml/rl" and rl.label == "rl" and rl.slug == "ml/rl"
    assert [c.name for c in rl.children] == ["ml/rl/ppo"]
    assert [n.path for n in rl.all_notes()] == ["a.md", "b.md"]
    assert [n.path for n in tree.tags["lora"].notes] == ["a.md", "b.md"]  # one tag, first spelling
    assert tree.tags["ml/rl/ppo"].ancestors() == [ml, rl]


def test_tag_pages_index_and_header_links(kb) -> None:  # type: ignore[no-untyped-def]
    result = kb({
        "notes/a.md": "---\ntags: [ml/rl, 中文标签]\n---\n# A\n",
        "notes/b.md": "---\ntags: [ml]\n---\n# B\n",
    })
    header = result.page("notes/a/index.html")
    links = {a["text"]: a["attrs"]["href"] for a in header.find_all("a", cls="kb-tag")}
    assert links == {"#ml/rl": "../../tags/ml/rl/", "#中文标签": "../../tags/%E4%B8%AD%E6%96%87%E6%A0%87%E7%AD%BE/"}
    page = result.page("tags/ml/index.html")
    assert page.find("h1", cls="kb-title")["text"] == "#ml"
    assert [li["children"][0]["text"] for li in page.find("ul", cls="kb-notes")["children"]] == ["A", "B"]
    assert [a["text"] for a in page.find("ul", cls="kb-subtags")["children"][0]["children"]
            if a["tag"] == "a"] == ["#ml/rl"]
    index = result.page("tags/index.html")
    tree = index.find("div", cls="kb-tag-tree")
    assert [a["text"] for a in index.find_all("a", cls="kb-tag")] == ["#ml", "#rl", "#中文标签"]
    assert "（2）" in tree["text"]


def test_inline_tags_join_the_notes_tags_and_link_to_their_pages(kb) -> None:  # type: ignore[no-untyped-def]
    body = ("---\ntags: [学习]\n---\n#基本概念 开头\n\n## 标题 #不算\n\n"
            "正文 #剪枝/结构化 和 #3 与 #LoRA，`#代码` C#语言 \\#转义 #学习 %%#私密%%\n\n```\n#代码块\n```\n")
    note, _ = parse_note("a.md", body.encode())
    assert note.tags == ("学习", "基本概念", "剪枝/结构化", "LoRA")  # front matter first, no repeats
    result = kb({"notes/a.md": body, "notes/b.md": "# B\n\n也是 #lora\n"})
    page = result.page("notes/a/index.html")
    text = result.html("notes/a/index.html")
    shown = text[text.index("</dl>"):text.index("kb-connections")]
    body_tags = [(a["text"], a["attrs"]["href"]) for a in Html(shown).find_all("a", cls="kb-tag")]
    assert body_tags == [("#基本概念", "../../tags/%E5%9F%BA%E6%9C%AC%E6%A6%82%E5%BF%B5/"),
                         ("#剪枝/结构化", "../../tags/%E5%89%AA%E6%9E%9D/%E7%BB%93%E6%9E%84%E5%8C%96/"),
                         ("#LoRA", "../../tags/lora/"), ("#学习", "../../tags/%E5%AD%A6%E4%B9%A0/")]
    assert page.find("h2")["text"].startswith("标题 #不算")
    assert "#私密" not in text and "私密" not in text
    # Nested inline tags build the hierarchy; both spellings of LoRA are one tag with both notes.
    lora = result.page("tags/lora/index.html")
    assert [li["children"][0]["text"] for li in lora.find("ul", cls="kb-notes")["children"]] == ["a", "B"]
    assert result.page("tags/剪枝/index.html").find("h1", cls="kb-title")["text"] == "#剪枝"
