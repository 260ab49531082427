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
    # The table splits [[x|y]] at its "|": the page shows no link there, so none is counted.
    assert [(lk.target, lk.label) for lk in note.links] == [("x", "z")]
    assert [(d.line, d.severity) for d in diags] == [(3, Severity.WARNING)]
    assert "write [[target\\|label]]" in diags[0].message


def test_a_pipe_outside_a_table_is_a_label() -> None:
    # No separator row: a paragraph that happens to start with "|", where [[x|y]] is a link.
    note, diags = parse_note("t.md", "| 不是表格 [[x|y]] |\n后文\n".encode())
    assert [(lk.target, lk.label) for lk in note.links] == [("x", "y")]
    assert diags == []


# ---- What the page shows: the scanner reads a body the way the renderer does --------------------

def links(source: str) -> list[str]:
    return [lk.label or lk.target for lk in scan_body(source, 1).links if not lk.markdown]


def tasks(source: str) -> list[bool]:
    return [t.checked for t in scan_body(source, 1).tasks]


def markers(source: str) -> list[str]:
    return [m.kind for m in scan_body(source, 1).markers]


@pytest.mark.parametrize(("source", "expected"), [
    # Indented code: four spaces or a tab, after a blank line (or a heading, or the start).
    ("段落\n\n    [[a]]\n\n[[ok]]", ["ok"]),
    ("段落\n\n\t[[a]]\n\n[[ok]]", ["ok"]),
    ("## 小节\n    [[a]]\n[[ok]]", ["ok"]),
    ("    [[a]]\n\n[[ok]]", ["ok"]),
    ("段落\n    [[lazy]]", ["lazy"]),  # no blank line: the paragraph goes on
    ("段落\n\n    [[a]]\n紧接着 [[ok]]", ["ok"]),  # a line not indented ends the code
    # ... but not a list item's continuation, however the list is indented.
    ("- 项目\n\n    [[续段]]\n\n        [[代码]]", ["续段"]),
    ("- a\n  - b\n\n        [[b的续段]]\n\n            [[代码]]", ["b的续段"]),
    ("1. 步骤\n\n        [[代码]]\n\n2. 下一步 [[ok]]", ["ok"]),
    ("- a\n\n  两格续段 [[两格]]\n\n    [[代码]]", ["两格"]),  # two spaces leave the list
    # Fenced code: ``` and ~~~, indented in a list, in a blockquote; unclosed is no fence.
    ("```\n[[a]]\n```\n~~~\n[[b]]\n~~~\n[[ok]]", ["ok"]),
    ("- 项目\n\n    ```python\n    [[a]]\n    ```\n\n    [[ok]]", ["ok"]),
    ("- a\n  ```\n  [[a]]\n  ```\n- b [[ok]]", ["ok"]),
    ("> ```\n> [[a]]\n> ```\n> [[ok]]", ["ok"]),
    ("````\n[[a]]\n```\n[[b]]\n````\n[[ok]]", ["ok"]),
    ("[[ok]]\n\n```\n[[未闭合]]\n", ["ok", "未闭合"]),
    ("- a\n\n    ```\n    x\n\n[[ok]]\n```", ["ok"]),  # a less indented line: no fence
    # Code spans, escaped backticks.
    ("`[[a]]` ``[[b]] ` x`` \\`[[ok]]\\`", ["ok"]),
    # HTML comments: inline, on their own lines, over several lines, unclosed.
    ("前 <!-- [[a]] --> 后 [[ok]]", ["ok"]),
    ("<!-- [[a]] -->\n\n<!--\n[[b]]\n-->\n[[ok]]", ["ok"]),
    ("文字 <!-- 开始\n[[a]] 结束 -->\n之后 [[ok]]", ["ok"]),
    ("<!-- 注释 --> [[ok]]", ["ok"]),
    ("<!-- 没有结束 [[ok]]", ["ok"]),
    # Raw HTML blocks: a block-level tag at the start of a line, to its closing tag.
    ("<div>[[a]]</div>\n\n<div>\n[[b]]\n\n[[c]]\n</div>\n[[ok]]", ["ok"]),
    ("<div>[[a]]</div> [[ok]]", ["ok"]),  # after the block, the line is Markdown again
    ("<div><div>[[a]]</div>\n[[b]]\n</div>\n\n[[ok]]", ["ok"]),
    ("<details><summary>[[a]]</summary>\n[[b]]\n</details>\n\n[[ok]]", ["ok"]),
    ("[[ok]]\n\n<div>\n[[a]]\n\n## 不是标题\n", ["ok"]),  # unclosed: to the end
    ("  <div>[[a]]</div>\n\n段落\n\n    <div>[[b]]</div>\n\n[[ok]]", ["ok"]),
    ("段落\n<div>[[a]]</div>\n后文 [[ok]]", ["ok"]),
    ("<script>\nvar a = '</div>';\n// [[a]]\n</script>\n\n[[ok]]", ["ok"]),
    ("<hr>[[ok]]", ["ok"]),
    # ... but inline HTML, or a block tag inside a line or list item, is part of the text.
    ("<span>[[a]]</span> 和 <b>[[b]]</b>\n\n- <div>[[c]]</div>\n\n文字 <div>[[d]]</div>", ["a", "b", "c", "d"]),
    ('<img alt="[[a]]" src="x.png"> [[ok]]', ["ok"]),  # inside a tag: nobody sees it
    ("[[缺<b>失</b>]] [[a $x$ b]]", ["缺<b>失</b>", "a $x$ b"]),  # markup in a link is its text
    # Math: $...$, $$...$$ inline, and $$ blocks show TeX.
    ("公式 $[[a]]$ 与 $$[[b]]$$ 之后 [[ok]]", ["ok"]),
    ("$$\n[[a]]\n$$\n\n$$\nx\n\n[[b]]\n$$\n\n[[ok]]", ["ok"]),
    ("价格 $5 和 $6 [[ok]]", ["ok"]),
    ("$a$ [[ok]] $b$", ["ok"]),
    ("$$ 没有结束 [[a]]\n\n## 标题 [[b]]", ["a", "b"]),  # unclosed: the text comes back
    # Tables: a cell's [[a\|b]] is a link, [[a|b]] is cut; code keeps its pipe.
    ("| 列 | 说明 |\n|---|---|\n| [[a\\|标签]] | [[b|断开]] |\n| `[[c]]` | [[d]] |", ["标签", "d"]),
    ("| a | b |\n|---|---|\n| `x|y` [[表内]] | c |", ["表内"]),
    # Containers: blockquotes, admonitions, details, footnotes, definitions.
    ("> 引用 [[a]]\n>\n>     [[代码]]\n\n> 第二段 [[b]]", ["a", "b"]),
    ("> 引用\n续行 [[lazy]]\n\n    [[代码]]", ["lazy"]),
    ('!!! note "提示 [[t]]"\n    内容 [[a]]\n\n        [[代码]]\n\n[[ok]]', ["t", "a", "ok"]),
    ("!!! note\n    - [ ] 任务\n\n        [[列表续段]]", ["列表续段"]),
    ("!!! note\n    内容\n不缩进 [[出来]]\n\n    [[代码]]", ["出来"]),
    ('??? note "折叠"\n    [[a]]\n\n    更多 [[b]]', ["a", "b"]),
    ("正文[^1]。\n\n[^1]: 脚注 [[a]]\n\n    续 [[b]]", ["a", "b"]),
    ("术语 [[t]]\n:   定义 [[a]]\n\n    续 [[b]]", ["t", "a", "b"]),
    # Headings, emphasis, links in link labels; escapes; empty links.
    ("## 参见 [[a]]\n\n### [[b]] 的用法", ["a", "b"]),
    ("**[[a]]** *[[b]]* ~~[[c]]~~ [见 [[d]]](x.md)", ["a", "b", "c", "d"]),
    ("\\[[a]] [[ ]] [[|x]] [[#h]]", ["a", ""]),  # [[#h]]: a place in this note (target "")
    ("# 标题 [[不显示]]\n\n[[ok]]", ["ok"]),  # the page drops a leading H1 and prints the title
])
def test_links_are_what_the_page_shows(source: str, expected: list[str]) -> None:
    assert links(source) == expected


