"""plugin: the theme's navigation rendered once per build for all the pages it does not list.

Material renders the whole navigation into every page, and that was the largest single cost of a
build (about 13% at 3,000 notes). Notes are not in the navigation (topics are the way in), and
for a page outside it the navigation's HTML depends on the page only through the relative URLs it
writes. Those depend on the page's URL only up to the point where it leaves every navigation URL,
so pages that agree there share one rendering. Pages in the navigation render as usual.

The ``partials/nav.html`` of kbsite's templates asks this cache first and otherwise includes the
theme's own partial, reached as ``kbsite-theme/partials/nav.html``.

The pages outside the navigation (every note) get it *pruned* (Material's ``navigation.prune``:
each section a link to its first page, so 主题 leads to the topic index, which lists every
topic): about 1 KB instead of 9-10 KB at 1,000 notes, written into thousands of pages. The full
tree is rendered once per build with site-relative URLs into one shared file
(``assets/kbsite/nav-<hash>.html``, :class:`NavTree`); ``assets/kbsite/nav.js`` swaps it in, so a
reader with scripts gets the same expandable topic tree as before from one cached request, and a
reader without scripts reaches every topic through the topic index.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterable

import mkdocs.utils
from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, PrefixLoader
from mkdocs.structure.nav import Navigation

THEME_PREFIX = "kbsite-theme"
# Partials the navigation is made of; when a custom_dir overrides one, it may write URLs this
# cache does not know about, so the cache stays off.
NAV_PARTIALS = ("partials/nav.html", "partials/nav-item.html", "partials/logo.html")

Key = tuple[int, tuple[str, ...]]
_INDENT_RE = re.compile(r"\n\s*")
NAV_JS = "assets/kbsite/nav.js"
TREE_PREFIX = "assets/kbsite/nav-"
# What the full tree is rendered for: a page at the site root, so every URL it writes is
# site-relative (nav.js resolves them against the site root).
ROOT_PAGE = SimpleNamespace(url="", meta={}, toc=[], title="", is_homepage=False, file=None, active=False)
_PRIMARY = '<nav class="md-nav md-nav--primary"'


class NavTree:
    """The full navigation tree of one build, written once into a shared file.

    Lives in the plugin (across serve rebuilds): when no page outside the navigation is
    rendered again, the file written last time is still this build's and is claimed."""

    def __init__(self) -> None:
        self.url: str | None = None  # site-relative URL of this build's tree file
        self._last: str | None = None
        self._site = ""
        self._outputs: Any = None

    def begin(self, site_dir: str, outputs: Any) -> None:
        self._last = self.url
        self.url = None
        self._site, self._outputs = site_dir, outputs

    def put(self, html: str) -> str:
        data = _INDENT_RE.sub("\n", html).strip().encode("utf-8")
        self.url = f"{TREE_PREFIX}{hashlib.sha256(data).hexdigest()[:10]}.html"
        if self._outputs is not None:
            self._outputs.write(os.path.join(self._site, self.url), data)
        return self.url

    def finish(self) -> None:
        """Claim last build's file when nothing rendered the tree this time (serve)."""
        if self.url is None and self._last is not None and self._outputs is not None:
            path = os.path.join(self._site, self._last)
            if self._outputs.has(path):
                self._outputs.claim(path)
                self.url = self._last


class NavCache:
    """Rendered navigation HTML by :meth:`key` of the page, for one build."""

    def __init__(self, nav: Navigation, extra_urls: Iterable[str] = (), tree: NavTree | None = None) -> None:
        self.tree = tree  # None: unlisted pages get the whole navigation, as listed ones do
        self.root = ROOT_PAGE
        self._listed: set[int] = set()  # id() of every page the navigation shows
        # Every leading run of path segments of every URL the navigation writes.
        self._prefixes: set[tuple[str, ...]] = {()}
        urls = list(extra_urls)
        if nav.homepage is not None:
            urls.append(nav.homepage.url)
        for item in _walk(nav.items):
            if getattr(item, "is_page", False):
                self._listed.add(id(item))
            for page in getattr(item, "pages", None) or ():  # Material's blog views
                self._listed.add(id(page))
            url = getattr(item, "url", None)
            if isinstance(url, str):
                urls.append(url)
        # MkDocs internals, probed before a NavCache is made (probes.PROBES["nav-cache"]).
        self._norm_parts = mkdocs.utils._norm_parts
        for url in urls:
            path, level = mkdocs.utils._get_norm_url(url)
            if level == -1:  # absolute: the same on every page
                continue
            parts = tuple(self._norm_parts(path))
            self._prefixes.update(parts[:i] for i in range(len(parts) + 1))
        self._html: dict[Key, str] = {}

    def key(self, page: Any) -> Key | None:
        """Pages with equal keys get identical navigation HTML; None: render it for this page.

        Mirrors ``mkdocs.utils.get_relative_url``: a URL is written relative to the page's
        folder; the result depends on how many segments that folder has and on its longest
        leading run that some navigation URL shares.
        """
        if page is None or id(page) in self._listed:
            return None
        folder, _, name = page.url.rpartition("/")
        parts = self._norm_parts(folder if "." in name else page.url)
        shared = 0
        for i in range(1, len(parts) + 1):
            if tuple(parts[:i]) not in self._prefixes:
                break
            shared = i
        return len(parts), tuple(parts[:shared])

    def get(self, key: Key) -> str | None:
        return self._html.get(key)

    def tree_pending(self) -> bool:
        """Whether this build's full tree is still to be rendered (before the first pruned nav)."""
        return self.tree is not None and self.tree.url is None

    def put_tree(self, html: str) -> str:
        assert self.tree is not None
        self.tree.put(html)
        return ""

    def put(self, key: Key, html: str, base_url: str = "") -> str:
        # Template indentation is most of the navigation's bytes, and it is written into every
        # page; the navigation holds no <pre>, so a line break plus indentation is just a break.
        html = _INDENT_RE.sub("\n", html)
        if self.tree is not None and self.tree.url is not None:
            # The pruned nav names the full tree's file (relative: equal keys, equal depth).
            href = f"{base_url}/{self.tree.url}" if base_url not in ("", ".") else self.tree.url
            html = html.replace(_PRIMARY, f'{_PRIMARY} data-kb-nav-tree="{href}"', 1)
        self._html[key] = html
        return html


def theme_loader(loader: BaseLoader, dirs_after_ours: list[str]) -> BaseLoader:
    """The environment's loader, plus the theme's own templates under ``kbsite-theme/``."""
    return ChoiceLoader([loader, PrefixLoader({THEME_PREFIX: FileSystemLoader(dirs_after_ours)})])


def overridden(dirs_before_ours: list[str]) -> bool:
    """Whether a custom_dir replaces a partial the navigation is made of."""
    return any((Path(d) / p).is_file() for d in dirs_before_ours for p in NAV_PARTIALS)


def _walk(items: list[Any]) -> Iterable[Any]:
    for item in items:
        yield item
        yield from _walk(getattr(item, "children", None) or [])
