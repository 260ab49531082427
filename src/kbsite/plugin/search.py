"""plugin: the MkDocs side of kbsite's search. The index itself is built in kbsite.search (pure).

kbsite keeps Material's search UI and replaces its worker and its index:

- ``on_config``: if Material's search plugin is enabled, its indexing events are unhooked (it
  would segment every page with jieba and write an index nobody reads); user options that only
  Material's engine reads are reported.
- ``on_env``: the ``kbsite_search_worker`` filter used by our ``main.html`` points the UI's
  ``config.search`` at ``assets/kbsite/search-worker.js``.
- ``on_page_context``: each page's content, title, aliases and metadata go to the builder.
- ``on_post_build``: ``search/search_index.json`` is written (UTF-8), the whole index; or, with
  ``search_shards: true`` (``auto``: once that file would pass 2 MB), the sharded index
  (kbsite.search.shards): that file as the entry Material's UI fetches, and the shards and
  rows the worker loads per query.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
from pathlib import Path
from typing import Any, Callable, Iterable

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.pages import Page
from mkdocs.utils import write_file

from kbsite.core.model import Note
from kbsite.core.topics import Topic
from kbsite.plugin.config import KbsiteConfig
from kbsite.plugin.incremental import Outputs, StringDigests
from kbsite.plugin.probes import MATERIAL_WORKER_RE
from kbsite.search import SearchIndexBuilder, SearchPage, Segmenter, page_from_html
from kbsite.search import glossary as glossary_data
from kbsite.search.derived import IndexCache
from kbsite.search.shards import worth_sharding
from kbsite.search.variants import SPELLED, pinyin, release_pinyin

log = get_plugin_logger(__name__)

WORKER = "assets/kbsite/search-worker.js"
WORKER_FILE = Path(__file__).resolve().parent.parent / "templates" / WORKER
# Material events that build its own index; kbsite's index replaces it.
_MATERIAL_EVENTS = ("page_context", "post_build", "serve")
# Options only Material's engine reads (and that Material never fills in by itself).
_IGNORED = ("jieba_dict", "jieba_dict_user")
ZH_SEPARATOR = r"[\s\u200b\u3000\-、。，．？！；]+"


class SiteSearch:
    """One per plugin instance: the segmenter's cache survives ``mkdocs serve`` rebuilds."""

    def __init__(self) -> None:
        self.segmenter = Segmenter()
        self.index_cache = IndexCache()  # what each page gave the index's global parts
        self.builder: SearchIndexBuilder | None = None
        self._worker_url = WORKER
        # url -> (inputs, extracted page): re-parsing every page's HTML was ~20% of a build, and
        # a `mkdocs serve` rebuild re-renders pages whose content did not change.
        self._pages: dict[str, tuple[tuple[Any, ...], SearchPage]] = {}
        self._seen: set[str] = set()
        self.sharded: bool | str = "auto"  # kbsite: search_shards
        # Page HTML by URL, hashed again only when it is a new string; kept only under serve,
        # whose page cache holds those strings anyway (``serve`` sets it).
        self._html = StringDigests(keep=False)
        # mkdocs build: derive each page's share of the index as the page renders, not all at
        # the end (while pages render the build is split over two processes; plugin/split.py).
        self.prime = False

    # ---- Events -------------------------------------------------------------------------

    def on_config(self, config: MkDocsConfig, *, enabled: bool) -> None:
        self.builder = None
        self._seen = set()
        material = _material_search(config)
        if material is None:
            log.info("search is off (no 'search' plugin in mkdocs.yml): the site has no search box; "
                     "add '- search' to plugins to get kbsite's Chinese search")
            return
        if not enabled:
            _check_material_config(material)
            return
        _unhook(config, material)
        for key in _IGNORED:
            if material.config.get(key):
                log.warning(f"search: '{key}' has no effect: kbsite's search builds its dictionary from "
                            f"the notes' titles, aliases, topics and tags; remove it (or set "
                            f"'kbsite: search: false' to keep Material's own search)")
        option = _kbsite_option(config, "search_shards")
        self.sharded = "auto" if option is None else option
        digest = hashlib.blake2b(WORKER_FILE.read_bytes(), digest_size=4).hexdigest()
        self._worker_url = f"{WORKER}?v={digest}"
        self.builder = SearchIndexBuilder(self.segmenter, _glossary(config), self.index_cache)

    def worker_filter(self, rendered: Any) -> Any:
        """Jinja filter: swap Material's worker URL for ours in the rendered ``config`` block."""
        if self.builder is None:
            return rendered
        return type(rendered)(MATERIAL_WORKER_RE.sub(self._worker_url, str(rendered)))

    @staticmethod
    def _named(page: Page, note: Note | None, topic: Topic | None) -> tuple[str, list[str]] | None:
        """A page's title and aliases in the index; None if it is left out."""
        if note is not None:
            if _excluded(note.extra.get("search")):
                return None
            aliases = list(note.aliases)
            word = _id_word(note)
            if word:
                aliases.append(word)
            return note.title, aliases
        if _excluded(page.meta.get("search")):
            return None
        if topic is not None:
            return topic.title, list(topic.aliases)
        return html.unescape(page.title or ""), []

    def spell_ahead(self, pages: Iterable[tuple[Page, Note | None, Topic | None]]) -> None:
        """``mkdocs build``, before pages render: the pinyin of every name the index will hold,
        then pypinyin goes (``release_pinyin``): its ~50 MB never sit beside the rendered pages
        and the index. A name missed here is spelled later (pypinyin comes back)."""
        if self.builder is None:
            return
        for page, note, topic in pages:
            named = self._named(page, note, topic)
            if named is not None:
                for name in (named[0], *named[1]):
                    pinyin(name)
        release_pinyin()

    def add_page(self, page: Page, *, note: Note | None = None, topic: Topic | None = None,
                 topic_titles: list[str] | None = None, links: int = 0) -> None:
        if self.builder is None or page.content is None:
            return
        named = self._named(page, note, topic)
        if named is None:
            return
        title, aliases = named
        if note is not None:
            meta = [*note.tags, *(topic_titles or []), note.venue or "",
                    str(note.year) if note.year else "", *note.authors]
            names = [*note.tags, *(topic_titles or [])]
        else:
            meta, names = [], []
        key = (title, tuple(aliases), tuple(meta), links, self._html(page.url, page.content))
        hit = self._pages.get(page.url)
        if hit is not None and hit[0] == key:
            entry = hit[1]
        else:
            entry = page_from_html(page.url, title, page.content, aliases=aliases, meta=meta, links=links)
            self._pages[page.url] = (key, entry)
        self._seen.add(page.url)
        self.builder.add(entry, names)
        if self.prime:  # its names' pinyin is spelled already (spell_ahead)
            self.builder.prime(entry, (entry.title, *entry.aliases, *names))

    def reserve(self, page: Page) -> None:
        """Split build: the other process extracts ``page`` (plugin/split.py)."""
        if self.builder is not None:
            self.builder.reserve(page.url)

    def export(self) -> dict[str, Any]:
        """Split build, the child: its pages, their entries and the pinyin of their names."""
        if self.builder is None:
            return {}
        rows = self.builder.rows()
        entries = [e for page, _ in rows if (e := self.index_cache.primed(page)) is not None]
        spelled = {name: pinyin(name) for page, _ in rows for name in (page.title, *page.aliases)}
        return {"rows": rows, "entries": entries, "spelled": spelled}

    def fill(self, data: dict[str, Any]) -> None:
        """Split build, the parent: the child's pages into their places (``reserve``)."""
        if self.builder is not None and data:
            self.builder.fill(data["rows"])
            self.index_cache.adopt(data["entries"])
            SPELLED.update(data["spelled"])

    @property
    def serve(self) -> bool:
        return self._html.keep

    @serve.setter
    def serve(self, on: bool) -> None:
        self._html.keep = on
        if not on:
            self._html.clear()

    def on_post_build(self, config: MkDocsConfig, write: Callable[[str, bytes], None] | None = None,
                      outputs: Outputs | None = None) -> None:
        """Write the sharded index; ``write``: the plugin's writer, which skips a file that
        already holds its bytes (``mkdocs serve``) and keeps it from the sweep; ``outputs``: its
        owner, which says what is still on disk from the last build and keeps a file the
        splitter did not make again."""
        if self.builder is None:
            return
        for gone in set(self._pages) - self._seen:  # deleted or renamed pages
            del self._pages[gone]
        self._html.retain(set(self._pages))
        self._seen = set()
        sharded = self.sharded
        if sharded == "auto":
            sharded = worth_sharding(self.builder.pages)
        site = config.site_dir

        def target(path: str) -> str:
            return os.path.join(site, *path.split("/"))

        # Under serve the splitter remembers its files and makes again only those that change,
        # as long as the last build's are all still there.
        splitter = self.index_cache.splitter
        splitter.keep = outputs is not None and outputs.keep_digests
        if outputs is None or not all(outputs.has(target(p)) for p in splitter.paths()):
            splitter.forget()
        # Each file is written as it is made: the whole index is never held at once.
        files = self.builder.files() if sharded else iter(
            [("search/search_index.json", self.builder.json().encode("utf-8"))])
        count = size = 0
        for path, data in files:
            if data is None:  # as the last build made it (splitter.keep)
                assert outputs is not None
                outputs.claim(target(path))
                count += 1
                continue
            target_path = target(path)
            if write is not None:
                write(target_path, data)
            else:
                write_file(data, target_path)
            count, size = count + 1, size + len(data)
        log.debug(f"search index: {len(self.builder.pages)} pages, {count} files, "
                  f"{size} bytes, segmenter {self.segmenter.name} "
                  f"({self.segmenter.hits} cached, {self.segmenter.misses} segmented)")


