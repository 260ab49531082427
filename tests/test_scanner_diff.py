"""The core's scanner counts exactly what the rendered page shows.

``kbsite check``, the todo page and ``--strict`` use the links, tasks and markers of the core's
scanner (kbsite.core.wikilinks); the page is rendered by Python-Markdown with kbsite's extension.
Each case below is a note; it is built into a real site, and for every note the core's wikilinks
must be the page's ``a.kb-link`` / ``span.kb-wanted`` elements one to one and in order (same text,
same class, same heading anchor), its tasks the page's checkboxes, its markers the TODO / 待补充 /
待修 the page shows outside code and math. Built twice: with the shipped mkdocs.yml's Markdown
extensions (what users run) and with the small set of tests/kbtest.py (cases that need an
extension only the first has are left out there).
"""

from __future__ import annotations

import re
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kbtest import MKDOCS_YML, REPO, build_kb, make_kb
from kbsite.core.comments import blank_comments
from kbsite.core.vault import Vault, load_vault
from kbsite.core.wikilinks import CALLOUT_MARKER, MARKER_RE, scan_body

# name -> (body, extensions the case needs beyond tests/kbtest.py's set)
CASES: dict[str, tuple[str, frozenset[str]]] = {}


def case(name: str, body: str, *needs: str) -> None:
    CASES[name] = (body, frozenset(needs))


