"""search: pure. The prebuilt index the kbsite search worker loads.

Shape (UTF-8 JSON, written where Material's UI fetches it, ``search/search_index.json``)::

    {"config": {...Material's keys, for its page highlighter...},
     "docs": {"kbsite": 1,
              "words": "知识蒸馏 低秩适配 ...",      # segmentation word list, domain words first
              "domain": 123,                         # how many of them are domain words
              "pages": [[location, title, [alias...], meta, [[anchor, heading, text], ...],
                         links?]]}}    # links: how many notes link here, when any

No text is stored twice and nothing is segmented in the file: the worker matches substrings, so
the only derived data is the word list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable

from kbsite.search.extract import split_sections
from kbsite.search.segment import Segmenter, domain_words, fold

FORMAT = 1
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
        row: list[object] = [self.location, self.title, list(self.aliases), self.meta,
                             [list(s) for s in self.sections]]
        if self.links:
            row.append(self.links)
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

    def __init__(self, segmenter: Segmenter | None = None) -> None:
        self.segmenter = segmenter or Segmenter()
        self.pages: list[SearchPage] = []
        self.names: list[str] = []

    def add(self, page: SearchPage, names: Iterable[str] = ()) -> None:
        """Add a page; ``names`` are extra dictionary entries (topic and tag names)."""
        self.pages.append(page)
        self.names.append(page.title)
        self.names.extend(page.aliases)
        self.names.extend(names)

    def words(self) -> tuple[list[str], int]:
        """The segmentation word list (domain words first) and how many are domain words."""
        domain = domain_words(self.names)
        corpus: set[str] = set()
        self.segmenter.start_build()
        for page in self.pages:  # one text per page: Han runs never cross the newlines
            corpus.update(self.segmenter.words("\n".join(t for t in page.texts() if t)))
        self.segmenter.end_build()
        return sorted(domain), sorted(corpus - domain)

    def data(self) -> dict[str, object]:
        domain, corpus = self.words()
        pages = sorted(self.pages, key=lambda p: p.location)
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
            },
        }

    def json(self) -> str:
        """UTF-8 JSON; ``<``, ``>`` and ``&`` stay escaped (``\\u003c``) so the file is inert even
        when inlined into a page (Material's offline plugin wraps it in a script). The worker
        escapes every string it renders."""
        text = json.dumps(self.data(), ensure_ascii=False, separators=(",", ":"))
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
