"""search: pure. The prebuilt index the kbsite search worker loads.

Shape (UTF-8 JSON, written where Material's UI fetches it, ``search/search_index.json``)::

    {"config": {...Material's keys, for its page highlighter...},
     "docs": {"kbsite": 1,
              "words": "知识蒸馏 低秩适配 ...",      # segmentation word list, domain words first
              "domain": 123,                         # how many of them are domain words
              "pages": [[location, title, [alias...], meta, [[anchor, heading, text], ...],
                         links?, [pinyin...]?]],  # links: notes linking here; pinyin: see below
              "glossary": [["low-rank adaptation", "LoRA", "低秩适配"], ...],
              "t2s": "參参數数...",                # 繁→简 character pairs
              "t2s_phrases": ["乾燥干燥", ...]}}    # 繁→简 phrases: first half → second half

No text is stored twice and nothing is segmented in the file: the worker matches substrings, so
the derived data is the word list, the pinyin of each title and alias (``qiang hua xue xi``,
aligned with ``[title, *aliases]``, "" where a name has no Han), the glossary groups whose names
occur in the notes and the 繁→简 pairs the notes' characters need. The global parts (words,
glossary, t2s) are separate from the per-page rows, so the pages can be split into shards.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from kbsite.search import glossary as _glossary
from kbsite.search.derived import Entry, IndexCache
from kbsite.search.extract import split_sections
from kbsite.search.segment import Segmenter, domain_words, fold
from kbsite.search.shards import page_postings, stats_code, utf16_len, worker_fold
from kbsite.search.variants import pinyin, simplifier

FORMAT = 2  # 2: the worker also reads the sharded shape (kbsite.search.shards)
# What Material's page highlighter (``?h=`` after clicking a result) splits a query with.
HIGHLIGHT_SEPARATOR = r"[\s\u200b\u3000\-、。，．？！；]+"


@dataclass
class SearchPage:
    location: str
    title: str
    aliases: tuple[str, ...] = ()
    meta: str = ""  # tags, topics, venue, year, authors: searchable, shown only when matched
    sections: list[tuple[str, str, str]] = field(default_factory=list)  # (anchor, heading, text)
    links: int = 0  # notes linking here: a small prior, central notes first among equals

    def texts(self) -> Iterable[str]:
        yield self.title
        yield from self.aliases
        yield self.meta
        for _, heading, text in self.sections:
            yield heading
            yield text

    def row(self) -> list[object]:
        """The page's row of the index (made once: a page that survives serve rebuilds keeps it;
        nobody changes a page or its row afterwards)."""
        made = self.__dict__.get("_row")
        if made is None:
            made = self.__dict__["_row"] = self._row()
        return made

    def _row(self) -> list[object]:
        row: list[object] = [self.location, self.title, list(self.aliases), self.meta,
                             [list(s) for s in self.sections]]
        keys = [pinyin(name) for name in (self.title, *self.aliases)]
        while keys and not keys[-1]:
            keys.pop()
        if self.links or keys:
            row.append(self.links)
        if keys:
            row.append(keys)
        return row


def page_from_html(location: str, title: str, html: str, *, aliases: Iterable[str] = (),
                   meta: Iterable[str] = (), links: int = 0) -> SearchPage:
    """A page's searchable parts from its rendered content (``page.content``)."""
    sections: list[tuple[str, str, str]] = []
    for s in split_sections(html):
        text = s.text
        if not s.anchor:
            if text:
                sections.append(("", "", text))
            continue
        heading = s.heading
        if not sections and fold(heading) == fold(title):
            # The page's own "# Title" is the title, not a heading (it would count twice and
            # come back as a second result repeating the page): its text is the lead section.
            if text:
                sections.append(("", "", text))
            continue
        sections.append((s.anchor, heading, text))
    seen = {fold(title)}
    alias_list: list[str] = []
    for alias in aliases:
        key = fold(alias).strip()
        if key and key not in seen:
            seen.add(key)
            alias_list.append(alias.strip())
    meta_parts: list[str] = []
    for m in meta:
        m = str(m).strip()
        if m and m not in meta_parts:
            meta_parts.append(m)
    return SearchPage(location, title, tuple(alias_list), " · ".join(meta_parts), sections, links)