# ---- Code: indented, fenced, spans ------------------------------------------------------------
case("indented-code", "段落\n\n    [[代码一]] TODO 不算\n    - [ ] 不算\n\n[[目标]]\n")
case("indented-tab", "段落\n\n\t[[代码二]]\n\n\t待补充\n\n[[目标]]\n")
case("indented-after-heading", "## 小节\n    [[代码三]]\n\n[[目标]]\n")
case("indented-lazy", "段落\n    [[懒续行]] 还是段落\n")
case("indented-first-line", "    [[代码四]]\n\n不是代码 [[目标]]\n")
case("indented-then-text", "段落\n\n    [[代码五]]\n紧接着的文字 [[文字]]\n")
case("fence-backtick", "```python\n[[围栏]]\n- [ ] 不算\nTODO\n```\n\n[[目标]]\n")
case("fence-tilde", "~~~\n[[波浪]]\n~~~\n[[目标]]\n")
case("fence-unclosed", "[[目标]]\n\n```\n[[没关的围栏]]\n- [ ] 任务\n")
case("fence-longer", "````\n[[长围栏]]\n```\n[[仍是代码]]\n````\n[[目标]]\n")
case("fence-in-item", "- 项目\n\n    ```python\n    [[项目里的围栏]]\n    ```\n\n    [[围栏之后]]\n")
case("fence-in-tight-item", "- a\n  ```\n  [[紧凑项目的围栏]]\n  ```\n- b [[乙]]\n")
case("fence-under-indent", "- a\n\n    ```\n    x\n\n[[出来了]]\n```\n")
case("fence-in-quote", "> ```\n> [[引用里的围栏]]\n> ```\n> [[引用]]\n")
case("code-spans", "`[[不是]]` 和 ``[[也不是]] ` x`` 和 \\`[[是的]]\\` TODO `TODO`\n")
case("code-span-in-link", "[[过滤器#`wikilink`|w]] 与 [[过滤器#`wikilink`]] 与 [[`目标`]] 与 [[目标|`代码`标签]]\n")
case("code-span-escaped-html", "[[过滤器#`a<b`]] 与 [[`x&y`]]\n")
# ---- HTML comments ----------------------------------------------------------------------------
case("comment-inline", "前 <!-- [[隐藏一]] TODO --> 后 [[显示一]]\n")
case("comment-block", "<!-- [[隐藏二]] -->\n\n<!--\n[[隐藏三]]\n- [ ] 不算\nTODO\n-->\n[[显示二]]\n")
case("comment-multiline-inline", "文字 <!-- 开始\n[[隐藏四]] 结束 -->\n之后 [[显示三]]\n")
case("comment-tail", "<!-- 注释 --> [[尾巴]]\n")
case("comment-unclosed", "<!-- 没有结束 [[显示四]]\n")
case("comment-in-item", "- 项目 <!-- [[隐藏五]] -->\n- [ ] 任务 <!-- TODO -->\n")
case("comment-two", "<!-- a --><!-- [[隐藏六]] --> [[显示五]]\n")
# ---- Raw HTML ---------------------------------------------------------------------------------
case("raw-div", "<div>[[块一]]</div>\n\n<div>\n[[块二]]\n\n- [ ] 不算\n</div>\n[[块后]]\n")
case("raw-div-tail", "<div>[[块三]]</div> [[行尾]]\n")
case("raw-nested", "<div><div>[[内层]]</div>\n[[外层]]\n</div>\n\n[[目标]]\n")
case("raw-p-then-task", "<p>[[段落块]]</p>\n- [ ] 任务\n")
case("raw-details", "<details><summary>[[摘要]]</summary>\n[[细节]] TODO 看得见\n</details>\n\n[[目标]]\n")
case("raw-unclosed", "[[之前]]\n\n<div>\n[[永远不会]]\n\n## 不是标题\n\n- [ ] 不是任务\n")
case("raw-indented", "  <div>[[缩进两格]]</div>\n\n段落\n\n    <div>[[缩进四格]]</div>\n\n[[目标]]\n")
case("raw-after-list", "- a\n\n<div>x</div>\n\n    [[原始块后的代码]]\n")
case("raw-table-center-hr", "<table><tr><td>[[单元格]]</td></tr></table>\n\n<center>[[居中]]</center>\n\n<hr>[[横线后]]\n")
case("raw-self-closing", "<div/>[[自闭合之后]]\n")
case("raw-mid-paragraph", "段落\n<div>[[段中块]]</div>\n后文 [[后文]]\n")
case("raw-script", "<script>\nvar a = '</div>';\n// [[脚本]]\n</script>\n\n[[目标]]\n")
case("inline-html", "<span>[[行内]]</span> 和 <b>[[粗体]]</b>\n\n- <div>[[项目里的块]]</div>\n\n文字 <div>[[段中的块]]</div>\n")
case("markup-in-link", "[[缺<b>失</b>]] 与 [[目标|<i>斜</i>]] 与 [[a $x$ b]] 与 <b>[[粗体里]]</b>\n")
case("html-attribute", '<img alt="[[属性]]" src="x.png"> [[图片后]]\n\n<span title="TODO">看</span>\n')
# ---- Math -------------------------------------------------------------------------------------
case("math-inline", "公式 $[[数学一]]$ 与 $$[[数学二]]$$ 之后 [[目标]] $TODO$\n")
case("math-block", "$$\n[[数学三]]\nTODO\n$$\n\n[[目标]]\n")
case("math-multiblock", "$$\na\n\n[[数学四]]\n$$\n\n[[目标]]\n")
case("math-price", "价格 $5 和 $6 [[价格]]\n")
case("math-around", "$a$ [[数学之间]] $b$\n")
case("math-unclosed", "$$ 没有结束 [[未闭合公式]]\n\n## 被吞掉的标题\n\n- [ ] 被吞掉的任务 TODO\n")
# ---- Lists and tasks --------------------------------------------------------------------------
case("list-continuation", "- 项目\n\n    [[续段]]\n\n        [[项目里的代码]]\n")
case("list-nested-github", "- a\n  - b [[乙项]]\n    - [ ] c\n\n        [[乙的续段]]\n\n            [[乙的代码]]\n")
case("list-under-paragraph", "段落\n- [ ] 任务一\n- [x] 任务二 [[任务里的链接]]\n")
case("list-indented-under-paragraph", "段落\n    - [ ] 变成代码\n")
case("list-two-space-continuation", "- a\n\n  续段 [[两格]]\n\n    [[四格]]\n")
case("list-lazy-item", "- a\n\n  懒段落\n- [ ] b\n\n- c\n\n    文字\n    - [ ] d\n")
case("list-ordered-code", "1. 步骤\n\n        [[有序列表里的代码]]\n\n2. [ ] 第二步\n")
case("tasks-markers", "- [ ] a\n* [x] b\n+ [X] c\n1. [ ] d\n2) [ ] e\n- [ ]\n- [ ]x\n-\t[ ] 制表符\n- [ ] \n")
case("tasks-loose", "- [ ] a\n\n- [x] b\n\n    - [ ] 嵌套\n")
case("tasks-setext", "- [ ] 变成标题\n---\n\n[[目标]]\n---\n    [[标题后的代码]]\n")
# ---- Tables -----------------------------------------------------------------------------------
case("table", "| 列 | 说明 |\n|---|---|\n| [[目标\\|标签]] | [[断开|标签]] |\n| `[[代码]]` | [[丙]] |\n", "tables")
case("table-not-a-table", "| 不是表格 [[目标|标签]] |\n后文\n")
case("table-pipe-in-code", "| a | b |\n|---|---|\n| `x|y` [[表内]] | c |\n", "tables")
# ---- Containers -------------------------------------------------------------------------------
case("blockquote", "> 引用 [[引用一]]\n>\n>     [[引用里的代码]]\n>\n> - [ ] 引用里的任务\n\n> 第二段 [[引用二]]\n")
case("blockquote-lazy", "> 引用\n续行 [[懒引用]]\n\n    [[引用后的代码]]\n")
case("blockquote-list", "> - a\n>\n>     [[引用列表续段]]\n")
case("admonition", '!!! note "提示 [[提示标题]]"\n    内容 [[提示一]]\n\n    - [ ] 提示里的任务\n\n'
                   "        [[提示里列表的续段]]\n\n[[目标]]\n")
