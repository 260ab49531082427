"""search: pure. What the index derives from each page, kept per page across ``mkdocs serve`` rebuilds.

The index's global parts — the 繁→简 pairs, the glossary groups the notes mention, the word
list — were computed over the whole site's text on every build (5.8 s of a 3,000-note rebuild
after a one-line edit). Each of them is a union over pages:

- 繁→简: the characters of all texts (a set) and the phrases that occur in some text (phrases
  hold no newline, so none spans two texts);
- glossary: the names that occur in some page's text (in 简体, folded; a name never matches
  across two pages);
- words: the words jieba finds in each page.

So each page (a ``SearchPage`` with the extra names it was added with) keeps its characters,
phrases, matchable text and words (``Entry``) for as long as the page object survives, which
``plugin/search.py`` arranges for pages whose text did not change. For the glossary each name
found remembers one page that has it (its witness): a rebuild looks for a name again only in
new pages, or in every page when its witness is gone. The result is the same as computing it
from scratch, which is what a clean build does with an empty cache.

Under ``mkdocs serve`` (``splitter.keep``) the unions themselves are kept as counts (``Unions``),
updated by the entries that came and went, and the 繁→简 table and the word lists are made
again only when the characters, phrases, words or names they come from changed: a body edit
that brings no new character or word leaves them as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from kbsite.search import glossary as _glossary
from kbsite.search.segment import Segmenter, domain_words
from kbsite.search.shards import Splitter
from kbsite.search.variants import own_table, phrases_in, simplifier, table_from


@dataclass(eq=False)
class Entry:
    """One page as the index's global parts see it."""

    page: object  # the SearchPage, by identity
    names: tuple[str, ...]  # its title, aliases and extra dictionary names
    chars: str  # the distinct characters of its texts and names
    phrases: frozenset[str]  # 繁→简 phrases (Traditional side) that occur in them
    matchable: str  # texts and names in 简体, as glossary names are looked for (glossary.matchable)
    words: str  # jieba's words of its texts, one a line (one string: a tuple was 20 KB a page)

    def word_list(self) -> list[str]:
        return self.words.split("\n") if self.words else []


def make_entry(page: object, texts: Sequence[str], names: tuple[str, ...], segmenter: Segmenter) -> Entry:
    joined = "\n".join([*texts, *names])
    seen = set(joined)
    phrases = phrases_in(joined, seen)
    # Glossary names are 简体 mostly: a 繁體 page is matched in 简体, with the pairs it needs.
    own = own_table(seen, phrases)
    simplified = simplifier(own)(joined) if own else joined
    return Entry(page, names, "".join(seen), phrases, _glossary.matchable(simplified),
                 segmenter.word_lines("\n".join(texts)))


class Unions:
    """How many entries hold each character, phrase and word, kept up to date by the entries
    that came and went since the last ``update`` (entries by identity, held here)."""

    def __init__(self) -> None:
        self._entries: dict[int, Entry] = {}
        self.chars: dict[str, int] = {}
        self.phrases: dict[str, int] = {}
        self.words: dict[str, int] = {}

    def update(self, entries: Iterable[Entry]) -> None:
        now = {id(e): e for e in entries}
        for i, e in self._entries.items():
            if now.get(i) is not e:
                self._count(e, -1)
        for i, e in now.items():
            if self._entries.get(i) is not e:
                self._count(e, 1)
        self._entries = now

    def _count(self, entry: Entry, step: int) -> None:
        for counts, items in ((self.chars, entry.chars), (self.phrases, entry.phrases), (self.words, entry.word_list())):
            for item in items:
                n = counts.get(item, 0) + step
                if n:
                    counts[item] = n
                else:
                    del counts[item]


