"""plugin: ``![[note]]`` / ``![[note#heading]]`` / ``![[note#^block]]`` rendered into the host page.

The embedded Markdown (cut by ``kbsite.core.transclusion``) is converted by a second Markdown
instance with the same extensions, one per embedding depth (a conversion cannot re-enter the one
that is converting the host page). Its wikilinks resolve from the embedded note, as in Obsidian,
but every href is made relative to the host page: MkDocs' own link rewriter is registered for
the host page, and Markdown links and images written relative to the embedded note are rebased
first. Ids are dropped (the host page has its own headings; two ``id="方法"`` would clash).
The HTML is stashed into the host page and sanitised with it.
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as etree
from urllib.parse import quote, unquote, urlsplit

import markdown
from markdown.treeprocessors import Treeprocessor
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure import pages as mk_pages
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from kbsite.core.model import Note
from kbsite.core.transclusion import MAX_DEPTH, Section
from kbsite.plugin.markdown import Transclusion

# Classes of the elements kbsite made with hrefs relative to the host page already.
_OWN_CLASSES = ("kb-link", "kb-file", "kb-embed", "kb-transclusion__link")


class _Rebase(Treeprocessor):
    """Relative ``href``/``src`` written in the embedded note: made relative to the host's folder."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.rel = ""  # the embedded note's folder, relative to the host's folder ("" = the same)

    def run(self, root: etree.Element) -> None:
        if not self.rel:
            return
        for el in root.iter():
            attr = "href" if el.tag == "a" else "src" if el.tag in ("img", "audio", "video", "source") else None
            value = el.get(attr) if attr else None
            if not value or any(c in (el.get("class") or "").split() for c in _OWN_CLASSES):
                continue
            parts = urlsplit(value)
            if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
                continue
            path = posixpath.normpath(posixpath.join(self.rel, unquote(parts.path)))
            el.set(attr, quote(path) + (f"?{parts.query}" if parts.query else "")  # type: ignore[arg-type]
                   + (f"#{parts.fragment}" if parts.fragment else ""))


class _DropIds(Treeprocessor):
    """No ids and no permalinks inside an embed: the host page's anchors are its own."""

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for child in list(parent):
                if child.tag == "a" and "headerlink" in (child.get("class") or "").split():
                    parent.remove(child)
            parent.attrib.pop("id", None)


class Transcluder:
    """Renders embeds for the page being built; ``stack`` holds the notes being embedded."""

    def __init__(self, render_internals_ok: Callable[[], bool]) -> None:
        self._ok = render_internals_ok
        self._instances: list[tuple[markdown.Markdown, _Rebase]] = []
        self.stack: list[tuple[Note, str]] = []  # (note, heading) being embedded, outermost first

    def start_build(self) -> None:
        self._instances = []
        self.stack = []

    def source(self, host: Note | None) -> Note | None:
        """The note whose links are being resolved: the innermost embedded one, else the host."""
        return self.stack[-1][0] if self.stack else host

    def render(self, note: Note, heading: str | None, found: Section | None, host: Note | None, page: Page,
               config: MkDocsConfig, files: Files, href: str | None, title: str) -> Transclusion:
        """The embed of ``note`` (at ``heading``; ``found``: what that cuts out) on ``page``."""
        key = (note, heading or "")
        if any(n is note and (h == key[1] or not h) for n, h in self.stack) \
                or (note is host and not heading):
            return Transclusion(href, title, None, "循环嵌入：这篇笔记已在上层嵌入，只显示链接")
        if len(self.stack) >= MAX_DEPTH:
            return Transclusion(href, title, None, f"嵌入层数超过 {MAX_DEPTH} 层，只显示链接")
        if found is None:
            what = "块" if heading and heading.startswith("^") else "标题"
            return Transclusion(href, title, None, f"找不到{what}：{heading}")
        if not self._ok():
            return Transclusion(href, title, None, "无法嵌入（MkDocs 内部接口已变），只显示链接")
        md, rebase = self._instance(len(self.stack), config)
        md.reset()
        mk_pages._RelativePathTreeprocessor(page.file, files, config)._register(md)  # type: ignore[attr-defined]
        here = posixpath.dirname(page.file.src_uri)
        there = posixpath.dirname(_site_uri(page.file.src_uri, host, note))
        rebase.rel = "" if here == there else posixpath.relpath(there or ".", here or ".")
        self.stack.append(key)
        try:
            html = md.convert(found.markdown)
        finally:
            self.stack.pop()
        return Transclusion(href, title, html)

    def _instance(self, depth: int, config: MkDocsConfig) -> tuple[markdown.Markdown, _Rebase]:
        while len(self._instances) <= depth:
            md = markdown.Markdown(extensions=config["markdown_extensions"],
                                   extension_configs=config["mdx_configs"] or {})
            rebase = _Rebase(md)
            md.treeprocessors.register(rebase, "kb_embed_rebase", 2)  # before the attachment finder (1)
            md.treeprocessors.register(_DropIds(md), "kb_embed_ids", 3)  # after toc (5) added them
            self._instances.append((md, rebase))
        return self._instances[depth]


def _site_uri(host_uri: str, host: Note | None, note: Note) -> str:
    """The embedded note's source path in the site, from the host's (both under the notes folder)."""
    if host is None:
        return note.path
    root = host_uri[: len(host_uri) - len(host.path)]
    return root + note.path