case("admonition-code", "!!! note\n    内容\n\n        [[提示里的代码]]\n")
case("admonition-exit", "!!! note\n    内容\n不缩进 [[出来]]\n\n    [[出来后的代码]]\n")
case("details", '??? note "折叠"\n    [[折叠一]]\n\n    更多 [[折叠二]]\n', "pymdownx.details")
case("footnote", "正文[^1]。\n\n[^1]: 脚注 [[脚注一]]\n\n    续 [[脚注二]]\n", "footnotes")
case("definition", "术语 [[术语]]\n:   定义 [[定义一]]\n\n    续 [[定义二]]\n", "def_list")
# ---- Where one block ends and the next begins (found by fuzzing against the renderer) -----------
case("quote-split-by-heading", ">\n    [[引用里的代码]]\n## 小节 [[标题]]\n")
case("rule-ends-list", "- [x] 完成\n---\n\t[[规则后的代码]]\n- [ ] 任务\n")
case("quote-in-item", "- a\n> - [ ] 引用里的任务\n  续 [[续]]\n- [x] b\n\n> [[新的引用]]\n")
case("setext-quote", "> [[引用变标题]]\n---\n\n    [[标题后的代码]]\n")
case("admonition-rule", "!!! note\n    内容 [[提示]]\n---\n    [[规则后]]\n")
case("footnote-nested-list", "正文[^1]\n\n[^1]: 脚注 [[脚注]]\n    - 三层 [[三层]]\n  - [ ] 嵌套任务\n", "footnotes")
case("math-after-rule", "段落\n---\n$$ x^2 $$\n### 方法 [[方法]]\n")
# ---- Headings, links, markers -----------------------------------------------------------------
case("heading-links", "## 参见 [[标题里]]\n\n### [[过滤器]] 的用法\n\n## 方法 [[带属性]] {#m}\n")
case("lead-h1", "# 标题 [[首行标题里]]\n\n[[目标]]\n", "no-title")
case("escaped-and-empty", "\\[[转义]] [[ ]] [[|x]] [[#h]]\n")
# ---- Obsidian: places in a note, block ids, embeds of notes ----------------------------------------
case("self-links", "## 方法\n\n见 [[#方法]]、[[#^b1|那段]] 和 [[目标#^t1]]\n\n一段 ^b1\n\n`[[#代码]]` [[#]]\n")
case("block-ids", "段落 **粗** ^p-1\n\n- 条目 ^li1\n- 二\n    - 嵌套 ^li-2\n\n| a |\n|---|\n| 1 |\n\n^tbl\n\n"
     "行内 `^code` 不是\n\n$x ^m$\n\n    ^indented\n\n句中 ^mid 不算\n")
