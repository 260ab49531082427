"""core: pure. Read a reading-list outline and plan topic notes and paper stubs (``kbsite import``).

The outlines this reads are messy (see tests/test_import.py for the real example):

- numbered headings: ``1 大模型相关技术``, ``1.5 推理加速``, ``1.5.1 Knowledge Distillation: A Survey, 2021``;
- a line ``todo`` after an entry, meaning "not read yet";
- two columns interleaved on one line, separated by a tab (``1.1.2 …, 2018<TAB>1.4.2 …, 2020``),
  where a ``todo`` belongs to the last entry *of the same column*;
- entries without a year, Chinese topic names, series prefixes (``GPT系列-``), short names
  (``, Gpt1``), venues (``, ICLR``);
- free text under an entry (a summary) and numbered section headings inside it (``2.1.1 创新点``).

Rules (in this order) for a numbered heading:

1. a title ending in a year is a **paper**;
2. a heading under a paper is a **section** of that paper's text;
3. a heading with numbered children is a **topic**;
4. a heading with a paper sibling is a **paper** (one without a year);
5. anything else is a **topic**.

A paper (or topic) with text under it is a ``draft``; otherwise it is ``todo``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kbsite.core.index import NoteIndex
from kbsite.core.keys import normalize_key, safe_slug
from kbsite.core.model import Note
from kbsite.core.newnote import NoteDraft, derive_id, folder_for, taken_names, unique_id

# "1", "1.5", "1.5.1" (at most two digits at the top, so "2024 年" is not a heading), then a title.
NUM_RE = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,3})*)\.?[ \t\u3000]+(?P<title>\S.*?)\s*$")
TODO_RE = re.compile(r"^(?:todo|tbd|待补充|待读|待写)[.。!！]?$", re.IGNORECASE)
# A trailing year: ", 2021", " 2021", "(2021)", ", 2018)".
YEAR_RE = re.compile(r"[\s,，(（]*(?P<year>(?:19|20)\d{2})\s*[)）]?\s*$")
# A trailing parenthesis left open (often authors): '” (Irving Et Al'.
WHO_RE = re.compile(r"\s*[(（](?P<who>[^()（）]*)$")
# A trailing ", TOKEN": a venue or a short name (no spaces).
TAIL_RE = re.compile(r"\s*[,，]\s*(?P<token>[^\s,，]{1,16})\s*$")
# "GPT系列-Title", "DALL-E系列Title"
SERIES_RE = re.compile(r"^(?P<series>.{1,30}?系列)[-–—:：\s]*")
# "安全性与对齐-Title", "AI Policy与影响力-Title": a prefix with Chinese in it, then a dash.
CJK_PREFIX_RE = re.compile(r"^(?P<series>[^-]{0,30}?[\u4e00-\u9fff][^-]{0,30}?)-(?=[A-Za-z])")
# "CLIP-Learning Transferable ...": an upper-case short name, then a dash and a capitalised word.
SHORT_RE = re.compile(r"^(?P<short>[A-Z][A-Z0-9]{1,10})-(?=[A-Z][a-z])")
QUOTES = "\"'“”‘’「」"
VENUES = {v.casefold() for v in (
    "ICLR", "ICML", "NeurIPS", "NIPS", "CVPR", "ICCV", "ECCV", "ACL", "EMNLP", "NAACL", "COLING", "AAAI",
    "IJCAI", "KDD", "SIGIR", "WWW", "TACL", "JMLR", "TPAMI", "arXiv", "Nature", "Science", "ICASSP",
    "Interspeech", "WACV", "BMVC", "CoRL", "RSS", "ICRA", "IROS", "COLM", "UAI", "AISTATS",
)}


# ---- Classes --------------------------------------------------------------------------------


@dataclass
class OutlineNode:
    """A numbered heading of the outline and the text under it."""

    number: str
    raw: str  # the heading text as written, without the number
    line: int  # 1-based line in the outline
    column: int  # 0 for the left (or only) column
    kind: str = ""  # "topic" | "paper" | "section"
    title: str = ""
    year: int | None = None
    venue: str | None = None
    aliases: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    who: str | None = None  # a trailing "(Irving Et Al" as written
    todo: bool = False  # a "todo" line follows
    body: list[str] = field(default_factory=list)

    @property
    def depth(self) -> int:
        return self.number.count(".") + 1

    @property
    def parent_number(self) -> str | None:
        return self.number.rsplit(".", 1)[0] if "." in self.number else None

    @property
    def has_text(self) -> bool:
        return any(line.strip() for line in self.body)

    @property
    def status(self) -> str:
        return "draft" if self.has_text else "todo"

    def __repr__(self) -> str:
        return f"OutlineNode({self.number} {self.kind} {self.title!r}, {self.year}, {self.status})"


@dataclass
class Outline:
    nodes: list[OutlineNode]  # topics and papers (sections are folded into their paper)
    preamble: list[str]  # text before the first heading (title page, abstract)

    @property
    def topics(self) -> list[OutlineNode]:
        return [n for n in self.nodes if n.kind == "topic"]

    @property
    def papers(self) -> list[OutlineNode]:
        return [n for n in self.nodes if n.kind == "paper"]

    def by_number(self) -> dict[str, OutlineNode]:
        return {n.number: n for n in self.nodes}

    def topic_of(self, node: OutlineNode) -> OutlineNode | None:
        """The nearest topic above a node in the numbering."""
        numbers = self.by_number()
        parent = node.parent_number
        while parent is not None:
            hit = numbers.get(parent)
            if hit is not None and hit.kind == "topic":
                return hit
            parent = parent.rsplit(".", 1)[0] if "." in parent else None
        return None


# ---- Title cleaning -------------------------------------------------------------------------


def _strip_quotes(text: str) -> str:
    return text.strip().strip(QUOTES).strip()


def clean_entry(node: OutlineNode) -> None:
    """Split a paper heading into title, year, venue, short names (aliases) and series (tags)."""
    text = node.raw.strip()
    m = YEAR_RE.search(text)
    if m and m.start() > 0:
        node.year = int(m.group("year"))
        text = text[: m.start()]
    m = WHO_RE.search(text)
    if m and m.start() > 0:
        node.who = m.group("who").strip() or None
        text = text[: m.start()]
    text = _strip_quotes(text)
    for _ in range(2):
        m = TAIL_RE.search(text)
        if not m or m.start() == 0:
            break
        token = m.group("token")
        if token.casefold() in VENUES:
            node.venue = node.venue or token
        else:
            node.aliases.insert(0, token)
        text = text[: m.start()].rstrip()
    m = SERIES_RE.match(text) or CJK_PREFIX_RE.match(text)
    if m and m.end() < len(text):
        node.tags.append(m.group("series").strip())
        text = text[m.end():]
    else:
        m = SHORT_RE.match(text)
        if m:
            node.aliases.insert(0, m.group("short"))
            text = text[m.end():]
    node.title = _strip_quotes(text.lstrip("-–—:： "))


# ---- Parsing --------------------------------------------------------------------------------


def _cells(line: str) -> list[str]:
    """The columns of a line: split on tabs only when every non-empty cell is a heading or a
    ``todo`` (so a tab-separated table inside a summary stays one line of text)."""
    if "\t" not in line:
        return [line]
    cells = line.split("\t")
    if all(not c.strip() or NUM_RE.match(c.strip()) or TODO_RE.match(c.strip()) for c in cells):
        return cells
    return [line]


def _accepted_numbers(rows: list[list[str]]) -> set[str]:
    """Numbers that are real headings: a sub-number whose parent number appears somewhere (the
    right column may come first), or a top number with children or next in sequence."""
    found: list[str] = []
    for cells in rows:
        for cell in cells:
            m = NUM_RE.match(cell.strip())
            if m:
                found.append(m.group("num"))
    all_numbers = set(found)
    accepted: set[str] = set()
    last_top = 0
    for num in found:
        if "." in num:
            if num.rsplit(".", 1)[0] in all_numbers:
                accepted.add(num)
            continue
        has_child = any(other.startswith(num + ".") for other in all_numbers)
        if has_child or int(num) == last_top + 1:
            accepted.add(num)
            last_top = max(last_top, int(num))
    # A sub-number is only real if its whole chain of parents is.
    return {n for n in accepted if all(p in accepted for p in _prefixes(n))}


def _prefixes(num: str) -> list[str]:
    parts = num.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def parse_outline(text: str) -> Outline:
    """Parse an outline; never raises. See the module docstring for the rules."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    rows = [_cells(line) for line in lines]
    accepted = _accepted_numbers(rows)
    nodes: list[OutlineNode] = []
    preamble: list[str] = []
    last: dict[int, OutlineNode] = {}  # column -> the last heading in it
    for index, cells in enumerate(rows):
        for column, cell in enumerate(cells):
            stripped = cell.strip()
            m = NUM_RE.match(stripped)
            if m and m.group("num") in accepted:
                node = OutlineNode(m.group("num"), m.group("title"), index + 1, column)
                nodes.append(node)
                last[column] = node
            elif stripped and TODO_RE.match(stripped) and column in last:
                last[column].todo = True
            elif column in last:
                if stripped or last[column].body:
                    last[column].body.append(cell.rstrip() if len(cells) == 1 else stripped)
            elif stripped:
                preamble.append(stripped)
    _classify(nodes)
    return Outline(_fold_sections(nodes), preamble)


