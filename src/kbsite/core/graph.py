"""core: pure. The link graph: outgoing links, backlinks with snippets, wanted notes, related notes."""

from __future__ import annotations

import heapq
import posixpath
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Callable, Sequence
from urllib.parse import unquote

from kbsite.core.index import NoteIndex, moved_names
from kbsite.core.keys import normalize_key
from kbsite.core.model import Diagnostic, Link, Note, Severity


@dataclass(frozen=True)
class ResolvedLink:
    source: Note
    link: Link
    target: Note | None  # None: a wanted note

    def __repr__(self) -> str:
        dest = self.target.id if self.target else f"wanted:{self.link.target}"
        return f"ResolvedLink({self.source.id} -> {dest} @ {self.link.line})"


@dataclass
class Wanted:
    """A name linked to but not written yet, and who wants it."""

    name: str  # as first written
    key: str
    referrers: list[ResolvedLink]

    @property
    def count(self) -> int:
        return len({r.source.path for r in self.referrers})


@dataclass
class _NoteLinks:
    """What resolving one note's links gave, kept for the next build of the graph."""

    note: Note
    out: list[ResolvedLink]
    diagnostics: list[Diagnostic]
    names: set[str]  # the name entries its lookups read (``NoteIndex.name_key``)
    related: list[Note]
    related_diagnostics: list[Diagnostic]


