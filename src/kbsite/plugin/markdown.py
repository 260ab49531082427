"""plugin: Markdown extensions. Wikilinks resolved through the vault, and build-time MathML.

Both run as ordinary Python-Markdown processors, so code spans and fenced code (stashed before
inline patterns run) are left alone, and every element is built with ElementTree (which escapes).
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from typing import Callable, Protocol

from markdown import Markdown
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER_RE, INLINE_PLACEHOLDER_PREFIX, INLINE_PLACEHOLDER_RE, STX, AtomicString

from kbsite.core.attachments import is_attachment_name
from kbsite.core.wikilinks import WIKILINK_RE, covered, hidden_spans, respace_lists

WIKILINK_PATTERN = WIKILINK_RE.pattern  # one definition, shared with the core scanner
# ![[embed]]: a "!" not escaped, then a wikilink (kbsite.core.wikilinks.is_embed is the scanner's test).
EMBED_PATTERN = r"(?<!\\)!" + WIKILINK_PATTERN
# (target, heading, label, embedded) -> the element an embed or a link to a file becomes, or None.
EmbedFn = Callable[[str, "str | None", "str | None", bool], "etree.Element | None"]
# $...$ inline math: no space just inside the dollars, not a price like $5 and $6.
INLINE_MATH_PATTERN = r"(?<![\\$])\$(?![\s$])(?P<tex>(?:\\.|[^$\\\n])+?)(?<!\s)\$(?!\d)"
# $$...$$ inside a paragraph or list item (not a block of its own): display math, inline.
DISPLAY_MATH_PATTERN = r"(?<!\\)\$\$(?P<tex>[^$]+?)\$\$"


@dataclass(frozen=True)
class Transclusion:
    """What an ``![[note]]`` shows: a link to the note, and its content or why it is not shown."""

    href: str | None  # relative ``.md`` href of the embedded note (with #anchor)
    title: str  # "乙" or "乙 § 方法"
    html: str | None  # the embedded content, rendered (sanitised later with the page)
    problem: str | None = None  # a cycle, too deep, no such section: the content is not shown


# (target, heading, label) -> what ``![[note]]`` shows, or None when the target is no note.
TranscludeFn = Callable[[str, "str | None", "str | None"], "Transclusion | None"]


class LinkTarget(Protocol):
    href: str | None  # relative ``.md`` href (with #anchor), or None for a wanted note
    title: str  # the note's title, used as the default label and tooltip
    private: bool  # a note kept off the site (publish: false): the link is its text only


class WikilinkInlineProcessor(InlineProcessor):
    """``[[target#heading|label]]``, after code spans (stashed) and before everything else.

    A match inside an HTML comment or tag, or inside math, is left alone (the comment hides it,
    the math shows it as TeX), as is one with no target; one that holds markup is a link whose
    text shows the markup as text. Code in the target or heading counts as its text
    (``[[过滤器#`wikilink`]]`` links to the heading "wikilink"); in the label it stays code.
    The core's scanner (kbsite.core.wikilinks) counts exactly the links made here.
    """

    _TAG_RE = re.compile(r"<[^>]*>")

    def __init__(self, pattern: str, resolve: Callable[[str, str | None], LinkTarget | None],
                 md: Markdown | None = None, embed: EmbedFn | None = None, embedding: bool = False,
                 transclude: TranscludeFn | None = None) -> None:
        super().__init__(pattern, md)
        self.resolve = resolve
        self.embed = embed
        self.embedding = embedding  # this processor handles ![[embeds]] (the pattern has the "!")
        self.transclude = transclude

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | None, int | None, int | None]:
        if ("<" in data or "$" in data) and covered(hidden_spans(data), m.start(0), m.end(0)):
            return None, None, None
        target = self.code_text(m.group("target")).strip()
        heading = self.code_text(m.group("heading") or "").strip() or None
        if not target and not heading:
            return None, None, None
        label = (m.group("label") or "").strip() or None
        if self.embed is not None and (self.embedding or is_attachment_name(target, embed=False)):
            el = self.embed(target, heading, label, self.embedding)
            if el is not None:
                return el, m.start(0), m.end(0)
            if self.embedding and self.transclude is not None and not is_attachment_name(target):
                shown = self.transclude(target, heading, label)
                if shown is not None:
                    return self.transclusion(shown), m.start(0), m.end(0)
            if self.embedding and self.transclude is None:
                return None, None, None  # not embedded: the "!" stays text, the [[link]] a link
            # An embed of a note not written yet (or kept private): its link, without the "!".
        hit = self.resolve(target, heading)
        if hit is not None and hit.private:
            el = etree.Element("span")
            el.set("class", "kb-private")
            el.text = AtomicString(label or target)
            return el, m.start(0), m.end(0)
        if hit is None or hit.href is None:
            el = etree.Element("span")
            el.set("class", "kb-wanted")
            el.set("title", f"尚未创建的笔记：{target}")
            el.text = AtomicString(label or target)
            return el, m.start(0), m.end(0)
        el = etree.Element("a")
        el.set("href", hit.href)
        el.set("class", "kb-link")
        # AtomicString: the text is final (a title from front matter must not be parsed as HTML).
        if not target:  # [[#heading]]: a place in this note, named by the heading
            text = label or heading or ""
        else:
            text = label or (f"{hit.title} § {heading}" if heading else hit.title)
        if text != hit.title:  # a tooltip that repeats the text is ~40 bytes a link, 17 links a page
            el.set("title", hit.title)
        el.text = AtomicString(text)
        return el, m.start(0), m.end(0)

    def transclusion(self, shown: Transclusion) -> etree.Element:
        box = etree.Element("div")
        box.set("class", "kb-transclusion" + (" kb-transclusion--problem" if shown.problem else ""))
        head = etree.SubElement(box, "p")
        head.set("class", "kb-transclusion__title")
        if shown.href is not None:
            a = etree.SubElement(head, "a")
            a.set("href", shown.href)
            a.set("class", "kb-link kb-transclusion__link")
            a.text = AtomicString(shown.title)
        else:
            head.text = AtomicString(shown.title)
        if shown.problem:
            note = etree.SubElement(box, "p")
            note.set("class", "kb-transclusion__problem")
            note.text = AtomicString(shown.problem)
        if shown.html is not None and self.md is not None:
            body = etree.SubElement(box, "div")
            body.set("class", "kb-transclusion__body")
            body.text = AtomicString(self.md.htmlStash.store(shown.html))  # already HTML
        return box

    def code_text(self, text: str) -> str:
        """``text`` with each stashed code span put back as the text it shows (not its placeholder)."""
        if INLINE_PLACEHOLDER_PREFIX not in text or self.md is None:
            return text
        md = self.md
        stash = md.treeprocessors["inline"].stashed_nodes  # type: ignore[attr-defined]

        def raw(hm: re.Match[str]) -> str:
            block = md.htmlStash.rawHtmlBlocks[int(hm.group(1))]
            return block if isinstance(block, str) else etree.tostring(block, encoding="unicode")

        def code(pm: re.Match[str]) -> str:
            node = stash.get(pm.group(1))
            if isinstance(node, etree.Element):  # a <code>; its text is escaped, or stashed as HTML
                shown = "".join(node.itertext())
            elif isinstance(node, str):
                shown = node
            else:
                return pm.group(0)
            if STX in shown:  # pymdownx.inlinehilite's highlighted code
                shown = self._TAG_RE.sub("", HTML_PLACEHOLDER_RE.sub(raw, shown))
            return html.unescape(shown)

        return INLINE_PLACEHOLDER_RE.sub(code, text)


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
    """A block that starts with ``$$``: display math up to the first line that ends with ``$$``
    (possibly blocks later). What follows that line in its block is a block of its own, so a
    callout or a heading right under the formula is one, as in Obsidian."""

    def __init__(self, parser: object, render: Callable[[str, bool], str]) -> None:
        super().__init__(parser)  # type: ignore[arg-type]
        self.render = render

    def test(self, parent: etree.Element, block: str) -> bool:
        return block.lstrip().startswith("$$")

    def run(self, parent: etree.Element, blocks: list[str]) -> bool:
        first = blocks.pop(0).lstrip()[2:]
        collected: list[str] = []  # the blocks of the math so far (their lines)
        lines = first.split("\n")
        start = 0
        while True:
            # The opening "$$" itself closes nothing: "$$x$$" is closed on its line, "$$" is not.
            end = next((i for i in range(start, len(lines)) if lines[i].rstrip().endswith("$$")), None)
            if end is not None:
                collected.append("\n".join(lines[:end + 1]))
                rest = "\n".join(lines[end + 1:])
                if rest.strip():
                    blocks.insert(0, rest)
                break
            collected.append("\n".join(lines))
            if not blocks:
                # No closing $$: give the text back as a plain paragraph.
                p = etree.SubElement(parent, "p")
                p.text = "$$" + "\n\n".join(collected)
                return True
            lines, start = blocks.pop(0).split("\n"), 0
        tex = "\n\n".join(collected).rstrip()[:-2]
        html = f'<div class="kb-math">{self.render(tex.strip(), True)}</div>'
        p = etree.SubElement(parent, "p")
        p.text = self.parser.md.htmlStash.store(html)
        return True


class ListSpacingPreprocessor(Preprocessor):
    """Read lists the way GitHub and Obsidian do, which is how notes are written.

    Python-Markdown needs a blank line before a list and four spaces per nesting level; notes
    written for GitHub start a list right under a paragraph line and indent nested items by two.
    Runs after fenced code is stashed, so code is untouched. The rule is the core's
    ``respace_lists``, which the core's scanner reads lists with too.
    """

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        for blank, line in respace_lists(lines):
            if blank:
                out.append("")  # a list right under a paragraph line
            out.append(line)
        return out


class AttachmentPathTreeprocessor(Treeprocessor):
    """``![](图.png)`` whose file is in another folder: found vault-wide, as Obsidian does.

    ``locate`` gets a relative ``src`` as written and returns the path (relative to the page's
    source file, percent-encoded) of the file it names, or None when it is found as written or
    not at all (MkDocs then reports it as usual)."""

    def __init__(self, md: Markdown, locate: Callable[[str], str | None]) -> None:
        super().__init__(md)
        self.locate = locate

    def run(self, root: etree.Element) -> None:
        for el in root.iter("img"):
            src = el.get("src") or ""
            if src and ":" not in src.split("/", 1)[0] and not src.startswith(("/", "#", "\\")):
                found = self.locate(src)
                if found is not None:
                    el.set("src", found)


class TransclusionLiftTreeprocessor(Treeprocessor):
    """An embed is a block: the paragraph it was written in is split around it."""

    def run(self, root: etree.Element) -> None:
        for parent in list(root.iter()):
            for p in [c for c in parent if c.tag == "p" and any(_is_transclusion(k) for k in c)]:
                at = list(parent).index(p)
                pieces: list[etree.Element] = []
                current = etree.Element("p")
                current.text = p.text
                for child in list(p):
                    if not _is_transclusion(child):
                        current.append(child)
                        continue
                    tail, child.tail = child.tail, None
                    pieces += [current, child]
                    current = etree.Element("p")
                    current.text = tail.lstrip("\n") if tail else None
                pieces.append(current)
                pieces = [e for e in pieces if e.tag != "p" or len(e) or (e.text or "").strip()]
                if pieces:
                    pieces[-1].tail = p.tail
                parent.remove(p)
                for offset, el in enumerate(pieces):
                    parent.insert(at + offset, el)


def _is_transclusion(el: etree.Element) -> bool:
    return el.tag == "div" and (el.get("class") or "").startswith("kb-transclusion")


class KbMarkdownExtension(Extension):
    """Registers wikilinks and math; ``resolve`` and ``render_math`` come from the plugin."""

    def __init__(self, resolve: Callable[[str, str | None], LinkTarget | None],
                 render_math: Callable[[str, bool], str], embed: EmbedFn | None = None,
                 locate: Callable[[str], str | None] | None = None, transclude: TranscludeFn | None = None,
                 **kwargs: object) -> None:
        self.resolve = resolve
        self.render_math = render_math
        self.embed = embed
        self.locate = locate
        self.transclude = transclude
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        # After code spans (190); before backslash escapes (180), so "[[a\\|b]]" in a table cell and
        # TeX backslashes reach us intact, and before reference links (170) see "[[".
        md.inlinePatterns.register(WikilinkInlineProcessor(WIKILINK_PATTERN, self.resolve, md, self.embed),
                                   "kb_wikilink", 187)
        if self.embed is not None:
            md.inlinePatterns.register(
                WikilinkInlineProcessor(EMBED_PATTERN, self.resolve, md, self.embed, embedding=True,
                                        transclude=self.transclude), "kb_embed", 188)
        if self.transclude is not None:
            md.treeprocessors.register(TransclusionLiftTreeprocessor(md), "kb_transclusion_lift", 16)
        if self.locate is not None:
            # Before MkDocs' relpath (0), which then makes the found path relative to the page.
            md.treeprocessors.register(AttachmentPathTreeprocessor(md, self.locate), "kb_attachment_paths", 1)
        md.inlinePatterns.register(
            InlineMathProcessor(DISPLAY_MATH_PATTERN, md, self.render_math, True), "kb_math_display", 186)
        md.inlinePatterns.register(
            InlineMathProcessor(INLINE_MATH_PATTERN, md, self.render_math, False), "kb_math", 185)
        md.parser.blockprocessors.register(BlockMathProcessor(md.parser, self.render_math), "kb_math_block", 95)
        # After fenced code (25) is stashed, before the block parser.
        md.preprocessors.register(ListSpacingPreprocessor(md), "kb_list_spacing", 20)