# ---- Functions ----------------------------------------------------------------------------


def _material_search(config: MkDocsConfig) -> Any:
    for name in ("material/search", "search"):
        plugin = config.plugins.get(name)
        if plugin is not None and type(plugin).__module__.startswith("material."):
            return plugin if plugin.config.get("enabled", True) else None
    return None


def _unhook(config: MkDocsConfig, material: Any) -> None:
    """Hack: drop Material's indexing handlers for this build (registered at config load)."""
    for event in _MATERIAL_EVENTS:
        handlers = config.plugins.events.get(event, [])
        handlers[:] = [h for h in handlers if getattr(h, "__self__", None) is not material]


def _check_material_config(material: Any) -> None:
    """kbsite's search is off: say what breaks Material's own Chinese search, and the fix."""
    separator = material.config.get("separator")
    if separator and "\\u200b" not in separator and "\u200b" not in separator:
        log.warning(f"search: separator {separator!r} does not split on U+200B, so no Chinese word "
                    f"is searchable; remove 'separator' or set it to {ZH_SEPARATOR!r} "
                    f"(or turn kbsite's search back on: 'kbsite: search: true')")
    try:
        import importlib.util

        missing = importlib.util.find_spec("jieba") is None
    except (ImportError, ValueError):
        missing = True
    if missing:
        log.warning("search: jieba is not installed, so Material cannot segment Chinese; "
                    "pip install jieba (or turn kbsite's search back on)")


