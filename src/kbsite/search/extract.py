"""search: pure. Split a page's rendered HTML into searchable sections of plain text.

Only the content a reader wrote reaches the index: scripts, styles, MathML, permalink
anchors, line-number gutters and anything marked ``data-search-exclude`` are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_SKIP = frozenset(("script", "style", "math", "svg", "object", "template", "button"))
# Elements after which a space keeps words from gluing together ("A</li><li>B").
_BLOCKS = frozenset((
    "p", "div", "li", "ul", "ol", "tr", "td", "th", "table", "pre", "br", "hr", "blockquote",
    "dd", "dt", "dl", "details", "summary", "figcaption", "section", "article",
) + tuple(_HEADINGS))
_VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"))
_SPACE_RE = re.compile(r"\s+")


@dataclass
class Section:
    """A heading (empty for the text before the first one), its anchor and its text."""

    anchor: str
    heading: str
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return _SPACE_RE.sub(" ", "".join(self.parts)).strip()


class _Splitter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[Section] = [Section("", "")]
        self._stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self._skip_depth = 0
        self._heading: list[str] | None = None
        self._heading_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if tag == "br" and not self._skip_depth:
                self._emit(" ")
            return
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        skip = (tag in _SKIP or "data-search-exclude" in a or "headerlink" in cls
                or "linenodiv" in cls or "linenos" in cls)
        self._stack.append((tag, skip))
        if skip:
            self._skip_depth += 1
            return
        if tag in _HEADINGS and a.get("id") and self._heading is None and not self._skip_depth:
            self.sections.append(Section(a["id"] or "", ""))
            self._heading = []
            self._heading_depth = len(self._stack)
        elif tag in _BLOCKS:
            self._emit(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        # Pop up to the matching tag (tolerates unclosed <p>, <li>).
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                for _, skipped in self._stack[i:]:
                    if skipped:
                        self._skip_depth -= 1
                del self._stack[i:]
                break
        else:
            return
        if self._heading is not None and len(self._stack) < self._heading_depth:
            self.sections[-1].heading = _SPACE_RE.sub(" ", "".join(self._heading)).strip()
            self._heading = None
        elif tag in _BLOCKS:
            self._emit(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self._emit(data)

    def _emit(self, text: str) -> None:
        if self._heading is not None:
            self._heading.append(text)
        else:
            self.sections[-1].parts.append(text)


def split_sections(html: str) -> list[Section]:
    """Sections of ``html`` in document order; the first has no heading (it may be empty)."""
    parser = _Splitter()
    parser.feed(html)
    parser.close()
    if parser._heading is not None:  # unterminated heading
        parser.sections[-1].heading = _SPACE_RE.sub(" ", "".join(parser._heading)).strip()
    return parser.sections
