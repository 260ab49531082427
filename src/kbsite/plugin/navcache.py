"""plugin: the theme's navigation rendered once per build for all the pages it does not list.

Material renders the whole navigation into every page, and that was the largest single cost of a
build (about 13% at 3,000 notes). Notes are not in the navigation (topics are the way in), and
for a page outside it the navigation's HTML depends on the page only through the relative URLs it
writes. Those depend on the page's URL only up to the point where it leaves every navigation URL,
so pages that agree there share one rendering. Pages in the navigation render as usual.

The ``partials/nav.html`` of kbsite's templates asks this cache first and otherwise includes the
theme's own partial, reached as ``kbsite-theme/partials/nav.html``.
"""

from __future__ import annotations

import re
from pathlib import Path
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


class NavCache:
    """Rendered navigation HTML by :meth:`key` of the page, for one build."""

    def __init__(self, nav: Navigation, extra_urls: Iterable[str] = ()) -> None:
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

    def put(self, key: Key, html: str) -> str:
        # Template indentation is most of the navigation's bytes, and it is written into every
        # page; the navigation holds no <pre>, so a line break plus indentation is just a break.
        html = _INDENT_RE.sub("\n", html)
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