case("math-then-callout", "$$\nx [[不是]]\n$$\n> [!danger] 标题 [[危险]]\n> 内容\n\n## 标题\n\n$$a$$\n后面 [[同块]]\n\n"
     "$$\n多块\n\n仍是公式 [[公式里]]\n$$\n- [ ] 任务 [[列表]]\n\n$$ 未闭合 [[开放]]\n")
case("heading-after-table", "| a | b |\n|---|---|\n| 1 | [[表内]] |\n### 表后标题 [[标题里]]\n\n- 条目 [[项]]\n## 列表后 [[列表后]]\n"
     "> 引用 [[引]]\n# 引用后 [[引用后]]\n段落 [[段]]\n## 段后\n")
case("inline-tags", "#开头 [[目标#方法]] #链接后 正文 #剪枝/结构化 和 #3 与 #LoRA，`#代码` [[目标|#链接]] [t #md](x.md) <b>#html</b>\n"
     "C#语言 \\#转义 **粗**#x *#斜* #尾/\n\n## 标题 #不算\n\n- #条目 二 #b\n\n| #表头 |x|\n|---|---|\n|#紧贴|1|\n\n"
     "> 引用 #q\n\n> [!tip] 标题 #ct\n> 内 #ci\n\n$a #m$ 和 <!-- #注释 --> %%#隐藏%% 与 ~~#删~~\n")
case("embed-note", "![[目标]]\n\n文字 ![[目标#^t1]] 后\n\n> ![[目标]]\n")
case("emphasis", "**[[粗]]** *[[斜]]* ~~[[删]]~~ [见 [[里面]]](target.md)\n")
case("markers", "TODO 一 `TODO` <!-- TODO --> $TODO$\n\n    TODO\n\n待补充：推导\n\n待修 公式\n")
# ---- Obsidian: callouts ------------------------------------------------------------------------
case("callout", "> [!tip] 标题 [[目标]]\n> 内容 [[提示内]] TODO\n>\n> - [ ] 任务\n\n后文 [[目标]]\n")
case("callout-folded", "> [!warning]- 折叠 [[折叠标题]]\n> [[折叠内]]\n\n> [!question]+\n> - [x] 开着\n")
case("callout-adjacent", "> [!note]\n> 一 [[一]]\n\n> [!todo] 写实验\n> 二\n\n> 普通引用 [[三]]\n")
case("callout-nested", "> [!note] 外\n> > [!bug] 内 [[内层]]\n> > - [ ] 内层任务\n>\n> 外层 [[外层]]\n")
case("callout-todo", "> [!待办]\n> 第一行 [[待办链接]]\n\n> [!TODO]\n> - [ ] a\n\n- 项目\n\n    > [!todo] 项目里\n")
case("callout-mid-block", "段落 [[前]]\n> [!tip] 中间\n> 内容 [[中]]\n")
case("callout-not", "> 引用 [!tip] 不是\n> [!tip] 也不是 [[不是标注]]\n\n>[!tip]紧贴\n")
case("callout-code", "> [!example]\n>     [[标注里的代码]]\n>\n> ```\n> [[围栏]]\n> ```\n")
# ---- Obsidian: embeds of files are no note links ------------------------------------------------
case("embeds", "![[图.png]] 与 ![[图.png|300]] 与 [[论文.pdf]] 与 ![[目标]] 与 \\![[目标]] 与 `![[代码.png]]` [[GPT-3.5]]\n")
case("embeds-in-table", "| a | b |\n|---|---|\n| ![[图.png\\|200]] | [[目标]] |\n", "tables")
case("mixed", "## 实验\n\n- [ ] 补表 [[目标#方法]]\n- [x] 读完\n\n```\n[[代码]]\n```\n\n"
              "<!-- [[注释]] -->\n正文 [[过滤器|过滤器们]] 与 [[缺失]]。\n")

TARGETS = {
    "notes/goal.md": "---\nid: goal\ntitle: 目标\n---\n## 方法\n\n正文 [[filter]]。 ^t1\n",
    "notes/filter.md": "---\nid: filter\ntitle: 过滤器\n---\n## `wikilink`\n\n## `a<b`\n\n正文。\n",
}