def _has_year(raw: str) -> bool:
    m = YEAR_RE.search(raw)
    return m is not None and m.start() > 0


def _classify(nodes: list[OutlineNode]) -> None:
    by_number = {n.number: n for n in nodes}
    children: dict[str, list[OutlineNode]] = {}
    for n in nodes:
        if n.parent_number is not None:
            children.setdefault(n.parent_number, []).append(n)
    # Pass 1: papers by year; sections under them (in document order parents come first in
    # the numbering, so sort by depth).
    for n in sorted(nodes, key=lambda n: n.depth):
        parent = by_number.get(n.parent_number or "")
        if parent is not None and parent.kind in ("paper", "section"):
            n.kind = "section"
        elif _has_year(n.raw):
            n.kind = "paper"
    for n in sorted(nodes, key=lambda n: n.depth):
        if n.kind:
            continue
        siblings = children.get(n.parent_number or "", []) if n.parent_number else []
        if any(c.kind != "section" for c in children.get(n.number, [])):
            n.kind = "topic"
        elif any(s.kind == "paper" for s in siblings if s is not n):
            n.kind = "paper"
        else:
            n.kind = "topic"
    for n in nodes:
        if n.kind == "paper":
            clean_entry(n)
        else:
            n.title = _strip_quotes(n.raw)


