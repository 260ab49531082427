"""plugin: rendered note HTML kept across ``mkdocs serve`` rebuilds.

MkDocs rebuilds every page on each save. A note's Markdown → HTML depends only on its Markdown,
its own URL, the configuration, and how each of its links resolved; so a rebuild reuses the
HTML of every note whose inputs are unchanged and converts only the edited ones. Everything
around the content (header, backlinks, related notes, topic pages, nav, search index) is
rendered fresh on every build, so a renamed or deleted note never lingers there.

A reused page skips Markdown entirely: MkDocs would otherwise build a fresh ``Markdown`` with every
extension just to convert an empty string (about a tenth of a rebuild).

Not MkDocs' ``--dirty``: that skips whole pages by file mtime, so the pages that *link to* an
edited or renamed note (backlinks, topic lists, wikilink titles) would go stale.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from kbsite.core.index import moved_names
from kbsite.core.keys import normalize_key


@dataclass
class _Entry:
    key: str
    deps: dict[Hashable, Any]  # what each link resolved to when the HTML was made
    html: str = ""
    toc: Any = None
    title: str | None = None
    anchors: set[str] = field(default_factory=set)
    links_to_anchors: dict[str, dict[str, str]] | None = None  # target src_uri -> {anchor: link}


class PageCache:
    """src_uri -> rendered content of a note page, valid while its key and link deps hold."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._fingerprint = ""
        self._pending: dict[str, _Entry] = {}  # being rendered in this build
        self._hits: dict[str, _Entry] = {}  # reused in this build
        self.hits = self.misses = 0

    def start_build(self, fingerprint: str, live: set[str]) -> None:
        """A new build: drop everything if the configuration or the set of other files changed,
        and the entries of notes that no longer exist."""
        if fingerprint != self._fingerprint:
            self._entries.clear()
            self._fingerprint = fingerprint
        for uri in set(self._entries) - live:
            del self._entries[uri]
        self._pending.clear()
        self._hits.clear()
        self.hits = self.misses = 0

    def lookup(self, page: Page, markdown: str, resolve: Callable[[Hashable], Any],
               stable: Callable[[Hashable], bool] | None = None) -> bool:
        """True if the page's HTML can be reused: its rendering is then skipped and
        ``on_content`` puts the HTML back. Else the page is rendered and its deps recorded
        through ``record``. ``stable(dep)``: the caller knows that dep resolves as before."""
        uri = page.file.src_uri
        key = _key(markdown, uri, page.file.url)
        entry = self._entries.get(uri)
        if entry is not None and entry.key == key and all(
                (stable is not None and stable(d)) or resolve(d) == r for d, r in entry.deps.items()):
            self._hits[uri] = entry
            self.hits += 1
            page.render = _skip_render.__get__(page)  # type: ignore[method-assign]
            return True
        self._pending[uri] = _Entry(key, {})
        self.misses += 1
        return False

    def record(self, page: Page | None, dep: Hashable, result: Any) -> None:
        """A link of the page being rendered resolved to ``result``."""
        if page is not None and page.file.src_uri in self._pending:
            self._pending[page.file.src_uri].deps[dep] = result

    def is_reused(self, page: Page) -> bool:
        """Whether ``lookup`` chose to reuse this page's HTML in this build."""
        return page.file.src_uri in self._hits

    def on_content(self, html: str, page: Page, files: Files) -> str | None:
        """After rendering: restore a reused page, or remember a fresh one."""
        uri = page.file.src_uri
        hit = self._hits.pop(uri, None)
        if hit is not None:
            page.toc = hit.toc
            page._title_from_render = hit.title
            page.present_anchor_ids = set(hit.anchors)
            if hit.links_to_anchors is not None:
                # Keys are src_uris as MkDocs wrote them: looked up as they are, not normalised
                # again through a PurePath per link (``get_file_from_path``).
                uris = files.src_uris
                page.links_to_anchors = {
                    f: dict(links) for target, links in hit.links_to_anchors.items()
                    if (f := uris.get(target)) is not None
                }
            return hit.html
        entry = self._pending.pop(uri, None)
        if entry is not None:
            entry.html, entry.toc, entry.title = html, page.toc, page._title_from_render
            entry.anchors = set(page.present_anchor_ids or ())
            if page.links_to_anchors is not None:
                entry.links_to_anchors = {f.src_uri: dict(v) for f, v in page.links_to_anchors.items()}
            self._entries[uri] = entry
        return None

    def __repr__(self) -> str:
        return f"PageCache({len(self._entries)} pages, {self.hits} hits, {self.misses} misses)"


class NameMoves:
    """Across builds: which names now resolve elsewhere, so the page cache re-checks only the
    links that use one of them.

    A title or alias edit used to make every recorded link of every note be resolved again
    (30,000 at 3,000 notes). With the same note paths and attachments, a bare ``[[name]]``
    resolves as before unless its name's entry in the name index (``NoteIndex.name_table``,
    published and private) differs; Markdown links and attachments go by path and resolve as
    before; path-style wikilinks, ``[[#heading]]`` and embeds are always checked again."""

    def __init__(self) -> None:
        self._files: Any = None
        self._indexes: tuple[Any, Any] | None = None

    def compare(self, files: Hashable, public: Any, private: Any) -> Callable[[Hashable], bool] | None:
        """``files``: what the note paths and attachments were; ``public``/``private``: the
        name indexes. Returns which recorded link deps are known to resolve as before, or None
        (every one is checked)."""
        old, old_files = self._indexes, self._files
        self._indexes, self._files = (public, private), files
        if old is None or old_files is None or old_files != files:
            return None
        moved = moved_names(old, (public, private))
        if moved is None:
            return None

        def stable(dep: Hashable) -> bool:
            kind, target, _ = dep  # type: ignore[misc]
            if kind in ("md", "file"):
                return True
            text = (target or "").strip()
            if kind != "wiki" or not text or "/" in text or text.lower().endswith(".md"):
                return False
            return normalize_key(text) not in moved

        return stable


def _skip_render(page: Page, config: MkDocsConfig, files: Files) -> None:
    """``Page.render`` of a reused page; the content is restored by ``PageCache.on_content``."""
    page.content = ""


class TemplateCodeCache(BytecodeCache):
    """Compiled Jinja templates across ``mkdocs serve`` rebuilds (MkDocs makes a new environment
    for each build and would compile every template again). Jinja checks each template's source
    checksum, so an edited template is compiled afresh."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


def fingerprint(*parts: object) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(repr(part).encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def _key(markdown: str, uri: str, url: str) -> str:
    # The text's own bytes, not its repr: a copy with escapes cost as much as the hash.
    h = hashlib.blake2b(markdown.encode("utf-8", "surrogatepass"), digest_size=16)
    h.update(f"\0{uri}\0{url}".encode("utf-8", "surrogatepass"))
    return h.hexdigest()