class LinkGraph:
    """Resolves every link of every note once, up front (so pages render in one pass).

    ``keep``: remember what each note's links read, for the next build (``mkdocs serve``), which
    passes this graph as ``previous``. A note that is the very object it was then (its file
    unchanged), whose lookups read no name entry that moved in the name index (``moved_names``)
    and whose links and ``related`` point at no re-read note keeps its resolved links and
    diagnostics; the rest are resolved again. A title edit then resolves a few dozen notes, not
    every one. The caller passes ``previous`` only when the slugify is the same.
    """

    def __init__(self, index: NoteIndex, slugify: Callable[[str], str] | None = None,
                 private: NoteIndex | None = None, previous: LinkGraph | None = None,
                 keep: bool = False) -> None:
        self.index = index
        self.private = private  # publish: false notes: a link to one is no link and not wanted
        self.slugify = slugify
        self.diagnostics: list[Diagnostic] = []
        self.outgoing: dict[str, list[ResolvedLink]] = {}
        self.backlinks: dict[str, list[ResolvedLink]] = defaultdict(list)
        self.wanted: dict[str, Wanted] = {}
        self.related_of: dict[str, list[Note]] = {}
        self._slugs: dict[str, set[str]] = {}  # note path -> its headings' anchors
        self._slug_of: dict[str, str] = {}  # heading text -> anchor: "方法", "动机" recur in most notes
        self._notes: dict[str, _NoteLinks] = {}
        self._keep = keep
        self.reused = 0  # notes whose links came from ``previous``
        kept = self._reusable(previous) if keep else {}
        by_path = index.by_path
        for note in index.notes:
            last = kept.get(note.path)
            if last is not None and last.note is note and all(
                    rl.target is None or by_path.get(rl.target.path) is rl.target for rl in last.out) \
                    and all(by_path.get(t.path) is t for t in last.related):
                done = last
                self.reused += 1
            else:
                done = self._resolve_note(note)
            self._notes[note.path] = done
            self._link_up(note, done.out)
            self.diagnostics += done.diagnostics
        self.related_by: dict[str, list[Note]] = defaultdict(list)  # reverse of ``related:``
        for note in index.notes:
            done = self._notes[note.path]
            self.related_of[note.path] = done.related
            self.diagnostics += done.related_diagnostics
            for target in done.related:
                self.related_by[target.path].append(note)

    def _reusable(self, previous: LinkGraph | None) -> dict[str, _NoteLinks]:
        """The last build's notes whose lookups all read name entries that did not move."""
        if previous is None or not previous._keep or self.private is None or previous.private is None:
            return {}
        moved = moved_names((previous.index, previous.private), (self.index, self.private))
        if moved is None:
            return {}
        return {path: last for path, last in previous._notes.items() if last.names.isdisjoint(moved)}

    def _resolve_note(self, note: Note) -> _NoteLinks:
        out: list[ResolvedLink] = []
        before = len(self.diagnostics)
        names: set[str] = set()
        if self._keep:
            names.update(key for link in note.links if not link.markdown and link.target
                         if (key := self.index.name_key(link.target)) is not None)
        for link in note.links:
            target = self.resolve_link(note, link, report=True)
            if link.markdown and target is None:
                continue  # an ordinary link to a non-note .md file: MkDocs validates it
            if target is None and self.private is not None and not link.markdown \
                    and self.private.resolve(link.target, note) is not None:
                continue  # a note kept off the site: shown as text, nothing to write
            out.append(ResolvedLink(note, link, target))
            if target is None:
                self._diag(note, link.line, f"wanted note: [[{link.target}]] matches no note "
                           "(id, title or alias)", code="wanted")
            elif link.heading and not link.markdown:
                self._check_place(note, link, target)
        middle = len(self.diagnostics)
        related = self._declared_related(note)
        if self._keep:
            names.update(key for name in note.related if (key := self.index.name_key(name)) is not None)
        diagnostics, related_diagnostics = self.diagnostics[before:middle], self.diagnostics[middle:]
        del self.diagnostics[before:]  # the caller adds them, in the order a full build makes them
        return _NoteLinks(note, out, diagnostics, names, related, related_diagnostics)

    def _link_up(self, note: Note, out: list[ResolvedLink]) -> None:
        """Backlinks and wanted notes from one note's resolved links."""
        for rl in out:
            target = rl.target
            if target is None:
                key = normalize_key(rl.link.target)
                wanted = self.wanted.setdefault(key, Wanted(rl.link.target, key, []))
                wanted.referrers.append(rl)
            elif target is not note:
                self.backlinks[target.path].append(rl)
        self.outgoing[note.path] = out

    def _check_place(self, note: Note, link: Link, target: Note) -> None:
        """``[[x#heading]]`` / ``[[x#^block]]``: the heading or block id must be in ``x``."""
        heading = link.heading or ""
        written = f"[[{link.target}#{heading}]]"
        where = f"'{target.id}' has" if link.target else "this note has"
        if heading.startswith("^"):
            if heading[1:] not in {b.id for b in target.blocks}:
                self._diag(note, link.line, f"{written}: {where} no block '{heading}' "
                           "(a block id is '^id' at the end of a paragraph or list item)", code="missing-block")
        elif self.slugify is not None:
            slugs = self._slugs.get(target.path)
            if slugs is None:  # a note's anchors, once: notes are linked to by heading many times
                slugs = self._slugs[target.path] = {self._slug(h.text) for h in target.headings}
            if self._slug(heading) not in slugs:
                self._diag(note, link.line, f"{written}: {where} no heading '{heading}'")

    def _slug(self, text: str) -> str:
        slug = self._slug_of.get(text)
        if slug is None:
            assert self.slugify is not None
            slug = self._slug_of[text] = self.slugify(text)
        return slug

    def resolve_link(self, note: Note, link: Link, *, report: bool = False) -> Note | None:
        if not link.markdown and not link.target:
            return note  # [[#heading]], [[#^block]]: a place in this note
        if not link.markdown:
            found = self.index.lookup(link.target, note)
            if report and found.candidates:
                others = ", ".join(c.src for c in found.candidates)
                self._diag(note, link.line, f"[[{link.target}]] matches {len(found.candidates)} notes ({others}); "
                           f"links to {found.note.src if found.note else '?'}, the one closest to the notes "
                           "folder (as Obsidian does): write the folder too, e.g. "
                           f"[[{posixpath.splitext(found.candidates[-1].path)[0]}]], to choose", code="ambiguous")
            return found.note
        path = posixpath.normpath(posixpath.join(posixpath.dirname(note.path), unquote(link.target)))
        return self.index.by_path.get(path)

    def _declared_related(self, note: Note) -> list[Note]:
        out: list[Note] = []
        for name in note.related:
            target = self.index.resolve(name)
            if target is None:
                self._diag(note, note.line_of("related"), f"related '{name}' matches no note")
            elif target is not note and target not in out:
                out.append(target)
        return out

    def _diag(self, note: Note, line: int, message: str, code: str = "") -> None:
        self.diagnostics.append(Diagnostic(note.src, line, Severity.WARNING, message, code))

    def backlinks_of(self, note: Note) -> list[ResolvedLink]:
        """Links into ``note``, one entry per linking note (its first link), ordered by title."""
        first: dict[str, ResolvedLink] = {}
        for rl in self.backlinks.get(note.path, []):
            first.setdefault(rl.source.path, rl)
        return sorted(first.values(), key=lambda rl: (rl.source.title.casefold(), rl.source.path))

    def backlink_count(self, note: Note) -> int:
        """``len(backlinks_of(note))``, without sorting them."""
        return len({rl.source.path for rl in self.backlinks.get(note.path, ())})

    def related(self, note: Note, peers: Sequence[Sequence[Note]] = (), limit: int = 8) -> list[Note]:
        """Declared related notes (both directions) first, then notes sharing the most topics.

        Arguments:
            note: the note.
            peers: the member lists of the note's topics.
            limit: how many to return.
        """
        out = list(self.related_of.get(note.path, []))
        for other in self.related_by.get(note.path, []):
            if other not in out:
                out.append(other)
        if peers and len(out) < limit:
            out.extend(self._shared_topics(note, peers, {n.path for n in out} | {note.path}, limit - len(out)))
        return out[:limit]

    def _shared_topics(self, note: Note, peers: Sequence[Sequence[Note]], skip: set[str], k: int) -> list[Note]:
        """The first ``k`` notes sharing the most of ``peers`` with ``note``, in the order of
        sorting every member of every topic by (-shared topics, title), ties by where each was
        met first (topic order, then member order) -- without that sort: every member of a
        1,500-note topic asks this. Members of two or more of the topics are found by set
        intersections; the rest, in one topic each, come from each topic's members sorted by
        title once per build, merged."""
        infos = [self._peer_info(m) for m in peers]
        if any(i is None for i in infos):  # a member listed twice: the plain count
            return self._shared_topics_plain(note, peers, skip, k)
        by_path = self.index.by_path
        many: set[str] = set()
        for a in range(len(infos)):
            for b in range(a + 1, len(infos)):
                many |= infos[a][1] & infos[b][1]  # type: ignore[index]
        many -= skip
        ranked: list[tuple[int, str, int, int, str]] = []
        for p in many:
            hits = [(t, info[2][p]) for t, info in enumerate(infos) if p in info[1]]  # type: ignore[index]
            ranked.append((-len(hits), by_path[p].title, *hits[0], p))
        ranked.sort()
        result = [by_path[r[-1]] for r in ranked[:k]]
        if len(result) < k:
            once = heapq.merge(*[((title, t, pos, p) for title, pos, p in info[3])  # type: ignore[index]
                                 for t, info in enumerate(infos)])
            for _, _, _, p in once:
                if p not in many and p not in skip:
                    result.append(by_path[p])
                    if len(result) == k:
                        break
        return result

    def _peer_info(self, members: Sequence[Note]) -> tuple[Any, ...] | None:
        """Per member list (memoised: each of its members asks): its non-topic member paths as
        a set, their positions, and (title, position, path) sorted; None if a path repeats."""
        cache = self.__dict__.setdefault("_peers", {})
        hit = cache.get(id(members))
        if hit is not None and hit[0] is members and hit[1] == len(members):
            return hit[2]
        paths = [(m.path, m.title) for m in members if not m.is_topic]
        pos = {p: i for i, (p, _) in enumerate(paths)}
        info = None if len(pos) != len(paths) else \
            (members, set(pos), pos, sorted((title, i, p) for i, (p, title) in enumerate(paths)))
        cache[id(members)] = (members, len(members), info)
        return info

    def _shared_topics_plain(self, note: Note, peers: Sequence[Sequence[Note]], skip: set[str], k: int) -> list[Note]:
        shared: Counter[str] = Counter()
        for members in peers:
            for other in members:
                if other.path not in skip and not other.is_topic:
                    shared[other.path] += 1
        ranked = sorted(shared.items(), key=lambda kv: (-kv[1], self.index.by_path[kv[0]].title))
        return [self.index.by_path[p] for p, _ in ranked[:k]]

    def wanted_sorted(self) -> list[Wanted]:
        """Wanted notes, most wanted first."""
        return sorted(self.wanted.values(), key=lambda w: (-w.count, -len(w.referrers), w.key))

    def __repr__(self) -> str:
        n = sum(len(v) for v in self.outgoing.values())
        return f"LinkGraph({n} links, {len(self.wanted)} wanted)"