def _fold_sections(nodes: list[OutlineNode]) -> list[OutlineNode]:
    """Move each section (heading and text) into the body of the paper it belongs to."""
    by_number = {n.number: n for n in nodes}
    out: list[OutlineNode] = []
    for n in nodes:
        if n.kind != "section":
            out.append(n)
            continue
        owner = n
        while owner.kind == "section":
            owner = by_number[owner.parent_number or ""]
        level = min(6, 1 + n.depth - owner.depth)
        owner.body += ["", "#" * level + " " + n.raw, "", *n.body]
        owner.todo = owner.todo or n.todo
    for n in out:
        while n.body and not n.body[-1].strip():
            n.body.pop()
        while n.body and not n.body[0].strip():
            n.body.pop(0)
    return out


# ---- Import plan ----------------------------------------------------------------------------


@dataclass
class PlanItem:
    """What ``kbsite import`` does with one outline heading."""

    node: OutlineNode
    action: str  # "create" | "skip"
    draft: NoteDraft | None = None
    existing: str | None = None  # the id of the note it matches
    reason: str = ""

    def describe(self) -> str:
        n = self.node
        label = "主题" if n.kind == "topic" else "论文"
        if self.action == "skip":
            return f"skip    {label} {n.number} {n.title}: {self.reason}"
        d = self.draft
        assert d is not None
        bits = [str(d.year)] if d.year else []
        bits.append(d.status)
        if d.topics:
            bits.append("topic: " + ", ".join(d.topics))
        if d.parent:
            bits.append("parent: " + d.parent)
        if d.aliases:
            bits.append("aliases: " + ", ".join(d.aliases))
        return f"create  {label} {n.number} {d.path}  {d.title} ({'; '.join(bits)})"


