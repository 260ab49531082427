"""core: pure. Per-topic todo coverage: the numbers the report page, topic pages and CLI all show.

What counts as *todo* (the contract, documented in docs/report.md):

- a note with ``status: todo`` (kind ``note``); drafts count as started, not done;
- an unchecked task ``- [ ]`` in a body (kind ``task``);
- a ``TODO`` / ``待补充`` / ``待修`` marker in a body, outside code (kind ``marker``);
- a wanted note: a ``[[link]]`` that resolves to no note (kind ``wanted``);
- a topic that has no overview note of ``type: topic`` (kind ``overview``).

A topic's numbers roll up its sub-topics: a parent counts every note of every sub-topic, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Iterator

from kbsite.core.graph import Wanted
from kbsite.core.keys import normalize_key
from kbsite.core.model import Note
from kbsite.core.topics import Topic
from kbsite.core.vault import Vault

KINDS = ("overview", "note", "task", "marker", "wanted")
KIND_LABELS = {
    "overview": "缺少概述笔记",
    "note": "待写笔记",
    "task": "未完成任务",
    "marker": "待补充标记",
    "wanted": "被引用但尚未创建",
}

# Called once per topic while coverage is computed: (done so far, total).
Progress = Callable[[int, int], None]


# ---- Classes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TodoItem:
    """One thing left to do, and where it sits."""

    kind: str  # one of KINDS
    text: str  # task text, marker text, note title, wanted name or topic title
    note: Note | None = None  # the note it is in (for "wanted": the first note that wants it)
    line: int | None = None  # file line of the task, marker or link
    heading: str | None = None  # the heading above it, to link to
    topic: Topic | None = None  # for "overview": the topic that lacks one

    def sort_key(self) -> tuple[int, str, int, str]:
        path = self.note.path if self.note else ""
        return (KINDS.index(self.kind), path, self.line or 0, self.text)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "note": self.note.id if self.note else None,
            "path": self.note.src if self.note else None,
            "line": self.line,
            "heading": self.heading,
            "topic": topic_id(self.topic) if self.topic else None,
        }

    def __repr__(self) -> str:
        where = f"{self.note.src}:{self.line}" if self.note and self.line else (self.note.src if self.note else "")
        return f"TodoItem({self.kind}, {self.text!r}, {where})"


@dataclass(frozen=True)
class WantedRef:
    """A wanted note and the notes (of a topic, or of the site) that link to it."""

    name: str
    key: str
    referrers: tuple[tuple[Note, int], ...]  # (note, line of its first link), by title

    @property
    def count(self) -> int:
        return len(self.referrers)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "count": self.count, "referrers": [n.id for n, _ in self.referrers]}


@dataclass
class Counts:
    """Status counts of a set of notes, plus open tasks, markers and wanted notes."""

    notes: int = 0
    done: int = 0
    draft: int = 0
    todo: int = 0
    open_tasks: int = 0
    markers: int = 0
    wanted: int = 0

    @property
    def coverage(self) -> float:
        """done / notes, 0 when there are no notes."""
        return self.done / self.notes if self.notes else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "notes": self.notes, "done": self.done, "draft": self.draft, "todo": self.todo,
            "coverage": round(self.coverage, 4), "open_tasks": self.open_tasks,
            "markers": self.markers, "wanted": self.wanted,
        }


@dataclass
class TopicCoverage:
    """The rolled-up coverage of one topic (its notes and all its sub-topics' notes)."""

    topic: Topic
    counts: Counts
    wanted: list[WantedRef] = field(default_factory=list)
    items: list[TodoItem] = field(default_factory=list)

    @property
    def id(self) -> str:
        return topic_id(self.topic)

    @property
    def coverage(self) -> float:
        return self.counts.coverage

    @property
    def depth(self) -> int:
        return self.topic.depth

    def to_dict(self) -> dict[str, Any]:
        parent = self.topic.parent
        return {
            "id": self.id,
            "title": self.topic.title,
            "parent": topic_id(parent) if parent else None,
            "has_overview": self.topic.note is not None,
            **{k: v for k, v in self.counts.to_dict().items() if k != "wanted"},
            "wanted": [w.to_dict() for w in self.wanted],
            "items": [i.to_dict() for i in self.items],
        }

    def __repr__(self) -> str:
        c = self.counts
        return f"TopicCoverage({self.id!r}, {c.done}/{c.notes} done, {len(self.items)} items)"


@dataclass
class Coverage:
    """Coverage of a whole vault: site totals, one row per topic (hierarchy order), wanted notes."""

    totals: Counts
    topics: list[TopicCoverage]
    wanted: list[WantedRef]  # site-wide, most wanted first
    topic_count: int = 0
    without_overview: int = 0
    unfiled: int = 0  # notes in no topic

    def get(self, name: str) -> TopicCoverage | None:
        """A row by topic id, title or alias (normalised)."""
        key = normalize_key(name)
        for row in self.topics:
            names = (row.id, row.topic.key, row.topic.title, *row.topic.aliases)
            if key in {normalize_key(n) for n in names}:
                return row
        return None

    def least_covered(self, limit: int = 10) -> list[TopicCoverage]:
        """Topics with notes, the least covered first (then the most todo)."""
        rows = [r for r in self.topics if r.counts.notes]
        rows.sort(key=lambda r: (r.coverage, -r.counts.todo, -r.counts.notes, r.topic.title.casefold()))
        return rows[:limit]

    def select(self, name: str) -> Coverage | None:
        """Only one topic and its sub-topics; the totals become that topic's roll-up."""
        row = self.get(name)
        if row is None:
            return None
        keep = {row.topic.key} | {t.key for t in row.topic.descendants()}
        rows = [r for r in self.topics if r.topic.key in keep]
        totals = replace(row.counts)
        missing = sum(1 for r in rows if r.topic.note is None)
        return Coverage(totals, rows, row.wanted, len(rows), missing, 0)

    def totals_dict(self) -> dict[str, Any]:
        return {
            **self.totals.to_dict(),
            "topics": self.topic_count,
            "topics_without_overview": self.without_overview,
            "unfiled": self.unfiled,
        }

    def to_dict(self) -> dict[str, Any]:
        return {"totals": self.totals_dict(), "topics": [r.to_dict() for r in self.topics]}

    def __repr__(self) -> str:
        return f"Coverage({len(self.topics)} topics, {self.totals.done}/{self.totals.notes} done)"


# ---- Functions ------------------------------------------------------------------------------


def topic_id(topic: Topic) -> str:
    """The stable id of a topic: its overview note's id, or its slug for an implicit topic."""
    return topic.note.id if topic.note is not None else topic.slug


def note_items(note: Note) -> list[TodoItem]:
    """The todo items inside one note: its own todo status, open tasks and markers."""
    items: list[TodoItem] = []
    if note.status == "todo" and not note.is_topic:
        items.append(TodoItem("note", note.title, note, None, None))
    for task in note.tasks:
        if not task.checked:
            items.append(TodoItem("task", task.text, note, task.line, task.heading))
    for marker in note.markers:
        items.append(TodoItem("marker", f"{marker.kind}: {marker.text}" if marker.text else marker.kind,
                              note, marker.line, marker.heading))
    return items


def count_notes(notes: Iterable[Note]) -> Counts:
    """Status counts of member notes (topic overview notes are not members)."""
    c = Counts()
    for note in notes:
        c.notes += 1
        if note.status == "done":
            c.done += 1
        elif note.status == "draft":
            c.draft += 1
        else:
            c.todo += 1
    return c


def wanted_refs(wanted: Iterable[Wanted], within: set[str] | None = None) -> list[WantedRef]:
    """Wanted notes with their referrers (only those whose path is in ``within``, if given).

    Most wanted first: by number of referring notes, then by name.
    """
    out: list[WantedRef] = []
    for w in wanted:
        first: dict[str, tuple[Note, int]] = {}
        for rl in w.referrers:
            if within is None or rl.source.path in within:
                first.setdefault(rl.source.path, (rl.source, rl.link.line))
        if first:
            refs = tuple(sorted(first.values(), key=lambda p: (p[0].title.casefold(), p[0].path)))
            out.append(WantedRef(w.name, w.key, refs))
    out.sort(key=lambda w: (-w.count, w.key))
    return out


# source note path -> (wanted note, the source, line of its first link there), wanted in order
WantedBySource = dict[str, list[tuple[Wanted, Note, int]]]


def wanted_by_source(wanted: Iterable[Wanted]) -> WantedBySource:
    """The wanted notes each note links to, with that note's first link to each."""
    out: WantedBySource = {}
    for w in wanted:
        first: dict[str, tuple[Note, int]] = {}
        for rl in w.referrers:
            first.setdefault(rl.source.path, (rl.source, rl.link.line))
        for path, (note, line) in first.items():
            out.setdefault(path, []).append((w, note, line))
    return out


def _wanted_refs_within(by_source: WantedBySource, within: Iterable[str]) -> list[WantedRef]:
    """``wanted_refs(wanted, within)``, from the notes in ``within`` rather than from every
    wanted note's referrers (a topic's few notes, not the site's links, for each topic)."""
    found: dict[str, tuple[Wanted, list[tuple[Note, int]]]] = {}
    for path in within:
        for w, note, line in by_source.get(path, ()):
            found.setdefault(w.key, (w, []))[1].append((note, line))
    out = [WantedRef(w.name, w.key, tuple(sorted(refs, key=lambda p: (p[0].title.casefold(), p[0].path))))
           for w, refs in found.values()]
    out.sort(key=lambda w: (-w.count, w.key))
    return out


def _subtree(topic: Topic) -> Iterator[Topic]:
    yield topic
    yield from topic.descendants()


def topic_coverage(topic: Topic, wanted: Iterable[Wanted], by_source: WantedBySource | None = None,
                   items_of: dict[str, list[TodoItem]] | None = None, listing: bool = True) -> TopicCoverage:
    """The rolled-up coverage of ``topic``: member notes of it and its sub-topics, plus the
    overview notes of all of them (for their tasks, markers and links). ``by_source``:
    ``wanted_by_source(wanted)``, made once for many topics; ``items_of``: ``note_items`` by
    note path, filled as notes come (a note counts in each of its topics' ancestors too).
    ``listing=False``: the counts only (``items`` and ``wanted`` stay empty)."""
    members = topic.all_notes()
    subtree = list(_subtree(topic))
    counts = count_notes(members)
    items, refs = _todo(subtree, members, wanted, counts, by_source, items_of, listing)
    return TopicCoverage(topic, counts, refs, items)


def own_todo(topic: Topic, wanted: Iterable[Wanted], by_source: WantedBySource | None = None,
             items_of: dict[str, list[TodoItem]] | None = None) -> tuple[list[TodoItem], list[WantedRef]]:
    """What a topic page lists in full: the todo items of the topic's overview and direct member
    notes, and the wanted notes they link to; not its sub-topics' (each sub-topic's page lists
    those; a parent lists every sub-topic with its counts). Rolled up, a root topic's page held
    every todo of the site, 2-3 MB at 10,000 notes. ``by_source``, ``items_of``: as for
    ``topic_coverage``."""
    return _todo([topic], topic.notes, wanted, Counts(), by_source, items_of)


def _todo(topics: list[Topic], members: Iterable[Note], wanted: Iterable[Wanted], counts: Counts,
          by_source: WantedBySource | None, items_of: dict[str, list[TodoItem]] | None,
          listing: bool = True) -> tuple[list[TodoItem], list[WantedRef]]:
    """The todo items of ``topics``' overview notes and of ``members``, sorted, and the wanted
    notes they link to; open tasks, markers and wanted notes are added to ``counts``.
    ``listing=False``: only ``counts`` (the site's pages show a topic's rolled-up numbers; its
    rolled-up list, sorted, is the report's)."""
    overviews = [t.note for t in topics if t.note is not None]
    items: list[TodoItem] = []
    seen: set[str] = set()
    for note in [*overviews, *members]:
        if note.path in seen:
            continue
        seen.add(note.path)
        own = items_of.get(note.path) if items_of is not None else None
        if own is None:
            own = note_items(note)
            if items_of is not None:
                items_of[note.path] = own
        for item in own:
            if item.kind == "task":
                counts.open_tasks += 1
            elif item.kind == "marker":
                counts.markers += 1
        if listing:
            items.extend(own)
    if by_source is None:
        by_source = wanted_by_source(wanted)
    if not listing:
        counts.wanted = len({w.key for path in seen for w, _, _ in by_source.get(path, ())})
        return [], []
    for sub in topics:
        if sub.note is None:
            items.append(TodoItem("overview", sub.title, topic=sub))
    refs = _wanted_refs_within(by_source, seen)
    counts.wanted = len(refs)
    for w in refs:
        note, line = w.referrers[0]
        link_heading = _heading_at(note, line)
        items.append(TodoItem("wanted", w.name, note, line, link_heading))
    items.sort(key=TodoItem.sort_key)
    return items, refs


def _heading_at(note: Note, line: int) -> str | None:
    """The text of the last heading above ``line`` in ``note``."""
    above = [h for h in note.headings if h.line < line]
    return above[-1].text if above else None


def compute_coverage(vault: Vault, progress: Progress | None = None, listing: bool = True) -> Coverage:
    """Coverage of every topic (in hierarchy order) and of the whole site.

    Arguments:
        vault: a loaded vault.
        progress: called after each topic with (done, total), e.g. to drive a progress bar.
        listing: False for the counts only: each topic's ``items`` and ``wanted`` stay empty.

    Returns:
        The coverage; ``to_dict()`` is the documented ``kbsite report --format json`` shape.
    """
    topics = list(vault.topics.walk())
    wanted = list(vault.graph.wanted.values())
    by_source = wanted_by_source(wanted)
    items_of: dict[str, list[TodoItem]] = {}  # the items are frozen: topics share them
    rows: list[TopicCoverage] = []
    for i, topic in enumerate(topics, 1):
        rows.append(topic_coverage(topic, wanted, by_source, items_of, listing))
        if progress is not None:
            progress(i, len(topics))
    members = [n for n in vault.notes if not n.is_topic]
    totals = count_notes(members)
    for note in vault.notes:
        totals.open_tasks += sum(1 for t in note.tasks if not t.checked)
        totals.markers += len(note.markers)
    site_wanted = wanted_refs(vault.graph.wanted_sorted())
    totals.wanted = len(site_wanted)
    unfiled = sum(1 for n in members if not vault.topics.topics_of(n))
    missing = sum(1 for t in topics if t.note is None)
    return Coverage(totals, rows, site_wanted, len(topics), missing, unfiled)
