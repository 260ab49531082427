"""plugin: Markdown extensions. Wikilinks resolved through the vault, and build-time MathML.

Both run as ordinary Python-Markdown processors, so code spans and fenced code (stashed before
inline patterns run) are left alone, and every element is built with ElementTree (which escapes).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from typing import Callable, Protocol

from markdown import Markdown
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.util import AtomicString

from kbsite.core.wikilinks import WIKILINK_RE

WIKILINK_PATTERN = WIKILINK_RE.pattern  # one definition, shared with the core scanner
# $...$ inline math: no space just inside the dollars, not a price like $5 and $6.
INLINE_MATH_PATTERN = r"(?<![\\$])\$(?![\s$])(?P<tex>(?:\\.|[^$\\\n])+?)(?<!\s)\$(?!\d)"
# $$...$$ inside a paragraph or list item (not a block of its own): display math, inline.
DISPLAY_MATH_PATTERN = r"(?<!\\)\$\$(?P<tex>[^$]+?)\$\$"


class LinkTarget(Protocol):
    href: str | None  # relative ``.md`` href (with #anchor), or None for a wanted note
    title: str  # the note's title, used as the default label and tooltip


class WikilinkInlineProcessor(InlineProcessor):
    def __init__(self, pattern: str, resolve: Callable[[str, str | None], LinkTarget | None]) -> None:
        super().__init__(pattern)
        self.resolve = resolve

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element, int, int]:  # type: ignore[override]
        target = m.group("target").strip()
        heading = (m.group("heading") or "").strip() or None
        label = (m.group("label") or "").strip() or None
        hit = self.resolve(target, heading)
        if hit is None or hit.href is None:
            el = etree.Element("span")
            el.set("class", "kb-wanted")
            el.set("title", f"尚未创建的笔记：{target}")
            el.text = AtomicString(label or target)
            return el, m.start(0), m.end(0)
        el = etree.Element("a")
        el.set("href", hit.href)
        el.set("class", "kb-link")
        el.set("title", hit.title)
        # AtomicString: the text is final (a title from front matter must not be parsed as HTML).
        el.text = AtomicString(label or (f"{hit.title} § {heading}" if heading else hit.title))
        return el, m.start(0), m.end(0)


class InlineMathProcessor(InlineProcessor):
    def __init__(self, pattern: str, md: Markdown, render: Callable[[str, bool], str], display: bool) -> None:
        super().__init__(pattern, md)
        self.render = render
        self.display = display

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[str, int, int]:  # type: ignore[override]
        # The rendered MathML is stashed like raw HTML, so no later pattern touches it.
        html = self.render(m.group("tex").strip(), self.display)
        if self.display:
            html = f'<span class="kb-math kb-math--display">{html}</span>'
        return self.md.htmlStash.store(html), m.start(0), m.end(0)


class BlockMathProcessor(BlockProcessor):
    """A paragraph that starts with ``$$`` and ends with ``$$`` (possibly over several blocks)."""

    def __init__(self, parser: object, render: Callable[[str, bool], str]) -> None:
        super().__init__(parser)  # type: ignore[arg-type]
        self.render = render

    def test(self, parent: etree.Element, block: str) -> bool:
        return block.lstrip().startswith("$$")

    def run(self, parent: etree.Element, blocks: list[str]) -> bool:
        collected = [blocks.pop(0).lstrip()[2:]]
        while not collected[-1].rstrip().endswith("$$") or (len(collected) == 1 and collected[0].strip() == ""):
            if not blocks:
                # No closing $$: give the text back as a plain paragraph.
                p = etree.SubElement(parent, "p")
                p.text = "$$" + "\n\n".join(collected)
                return True
            collected.append(blocks.pop(0))
        tex = "\n\n".join(collected).rstrip()[:-2]
        html = f'<div class="kb-math">{self.render(tex.strip(), True)}</div>'
        p = etree.SubElement(parent, "p")
        p.text = self.parser.md.htmlStash.store(html)
        return True


class ListSpacingPreprocessor(Preprocessor):
    """Read lists the way GitHub and Obsidian do, which is how notes are written.

    Python-Markdown needs a blank line before a list and four spaces per nesting level; notes
    written for GitHub start a list right under a paragraph line and indent nested items by two.
    Runs after fenced code is stashed, so code is untouched.
    """

    ITEM_RE = re.compile(r"^(?P<indent> *)(?:[-*+]|\d+[.)])[ \t]+\S")

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        prev_kind = "blank"  # blank | item | text
        indents: list[int] = []  # source indents of the open list levels
        for line in lines:
            m = self.ITEM_RE.match(line)
            if not line.strip():
                prev_kind = "blank"
                out.append(line)
                continue
            if m is None:
                if prev_kind == "blank" and not line.startswith(" "):
                    indents = []
                prev_kind = "text" if prev_kind != "item" or not line.startswith(" ") else "item"
                out.append(line)
                continue
            indent = len(m.group("indent"))
            if prev_kind == "text" and not indents:
                out.append("")  # a list right under a paragraph line
            while indents and indent < indents[-1]:
                indents.pop()
            if not indents or indent > indents[-1]:
                indents.append(indent)
            level = len(indents) - 1
            out.append(" " * (4 * level) + line.lstrip(" ") if indent and level else line)
            prev_kind = "item"
        return out


class KbMarkdownExtension(Extension):
    """Registers wikilinks and math; ``resolve`` and ``render_math`` come from the plugin."""

    def __init__(self, resolve: Callable[[str, str | None], LinkTarget | None],
                 render_math: Callable[[str, bool], str], **kwargs: object) -> None:
        self.resolve = resolve
        self.render_math = render_math
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        # After code spans (190); before backslash escapes (180), so "[[a\\|b]]" in a table cell and
        # TeX backslashes reach us intact, and before reference links (170) see "[[".
        md.inlinePatterns.register(WikilinkInlineProcessor(WIKILINK_PATTERN, self.resolve), "kb_wikilink", 187)
        md.inlinePatterns.register(
            InlineMathProcessor(DISPLAY_MATH_PATTERN, md, self.render_math, True), "kb_math_display", 186)
        md.inlinePatterns.register(
            InlineMathProcessor(INLINE_MATH_PATTERN, md, self.render_math, False), "kb_math", 185)
        md.parser.blockprocessors.register(BlockMathProcessor(md.parser, self.render_math), "kb_math_block", 95)
        # After fenced code (25) is stashed, before the block parser.
        md.preprocessors.register(ListSpacingPreprocessor(md), "kb_list_spacing", 20)