def _glossary(config: MkDocsConfig) -> list[glossary_data.Group]:
    """kbsite's glossary plus the project's ``search_glossary`` file, if any; a bad file stops
    the build with its ``path:line``."""
    groups = glossary_data.shipped()
    own = _kbsite_option(config, "search_glossary")
    if not own:
        return groups
    path = Path(own).resolve()
    project = Path(config.config_file_path or ".").resolve().parent
    if not path.is_relative_to(project):
        raise PluginError(f"search_glossary: {own} is outside the project ({project}); "
                          f"kbsite reads nothing outside it")
    shown = path.relative_to(project).as_posix()
    try:
        mine = glossary_data.parse(path.read_text(encoding="utf-8"), shown)
    except glossary_data.GlossaryError as err:
        raise PluginError(f"search_glossary: {err}") from None
    except UnicodeDecodeError:
        raise PluginError(f"search_glossary: {shown}:1: not UTF-8 text") from None
    # The project's own names first: its groups lead when merged with kbsite's.
    return glossary_data.merge(mine, groups)


def _kbsite_option(config: MkDocsConfig, key: str) -> Any:
    return next((p.config.get(key) for p in config.plugins.values()
                 if isinstance(getattr(p, "config", None), KbsiteConfig)), None)


def _id_word(note: Note) -> str | None:
    """The note's id as a search name when it is one word (``rope``, ``gqa``, ``ptq``): readers
    type those acronyms, and the core drops an alias equal to the id. Spelled as in the body."""
    if not _ID_WORD_RE.match(note.id):
        return None
    found = re.search(rf"(?<![A-Za-z0-9]){re.escape(note.id)}(?![A-Za-z0-9])", note.body, re.I)
    return found.group(0) if found else note.id


_ID_WORD_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]{1,11}$")


def _excluded(value: Any) -> bool:
    return isinstance(value, dict) and bool(value.get("exclude"))