class IndexCache:
    """Across builds: each page's ``Entry`` and each glossary name's witness page."""

    def __init__(self) -> None:
        self._entries: dict[int, Entry] = {}  # id(page) -> entry; the entry holds the page
        self._keys: list[tuple[str, int]] | None = None  # the glossary's names, as last looked for
        self._witness: dict[str, Entry] = {}  # name -> an entry whose text has it
        self.reused = self.made = 0
        # The last sharded build's 繁→简 table and its signature (index.py: postings kept per page).
        self.last_t2s: tuple[str | None, dict[str, str]] = (None, {})
        self.splitter = Splitter()  # the key shards: under serve, only those that changed are made again
        self._unions: Unions | None = None  # serve only (``splitter.keep``)
        self._t2s_last: tuple[set[str], set[str], dict[str, str]] | None = None  # chars, phrases, table
        self._domain_last: tuple[tuple[str, ...], set[str]] | None = None  # names, their words
        # domain words, corpus words, the table they were folded with; the two sorted lists
        self._lists_last: tuple[set[str], set[str], dict[str, str], list[str], list[str]] | None = None

    def prime(self, page: object, texts: Sequence[str], names: tuple[str, ...], segmenter: Segmenter) -> Entry:
        """``mkdocs build``: make a page's entry as soon as the page is extracted, while the
        pages still render (plugin/split.py); ``entries`` then finds it."""
        entry = make_entry(page, texts, names, segmenter)
        self._entries[id(page)] = entry
        return entry

    def primed(self, page: object) -> Entry | None:
        entry = self._entries.get(id(page))
        return entry if entry is not None and entry.page is page else None

    def adopt(self, entries: Iterable[Entry]) -> None:
        """Entries another build process primed, with their pages."""
        for entry in entries:
            self._entries[id(entry.page)] = entry

    def holds_any(self, page: object, keys: set[str]) -> bool:
        """Whether the page's texts or names hold one of these 繁→简 keys (characters or
        phrases); True for a page this cache has no entry of."""
        entry = self._entries.get(id(page))
        if entry is None or entry.page is not page:
            return True
        return any(k in entry.phrases if len(k) > 1 else k in entry.chars for k in keys)

    def entries(self, pages: Iterable[tuple[object, Sequence[str], tuple[str, ...]]],
                segmenter: Segmenter) -> tuple[list[Entry], list[Entry]]:
        """This build's entries (pages as ``(page, texts, names)``) and which of them are new."""
        out: list[Entry] = []
        new: list[Entry] = []
        kept: dict[int, Entry] = {}
        self.reused = self.made = 0
        for page, texts, names in pages:
            entry = self._entries.get(id(page))
            if entry is None or entry.page is not page or entry.names != names:
                entry = make_entry(page, texts, names, segmenter)
                new.append(entry)
                self.made += 1
            else:
                self.reused += 1
            kept[id(page)] = entry
            out.append(entry)
        self._entries = kept
        return out, new

    def relevant(self, groups: list[_glossary.Group], entries: list[Entry], new: list[Entry]) -> list[_glossary.Group]:
        """The groups with a name in some entry (``glossary.relevant`` over the entries' texts)."""
        keys = _glossary.name_keys(groups)
        alive = {id(e) for e in entries}
        if keys != self._keys:  # first build, or another glossary: look for every name
            self._keys = keys
            holders = _glossary.first_holders([n for n, _ in keys], [e.matchable for e in entries])
            self._witness = {name: entries[i] for name, i in holders.items()}
        else:
            for name, _ in keys:
                w = self._witness.get(name)
                if w is not None and id(w) in alive:  # held here, so no other object has its id
                    continue
                # Gone or never found: a name not found before can only be in a new entry.
                pool: Iterable[Entry] = entries if w is not None else new
                found = next((e for e in pool if name in e.matchable), None)
                if found is None:
                    self._witness.pop(name, None)
                else:
                    self._witness[name] = found
        hit = {i for name, i in keys if name in self._witness}
        return [g for i, g in enumerate(groups) if i in hit]

    def _kept_unions(self, entries: list[Entry]) -> Unions | None:
        """Serve: the unions over ``entries``; None otherwise (a one-off build counts nothing)."""
        if not self.splitter.keep:
            self._unions = self._t2s_last = self._domain_last = self._lists_last = None
            return None
        if self._unions is None:
            self._unions = Unions()
        self._unions.update(entries)
        return self._unions

    def t2s(self, entries: list[Entry], more: str) -> dict[str, str]:
        """``t2s_table`` of every entry's texts and names plus ``more`` (the glossary names)."""
        unions = self._kept_unions(entries)
        phrases: set[str] = set(phrases_in(more, set(more)))
        if unions is None:
            seen = set("".join(e.chars for e in entries))
            for e in entries:
                phrases |= e.phrases
        else:
            seen = set(unions.chars)
            phrases.update(unions.phrases)
        seen.update(more)
        last = self._t2s_last
        if last is not None and last[0] == seen and last[1] == phrases:
            return last[2]
        table = table_from(seen, phrases)
        if unions is not None:
            self._t2s_last = (seen, phrases, table)
        return table

    def word_lists(self, entries: list[Entry], names: list[str], t2s: dict[str, str],
                   simplify: Callable[[str], str]) -> tuple[list[str], list[str]]:
        """The index's word list (after ``t2s`` on the same entries): domain words (from
        ``names``) and the words jieba found in the entries, each folded to 简体 and sorted."""
        unions = self._unions if self.splitter.keep else None
        key = tuple(names)
        if self._domain_last is not None and self._domain_last[0] == key:
            domain_raw = self._domain_last[1]
        else:
            domain_raw = domain_words(key)
            if unions is not None:
                self._domain_last = (key, domain_raw)
        if unions is not None:
            words = set(unions.words)
        else:
            words = set()
            for e in entries:
                words.update(e.word_list())
        corpus_raw = words - domain_raw
        last = self._lists_last
        if last is not None and last[2] is t2s and last[0] == domain_raw and last[1] == corpus_raw:
            return last[3], last[4]
        domain = sorted({simplify(w) for w in domain_raw})
        corpus = sorted({simplify(w) for w in corpus_raw} - set(domain))
        if unions is not None:
            self._lists_last = (domain_raw, corpus_raw, t2s, domain, corpus)
        return domain, corpus
