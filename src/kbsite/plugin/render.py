"""plugin: one ``markdown.Markdown`` per build for every page, reset between pages.

MkDocs' ``Page.render`` builds a new ``Markdown`` with every configured extension for each page:
importing and configuring about twenty extensions (pymdownx.highlight deep-copies its options)
costs about 6% of a build. Python-Markdown supports converting many documents with one instance
through ``reset()``, which every stateful extension implements. :func:`render_page` is MkDocs
1.6's ``Page.render`` with that one change; it is used only when the MkDocs internals it relies
on are there and every extension is one whose reset is known (Python-Markdown's own, pymdownx's,
kbsite's); otherwise pages render the stock way.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

import markdown
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure import pages as mk_pages
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

_PAGES_LOG = logging.getLogger(mk_pages.__name__)
# Extensions whose per-document state is cleared by Markdown.reset() (checked by
# tests/test_render.py against MkDocs' own rendering).
_KNOWN_PREFIXES = ("markdown.extensions.", "pymdownx.")
_BUILTINS = frozenset(("abbr", "admonition", "attr_list", "codehilite", "def_list", "extra",
                       "fenced_code", "footnotes", "legacy_attrs", "legacy_em", "md_in_html", "meta",
                       "nl2br", "sane_lists", "smarty", "tables", "toc", "wikilinks"))


def reusable(config: MkDocsConfig, own: tuple[type, ...]) -> bool:
    """Whether pages of this build can share one Markdown instance (the MkDocs internals it
    needs are probed separately: ``probes.PROBES["shared-markdown"]``)."""
    for ext in config.markdown_extensions:
        if isinstance(ext, str):
            if not (ext in _BUILTINS or ext.startswith(_KNOWN_PREFIXES)):
                return False
        elif not isinstance(ext, own):
            return False
    return True


class SharedMarkdown:
    """The build's Markdown instance, created on first use."""

    def __init__(self, config: MkDocsConfig) -> None:
        self._config = config
        self._md: markdown.Markdown | None = None

    def get(self) -> markdown.Markdown:
        if self._md is None:
            self._md = markdown.Markdown(extensions=self._config["markdown_extensions"],
                                         extension_configs=self._config["mdx_configs"] or {})
        else:
            self._md.reset()
        return self._md

    def renderer(self, page: Page) -> Callable[[MkDocsConfig, Files], None]:
        """A ``render`` method for ``page`` (``page.render = shared.renderer(page)``)."""
        return lambda config, files: render_page(page, self.get(), config, files)


def render_page(page: Page, md: markdown.Markdown, config: MkDocsConfig, files: Files) -> None:
    """``Page.render`` of MkDocs 1.6 with a given (reset) Markdown instance."""
    if page.markdown is None:
        raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
    p: Any = mk_pages
    raw_html_ext = p._RawHTMLPreprocessor()
    raw_html_ext._register(md)
    extract_anchors_ext = p._ExtractAnchorsTreeprocessor(page.file, files, config)
    extract_anchors_ext._register(md)
    relative_path_ext = p._RelativePathTreeprocessor(page.file, files, config)
    relative_path_ext._register(md)
    extract_title_ext = p._ExtractTitleTreeprocessor()
    extract_title_ext._register(md)

    page.content = md.convert(page.markdown)
    page.toc = get_toc(getattr(md, "toc_tokens", []))
    page._title_from_render = extract_title_ext.title
    page.present_anchor_ids = extract_anchors_ext.present_anchor_ids | raw_html_ext.present_anchor_ids
    if _PAGES_LOG.getEffectiveLevel() > logging.DEBUG:
        page.links_to_anchors = relative_path_ext.links_to_anchors