def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split("."))


def _match(index: NoteIndex, names: list[str]) -> tuple[Note, str] | None:
    for kind, name in zip(["title", *["alias"] * (len(names) - 1)], names):
        note = index.resolve(name)
        if note is not None:
            return note, f"{kind} '{name}'"
    return None


def plan_import(outline: Outline, index: NoteIndex, root: Path) -> list[PlanItem]:
    """Topic notes and paper stubs for an outline; existing notes (by title or alias) are skipped.

    Arguments:
        outline: the parsed outline.
        index: the notes that exist now.
        root: the notes folder (new ids never name an existing file).

    Returns:
        Topics first, then papers, each in outline order.
    """
    taken = taken_names(index)
    topic_refs: dict[str, str] = {}  # outline number -> the name papers put in ``topics:``
    plan: list[PlanItem] = []
    nodes = sorted(outline.nodes, key=lambda n: (n.kind != "topic", _number_key(n.number)))
    for node in nodes:
        hit = _match(index, [node.title, *node.aliases])
        if hit is not None:
            note, how = hit
            if node.kind == "topic":
                topic_refs[node.number] = note.id if note.is_topic else node.title
            plan.append(PlanItem(node, "skip", existing=note.id, reason=f"exists: {note.src} ({how})"))
            continue
        if normalize_key(node.title) in taken:
            plan.append(PlanItem(node, "skip", reason="the same title appears earlier in the outline"))
            continue
        above = outline.topic_of(node)
        parent = topic_refs.get(above.number) if above is not None else None
        text = "\n".join(node.body).strip("\n")
        source = f"> 阅读清单 {node.number}：{node.raw}"
        if node.who:
            source += f"（作者按原文：{node.who}）"
        draft = NoteDraft(title=node.title, type=node.kind, status=node.status, year=node.year,
                          venue=node.venue, tags=list(node.tags), body=source + ("\n\n" + text if text else ""))
        draft.aliases = [a for a in dict.fromkeys(node.aliases) if normalize_key(a) not in taken
                         and normalize_key(a) != normalize_key(node.title)]
        if node.kind == "topic":
            draft.parent = parent
            base = safe_slug(node.title)
        else:
            draft.topics = [parent] if parent else []
            short = draft.aliases[0] if draft.aliases else None
            base = derive_id(node.title, "paper", short)
        draft.id = unique_id(base, taken, root, folder_for(draft.type))
        draft.path = f"{folder_for(draft.type)}/{draft.id}.md"
        for name in [draft.id, draft.title, *draft.aliases]:
            taken[normalize_key(name)] = draft.id
        if node.kind == "topic":
            topic_refs[node.number] = draft.id
        plan.append(PlanItem(node, "create", draft))
    return plan


def format_plan(plan: list[PlanItem]) -> str:
    lines = [item.describe() for item in plan]
    create = sum(1 for i in plan if i.action == "create")
    lines.append(f"{create} to create, {len(plan) - create} skipped "
                 f"({sum(1 for i in plan if i.node.kind == 'topic')} topics, "
                 f"{sum(1 for i in plan if i.node.kind == 'paper')} papers in the outline)")
    return "\n".join(lines) + "\n"
