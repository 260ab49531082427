"""search: pure. Split a page's rendered HTML into searchable sections of plain text.

Only the content a reader wrote reaches the index: scripts, styles, permalink anchors,
line-number gutters and anything marked ``data-search-exclude`` are skipped; a formula counts as
its TeX source (the ``alttext`` of its ``<math>``), not as its MathML tokens.

The input is the HTML Python-Markdown wrote (plus whatever raw HTML a note holds), so a
tokenizing regex does what ``html.parser`` did at under half the cost, which matters because
every page of the site passes through here on every build. It follows the HTML rules that
matter for text: comments and ``<!...>``/``<?...>`` are dropped, quoted attribute values may
hold ``>``, ``<script>`` and ``<style>`` run to their end tag, entities are decoded.
"""

from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass, field

_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_SKIP = frozenset(("script", "style", "math", "svg", "object", "template", "button"))
_SKIP_CLASSES = frozenset(("headerlink", "linenodiv", "linenos"))
# Elements after which a space keeps words from gluing together ("A</li><li>B").
_BLOCKS = frozenset((
    "p", "div", "li", "ul", "ol", "tr", "td", "th", "table", "pre", "br", "hr", "blockquote",
    "dd", "dt", "dl", "details", "summary", "figcaption", "section", "article",
) + tuple(_HEADINGS))
_VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"))
_SPACE_RE = re.compile(r"\s+")
# A comment, a start or end tag (group 1: "/", 2: name, 3: attributes), or <!...> / <?...>.
_TOKEN_RE = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(/?)([a-zA-Z][^\t\n\r\f />\x00]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
    r"|<[!?][^>]*>", re.S)
_ATTR_RE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=><`]+)))?""")
_NO_ATTRS: dict[str, str] = {}
_RAW_END = {"script": re.compile(r"</script\s*>", re.I), "style": re.compile(r"</style\s*>", re.I)}


@dataclass
class Section:
    """A heading (empty for the text before the first one), its anchor and its text."""

    anchor: str
    heading: str
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return _SPACE_RE.sub(" ", "".join(self.parts)).strip()


def _attrs(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _ATTR_RE.finditer(raw):
        name = m.group(1).lower()
        if name not in out:
            value = next((v for v in m.group(2, 3, 4) if v is not None), "")
            out[name] = _html.unescape(value) if "&" in value else value
    return out


def split_sections(html: str) -> list[Section]:
    """Sections of ``html`` in document order; the first has no heading (it may be empty)."""
    sections = [Section("", "")]
    out = sections[0].parts  # where text goes: the current section or the heading being read
    heading: list[str] | None = None
    heading_depth = 0
    stack: list[tuple[str, bool]] = []  # open elements: (tag, skipped)
    skip_depth = 0
    pos, end = 0, len(html)
    search = _TOKEN_RE.search
    while pos < end:
        m = search(html, pos)
        stop = m.start() if m else end
        if stop > pos and not skip_depth:
            text = html[pos:stop]
            out.append(_html.unescape(text) if "&" in text else text)
        if m is None:
            break
        pos = m.end()
        slash, name, raw = m.groups()
        if name is None:  # comment, doctype, processing instruction
            continue
        tag = name.lower()
        if tag in _VOID:
            if tag == "br" and not slash and not skip_depth:
                out.append(" ")
            continue
        if slash:  # end tag: pop up to its match (tolerates unclosed <p>, <li>)
            for i in range(len(stack) - 1, -1, -1):
                if stack[i][0] == tag:
                    if skip_depth:
                        skip_depth -= sum(1 for _, skipped in stack[i:] if skipped)
                    del stack[i:]
                    break
            else:
                continue
            if heading is not None and len(stack) < heading_depth:
                sections[-1].heading = _SPACE_RE.sub(" ", "".join(heading)).strip()
                heading = None
                out = sections[-1].parts
            elif tag in _BLOCKS and not skip_depth:
                out.append(" ")
            continue
        if tag in _RAW_END:  # script, style: skipped up to the end tag, whatever they hold
            close = _RAW_END[tag].search(html, pos)
            pos = close.end() if close else end
            continue
        # Attributes matter for headings (id) and skipped elements only; most tags are neither
        # (code blocks are runs of <span class="n">), and the substring tests are cheap.
        a = (_attrs(raw) if tag in _HEADINGS or "data-search-exclude" in raw or "headerlink" in raw
             or "lineno" in raw or "alttext" in raw else _NO_ATTRS)
        skip = (tag in _SKIP or "data-search-exclude" in a
                or not _SKIP_CLASSES.isdisjoint((a.get("class") or "").split()))
        if raw.endswith("/"):  # <tag/>: opens and closes at once
            continue
        stack.append((tag, skip))
        if skip:
            if tag == "math" and a.get("alttext") and not skip_depth:
                out.append(f" {a['alttext']} ")  # a formula's TeX, not its MathML tokens
            skip_depth += 1
        elif skip_depth:
            continue
        elif tag in _HEADINGS and a.get("id") and heading is None:
            sections.append(Section(a["id"], ""))
            heading = out = []
            heading_depth = len(stack)
        elif tag in _BLOCKS:
            out.append(" ")
    if heading is not None:  # unterminated heading
        sections[-1].heading = _SPACE_RE.sub(" ", "".join(heading)).strip()
    return sections
