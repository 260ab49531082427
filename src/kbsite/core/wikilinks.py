"""core: pure. Find wikilinks, Markdown note links, headings, tasks and todo markers in a body.

Everything here skips fenced code blocks and inline code spans, the way Markdown renders them,
so a ``[[link]]`` or a ``TODO`` inside code is never counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kbsite.core.model import Heading, Link, Marker, Task

WIKILINK_RE = re.compile(
    r"\[\["
    r"(?P<target>[^\]\[|#\n]+?)"  # target: an id, title or alias (no brackets, pipe or hash)
    r"(?:#(?P<heading>[^\]\[|\n]*?))?"  # optional #heading
    r"(?:\\?\|(?P<label>[^\]\[\n]+?))?"  # optional |label (\| inside a table cell)
    r"\]\]"
)
# An ordinary inline Markdown link whose target is a relative ``.md`` file, optionally #anchor.
MDLINK_RE = re.compile(
    r"(?<!!)\[(?P<label>[^\]\n]*)\]"  # [label], not an image
    r"\((?P<target>(?!\w+://|/|#|mailto:)[^)\s#]+\.md)"  # (relative/path.md
    r"(?:#(?P<heading>[^)\s]*))?"  # optional #anchor
    r"(?:\s+\"[^\"]*\")?\)"  # optional "title")
)
FENCE_RE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
HEADING_RE = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?:[ \t]+(?P<text>.*?))?(?:[ \t]+#+)?[ \t]*$")
TASK_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[(?P<mark>[ xX])\]\s+(?P<text>.*)$")
# TODO as a whole (ASCII) word; the Chinese markers anywhere.
MARKER_RE = re.compile(r"(?<![A-Za-z0-9_])(?P<kind>TODO)(?![A-Za-z0-9_])|(?P<zh>待补充|待修)")
CODE_SPAN_RE = re.compile(r"(?P<ticks>`+)(?P<code>.+?)(?P=ticks)")
ATTR_LIST_RE = re.compile(r"\s*\{[^{}]*\}\s*$")
# A sentence ends after one of these, or after a "." that whitespace follows (not "3.5").
_SENTENCE_END_RE = re.compile(r"[。！？；!?;]|\.(?=\s)")
_MDLINK_TEXT_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS_RE = re.compile(r"(\*\*|__|\*|~~)(?=\S)(.+?)(?<=\S)\1")
_TAG_RE = re.compile(r"<[^>]+>")
_LIST_ITEM_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?")
_QUOTE_RE = re.compile(r"^\s*>\s?")
_HASHES_RE = re.compile(r"^\s*#{1,6}\s+")
_SPACES_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class BodyScan:
    headings: tuple[Heading, ...]
    links: tuple[Link, ...]
    tasks: tuple[Task, ...]
    markers: tuple[Marker, ...]
    first_h1: str | None
    first_h1_line: int | None  # 0-based index in the body of the first line, if it is an H1
    table_pipes: tuple[int, ...] = ()  # file lines of table rows with an unescaped [[a|b]]


def mask_code_spans(line: str) -> str:
    """Replace inline code with spaces, keeping columns, so nothing inside code is matched."""
    if "`" not in line:
        return line
    return CODE_SPAN_RE.sub(lambda m: " " * len(m.group(0)), line)


def unlink(markdown: str) -> str:
    """Replace every ``[[target#heading|label]]`` by its label (or target): the text a reader sees."""
    return WIKILINK_RE.sub(lambda m: (m.group("label") or m.group("target")).strip(), markdown)


def plain_text(markdown: str) -> str:
    """A Markdown fragment as readable plain text: wikilinks become labels, markup is dropped."""
    # Each rule runs only when its characters occur: this is called for every link and task.
    text = markdown
    if "[" in text:
        text = _MDLINK_TEXT_RE.sub(r"\1", unlink(text))
    if "`" in text:
        text = CODE_SPAN_RE.sub(lambda m: m.group("code"), text)
    if "*" in text or "_" in text or "~" in text:
        text = _EMPHASIS_RE.sub(r"\2", text)
    if "<" in text:
        text = _TAG_RE.sub("", text)
    text = _LIST_ITEM_RE.sub("", text)
    if ">" in text:
        text = _QUOTE_RE.sub("", text)
    if "#" in text:
        text = _HASHES_RE.sub("", text)
    return _SPACES_RE.sub(" ", text).strip()


def snippet_around(line: str, start: int, end: int, width: int = 70) -> str:
    """The sentence of ``line`` that holds ``line[start:end]``, as plain text, cropped around it."""
    # Sentence bounds in the raw line: the link sits between the previous and next sentence end.
    bounds = [0] + [m.end() for m in _SENTENCE_END_RE.finditer(line)] + [len(line)]
    lo = max(b for b in bounds if b <= start)
    hi = min(b for b in bounds if b >= end)
    text = plain_text(line[lo:hi])
    if len(text) <= 2 * width:
        return text
    at = max(0, len(plain_text(line[lo:start])) - 1)
    left, right = max(0, at - width), at + width
    return ("…" if left else "") + text[left:right].strip() + ("…" if right < len(text) else "")


def scan_body(body: str, body_line: int) -> BodyScan:
    """Scan a note body.

    Arguments:
        body: the body text, ``\\n`` newlines.
        body_line: the file line number of the body's first line.

    Returns:
        Headings, links, tasks and markers with file line numbers, and the first H1.
    """
    headings: list[Heading] = []
    links: list[Link] = []
    tasks: list[Task] = []
    markers: list[Marker] = []
    first_h1: str | None = None
    first_h1_index: int | None = None
    seen_content = False
    fence: str | None = None
    current_heading: str | None = None
    table_pipes: list[int] = []
    for index, raw in enumerate(body.split("\n")):
        lineno = body_line + index
        if fence is not None:
            stripped = raw.strip()
            if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
                fence = None
            continue
        m = FENCE_RE.match(raw)
        if m:
            fence = m.group("fence")
            seen_content = True
            continue
        line = mask_code_spans(raw)
        h = HEADING_RE.match(line)
        if h:
            text = plain_text(ATTR_LIST_RE.sub("", raw.strip().lstrip("#").rstrip("#"))) if h.group("text") else ""
            level = len(h.group("hashes"))
            headings.append(Heading(level, text, lineno))
            current_heading = text
            if level == 1 and first_h1 is None:
                first_h1 = text
                if not seen_content:
                    first_h1_index = index
        if raw.strip():
            seen_content = True
        if "[" in line:
            _scan_links(raw, line, lineno, links, table_pipes)
            t = TASK_RE.match(line)
            if t:
                tasks.append(Task(plain_text(t.group("text")), lineno, t.group("mark") != " ", current_heading))
        if "TODO" in line or "待" in line:
            for km in MARKER_RE.finditer(line):
                kind = km.group("kind") or km.group("zh")
                # From the masked line: text inside code spans is not part of the marker's text.
                rest = plain_text(line[km.end():]).lstrip(":：-— ").strip() or plain_text(line)
                markers.append(Marker(kind, rest, lineno, current_heading))
    return BodyScan(tuple(headings), tuple(links), tuple(tasks), tuple(markers), first_h1, first_h1_index,
                    tuple(table_pipes))


def _scan_links(raw: str, line: str, lineno: int, links: list[Link], table_pipes: list[int]) -> None:
    """The wikilinks and Markdown note links of one body line (``line``: code spans masked)."""
    in_table = line.lstrip().startswith("|")
    for wm in WIKILINK_RE.finditer(line):
        if in_table and wm.group("label") is not None and line[wm.start("label") - 2] != "\\":
            table_pipes.append(lineno)
        target = wm.group("target").strip()
        if not target:
            continue
        heading = wm.group("heading")
        label = wm.group("label")
        links.append(Link(
            target=target,
            heading=heading.strip() if heading and heading.strip() else None,
            label=label.strip() if label and label.strip() else None,
            line=lineno,
            snippet=snippet_around(raw, wm.start(), wm.end()),
        ))
    for mm in MDLINK_RE.finditer(line):
        links.append(Link(
            target=mm.group("target"),
            heading=mm.group("heading") or None,
            label=mm.group("label") or None,
            line=lineno,
            snippet=snippet_around(raw, mm.start(), mm.end()),
            markdown=True,
        ))
