"""plugin: Obsidian syntax the renderer must honour before anything else sees the text.

- ``%%comments%%`` never reach the page, the search index or the feed (``kbsite.core.comments``).
- Callouts (``> [!tip] 标题``) become Material's admonitions: ``<div class="admonition tip">``, or
  ``<details class="tip">`` when foldable (``-`` closed, ``+`` open); see ``kbsite.core.callouts``.
  The core's scanner reads them the same way (tests/test_scanner_diff.py).
- Block ids: ``^id`` ending a paragraph or list item is not shown; the element gets the id
  ``^id``, which ``[[note#^id]]`` links to. A ``^id`` paragraph of its own names the block before it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Markdown, util
from markdown.blockprocessors import BlockQuoteProcessor
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from kbsite.core.callouts import parse_callout
from kbsite.core.comments import strip_comments
from kbsite.core.wikilinks import BLOCK_ID_RE

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


class ObsidianExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After fenced code is stashed (25), before raw HTML blocks (20).
        md.preprocessors.register(CommentPreprocessor(md), "kb_obsidian_comments", 22)
        # Just before the blockquote processor (20).
        md.parser.blockprocessors.register(CalloutProcessor(md.parser), "kb_callout", 21)
        # After inline patterns (20), before MkDocs collects the page's anchors (5).
        md.treeprocessors.register(BlockIdTreeprocessor(md), "kb_block_ids", 15)