def test_code_in_a_link_counts_as_its_text() -> None:
    scan = scan_body("[[过滤器#`wikilink`|w]] [[过滤器#`a<b`]] [[`目标`]] [[目标|`代码`标签]]", 1)
    assert [(lk.target, lk.heading, lk.label) for lk in scan.links] == [
        ("过滤器", "wikilink", "w"), ("过滤器", "a<b", None), ("目标", None, None), ("目标", None, "代码标签")]


@pytest.mark.parametrize(("source", "expected"), [
    ("- [ ] a\n* [x] b\n+ [X] c\n1. [ ] d\n-\t[ ] e\n- [ ] ", [False, True, True, False, False, False]),
    ("2) [ ] 不是列表\n\n- [ ]\n\n- [ ]x", []),
    ("段落\n- [ ] 列表就在段落下面\n  - [x] 嵌套", [False, True]),
    ("段落\n    - [ ] 四格缩进：代码", []),
    ("- a\n\n  懒段落\n- [ ] 段落里的文字", []),
    ("- a\n\n    文字\n    - [ ] 段落里的文字", []),
    ("- [ ] a\n\n- [x] b\n\n    - [ ] 嵌套", [False, True, False]),
    ("> - [ ] 引用里\n> - [x] 的任务", [False, True]),
    ("!!! note\n    - [ ] 提示里的任务", [False]),
    ("- [ ] 变成标题\n---", []),  # a setext underline
    ("段落\n\n    - [ ] 代码\n\n```\n- [ ] 代码\n```\n\n<div>\n- [ ] HTML\n</div>\n<!--\n- [ ] 注释\n-->", []),
    ("$$\n- [ ] 公式\n$$\n\n- [x] 任务", [True]),
])
def test_tasks_are_the_page_checkboxes(source: str, expected: list[bool]) -> None:
    assert tasks(source) == expected