def _repo_markdown_extensions() -> str:
    """The ``markdown_extensions:`` section of the shipped mkdocs.yml, verbatim."""
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    section = text[text.index("markdown_extensions:"):]
    end = re.search(r"^\S", section[len("markdown_extensions:"):], re.M)
    return section[: len("markdown_extensions:") + end.start()] if end else section


REPO_YML = MKDOCS_YML.split("markdown_extensions:")[0] + _repo_markdown_extensions() + "validation:\n  anchors: warn\n"


class _Content(HTMLParser):
    """The note's own content in a page: kbsite's links, checkboxes and visible text, in order.

    Only inside ``<article>``, and not in what the page adds around the note: its title, and
    everything marked ``data-search-exclude`` (metadata, breadcrumbs, backlinks, related notes,
    the local graph, topic sections). A note's own HTML cannot carry that attribute: the
    sanitiser drops ``data-*``.
    """

    NO_TEXT = {"code", "pre", "math", "script", "style", "textarea"}
    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "area", "base", "col", "embed", "track"}

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, inside content, text hidden)
        self.links: list[list[str]] = []  # [class, text, anchor]
        self.open_link: list[str] | None = None
        self.link_depth = 0
        self.tasks: list[bool] = []
        self.block_ids: list[str] = []  # ids of ^id blocks
        self.tags: list[list[str]] = []  # inline #tags shown
        self.open_tag: list[str] | None = None
        self.tag_depth = 0
        self.todo_callouts = 0  # > [!todo] callouts
        self.text: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        inside, hidden = self.stack[-1][1:] if self.stack else (False, False)
        if tag == "article":
            inside = True
        if "data-search-exclude" in a or "kb-title" in classes or "kb-transclusion__body" in classes:
            inside = False  # an embed's content is the embedded note's: its links count there
        hidden = hidden or tag in self.NO_TEXT
        if inside and tag in ("a", "span") and classes & {"kb-link", "kb-wanted"}:
            anchor = urllib.parse.unquote(urllib.parse.urlsplit(a.get("href") or "").fragment)
            self.open_link = [next(iter(classes & {"kb-link", "kb-wanted"})), "", anchor]
            self.links.append(self.open_link)
            self.link_depth = len(self.stack)
        if inside and "kb-callout-todo" in classes:
            self.todo_callouts += 1
        if inside and tag in ("a", "span") and "kb-tag" in classes:
            self.open_tag = [""]
            self.tags.append(self.open_tag)
            self.tag_depth = len(self.stack)
        if inside and (a.get("id") or "").startswith("^"):
            self.block_ids.append(a["id"][1:])
        if inside and tag == "input" and a.get("type") == "checkbox":
            self.tasks.append("checked" in a)
        if tag not in self.VOID:
            self.stack.append((tag, inside, hidden))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break
        if self.open_link is not None and len(self.stack) <= self.link_depth:
            self.open_link = None
        if self.open_tag is not None and len(self.stack) <= self.tag_depth:
            self.open_tag = None

    def handle_data(self, data: str) -> None:
        if self.open_tag is not None:
            self.open_tag[0] += data
        if self.open_link is not None:
            self.open_link[1] += data
        if self.stack and self.stack[-1][1] and not self.stack[-1][2]:
            self.text.append(data)


def _expected_links(vault: Vault, path: str, slug) -> list[list[str]]:  # type: ignore[no-untyped-def]
    note = next(n for n in vault.notes if n.path == path)
    out = []
    for lk in note.links:
        if lk.markdown or lk.prop:  # a link in front matter is not in the body
            continue
        hit = vault.index.resolve(lk.target) if lk.target else note  # [[#heading]]: this note
        anchor = (lk.heading if lk.heading.startswith("^") else slug(lk.heading)) if lk.heading else ""
        if hit is None:
            out.append(["kb-wanted", lk.label or lk.target, ""])
        elif not lk.target:
            out.append(["kb-link", lk.label or lk.heading or "", anchor])
        else:
            text = lk.label or (f"{hit.title} § {lk.heading}" if lk.heading else hit.title)
            out.append(["kb-link", text, anchor])
    return out


def _note_files(names: list[str]) -> dict[str, str]:
    files = dict(TARGETS)
    for name in names:
        body, needs = CASES[name]
        files[f"notes/cases/{name}.md"] = body if "no-title" in needs else f"---\ntitle: 例子 {name}\n---\n{body}"
    return files


