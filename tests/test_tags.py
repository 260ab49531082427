"""Tags: a page per tag, nested tags as a hierarchy, a tag index, note headers link to them."""

from __future__ import annotations

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