def test_task_text_keeps_its_code() -> None:
    assert [t.text for t in scan_body("- [ ] 修复 `foo` 函数 [[a|链接]]", 1).tasks] == ["修复 foo 函数 链接"]


@pytest.mark.parametrize(("source", "expected"), [
    ("TODO 一 `TODO` <!-- TODO --> $TODO$ <span title=\"TODO\">看</span>", ["TODO"]),
    ("    TODO 代码\n\n待补充：推导\n\n$$\n待修\n$$", ["待补充"]),
    ("<!--\nTODO\n-->\n<details>\n<summary>TODO 看得见</summary>\n<code>TODO</code>\n</details>", ["TODO"]),
])
def test_markers_are_the_text_the_page_shows(source: str, expected: list[str]) -> None:
    assert markers(source) == expected


def test_headings_in_containers_and_not_in_code() -> None:
    scan = scan_body("> ## 引用里\n\n!!! note\n    ## 提示里\n\n段落\n\n    ## 代码\n\n<div>\n## HTML\n</div>\n", 1)
    assert [(h.level, h.text, h.line) for h in scan.headings] == [(2, "引用里", 1), (2, "提示里", 4)]
    assert scan.first_h1 is None


def test_list_spacing_is_shared_with_the_renderer() -> None:
    from kbsite.core.wikilinks import respace_lists

    out = list(respace_lists(["段落", "- a", "  - b", "    - c", "", "文字", "    - 代码"]))
    assert out == [(False, "段落"), (True, "- a"), (False, "    - b"), (False, "        - c"), (False, ""),
                   (False, "文字"), (True, "    - 代码")]


def test_hidden_spans_for_the_renderer() -> None:
    from kbsite.core.wikilinks import hidden_spans

    text = "a <!-- [[x]] --> $y$ $$z$$ <b>"
    assert [text[s:e] for s, e in sorted(hidden_spans(text))] == ["<!-- [[x]] -->", "$y$", "$$z$$", "<b>"]
