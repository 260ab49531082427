"""core: pure. Find wikilinks, Markdown note links, headings, tasks and todo markers in a body.

What is counted is what the rendered page shows. The body is read the way Python-Markdown reads
it with the extensions of the shipped ``mkdocs.yml`` (superfences, admonition, details,
footnotes, def_list, tables, tasklist) and kbsite's own (wikilinks, math, list spacing), by a
line classifier rather than a Markdown parse. Nothing counts inside fenced or indented code,
code spans, HTML comments, raw HTML blocks or math; a ``[[a|b]]`` that a table splits at its
``|`` is no link; a task is a list item whose text starts with ``[ ]`` or ``[x]``.
tests/test_scanner_diff.py compares this scanner with the rendered pages.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from kbsite.core.attachments import is_attachment_name
from kbsite.core.callouts import CALLOUT_LINE_RE, CALLOUT_RE, parse_callout
from kbsite.core.model import Heading, Link, Marker, Task

WIKILINK_RE = re.compile(
    r"\[\["
    r"(?P<target>[^\]\[|#\n]*?)"  # target: an id, title or alias (no brackets, pipe or hash);
    # empty in [[#heading]] and [[#^block]]: a place in the same note
    r"(?:#(?P<heading>[^\]\[|\n]*?))?"  # optional #heading
    r"(?:\\?\|(?P<label>[^\]\[\n]+?))?"  # optional |label (\| inside a table cell)
    r"\]\]"
)
# An ordinary inline Markdown link whose target is a relative ``.md`` file, optionally #anchor.
MDLINK_RE = re.compile(
    r"(?<!!)\[(?P<label>[^\]\n]*)\]"  # [label], not an image
    r"\((?P<target>(?!\w+://|/|#|mailto:)[^)\s#\[\]]+\.md)"  # (relative/path.md
    r"(?:#(?P<heading>[^)\s]*))?"  # optional #anchor
    r"(?:\s+\"[^\"]*\")?\)"  # optional "title")
)
FENCE_RE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
HEADING_RE = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?:[ \t]+(?P<text>.*?))?(?:[ \t]+#+)?[ \t]*$")
# TODO as a whole (ASCII) word; the Chinese markers anywhere.
MARKER_RE = re.compile(r"(?<![A-Za-z0-9_])(?P<kind>TODO)(?![A-Za-z0-9_])|(?P<zh>待补充|待修)")
CODE_SPAN_RE = re.compile(r"(?P<ticks>`+)(?P<code>.+?)(?P=ticks)")
ATTR_LIST_RE = re.compile(r"\s*\{[^{}]*\}\s*$")
# kbsite's math (plugin/markdown.py registers the same patterns; tests/test_scanner_diff.py checks).
INLINE_MATH_RE = re.compile(r"(?<![\\$])\$(?![\s$])(?P<tex>(?:\\.|[^$\\\n])+?)(?<!\s)\$(?!\d)")
DISPLAY_MATH_RE = re.compile(r"(?<!\\)\$\$(?P<tex>[^$]+?)\$\$")
# Python-Markdown's inline raw HTML: a tag, comment, processing instruction or CDATA section.
HTML_INLINE_RE = re.compile(
    r"""(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>]++))?+)*+"""
    r"""\s*+/?|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)""",
    re.DOTALL,
)
# Python-Markdown's block-level tags: at the start of a line one opens a raw HTML block.
BLOCK_LEVEL_TAGS = frozenset(
    "address article aside blockquote body canvas center colgroup dd details div dl dt "
    "fieldset figcaption figure footer form group h1 h2 h3 h4 h5 h6 header hgroup hr html iframe "
    "legend li main map math menu nav noscript object ol option output p pre progress script "
    "section style summary table tbody td textarea tfoot th thead tr ul video".split()
)
# A sentence ends after one of these, or after a "." that whitespace follows (not "3.5").
_SENTENCE_END_RE = re.compile(r"[。！？；?;]|!(?!\[\[)|\.(?=\s)")
_MDLINK_TEXT_RE = re.compile(r"!?\[([^\]]*)\]\([^)\[]*\)")
_EMPHASIS_RE = re.compile(r"(\*\*|__|\*|~~)(?=\S)(.+?)(?<=\S)\1")
_TAG_RE = re.compile(r"<[^<>]+>")
_LIST_ITEM_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?")
_QUOTE_RE = re.compile(r"^\s*>\s?")
_HASHES_RE = re.compile(r"^\s*#{1,6}\s+")
_SPACES_RE = re.compile(r"\s+")
# Python-Markdown's backslash escapes (its ESCAPED_CHARS, plus "|" of tables): "\_" shows "_".
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()>#+\-.!|])")
_ESCAPED_BASE = 0xE000  # an escaped character is held as a private-use one while markup is removed
_ESCAPED_RE = re.compile("[\ue000-\ue07f]")

# ---- The line classifier's patterns (Python-Markdown's, each noted where it comes from) ------
TAB = 4  # Python-Markdown's tab_length
# pymdownx.superfences: a fence after any run of spaces and ">", with a language, options or {attrs}.
_FENCE_OPEN_RE = re.compile(
    r"(?P<ws>[> ]*)(?P<fence>~{3,}|`{3,})(?:[ \t]*\.?[\w#.+-]+(?=[\t ]|$))?"
    r"""(?:[ \t]*\{[^\n]*\}|(?:[ \t]*[a-zA-Z][a-zA-Z0-9_]*(?:=(?P<quot>"|').*?(?P=quot))?(?=[\t ]|$))+)?[ \t]*$"""
)
_FENCE_PREFIX_RE = re.compile(r"[> ]*")
# ListSpacingPreprocessor: what it takes for a list item.
LIST_SPACING_ITEM_RE = re.compile(r"^(?P<indent> *)(?:[-*+]|\d+[.)])[ \t]+\S")
# OListProcessor / UListProcessor: a list item (marker, spaces, text); ")" is no marker there.
_ITEM_RE = re.compile(r"(?:[*+-]|\d+\.) +(?P<rest>.*)$")
_CHECKBOX_RE = re.compile(r"\[(?P<mark>[ xX])\] +(?P<text>.*)$")
_HR_RE = re.compile(r"(?=(?P<g>(-+ {0,2}){3,}|(_+ {0,2}){3,}|(\*+ {0,2}){3,}))(?P=g) *$")
_SETEXT_RE = re.compile(r"(?:=+|-+) *$")
_ADMONITION_RE = re.compile(r'!!! ?[\w\-]+(?: +[\w\-]+)*(?: +"(?:.*?)")? *$')
_DETAILS_RE = re.compile(r'\?{3}\+? ?(?:(?:[\w\-]+(?: +[\w\-]+)*?)?(?: +"(?:.*?)")|[\w\-]+(?: +[\w\-]+)*?) *$')
_FOOTNOTE_DEF_RE = re.compile(r"\[\^[^\]]*\]:")
_DEFINITION_RE = re.compile(r": {1,3}")
_TABLE_SEP_CHARS = frozenset("|:- ")
_TABLE_PIPES_RE = re.compile(r"\\\\|\\`+|`+|\\\||\|")
_TABLE_END_BORDER_RE = re.compile(r"(?<!\\)(?:\\\\)*\|$")
# HTMLExtractor (the raw HTML block preprocessor).
_HTML_LINE_START_RE = re.compile(r"^ {0,3}<(?:(?P<comment>!--)|(?P<tag>[a-zA-Z][^\t\n\r\f />\x00]*))", re.M)
_HTML_TAG_RE = re.compile(
    r"""<!--|<(?P<end>/?)(?P<name>[a-zA-Z][^\t\n\r\f />\x00]*)(?:[^>"']|"[^"]*"|'[^']*')*?(?P<close>/?)>"""
)
_COMMENT_CLOSE_RE = re.compile(r"--!?>")
_BLANK_AFTER_RE = re.compile(r"( *\n){2}")
_CDATA_TAGS = frozenset(("script", "style"))
# What is not text to count markers in, inside a raw HTML block: tags, comments, code, and the
# elements the page's sanitiser drops with their content (plugin/sanitize.py).
_RAW_HIDDEN_RE = re.compile(
    r"<!--.*?(?:--!?>|\Z)"
    r"|<(pre|code|script|style|iframe|object|template|noscript|textarea|select|button|form)\b"
    r".*?(?:</\1\s*>|\Z)"
    r"|<[a-zA-Z/!?][^>]*>?",
    re.DOTALL | re.IGNORECASE,
)
_ITEM_STARTS = frozenset("-*+0123456789")
_BLOCK_MARKS = frozenset("-*+0123456789!?#_>[:" + "\x02")  # what a special block starts with
# Logical lines are (source line, start, end, text); these starts mark the ones that stand for
# something else: a blank line the raw HTML preprocessor adds, a raw HTML block, a fenced block.
_BLANK, _RAW, _FENCED = -3, -1, -2
# Python-Markdown stops nesting blockquotes near Python's recursion limit (the rest is text);
# the scanner stops here, well before its own.
_MAX_QUOTE_DEPTH = 100
# A line with very many links or markers would take quadratic time for their snippets and texts:
# past this many characters of work on one line, snippets are placed proportionally and texts cut.
_EXACT_BUDGET = 200_000
_CUT_TEXT = 500
# Obsidian's block id: "^id" ending a paragraph or list item (or alone on the line after a block).
BLOCK_ID_RE = re.compile(r"(?:^|(?<=\s))\^(?P<id>[A-Za-z0-9][A-Za-z0-9-]*)[ \t]*$")
# Obsidian's inline tag: "#" after a space or the start of the text, then letters, digits, "_", "-"
# and "/" (nested tags), not only digits ("#3" is no tag) and not ending in "/".
INLINE_TAG_RE = re.compile(r"#(?P<tag>(?![0-9]+(?![\w/-]))[\w\-/]*[\w\-])")
_ANY_MDLINK_RE = re.compile(r"!?\[[^\]\n]*\]\([^)\n]*\)")
# The marker kind of a ``> [!todo]`` / ``> [!待办]`` callout (todo coverage counts it).
CALLOUT_MARKER = "待办"
_MASK = "\x01"  # stands in for a character of code: matched by the link pattern, never a delimiter
_PLACEHOLDER = "\x02"  # a stashed fenced block or raw HTML block, as the block parser sees it


@dataclass(frozen=True)
class Embed:
    """An ``![[embed]]`` of a file, or a ``[[link]]`` to one (``embed`` False): not a note link."""

    target: str
    heading: str | None
    label: str | None
    line: int  # 1-based line in the file
    embed: bool = True


@dataclass(frozen=True)
class BlockId:
    """A ``^id`` block reference target: ``[[note#^id]]`` links to the block it ends."""

    id: str
    line: int  # 1-based line in the file


@dataclass(frozen=True)
class InlineTag:
    """A ``#tag`` (or nested ``#a/b``) written in the text of a note."""

    name: str
    line: int  # 1-based line in the file


@dataclass(frozen=True)
class BodyScan:
    headings: tuple[Heading, ...]
    links: tuple[Link, ...]
    tasks: tuple[Task, ...]
    markers: tuple[Marker, ...]
    first_h1: str | None
    first_h1_line: int | None  # 0-based index in the body of the first line, if it is an H1
    table_pipes: tuple[int, ...] = ()  # file lines of table rows with an unescaped [[a|b]]
    embeds: tuple[Embed, ...] = ()  # ![[file]] embeds and [[file.pdf]] links: attachments, not notes
    blocks: tuple[BlockId, ...] = ()  # ^id block ids
    tags: tuple[InlineTag, ...] = ()  # inline #tags


def is_embed(text: str, start: int) -> bool:
    """Whether the wikilink at ``text[start:]`` is an ``![[embed]]`` (a "!" before it, unescaped)."""
    return start > 0 and text[start - 1] == "!" and (start < 2 or text[start - 2] != "\\")


def mask_code_spans(line: str) -> str:
    """Replace inline code with spaces, keeping columns, so nothing inside code is matched."""
    if "`" not in line:
        return line
    spans = code_spans(line)
    if not spans:
        return line
    parts, pos = [], 0
    for start, end, _ in spans:
        parts += [line[pos:start], " " * (end - start)]
        pos = end
    parts.append(line[pos:])
    return "".join(parts)


def is_heading(line: str) -> bool:
    """``HEADING_RE.match(line)``, without its backtracking on a long run of spaces."""
    body = line.lstrip(" ")
    if len(line) - len(body) > 3 or body[:1] != "#":
        return False
    hashes = len(body) - len(body.lstrip("#"))
    return hashes <= 6 and body[hashes:hashes + 1] in ("", " ", "\t")


def code_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, code text)`` of each code span, paired the way Python-Markdown pairs them.

    A run of N backticks (not escaped by an odd run of backslashes) opens a span that the next
    run of exactly N closes; failing that, the longest shorter run closes it and the opening
    keeps only that many. The code text is stripped, as the ``<code>`` element shows it.
    """
    spans: list[tuple[int, int, str]] = []
    last = len(text)
    i = text.find("`")
    while i >= 0:
        slashes = 0
        while i - slashes > 0 and text[i - slashes - 1] == "\\":
            slashes += 1
        if slashes % 2:  # an escaped backtick is text
            i = text.find("`", i + 1)
            continue
        start = i
        while start < last and text[start] == "`":
            start += 1
        ticks = start - i
        j, longest, longest_end, end = start, 0, 0, None
        while j < last:
            k = text.find("`", j)
            if k < 0:
                break
            j = k
            while j < last and text[j] == "`":
                j += 1
            if j - k == ticks:
                end = k
                break
            if j - k > longest:
                longest, longest_end = j - k, j
        if end is None and 0 < longest < ticks:
            start, end = start - (ticks - longest), longest_end - longest
            spans.append((i, longest_end, text[start:end].strip()))
            i = text.find("`", longest_end)
        elif end is None:
            i = text.find("`", start)
        else:
            spans.append((i, end + ticks, text[start:end].strip()))
            i = text.find("`", end + ticks)
    return spans


def hidden_spans(text: str) -> list[tuple[int, int]]:
    """Where inline raw HTML (tags, comments) and math are, in text whose code is stashed.

    A wikilink inside one of these is not a link: in a comment or a tag nobody sees it, and math
    shows its TeX (one that holds a tag or math is still a link, whose text shows them escaped).
    Display math is found first, as its pattern runs first.
    """
    spans: list[tuple[int, int]] = []
    if "<" in text:
        spans += [m.span() for m in HTML_INLINE_RE.finditer(text)]
    if "$" in text:
        display = [m.span() for m in DISPLAY_MATH_RE.finditer(text)] if "$$" in text else []
        rest = text
        for start, end in display:  # stashed: inline math cannot match across it
            rest = rest[:start] + _PLACEHOLDER * (end - start) + rest[end:]
        spans += display + [m.span() for m in INLINE_MATH_RE.finditer(rest)]
    return spans


def covered(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``start:end`` lies inside one of ``spans``."""
    return any(s <= start and end <= e for s, e in spans)


def unlink(markdown: str) -> str:
    """Replace every ``[[target#heading|label]]`` by its label (or target): the text a reader sees."""
    return WIKILINK_RE.sub(lambda m: (m.group("label") or m.group("target") or m.group("heading") or "").strip(),
                           markdown)


def plain_text(markdown: str) -> str:
    """A Markdown fragment as readable plain text: wikilinks become labels, markup is dropped."""
    # Each rule runs only when its characters occur: this is called for every link and task.
    text = markdown
    escaped = "\\" in text
    if escaped:  # an escaped "_" or "*" is text, not emphasis: held aside until the end
        text = _protect_escapes(text)
    if "[[" in text:
        text = unlink(text)
    if "](" in text:
        text = _MDLINK_TEXT_RE.sub(r"\1", text)
    if "`" in text:
        pieces, pos = [], 0
        for start, end, code in code_spans(text):
            pieces += [text[pos:start], code]
            pos = end
        text = "".join(pieces) + text[pos:]
    if "*" in text or "_" in text or "~" in text:
        text = _EMPHASIS_RE.sub(r"\2", text)
    if "<" in text:
        text = _TAG_RE.sub("", text)
    if text.lstrip()[:1] in _ITEM_STARTS:
        text = _LIST_ITEM_RE.sub("", text)
    if ">" in text:
        text = _QUOTE_RE.sub("", text)
    if "#" in text:
        text = _HASHES_RE.sub("", text)
    if escaped:
        text = _ESCAPED_RE.sub(lambda m: chr(ord(m.group()) - _ESCAPED_BASE), text)
    return _SPACES_RE.sub(" ", text).strip()


def _protect_escapes(text: str) -> str:
    """``text`` with each backslash escape outside code spans made one private-use character."""
    def protect(piece: str) -> str:
        return _ESCAPE_RE.sub(lambda m: chr(_ESCAPED_BASE + ord(m.group(1))), piece)
    if "`" not in text:
        return protect(text)
    pieces, pos = [], 0
    for start, end, _ in code_spans(text):
        pieces += [protect(text[pos:start]), text[start:end]]
        pos = end
    return "".join(pieces) + protect(text[pos:])


def snippet_around(line: str, start: int, end: int, width: int = 70) -> str:
    """The sentence of ``line`` that holds ``line[start:end]``, as plain text, cropped around it."""
    return _Snippets(line).around(start, end, width)


class _Snippets:
    """Snippets of the links of one line: its sentence ends found once, each sentence's text once."""

    def __init__(self, line: str) -> None:
        self.line = line
        # Sentence bounds in the raw line: a link sits between the previous and next sentence end.
        self.bounds = [0] + [m.end() for m in _SENTENCE_END_RE.finditer(line)] + [len(line)]
        self.texts: dict[tuple[int, int], str] = {}
        self.budget = _EXACT_BUDGET  # characters of exact work left for this line

    def around(self, start: int, end: int, width: int = 70) -> str:
        bounds = self.bounds
        k = bisect.bisect_right(bounds, start) - 1
        lo = bounds[k]
        hi = bounds[bisect.bisect_left(bounds, end, k)]
        text = self.texts.get((lo, hi))
        if text is None:
            text = self.texts[lo, hi] = plain_text(self.line[lo:hi])
        if len(text) <= 2 * width:
            return text
        if start - lo <= self.budget:
            self.budget -= start - lo
            at = max(0, len(plain_text(self.line[lo:start])) - 1)
        else:  # very many links in a very long sentence: placed proportionally, not quadratically
            at = len(text) * (start - lo) // (hi - lo)
        left, right = max(0, at - width), at + width
        return ("…" if left else "") + text[left:right].strip() + ("…" if right < len(text) else "")


def respace_lists(lines: Iterable[str]) -> Iterator[tuple[bool, str]]:
    """Read lists the way GitHub and Obsidian do: for each line, (a blank line goes before it, the line).

    Python-Markdown needs a blank line before a list and four spaces per nesting level; notes
    written for GitHub start a list right under a paragraph line and indent nested items by two.
    The Markdown extension's ListSpacingPreprocessor applies this, and the scanner reads lists
    through it too, so both see the same lists. A heading at the start of a line likewise gets a
    blank line before it, so that a table or list right above it ends there.
    """
    prev_kind = "blank"  # blank | item | text
    indents: list[int] = []  # source indents of the open list levels
    item_match = LIST_SPACING_ITEM_RE.match
    for line in lines:
        if not line or line.isspace():
            prev_kind = "blank"
            yield False, line
            continue
        m = item_match(line) if line.lstrip(" ")[:1] in _ITEM_STARTS else None
        if m is None:
            if line[0] == "#" and prev_kind != "blank" and is_heading(line):
                # A heading right under a table row or a list ends it (Python-Markdown would
                # read it as a row or as item text; CommonMark and Obsidian as a heading).
                prev_kind, indents = "text", []
                yield True, line
                continue
            if prev_kind == "blank" and not line.startswith(" "):
                indents = []
            prev_kind = "text" if prev_kind != "item" or not line.startswith(" ") else "item"
            yield False, line
            continue
        indent = len(m.group("indent"))
        blank = prev_kind == "text" and not indents  # a list right under a paragraph line
        while indents and indent < indents[-1]:
            indents.pop()
        if not indents or indent > indents[-1]:
            indents.append(indent)
        level = len(indents) - 1
        yield blank, (" " * (4 * level) + line.lstrip(" ") if indent and level else line)
        prev_kind = "item"


def scan_body(body: str, body_line: int) -> BodyScan:
    """Scan a note body.

    Arguments:
        body: the body text, ``\\n`` newlines.
        body_line: the file line number of the body's first line.

    Returns:
        Headings, links, tasks and markers with file line numbers, and the first H1.
    """
    lines = body.split("\n")
    if "\t" in body:  # Python-Markdown expands tabs before anything else
        lines = [line.expandtabs(TAB) if "\t" in line else line for line in lines]
    scan = _Scan(lines, body_line)
    fences = _fences(lines) if ("```" in body or "~~~" in body) else {}
    blocks = _Blocks(scan)
    line = blocks.line
    if not fences and "<" not in body:  # the common case: every line is a logical line
        for src, (blank, text) in enumerate(respace_lists(lines)):
            if blank:
                blocks.blank()
            line(text, src, 0, len(lines[src]))
    else:
        stream = _logical_lines(lines, fences, scan)
        for (blank, text), (src, a, b, _) in zip(respace_lists(item[3] for item in stream), stream):
            if blank:
                blocks.blank()
            if a == _BLANK:
                blocks.blank()
            else:
                line(text, src, a, b)
    blocks.finish()
    first_h1_index = None
    if scan.first_h1_src is not None:
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        if first == scan.first_h1_src:
            first_h1_index = first
            # The page drops a leading H1 (it prints the title itself): its links show nowhere.
            lead = body_line + first
            scan.links = [lk for lk in scan.links if lk.line != lead]
            scan.embeds = [e for e in scan.embeds if e.line != lead]
    return BodyScan(tuple(scan.headings), tuple(scan.links), tuple(scan.tasks), tuple(scan.markers),
                    scan.first_h1, first_h1_index, tuple(scan.table_pipes), tuple(scan.embeds),
                    tuple(scan.blocks), tuple(scan.tags))


# ---- Preprocessors: fenced code, then raw HTML, as Python-Markdown stashes them ----------------


def _fences(lines: list[str]) -> dict[int, int]:
    """Fenced blocks the way pymdownx.superfences finds them: ``{first line: last line}``.

    Fences may be indented or inside a blockquote; content and closing fence keep the opening's
    prefix; a less indented line, or the end of the body before the closing fence, means there
    was no fence at all.
    """
    found: dict[int, int] = {}
    start = -1
    fence = ""
    prefix = quotes = 0
    quoted = empty = False
    for index, line in enumerate(lines):
        if start < 0:
            if "```" not in line and "~~~" not in line:
                continue
            m = _FENCE_OPEN_RE.match(line)
            if m:
                start, fence, prefix = index, m.group("fence"), len(m.group("ws"))
                quotes = m.group("ws").count(">")
                quoted, empty = quotes > 0, False
            continue
        if not line.strip():
            continue
        ws = _FENCE_PREFIX_RE.match(line, 0, prefix).end()
        content = line[ws:]
        if quoted:  # superfences' rules for a fence in a blockquote
            level = line[:ws].count(">")
            if level > quotes:
                start = -1
            elif not content.strip(" "):
                empty = True
            elif ws < prefix or (empty and level < quotes):
                start = -1
            elif content.startswith(fence) and not content[len(fence):].strip(" \t"):
                found[start] = index
                start = -1
            else:
                empty = False
            continue
        if ">" in line[:ws] or (ws != prefix and content):
            start = -1  # not indented enough: no fence
        elif content.startswith(fence) and not content[len(fence):].strip(" \t"):
            found[start] = index
            start = -1
    return found


def _logical_lines(lines: list[str], fences: dict[int, int], scan: _Scan) -> list[tuple[int, int, int, str]]:
    """The lines as the block parser gets them: ``(source line, start, end, text)``.

    A fenced block becomes one placeholder line (start ``_FENCED``); a raw HTML block a
    placeholder (``_RAW``) between two blank lines (``_BLANK``); text after a raw block on its
    line starts a new block.
    """
    kept: list[tuple[int, str]] = []  # (source line, text) with fenced blocks collapsed
    fenced: set[int] = set()
    index = 0
    n = len(lines)
    while index < n:
        end = fences.get(index)
        if end is None:
            kept.append((index, lines[index]))
            index += 1
        else:
            ws = _FENCE_PREFIX_RE.match(lines[index]).end()  # type: ignore[union-attr]
            kept.append((index, lines[index][:ws] + _PLACEHOLDER))
            fenced.add(index)
            index = end + 1
    raws = _raw_html("\n".join(text for _, text in kept)) if any("<" in t for _, t in kept) else []
    if not raws:
        return [(src, _FENCED if src in fenced else 0, len(text), text) for src, text in kept]
    starts = [0]
    for _, text in kept:
        starts.append(starts[-1] + len(text) + 1)
    out: list[tuple[int, int, int, str]] = []
    pos = 0  # offset in the joined text up to which lines are out

    def text_upto(upto: int) -> None:
        nonlocal pos
        while pos < upto:
            k = bisect.bisect_right(starts, pos) - 1
            src, text = kept[k]
            col = pos - starts[k]
            stop = min(upto - starts[k], len(text))
            if col == 0 and stop == len(text):
                out.append((src, _FENCED if src in fenced else 0, stop, text))
            elif text[col:stop].strip():
                out.append((src, col, stop, text[col:stop]))
            pos = starts[k + 1] if stop == len(text) else starts[k] + stop

    for start, end in raws:
        text_upto(start)
        first = bisect.bisect_right(starts, start) - 1
        last = bisect.bisect_right(starts, max(start, end - 1)) - 1
        out += [(-1, _BLANK, 0, ""), (kept[first][0], _RAW, 0, _PLACEHOLDER), (-1, _BLANK, 0, "")]
        parts = [(kept[k][0], max(start - starts[k], 0), min(end - starts[k], len(kept[k][1])))
                 for k in range(first, last + 1)]
        scan.raw.append((kept[first][0], parts))
        pos = max(pos, end)
    text_upto(starts[-1] - 1)
    return out


def _raw_html(doc: str) -> list[tuple[int, int]]:
    """Raw HTML blocks as Python-Markdown's HTMLExtractor finds them: ``(start, end)`` offsets.

    A comment, or a block-level tag, at the start of a line (up to three spaces) opens one; it
    runs to the end of the comment, or to the tag that closes the outermost element (to the end
    of the body if none does). Text after it on its line is Markdown, unless it opens another.
    Comments in the middle of a line are inline: they hide what is in them, but start no block.
    """
    raws: list[tuple[int, int]] = []
    close = _CommentEnds(doc)
    pos = 0
    line_start = _HTML_LINE_START_RE
    m = line_start.search(doc)
    while True:
        if m is not None and m.start() < pos:  # searched again only once passed
            m = line_start.search(doc, pos)
        lt = doc.index("<", m.start()) if m else len(doc)
        c = doc.find("<!--", pos, lt)
        if c >= 0:
            # A comment in the middle of a line: inline, it is skipped over as one piece.
            end = close.after(c + 4)
            pos = end if end >= 0 else c + 1
            continue
        if m is None:
            return raws
        if m.group("comment"):
            end = close.after(lt + 4)
            if end < 0:
                pos = lt + 1
                continue
        elif m.group("tag").lower() in BLOCK_LEVEL_TAGS:
            end = _raw_end(doc, lt, close)
        else:
            pos = m.end()
            continue
        while True:  # the tail: more raw HTML on the rest of the line?
            raws.append((lt, end))
            if _BLANK_AFTER_RE.match(doc, end) or end >= len(doc):
                break
            eol = doc.find("\n", end)
            nxt = _next_tail_html(doc, end, len(doc) if eol < 0 else eol, close)
            if nxt is None:
                break
            lt, end = nxt
        pos = end


class _CommentEnds:
    """Where a comment that opens at some offset closes; once none is found, none is after."""

    def __init__(self, doc: str) -> None:
        self.doc = doc
        self.none_from = len(doc) + 1

    def after(self, pos: int) -> int:
        if pos >= self.none_from:
            return -1
        m = _COMMENT_CLOSE_RE.search(self.doc, pos)
        if m is None:
            self.none_from = pos
            return -1
        return m.end()


def _next_tail_html(doc: str, start: int, eol: int, close: _CommentEnds) -> tuple[int, int] | None:
    """After a raw block, the next comment or block-level element on the same line."""
    for m in _HTML_TAG_RE.finditer(doc, start, eol):
        if m.group(0) == "<!--":
            end = close.after(m.start() + 4)
            return (m.start(), end) if end >= 0 else None
        if not m.group("end") and m.group("name").lower() in BLOCK_LEVEL_TAGS:
            return m.start(), _raw_end(doc, m.start(), close)
    return None


def _raw_end(doc: str, start: int, close: _CommentEnds) -> int:
    """Where the raw HTML block that opens at ``start`` ends: its outermost element is closed."""
    stack: list[str] = []
    pos = start
    while True:
        m = _HTML_TAG_RE.search(doc, pos)
        if m is None:
            return len(doc)
        pos = m.end()
        if m.group(0) == "<!--":
            end = close.after(m.start() + 4)
            pos = end if end >= 0 else m.start() + 1
            continue
        name = m.group("name").lower()
        if m.group("end"):
            if name in stack:
                while stack.pop() != name:
                    pass
        elif m.group("close") or name == "hr":
            pass  # <x/> and <hr> are empty
        else:
            stack.append(name)
            if name in _CDATA_TAGS:
                end_tag = re.compile(r"</%s\s*>" % name, re.I).search(doc, pos)
                if end_tag is None:
                    return len(doc)
                pos = end_tag.end()
                stack.pop()
        if not stack:
            return pos


# ---- The block parser, as a line classifier ---------------------------------------------------


class _Scan:
    """What the scan collects, in document order."""

    def __init__(self, lines: list[str], body_line: int) -> None:
        self.lines = lines
        self.body_line = body_line
        self.headings: list[Heading] = []
        self.links: list[Link] = []
        self.tasks: list[Task] = []
        self.markers: list[Marker] = []
        self.table_pipes: list[int] = []
        self.embeds: list[Embed] = []
        self.blocks: list[BlockId] = []
        self.tags: list[InlineTag] = []
        self.heading: str | None = None  # the current heading, for tasks and markers
        self.first_h1: str | None = None
        self.first_h1_src: int | None = None
        self.raw: list[tuple[int, list[tuple[int, int, int]]]] = []  # (first line, [(line, start, end)])
        self._raw_done = 0

    def heading_line(self, src: int, text: str, top: bool) -> None:
        body = text.strip()
        level = len(body) - len(body.lstrip("#"))
        title = body.lstrip("#").rstrip("#")
        title = plain_text(ATTR_LIST_RE.sub("", title) if title.rstrip().endswith("}") else title)
        self.headings.append(Heading(level, title, self.body_line + src))
        self.heading = title
        if level == 1 and self.first_h1 is None and top:
            self.first_h1, self.first_h1_src = title, src

    def callout(self, src: int, text: str, a: int, b: int) -> None:
        """A callout's first line (its ">" stripped): its title is inline text; a todo callout
        is an open item (a marker of kind "待办", titled by its title or its first line)."""
        m = CALLOUT_RE.match(text)
        callout = parse_callout(text)
        if m is None or callout is None:
            return
        if m.group("title"):
            self.unit([(src, a + m.start("title"), b)])
        if callout.kind == "todo":
            title = plain_text(callout.title) if callout.custom_title else ""
            if not title and src + 1 < len(self.lines):
                title = plain_text(self.lines[src + 1].lstrip(" >"))
            self.markers.append(Marker(CALLOUT_MARKER, title, self.body_line + src, self.heading))

    def block_id(self, seg: tuple[int, int, int]) -> None:
        """A ``^id`` ending a paragraph's or list item's text (plugin/obsidian.py gives it the id)."""
        src, a, b = seg
        line = self.lines[src][a:b]
        if "^" not in line:
            return
        shown = mask_code_spans(line)
        m = BLOCK_ID_RE.search(shown)
        if m is None or (("<" in shown or "$" in shown) and covered(hidden_spans(shown), m.start(), m.end())):
            return
        self.blocks.append(BlockId(m.group("id"), self.body_line + src))

    def task(self, src: int, mark: str, text: str) -> Task:
        return Task(plain_text(text), self.body_line + src, mark != " ", self.heading)

    def raw_block(self, src: int) -> None:
        """Markers in the text a raw HTML block shows (its tags, comments and code hidden)."""
        while self._raw_done < len(self.raw) and self.raw[self._raw_done][0] <= src:
            _, parts = self.raw[self._raw_done]
            self._raw_done += 1
            text = "\n".join(self.lines[line][a:b] for line, a, b in parts)
            if "TODO" not in text and "待" not in text:
                continue
            visible = _RAW_HIDDEN_RE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
            for (line, a, _), shown in zip(parts, visible.split("\n")):
                self._markers(line, " " * a + shown)

    def unit(self, segs: list[tuple[int, int, int]], table: bool = False, heading: bool = False) -> None:
        """Links, tags and markers of one run of inline text (a paragraph, item, heading, cell row)."""
        lines = self.lines
        if len(segs) == 1:
            src, a, b = segs[0]
            line = lines[src]
            if a or b != len(line):
                line = " " * a + line[a:b]
            if "[" not in line and "TODO" not in line and "待" not in line and "#" not in line:
                return
            self._inline([(src, line)], table, heading)
            return
        parts = [(src, " " * a + lines[src][a:b]) for src, a, b in segs]
        if not any("[" in t or "TODO" in t or "待" in t or "#" in t for _, t in parts):
            return
        self._inline(parts, table, heading)

    def _inline(self, parts: list[tuple[int, str]], table: bool, in_heading: bool = False) -> None:
        single = len(parts) == 1
        text = parts[0][1] if single else "\n".join(t for _, t in parts)
        spans = code_spans(text) if "`" in text else []
        masked = text
        if spans:
            pieces, pos = [], 0
            for start, end, _ in spans:
                code = text[start:end]
                pieces.append(text[pos:start])
                pieces.append(_MASK * len(code) if "\n" not in code else re.sub(r"[^\n]", _MASK, code))
                pos = end
            pieces.append(text[pos:])
            masked = "".join(pieces)
        hidden: list[tuple[int, int]] | None = None  # found when first needed
        maybe_hidden = "<" in masked or "$" in masked
        offsets = [0]
        if not single:
            for _, t in parts:
                offsets.append(offsets[-1] + len(t) + 1)
        snippets: dict[int, _Snippets] = {}

        def restore(group: int | str, m: re.Match[str]) -> str:
            start, end = m.span(group)
            if not spans or _MASK not in masked[start:end]:
                return m.group(group)
            out, pos = [], start
            for s, e, code in spans:
                if s >= start and e <= end:
                    out += [text[pos:s], code]
                    pos = e
            out.append(text[pos:end])
            return "".join(out)

        def place(m: re.Match[str]) -> tuple[int, str]:
            """The link's file line, and its snippet."""
            start = m.start()
            k = 0 if single else bisect.bisect_right(offsets, start) - 1
            sn = snippets.get(k)
            if sn is None:
                sn = snippets[k] = _Snippets(parts[k][1])
            col = start - offsets[k]
            return self.body_line + parts[k][0], sn.around(col, col + m.end() - start)

        if "[" in masked:
            for wm in WIKILINK_RE.finditer(masked):
                if maybe_hidden:
                    if hidden is None:
                        hidden = hidden_spans(masked)
                    if covered(hidden, wm.start(), wm.end()):
                        continue
                label = wm.group("label")
                if table and label is not None and masked[wm.start("label") - 2] != "\\":
                    k = 0 if single else bisect.bisect_right(offsets, wm.start()) - 1
                    self.table_pipes.append(self.body_line + parts[k][0])  # the table cuts it at the "|"
                    continue
                target = restore("target", wm).strip()
                heading = restore("heading", wm).strip() if wm.group("heading") else ""
                if not target and not heading:
                    continue
                label = restore("label", wm).strip() if label else ""
                if is_attachment_name(target, is_embed(masked, wm.start())):  # a file: not a note link
                    k = 0 if single else bisect.bisect_right(offsets, wm.start()) - 1
                    self.embeds.append(Embed(target, heading or None, label or None,
                                             self.body_line + parts[k][0], is_embed(masked, wm.start())))
                    continue
                line, snippet = place(wm)
                self.links.append(Link(target, heading or None, label or None, line, snippet,
                                       embed=is_embed(masked, wm.start())))
            if "](" in masked:
                for mm in MDLINK_RE.finditer(masked):
                    if maybe_hidden:
                        if hidden is None:
                            hidden = hidden_spans(masked)
                        if covered(hidden, mm.start(), mm.end()):
                            continue
                    line, snippet = place(mm)
                    self.links.append(Link(mm.group("target"), mm.group("heading") or None,
                                           restore("label", mm) or None, line, snippet, markdown=True))
        if "#" in masked and not in_heading:  # a heading's "#tag" is heading text, as in Obsidian
            self._tags(masked, parts, offsets, single, table)
        if "TODO" in masked or "待" in masked:
            shown = masked.replace(_MASK, " ")
            if maybe_hidden and hidden is None:
                hidden = hidden_spans(masked)
            if hidden:
                pieces, pos = [], 0
                for s, e in sorted(hidden):
                    if e <= pos:
                        continue
                    s = max(s, pos)
                    pieces += [shown[pos:s], re.sub(r"[^\n]", " ", shown[s:e])]
                    pos = e
                shown = "".join(pieces) + shown[pos:]
            for k, line in enumerate([shown] if single else shown.split("\n")):
                self._markers(parts[k][0], line)

    def _tags(self, masked: str, parts: list[tuple[int, str]], offsets: list[int], single: bool,
              table: bool) -> None:
        """Inline ``#tags``, outside code, raw HTML, math and links (plugin/obsidian.py shows them)."""
        found = [m for m in INLINE_TAG_RE.finditer(masked)
                 if m.start() == 0 or masked[m.start() - 1].isspace() or (table and masked[m.start() - 1] == "|")]
        if not found:
            return
        covering = hidden_spans(masked) if ("<" in masked or "$" in masked) else []
        if "[" in masked:  # a tag inside a link's text or target is part of the link
            covering += [m.span() for m in WIKILINK_RE.finditer(masked)]
            covering += [m.span() for m in _ANY_MDLINK_RE.finditer(masked)]
        for m in found:
            if covering and covered(covering, m.start(), m.end()):
                continue
            k = 0 if single else bisect.bisect_right(offsets, m.start()) - 1
            self.tags.append(InlineTag(m.group("tag"), self.body_line + parts[k][0]))

    def _markers(self, src: int, line: str) -> None:
        if "TODO" not in line and "待" not in line:
            return
        budget = _EXACT_BUDGET  # very many markers on a very long line: their text is cut
        whole = None
        for km in MARKER_RE.finditer(line):
            kind = km.group("kind") or km.group("zh")
            cut = len(line) if len(line) - km.end() <= budget else km.end() + _CUT_TEXT
            budget -= len(line) - km.end()
            # Text inside code spans is not part of the marker's text.
            rest = plain_text(line[km.end():cut]).lstrip(":：-— ").strip()
            if not rest and whole is None:
                whole = plain_text(line if len(line) <= _EXACT_BUDGET else line[:_CUT_TEXT])
            self.markers.append(Marker(kind, rest or whole or "", self.body_line + src, self.heading))


class _Blocks:
    """Python-Markdown's block parser, reduced to what decides where text is and what it is.

    Fed the logical lines (after list spacing) one at a time. It keeps the open containers (list
    items, admonitions and details, footnotes, definitions) with the column their content starts
    at; a block that starts four columns past its container's content is indented code. A
    blockquote's content goes to a nested ``_Blocks``.
    """

    def __init__(self, scan: _Scan, depth: int = 0, callout: bool = False) -> None:
        self.scan = scan
        self.depth = depth  # blockquote depth
        self.callout = callout  # a callout's content: never continued by another blockquote
        self.callout_head = callout  # the next line is the callout's [!type] line
        self.stack: list[tuple[str, int]] = []  # (li | adm | dd | fn, content column), innermost last
        self.start = True  # the next line starts a block
        self.kind = ""  # the current block: para, list, code, table, math, quote, head
        self.block_lines = 0  # lines of the current block so far
        self.block_base = 0  # the content column of the current block's container
        self.code_indent = 0
        self.unit: list[tuple[int, int, int]] = []  # the current run of inline text
        self.pending_task: Task | None = None  # the first line's task, unless a setext underline follows
        self.item_task: Task | None = None  # the task of the current list item
        self.header: tuple[int, int, int] | None = None  # a first line that may be a table header
        self.math_multi = False
        self.math_closed = False
        self.math_lines: list[tuple[int, int, int]] = []
        self.math_blanks = 0  # blank lines inside the math so far
        self.math_in_block = False
        self.rule = False  # this line is a rule or a setext underline
        self.after_rule = False
        self.quote: _Blocks | None = None
        self.quote_open = False  # only blank lines since the blockquote: another one continues it
        self.quote_in_list = False  # the blockquote is in a list item: the next item ends it
        self.quote_detab = 0
        self.prev_kind = ""  # the kind of the block before the current one
        self.held: tuple[str, int, int, int] | None = None  # a blockquote's first line
        self.floor = -1  # set when a block ends without a blank line: where the next one is

    def flush(self) -> None:
        if self.pending_task is not None:
            self.scan.tasks.append(self.pending_task)
            self.pending_task = None
        if self.unit:
            self.scan.unit(self.unit)
            self.scan.block_id(self.unit[-1])
            self.unit = []

    def end_quote(self) -> None:
        if self.quote is not None:
            self.quote.finish()
            self.quote = None
        self.quote_open = False

    # -- events ---------------------------------------------------------------------------------

    def release(self) -> None:
        if self.held is not None:
            held, self.held = self.held, None
            self.quote_line(*held)

    def blank(self) -> None:
        self.floor = -1
        self.release()
        if self.header is not None:
            self.unit.append(self.header)
            self.header = None
        if self.kind == "quote":
            assert self.quote is not None
            self.quote.end_chunk()
            self.quote_open = not self.quote_in_list  # a list item's blockquote is not continued
        elif self.kind == "math":
            if self.math_multi and not self.math_closed:
                self.math_blanks += 1
                return  # $$ ... over several blocks: the math goes on
            if not self.math_closed:
                self.math_unclosed()
            self.math_lines = []
        self.flush()
        self.start = True
        if self.kind:
            self.prev_kind = self.kind
        self.kind = ""
        self.block_lines = 0

    def finish(self) -> None:
        self.release()
        if self.header is not None:
            self.unit.append(self.header)
            self.header = None
        if self.kind == "math" and not self.math_closed:
            self.math_unclosed()
        self.flush()
        self.end_quote()

    def end_chunk(self) -> None:
        """A blockquote's text ends (a blank line outside it); the next blockquote may go on with it."""
        if self.kind == "math" and not self.math_closed:
            self.math_unclosed()
            self.kind = ""
        self.blank()

    def math_unclosed(self) -> None:
        """No closing $$: kbsite's math processor gives the text back as one paragraph."""
        self.scan.unit([seg for seg in self.math_lines if seg[1] >= 0])
        self.math_lines = []

    def line(self, text: str, src: int, a: int, b: int) -> None:
        if not text or text.isspace():
            self.blank()
            return
        self.after_rule, self.rule = self.rule, False  # does this line follow a rule (or setext underline)?
        if self.callout_head:
            # The callout's [!type] line: its title; the rest is parsed as a chunk of its own.
            self.callout_head = False
            self.scan.callout(src, text, a, b)
            self.kind = "head"
            self.start = True
            self.floor = self.block_base
            return
        if a == _RAW:
            self.scan.raw_block(src)
        kind = self.kind
        if kind == "math":
            if not self.math_blanks and text.lstrip(" ")[:1] in "!?#" and self.splits_math(text):
                # The admonition processor runs first and splits the block: the $$ part stands alone.
                if not self.math_closed:
                    self.math_unclosed()
                self.kind = ""
                self.split(text, len(text) - len(text.lstrip(" ")), src, a, b)
                return
            if self.math_closed:
                # The math ended on the line before: the rest of its block is a block of its own.
                self.kind = ""
                self.math_lines = []
                self.block_start(text, len(text) - len(text.lstrip(" ")), src, a, b, floor=self.block_base)
                return
            self.math_lines.append((src, a, b))
            self.math_closed = text.rstrip().endswith("$$")
            return
        if kind == "quote" and not self.start:
            if self.held is not None:
                held, self.held = self.held, None
                body = text.lstrip(" ")
                if len(text) - len(body) == self.block_base and body[:1] in "=-" and _SETEXT_RE.match(body):
                    self.end_quote()  # a setext heading, not a blockquote
                    self.scan.unit([held[1:]])
                    self.kind = "head"
                    self.start = True
                    return
                self.quote_line(*held)
            if text.lstrip(" ")[:1] != ">" and self.splits_quote(text):
                # A heading, admonition or rule: its processor splits the block before the quote's runs.
                self.end_quote()
                self.kind = ""
                self.split(text, len(text) - len(text.lstrip(" ")), src, a, b)
                return
            if not (self.quote_in_list and self.ends_quote_in_list(text)):
                if self.quote_in_list and text.lstrip(" ")[:1] == ":" and _DEFINITION_RE.match(text.lstrip(" ")):
                    self.drop_item_task()  # the item's text becomes a definition list's term
                self.quote_line(text, src, a, b)
                return
            self.end_quote()
            self.kind = kind = "list"
        indent = len(text) - len(text.lstrip(" "))
        if self.start or not kind:
            self.block_start(text, indent, src, a, b)
            return
        self.block_lines += 1
        if kind == "code":
            if indent < self.code_indent:
                self.floor = self.block_base  # the code processor gives the rest back to its parent
                self.block_start(text, indent, src, a, b)
            return
        if kind == "table":
            if a >= 0:
                self.scan.unit([(src, a, b)], table=True)
            return
        if self.header is not None:
            header, self.header = self.header, None
            if self.is_table(header, text):
                self.kind = "table"
                self.scan.unit([header], table=True)
                return
            self.unit.append(header)
        self.mid_block(text, indent, src, a, b)

    # -- blocks ---------------------------------------------------------------------------------

    def container(self, indent: int, through_lists: bool = True) -> int:
        """Close the containers a block at ``indent`` is not in; return the content column of the rest."""
        stack = self.stack
        k = len(stack)
        while k and stack[k - 1][1] > indent:
            k -= 1
        if not through_lists:
            # A $$ block: the math processor takes it before a list item could (priority 95 > 90).
            k = next((i for i in range(k) if stack[i][0] == "li"), k)
        del stack[k:]
        return stack[-1][1] if stack else 0

    def split(self, text: str, indent: int, src: int, a: int, b: int) -> None:
        """A line a processor splits the current block at (a heading, a rule, an admonition, a
        footnote): a new block, in the container the current one is in, never code."""
        self.block_start(text, indent, src, a, b, floor=self.block_base, split=True)

    def block_start(self, text: str, indent: int, src: int, a: int, b: int, floor: int = -1,
                    split: bool = False) -> None:
        """A line that starts a block. ``floor``: the content column of a container it cannot
        leave (the rest of a block a processor split goes back to the same parent)."""
        if self.floor >= 0:  # the line after a heading, a rule, an admonition's title, code
            floor, self.floor = max(floor, self.floor), -1
        self.flush()
        self.start = False
        self.block_lines = 1
        body = text[indent:]
        first = body[0]
        if self.quote is not None and not (first == ">" and self.quote_open):
            self.end_quote()
        if a == _RAW:  # a raw HTML block: a placeholder paragraph at column 0
            self.container(0)
            self.kind = "para"
            return
        if first == "$" and body.startswith("$$"):
            self.block_base = self.container(indent, through_lists=False)
            self.kind = "math"
            self.math_multi = not self.stack  # inside a container, $$ ... $$ is one block
            self.math_lines = [(src, a, b)]
            self.math_closed = body[2:].rstrip().endswith("$$")
            self.math_blanks = 0
            # After a rule: a heading further on in the block splits it first, so the math
            # processor sees only the part before the heading.
            self.math_in_block = self.after_rule
            return
        base = self.block_base = self.container(max(indent, floor))
        rel = _rel(indent, base)
        if rel >= TAB and not split:
            self.kind = "code"
            self.code_indent = base + TAB
            return
        self.kind = "para"
        if first not in _BLOCK_MARKS:  # ordinary text: a paragraph (or a table's header row)
            if "|" in body:
                self.header = (src, a, b)
            else:
                self.unit.append((src, a, b))
            return
        if a == _FENCED:
            return
        if rel == 0 and first in "!?" and (_ADMONITION_RE.match(body) or _DETAILS_RE.match(body)):
            self.stack.append(("adm", base + TAB))
            self.scan.unit([(src, a, b)])  # the title
            self.kind = "head"
            self.start = True  # its content starts a block inside it
            self.floor = base
            return
        if first == "#" and is_heading(body):
            self.heading(body, src, a, b)
            return
        if first in "-*_" and _HR_RE.match(body):
            self.kind = "head"
            self.start = self.rule = True
            self.floor = base
            return
        if first in _ITEM_STARTS:
            m = _ITEM_RE.match(body)
            if m:
                self.kind = "list"
                self.item(m, base + TAB, src, a, b)
                return
        if first == ">" and self.depth < _MAX_QUOTE_DEPTH:
            self.quote_start(text, src, a, b)
            return
        if first == "[" and _FOOTNOTE_DEF_RE.match(body):
            self.stack.append(("fn", base + TAB))
        elif first == ":" and self.prev_kind == "para" and _DEFINITION_RE.match(body):
            self.stack.append(("dd", base + TAB))  # the paragraph before is its term
        if "|" in body:
            self.header = (src, a, b)
        else:
            self.unit.append((src, a, b))

    def mid_block(self, text: str, indent: int, src: int, a: int, b: int) -> None:
        """A line inside a paragraph or list: lazy text, a list item, or something that splits the block."""
        body = text[indent:]
        first = body[0]
        if any(kind == "adm" and col > indent for kind, col in self.stack):
            # An admonition's content ends at its first line not indented.
            self.block_start(text, indent, src, a, b)
            return
        base = self.block_base
        rel = _rel(indent, base)
        if self.block_lines == 2 and rel == 0 and first in "=-" and _SETEXT_RE.match(body):
            # A setext underline: the first line is a heading, not a list item or a task.
            self.pending_task = None
            self.container(base)
            self.flush()
            self.kind = "head"
            self.start = self.rule = True
            self.floor = base
            return
        if rel < TAB and first in "#-*_>!?[:":
            if first == "#" and rel == 0 and is_heading(body):
                self.split(text, indent, src, a, b)
                return
            if first in "-*_" and _HR_RE.match(body):
                self.split(text, indent, src, a, b)
                return
            if rel == 0 and first in "!?" and (_ADMONITION_RE.match(body) or _DETAILS_RE.match(body)):
                self.split(text, indent, src, a, b)
                return
            # In a list these are the item's text (the list processor runs first); the item's
            # blockquote ends at the next item.
            if first == ">" and self.depth < _MAX_QUOTE_DEPTH:
                self.flush()
                self.quote_start(text, src, a, b, in_list=self.kind == "list")
                return
            if first == ":" and self.kind == "list" and _DEFINITION_RE.match(body):
                # The item's text so far becomes the term of a definition list: no task.
                self.drop_item_task()
            elif first == "[" and self.kind == "list" and _FOOTNOTE_DEF_RE.match(body):
                self.flush()  # a footnote defined in a list item: its text is the footnote's
            elif self.kind != "list":
                if first == "[" and _FOOTNOTE_DEF_RE.match(body):
                    self.split(text, indent, src, a, b)
                    return
                if first == ":" and _DEFINITION_RE.match(body):
                    self.flush()
                    self.stack.append(("dd", base + TAB))
                    self.unit.append((src, a, b))
                    return
        if self.kind == "list" and rel >= 0 and first in _ITEM_STARTS:
            m = _ITEM_RE.match(body)
            if m:
                level = rel // TAB
                depth = sum(1 for kind, col in self.stack if kind == "li" and col > base)
                if level <= depth:
                    self.flush()
                    self.container(base + TAB * level + TAB - 1)
                    self.item(m, base + TAB * (level + 1), src, a, b)
                    return
        if a >= 0:
            self.unit.append((src, a, b))

    def item(self, m: re.Match[str], content: int, src: int, a: int, b: int) -> None:
        self.stack.append(("li", content))
        c = _CHECKBOX_RE.match(m.group("rest"))
        self.item_task = None
        if c:
            task = self.item_task = self.scan.task(src, c.group("mark"), c.group("text"))
            if self.block_lines == 1:
                self.pending_task = task
            else:
                self.scan.tasks.append(task)
        self.unit.append((src, a, b))

    def drop_item_task(self) -> None:
        if self.item_task is None:
            return
        if self.pending_task is self.item_task:
            self.pending_task = None
        elif self.scan.tasks and self.scan.tasks[-1] is self.item_task:
            self.scan.tasks.pop()
        self.item_task = None

    def heading(self, body: str, src: int, a: int, b: int) -> None:
        self.scan.heading_line(src, body, self.depth == 0 and not self.stack)
        self.scan.unit([(src, a, b)], heading=True)
        self.kind = "head"
        self.start = True  # the line after a heading starts a block
        self.floor = self.block_base

    def is_table(self, header: tuple[int, int, int], text: str) -> bool:
        """Python-Markdown's table test: a header row, and a separator row with as many cells."""
        src, a, b = header
        head = self.scan.lines[src][a:b].strip(" ")
        row = text.strip(" ")
        border = head.startswith("|") or bool(_TABLE_END_BORDER_RE.search(head))
        cells = _table_cells(head, border)
        if len(cells) < 2 and not (border and (row.startswith("|") or _TABLE_END_BORDER_RE.search(row))):
            return False
        sep = _table_cells(row, border)
        return len(sep) == len(cells) and set("".join(sep)) <= _TABLE_SEP_CHARS

    # -- blockquotes ----------------------------------------------------------------------------

    def quote_start(self, text: str, src: int, a: int, b: int, in_list: bool = False) -> None:
        head = CALLOUT_LINE_RE.match(text.lstrip(" ")) if "[!" in text else None
        callout = head is not None and parse_callout(head.group("rest")) is not None
        if self.quote is None or not self.quote_open or callout or self.quote.callout:
            self.end_quote()
            self.quote = _Blocks(self.scan, self.depth + 1, callout=callout)
        else:
            self.quote.blank()
        self.quote_open = False
        self.kind = "quote"
        self.quote_in_list = in_list
        li = self.stack[-1][1] if in_list and self.stack and self.stack[-1][0] == "li" else 0
        self.quote_detab = max(li - self.block_base - TAB, 0)  # a nested item's text loses its indent
        if self.block_lines == 1:
            self.held = (text, src, a, b)
        else:
            self.quote_line(text, src, a, b)

    def splits_math(self, text: str) -> bool:
        """An admonition line at the math block's column, or a heading if the block did not start
        with the $$ (then the heading processor split the block before the math one saw it)."""
        body = text.lstrip(" ")
        if len(text) - len(body) != self.block_base:
            return False
        if body[0] == "#":
            return self.math_in_block and bool(is_heading(body))
        return bool(_ADMONITION_RE.match(body) or _DETAILS_RE.match(body))

    def splits_quote(self, text: str) -> bool:
        """A lazy line of a blockquote that a processor running before the blockquote's takes."""
        body = text.lstrip(" ")
        rel = _rel(len(text) - len(body), self.block_base)
        if rel >= TAB or body[:1] not in "#!?-*_":
            return False
        if rel == 0 and body[0] == "#":
            return bool(is_heading(body))
        if rel == 0 and body[0] in "!?":
            return bool(_ADMONITION_RE.match(body) or _DETAILS_RE.match(body))
        return bool(_HR_RE.match(body))

    def ends_quote_in_list(self, text: str) -> bool:
        """A list item of the list a blockquote is in: the quote ends, the item is the list's."""
        body = text.lstrip(" ")
        if body[:1] not in _ITEM_STARTS or _ITEM_RE.match(body) is None:
            return False
        level = _rel(len(text) - len(body), self.block_base) // TAB
        return level <= sum(1 for kind, col in self.stack if kind == "li" and col > self.block_base)

    def quote_line(self, text: str, src: int, a: int, b: int) -> None:
        """A line of a blockquote: without its ">" (a lazy line without one is taken as it is)."""
        assert self.quote is not None
        stripped = text.lstrip(" ")
        indent = len(text) - len(stripped)
        if stripped[:1] == ">" and _rel(indent, self.block_base) < TAB:
            cut = indent + (2 if stripped[1:2] == " " else 1)
        else:  # a lazy line, detabbed as the list processor detabs its item's text
            cut = 0
            for step in (self.block_base, self.quote_detab):
                if step and indent - cut >= step:
                    cut += step
        if cut:
            text = text[cut:]
            if a >= 0:
                a += cut
        self.quote.line(text, src, a, b)


def _rel(indent: int, base: int) -> int:
    """A line's indent in its container: a lazy line (indented less) is not detabbed at all."""
    return indent - base if indent >= base else indent


def _table_cells(row: str, border: bool) -> list[str]:
    """A table row's cells, split the way Python-Markdown's tables extension splits them."""
    if border:
        if row.startswith("|"):
            row = row[1:]
        row = _TABLE_END_BORDER_RE.sub("", row)
    pipes: list[int] = []
    tics: list[int] = []
    tic_points: list[tuple[int, int, int]] = []
    for m in _TABLE_PIPES_RE.finditer(row):
        token = m.group(0)
        if token.startswith("\\`"):
            tics.append(len(token) - 1)
            tic_points.append((m.start(), m.end() - 1, 1))
        elif token.startswith("`"):
            tics.append(len(token))
            tic_points.append((m.start(), m.end() - 1, 0))
        elif token == "|":
            pipes.append(m.start())
    regions: list[tuple[int, int]] = []
    pos = 0
    while pos < len(tics):
        size = tics[pos] - tic_points[pos][2]
        try:
            if size == 0:
                raise ValueError
            index = tics[pos + 1:].index(size) + 1
            regions.append((tic_points[pos][0], tic_points[pos + index][1]))
            pos += index + 1
        except ValueError:
            pos += 1
    cells, last = [], 0
    for pipe in pipes:
        if any(s <= pipe <= e for s, e in regions):
            continue
        cells.append(row[last:pipe])
        last = pipe + 1
    cells.append(row[last:])
    return cells