class SearchIndexBuilder:
    """Collects pages during a build and writes the index at the end."""

    def __init__(self, segmenter: Segmenter | None = None,
                 glossary: Iterable[_glossary.Group] | None = None, cache: IndexCache | None = None) -> None:
        """``glossary``: the groups of names to ship (default: kbsite's own glossary); ``cache``:
        what earlier builds derived from pages that are still here (``mkdocs serve``)."""
        self.segmenter = segmenter or Segmenter()
        self.glossary = list(glossary) if glossary is not None else _glossary.shipped()
        self.cache = cache or IndexCache()
        self.pages: list[SearchPage] = []
        self.names: list[str] = []
        self._page_names: list[tuple[str, ...]] = []
        self._slots: dict[str, int] = {}  # location -> index of a page another process extracts

    def add(self, page: SearchPage, names: Iterable[str] = ()) -> None:
        """Add a page; ``names`` are extra dictionary entries (topic and tag names)."""
        own = (page.title, *page.aliases, *names)
        self.pages.append(page)
        self.names.extend(own)
        self._page_names.append(own)

    def prime(self, page: SearchPage, own: tuple[str, ...]) -> Entry:
        """Derive a page's entry now (``IndexCache.prime``), with the texts ``_entries`` uses."""
        return self.cache.prime(page, [t for t in page.texts() if t], tuple(n for n in own if n), self.segmenter)

    def reserve(self, location: str) -> None:
        """Keep a page's place in page order; another build process extracts it (``fill``)."""
        self._slots[location] = len(self.pages)
        self.pages.append(SearchPage(location, ""))
        self._page_names.append(())

    def rows(self) -> list[tuple[SearchPage, tuple[str, ...]]]:
        """The pages added, with their dictionary names, for ``fill`` in another process."""
        return list(zip(self.pages, self._page_names))

    def fill(self, rows: Iterable[tuple[SearchPage, tuple[str, ...]]]) -> None:
        """Put pages into their reserved places; a place left empty (the page is not indexed)
        goes. The builder is then as if every page had been added in order."""
        for page, own in rows:
            i = self._slots.pop(page.location)
            self.pages[i], self._page_names[i] = page, own
        empty = set(self._slots.values())
        self._slots = {}
        if empty:
            self.pages = [p for i, p in enumerate(self.pages) if i not in empty]
            self._page_names = [n for i, n in enumerate(self._page_names) if i not in empty]
        self.names = [name for own in self._page_names for name in own]

    def _entries(self) -> tuple[list[Entry], list[Entry]]:
        """Each page's derived data, from the cache where the page is the one seen last time."""
        self.segmenter.start_build()
        pages = ((page, [t for t in page.texts() if t], tuple(n for n in names if n))
                 for page, names in zip(self.pages, self._page_names))
        found = self.cache.entries(pages, self.segmenter)
        self.segmenter.end_build()
        return found

    def words(self, extra: Iterable[str] = ()) -> tuple[list[str], list[str]]:
        """The segmentation word list: domain words (sorted), then jieba's other words (sorted).
        ``extra``: more domain names (the glossary's)."""
        domain = domain_words([*self.names, *extra])
        corpus: set[str] = set()
        for entry in self._entries()[0]:  # one text per page: Han runs never cross the newlines
            corpus.update(entry.word_list())
        return sorted(domain), sorted(corpus - domain)

    def data(self) -> dict[str, object]:
        entries, new = self._entries()
        # Each part is a union over pages (derived.py): only new pages are looked at.
        groups = self.cache.relevant(self.glossary, entries, new)
        glossary_names = [name for group in groups for name in group]
        t2s = self.cache.t2s(entries, "\n".join(glossary_names))
        # The worker folds a query to 简体 before cutting it, so the word list is in 简体 too.
        simplify = simplifier(t2s)
        domain, corpus = self.cache.word_lists(entries, [*self.names, *glossary_names], t2s, simplify)
        pages = sorted(self.pages, key=lambda p: p.location)
        self._simplify = (repr(sorted(t2s.items())), simplify)
        self._t2s = t2s
        chars = "".join(k + v for k, v in sorted(t2s.items()) if len(k) == 1)
        phrases = [k + v for k, v in sorted(t2s.items()) if len(k) > 1]
        return {
            "config": {
                "lang": ["en"], "separator": HIGHLIGHT_SEPARATOR, "pipeline": [],
                "fields": {"title": {"boost": 1000.0}, "text": {"boost": 1.0}},
            },
            "docs": {
                "kbsite": FORMAT,
                "domain": len(domain),
                "words": " ".join(domain + corpus),
                "pages": [p.row() for p in pages],
                "glossary": [list(g) for g in groups],
                "t2s": chars,
                "t2s_phrases": phrases,
            },
        }

    def files(self) -> Iterator[tuple[str, bytes | None]]:
        """The sharded index (kbsite.search.shards): (site path, bytes), the entry file last;
        bytes None: the file holds what the last build made (``cache.splitter.keep``)."""
        data = self.data()
        rows = data["docs"].pop("pages")  # type: ignore[attr-defined]
        sig, simplify = self._simplify
        # Pages survive serve rebuilds, and their postings with them. A page's postings depend on
        # the 繁→简 table only through the pairs its own text holds, so when the table changed
        # (an edit brought in a new character) only pages holding a changed pair are redone.
        last_sig, last_t2s = self.cache.last_t2s
        changed = {k for k in last_t2s.keys() | self._t2s.keys() if last_t2s.get(k) != self._t2s.get(k)}
        self.cache.last_t2s = (sig, self._t2s)
        pages = sorted(self.pages, key=lambda p: p.location)
        postings, stats = [], []
        for page in pages:
            cached = page.__dict__.get("_postings")
            # (A table changed wholesale, say by another glossary, is cheaper to redo than to check.)
            if cached is not None and cached[0] != sig and cached[0] == last_sig and len(changed) <= 256 \
                    and not self.cache.holds_any(page, changed):
                cached = (sig, cached[1])
                page.__dict__["_postings"] = cached
            if cached is None or cached[0] != sig:
                cached = (sig, _page_postings(page, simplify))
                page.__dict__["_postings"] = cached
            postings.append(cached[1])
            stats.append(stats_code(sum(utf16_len(t) for _, _, t in page.sections), page.links))
        body = sum(utf16_len(text) for page in pages for _, _, text in page.sections)
        return self.cache.splitter.split(data, rows, postings, "".join(stats), body)

    def json(self) -> str:
        """UTF-8 JSON; ``<``, ``>`` and ``&`` stay escaped (``\\u003c``) so the file is inert even
        when inlined into a page (Material's offline plugin wraps it in a script). The worker
        escapes every string it renders."""
        text = json.dumps(self.data(), ensure_ascii=False, separators=(",", ":"))
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page_postings(page: SearchPage, simplify: Callable[[str], str]) -> str:
    def f(text: str) -> str:
        return worker_fold(text, simplify)

    return page_postings([f(page.title), *map(f, page.aliases)], f(page.meta),
                         f("\n".join(h for _, h, _ in page.sections if h)),
                         f("\n".join(t for _, _, t in page.sections)))
