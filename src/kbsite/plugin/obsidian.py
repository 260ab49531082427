"""plugin: Obsidian syntax the renderer must honour before anything else sees the text.

- ``%%comments%%`` never reach the page, the search index or the feed (``kbsite.core.comments``).
- Callouts (``> [!tip] 标题``) become Material's admonitions: ``<div class="admonition tip">``, or
  ``<details class="tip">`` when foldable (``-`` closed, ``+`` open); see ``kbsite.core.callouts``.
  The core's scanner reads them the same way (tests/test_scanner_diff.py).
- Inline ``#tags`` link to their tag page (``tag_href``); the core's scanner finds the same ones
  and merges them into the note's tags.
- Block ids: ``^id`` ending a paragraph or list item is not shown; the element gets the id
  ``^id``, which ``[[note#^id]]`` links to. A ``^id`` paragraph of its own names the block before it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from typing import Callable

from markdown import Markdown, util
from markdown.blockprocessors import BlockQuoteProcessor
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from kbsite.core.callouts import parse_callout
from kbsite.core.comments import strip_comments
from kbsite.core.wikilinks import BLOCK_ID_RE, INLINE_TAG_RE

_LISTS = ("ul", "ol")
_ALONE_RE = re.compile(r"\s*\^(?P<id>[A-Za-z0-9][A-Za-z0-9-]*)\s*")


class CommentPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        return strip_comments(text).split("\n") if "%%" in text else lines


class CalloutProcessor(BlockQuoteProcessor):
    """A blockquote whose first line is ``[!type]``: a callout. Runs just before the blockquote
    processor, with its rules (the blockquote may start mid-block; lazy lines belong to it). A
    callout is never merged with a blockquote or callout before it, as in Obsidian."""

    def _first(self, block: str) -> tuple[int, str] | None:
        m = self.RE.search(block)
        if m is None:
            return None
        return m.start(), block[m.start():].lstrip("\n").split("\n", 1)[0]

    def test(self, parent: etree.Element, block: str) -> bool:
        if "[!" not in block:
            return False
        found = self._first(block)
        return found is not None and parse_callout(self.clean(found[1])) is not None \
            and not util.nearing_recursion_limit()

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        block = blocks.pop(0)
        found = self._first(block)
        assert found is not None
        start = found[0]
        self.parser.parseBlocks(parent, [block[:start]])  # the lines before the blockquote
        lines = [self.clean(line) for line in block[start:].lstrip("\n").split("\n")]
        callout = parse_callout(lines[0])
        assert callout is not None
        classes = f"{callout.css} kb-callout kb-callout-{callout.kind}"
        if callout.fold:
            box = etree.SubElement(parent, "details")
            box.set("class", classes)
            if callout.fold == "+":
                box.set("open", "open")
            title = etree.SubElement(box, "summary")
        else:
            box = etree.SubElement(parent, "div")
            box.set("class", f"admonition {classes}")
            title = etree.SubElement(box, "p")
            title.set("class", "admonition-title")
        # A written title is Markdown (links, emphasis); a default one is final text.
        title.text = callout.title if callout.custom_title else util.AtomicString(callout.title)
        self.parser.state.set("blockquote")
        self.parser.parseChunk(box, "\n".join(lines[1:]))
        self.parser.state.reset()


class BlockIdTreeprocessor(Treeprocessor):
    """``text ^id``: the paragraph or list item gets ``id="^id"`` and the marker is dropped."""

    def run(self, root: etree.Element) -> None:
        for parent in list(root.iter()):
            children = list(parent)
            for i, el in enumerate(children):
                if el.tag == "p" and len(el) == 0 and el.text and _ALONE_RE.fullmatch(el.text):
                    if i > 0 and children[i - 1].get("id") is None:  # names the block before it
                        children[i - 1].set("id", "^" + _ALONE_RE.fullmatch(el.text).group("id"))  # type: ignore[union-attr]
                        parent.remove(el)
                        tail = el.tail
                        if tail and tail.strip():
                            children[i - 1].tail = (children[i - 1].tail or "") + tail
                    continue
                if el.tag == "p" or (el.tag == "li" and not any(c.tag == "p" for c in el)):
                    self._mark(el)

    @staticmethod
    def _mark(el: etree.Element) -> None:
        # The block's own text ends at its last child that is not a nested list.
        own = [c for c in el if c.tag not in _LISTS] if el.tag == "li" else list(el)
        last = own[-1] if own else None
        text = (last.tail if last is not None else el.text) or ""
        if "^" not in text:
            return
        m = BLOCK_ID_RE.search(text.rstrip())
        if m is None or el.get("id") is not None:
            return
        kept = text.rstrip()[:m.start()].rstrip()
        if last is not None:
            last.tail = kept + text[len(text.rstrip()):]
        else:
            el.text = kept + text[len(text.rstrip()):]
        el.set("id", "^" + m.group("id"))


# Where a "#word" is not a tag: code, links, headings, math, scripts; and our own final text.
_NO_TAGS = frozenset(("code", "pre", "a", "h1", "h2", "h3", "h4", "h5", "h6", "script", "style", "math",
                      "kbd", "samp", "textarea"))
# Elements whose text starts a run of inline text: a "#tag" first in it has nothing before it.
_TEXT_STARTS = frozenset(("p", "li", "td", "th", "dd", "dt", "summary", "div", "blockquote"))


class InlineTagTreeprocessor(Treeprocessor):
    """``#tag`` after a space (or first in a paragraph, item or cell) becomes a link to its tag page."""

    def __init__(self, md: Markdown, tag_href: Callable[[str], str | None]) -> None:
        super().__init__(md)
        self.tag_href = tag_href

    def run(self, root: etree.Element) -> None:
        self._walk(root)

    def _walk(self, el: etree.Element) -> None:
        if el.tag in _NO_TAGS or "kb-math" in (el.get("class") or ""):
            return
        if el.text and "#" in el.text and not isinstance(el.text, util.AtomicString):
            made = self._split(el.text, el.tag in _TEXT_STARTS)
            if made is not None:
                el.text = made[0]
                for i, a in enumerate(made[1]):
                    el.insert(i, a)
        for child in list(el):
            self._walk(child)
            tail = child.tail
            if tail and "#" in tail and not isinstance(tail, util.AtomicString):
                made = self._split(tail, False)
                if made is not None:
                    child.tail = made[0]
                    at = list(el).index(child) + 1
                    for i, a in enumerate(made[1]):
                        el.insert(at + i, a)

    def _split(self, text: str, at_start: bool) -> tuple[str, list[etree.Element]] | None:
        """``text`` cut at its tags: the text before the first, and one link (with tail) per tag."""
        found = [m for m in INLINE_TAG_RE.finditer(text)
                 if (m.start() == 0 and at_start) or (m.start() > 0 and text[m.start() - 1].isspace())]
        if not found:
            return None
        links: list[etree.Element] = []
        for n, m in enumerate(found):
            href = self.tag_href(m.group("tag"))
            a = etree.Element("a" if href is not None else "span")
            if href is not None:
                a.set("href", href)
            a.set("class", "kb-tag")
            a.text = util.AtomicString("#" + m.group("tag"))
            end = found[n + 1].start() if n + 1 < len(found) else len(text)
            a.tail = text[m.end():end]
            links.append(a)
        return text[:found[0].start()], links


class ObsidianExtension(Extension):
    def __init__(self, tag_href: Callable[[str], str | None] | None = None, **kwargs: object) -> None:
        self.tag_href = tag_href
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        # After fenced code is stashed (25), before raw HTML blocks (20).
        md.preprocessors.register(CommentPreprocessor(md), "kb_obsidian_comments", 22)
        # Just before the blockquote processor (20).
        md.parser.blockprocessors.register(CalloutProcessor(md.parser), "kb_callout", 21)
        # After inline patterns (20), before MkDocs collects the page's anchors (5).
        md.treeprocessors.register(BlockIdTreeprocessor(md), "kb_block_ids", 15)
        if self.tag_href is not None:  # after inline patterns (20): links and code are elements by then
            md.treeprocessors.register(InlineTagTreeprocessor(md, self.tag_href), "kb_inline_tags", 17)
