"""core: wikilink scanning, resolution, backlinks, wanted notes."""

from __future__ import annotations

import pytest

from kbsite.core.graph import LinkGraph
from kbsite.core.index import NoteIndex
from kbsite.core.model import Severity
from kbsite.core.parse import parse_note
from kbsite.core.wikilinks import scan_body


def notes(**files: str):
    return [parse_note(path.replace("__", "/") + ".md", text.encode())[0] for path, text in files.items()]


@pytest.mark.parametrize(("source", "expected"), [
    ("[[a]]", [("a", None, None)]),
    ("[[a|标签]]", [("a", None, "标签")]),
    ("[[a#方法]]", [("a", "方法", None)]),
    ("[[a#方法|看这里]]", [("a", "方法", "看这里")]),
    ("`[[not a link]]` and [[b]]", [("b", None, None)]),
    ("``code [[x]] code``", []),
    ("[[ spaced target ]]", [("spaced target", None, None)]),
    ("[not wiki](x)", []),
    ("[[]]", []),
])
def test_scan_links(source: str, expected: list) -> None:
    scan = scan_body(source, 1)
    assert [(lk.target, lk.heading, lk.label) for lk in scan.links] == expected


def test_links_in_fenced_code_are_ignored() -> None:
    scan = scan_body("```\n[[x]]\nTODO\n- [ ] no\n```\n~~~python\n[[y]]\n~~~\n[[z]] TODO 真的\n", 10)
    assert [lk.target for lk in scan.links] == ["z"]
    assert [(m.kind, m.line) for m in scan.markers] == [("TODO", 18)]
    assert scan.tasks == ()


def test_tasks_and_markers() -> None:
    scan = scan_body("## 实验\n- [ ] 补充表格\n- [x] 读完\n待补充：推导\n待修 公式\nTODOS 不算\n", 1)
    assert [(t.text, t.checked, t.heading) for t in scan.tasks] == [("补充表格", False, "实验"), ("读完", True, "实验")]
    assert [(m.kind, m.line, m.text) for m in scan.markers] == [("待补充", 4, "推导"), ("待修", 5, "公式")]


def test_resolution_by_id_title_alias_nfkc() -> None:
    ns = notes(lora="---\nid: lora\ntitle: LoRA\naliases: [低秩适配]\n---\n", kd="---\ntitle: 知识蒸馏\naliases: [KD]\n---\n")
    index = NoteIndex(ns)
    for name in ["lora", "LoRA", "ＬｏＲＡ", "低秩适配", " lora "]:
        assert index.resolve(name) is ns[0], name
    for name in ["知识蒸馏", "kd", "ＫＤ", "kd"]:
        assert index.resolve(name) is ns[1], name
    assert index.resolve("nothing") is None


def test_id_beats_title_beats_alias_and_conflicts_warn() -> None:
    ns = notes(a="---\nid: x\ntitle: A\naliases: [shared]\n---\n",
               b="---\nid: b\ntitle: x\naliases: [shared, A]\n---\n")
    index = NoteIndex(ns)
    assert index.resolve("x") is ns[0]  # id of a beats title of b
    assert index.resolve("shared") is ns[0]  # first by path
    assert index.resolve("A") is ns[0]  # title beats alias
    msgs = [str(d) for d in index.diagnostics]
    assert any("alias 'shared' is also an alias of 'x'" in m and "links to 'x'" in m for m in msgs), msgs
    assert all(d.severity is Severity.WARNING for d in index.diagnostics)


def test_duplicate_ids_are_errors() -> None:
    ns = notes(a="---\nid: same\n---\n", b="---\nid: same\n---\n")
    index = NoteIndex(ns)
    assert [(d.path, d.line, d.severity) for d in index.diagnostics] == [("notes/b.md", 2, Severity.ERROR)]


def test_backlinks_snippets_and_wanted() -> None:
    ns = notes(
        a="---\ntitle: LoRA\n---\n# LoRA\n\n低秩适配冻结原权重。它和 [[知识蒸馏]] 不同，见 [[缺失的笔记]]。\n",
        b="# 知识蒸馏\n\n## 温度\n\n正文 [[LoRA#不存在]] 和 [[a|LoRA]]。\n",
        c="see [plain](a.md) too\n",
    )
    graph = LinkGraph(NoteIndex(ns), slugify=lambda s: s.lower())
    back = graph.backlinks_of(ns[1])
    assert [(rl.source.title, rl.link.snippet) for rl in back] == [("LoRA", "它和 知识蒸馏 不同，见 缺失的笔记。")]
    back_a = graph.backlinks_of(ns[0])
    assert [rl.source.path for rl in back_a] == ["c.md", "b.md"]  # by title: "c" < "知识蒸馏"
    assert list(graph.wanted) == ["缺失的笔记"]
    msgs = [str(d) for d in graph.diagnostics]
    assert "notes/a.md:6: warning: wanted note: [[缺失的笔记]] matches no note (id, title or alias)" in msgs
    assert any("has no heading '不存在'" in m and m.startswith("notes/b.md:5:") for m in msgs)


def test_related_declared_and_shared_topics() -> None:
    ns = notes(a="---\ntitle: A\nrelated: [B, nope]\ntopics: [t]\n---\n", b="---\ntitle: B\n---\n",
               c="---\ntitle: C\ntopics: [t]\n---\n")
    graph = LinkGraph(NoteIndex(ns))
    assert [n.title for n in graph.related(ns[0], [[ns[0], ns[2]]])] == ["B", "C"]
    assert [n.title for n in graph.related(ns[1])] == ["A"]  # reverse of a declared relation
    assert any("related 'nope' matches no note" in d.message for d in graph.diagnostics)


def test_labelled_link_in_table_needs_an_escaped_pipe() -> None:
    note, diags = parse_note("t.md", "| a | b |\n|---|---|\n| [[x|y]] | [[x\\|z]] |\n".encode())
    assert [(lk.target, lk.label) for lk in note.links] == [("x", "y"), ("x", "z")]
    assert [(d.line, d.severity) for d in diags] == [(3, Severity.WARNING)]
    assert "write [[target\\|label]]" in diags[0].message