def _differences(root: Path, names: list[str]) -> list[str]:
    from pymdownx.slugs import slugify

    slug = slugify(case="lower")
    build_kb(root)
    vault = load_vault(root / "notes")
    problems = []
    for name in names:
        path = f"cases/{name}.md"
        note = next(n for n in vault.notes if n.path == path)
        page = _Content((root / "site" / "notes" / "cases" / name / "index.html").read_text(encoding="utf-8"))
        expected = _expected_links(vault, path, lambda h: slug(h, "-"))
        if page.links != expected:
            problems.append(f"{name}: links\n  core: {expected}\n  page: {page.links}")
        if [t.checked for t in note.tasks] != page.tasks:
            problems.append(f"{name}: tasks\n  core: {[t.checked for t in note.tasks]}\n  page: {page.tasks}")
        shown = [m.group(0) for m in MARKER_RE.finditer("".join(page.text))]
        text_markers = [m.kind for m in note.markers if m.kind != CALLOUT_MARKER]
        if text_markers != shown:
            problems.append(f"{name}: markers\n  core: {text_markers}\n  page: {shown}")
        core_tags = ["#" + tg.name for tg in scan_body(blank_comments(note.body), note.body_line).tags]
        if core_tags != [tg[0] for tg in page.tags]:
            problems.append(f"{name}: tags\n  core: {core_tags}\n  page: {[tg[0] for tg in page.tags]}")
        if sorted(b.id for b in note.blocks) != sorted(page.block_ids):
            problems.append(f"{name}: block ids\n  core: {[b.id for b in note.blocks]}\n  page: {page.block_ids}")
        callouts = sum(1 for m in note.markers if m.kind == CALLOUT_MARKER)
        if callouts != page.todo_callouts:
            problems.append(f"{name}: todo callouts\n  core: {callouts}\n  page: {page.todo_callouts}")
    return problems


def test_core_counts_what_the_page_shows_with_the_shipped_extensions(tmp_path: Path) -> None:
    names = list(CASES)
    make_kb(tmp_path, _note_files(names), REPO_YML)
    assert "pymdownx.details" in REPO_YML and "footnotes" in REPO_YML  # the shipped list was read
    problems = _differences(tmp_path, names)
    assert not problems, "\n".join(problems)


def test_core_counts_what_the_page_shows_with_the_small_extension_set(tmp_path: Path) -> None:
    names = [n for n, (_, needs) in CASES.items() if not needs - {"no-title"}]
    make_kb(tmp_path, _note_files(names), MKDOCS_YML)
    problems = _differences(tmp_path, names)
    assert not problems, "\n".join(problems)


def test_the_corpus_is_not_empty_of_links_tasks_and_markers(tmp_path: Path) -> None:
    """Guards the differential tests above against comparing nothing with nothing."""
    make_kb(tmp_path, _note_files(list(CASES)), REPO_YML)
    vault = load_vault(tmp_path / "notes")
    notes = [n for n in vault.notes if n.path.startswith("cases/")]
    assert len(notes) == len(CASES)
    assert sum(len([lk for lk in n.links if not lk.markdown]) for n in notes) > 60
    assert sum(len(n.tasks) for n in notes) > 10
    assert sum(len(n.markers) for n in notes) >= 4


def test_shared_patterns_match_the_renderer() -> None:
    """The core cannot import Markdown: the patterns it copies must stay the renderer's."""
    import markdown
    from markdown import inlinepatterns

    from kbsite.core import wikilinks
    from kbsite.plugin import markdown as kb_markdown

    assert wikilinks.INLINE_MATH_RE.pattern == kb_markdown.INLINE_MATH_PATTERN
    assert wikilinks.DISPLAY_MATH_RE.pattern == kb_markdown.DISPLAY_MATH_PATTERN
    assert wikilinks.HTML_INLINE_RE.pattern == inlinepatterns.HTML_RE
    assert wikilinks.BLOCK_LEVEL_TAGS == set(markdown.Markdown().block_level_elements)
    assert wikilinks.TAB == markdown.Markdown().tab_length
