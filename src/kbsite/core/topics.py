"""core: pure. The topic tree: topics from topic notes and from ``topics:`` entries, parents, roll-ups.

A note of ``type: topic`` is its topic's overview. A name in some note's ``topics:`` that matches
no topic note is an *implicit* topic: it still gets a (generated) page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from kbsite.core.index import NoteIndex
from kbsite.core.keys import normalize_key, safe_slug
from kbsite.core.model import Diagnostic, Note, Severity

RESERVED_SLUGS = {"index"}


@dataclass(eq=False)
class Topic:
    key: str  # the topic note's id, or "name:<normalised name>" for an implicit topic
    title: str
    note: Note | None = None  # the overview note, if one exists
    slug: str = ""  # URL segment of a generated page (implicit topics only)
    parent: Topic | None = None
    children: list[Topic] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)  # direct members, topic notes excluded

    @property
    def aliases(self) -> tuple[str, ...]:
        return self.note.aliases if self.note else ()

    def ancestors(self) -> list[Topic]:
        """Parents from the root down to the direct parent."""
        out: list[Topic] = []
        node = self.parent
        while node is not None and node not in out:
            out.append(node)
            node = node.parent
        return list(reversed(out))

    def descendants(self) -> Iterator[Topic]:
        for child in self.children:
            yield child
            yield from child.descendants()

    def all_notes(self) -> list[Note]:
        """Members of this topic and of all its sub-topics, each once, in path order."""
        seen: dict[str, Note] = {n.path: n for n in self.notes}
        for sub in self.descendants():
            for n in sub.notes:
                seen.setdefault(n.path, n)
        return sorted(seen.values(), key=lambda n: n.path)

    @property
    def depth(self) -> int:
        return len(self.ancestors())

    def __repr__(self) -> str:
        return f"Topic({self.key!r}, {self.title!r}, {len(self.notes)} notes, {len(self.children)} sub)"


class TopicTree:
    def __init__(self, index: NoteIndex) -> None:
        self.index = index
        self.diagnostics: list[Diagnostic] = []
        self.topics: dict[str, Topic] = {}
        self._by_note: dict[str, list[Topic]] = {}
        self._slugs: set[str] = set(RESERVED_SLUGS)
        for note in index.notes:
            if note.is_topic and note.id not in self.topics:  # a duplicate id was reported
                self.topics[note.id] = Topic(note.id, note.title, note=note)
        for note in index.notes:
            if note.is_topic:
                if note.topics:
                    self._diag(note, note.line_of("topics"), Severity.WARNING,
                               "'topics' on a topic note is ignored: use 'parent' to place a topic")
                continue
            mine: list[Topic] = []
            for name in note.topics:
                topic = self._topic_for(note, name)
                if topic not in mine:
                    mine.append(topic)
                    topic.notes.append(note)
            self._by_note[note.path] = mine
        self._link_parents()
        for topic in self.topics.values():
            topic.children.sort(key=lambda t: (t.title.casefold(), t.key))
            topic.notes.sort(key=lambda n: (n.title.casefold(), n.path))

    def _topic_for(self, note: Note, name: str) -> Topic:
        target = self.index.resolve(name)
        if target is not None and target.is_topic:
            return self.topics[target.id]
        if target is not None:
            self._diag(note, note.line_of("topics"), Severity.WARNING,
                       f"topic '{name}' names the note '{target.id}', which is not of type: topic; "
                       "a separate topic page is generated for it")
        key = "name:" + normalize_key(name)
        topic = self.topics.get(key)
        if topic is None:
            slug = safe_slug(name)
            base, n = slug, 2
            while slug in self._slugs:
                slug, n = f"{base}-{n}", n + 1
            self._slugs.add(slug)
            topic = self.topics[key] = Topic(key, name, slug=slug)
        return topic

    def _link_parents(self) -> None:
        for topic in self.topics.values():
            note = topic.note
            if note is None or not note.parent:
                continue
            target = self.index.resolve(note.parent)
            parent = None
            if target is not None and target.is_topic:
                parent = self.topics[target.id]
            else:
                parent = self.topics.get("name:" + normalize_key(note.parent))
            if parent is None:
                self._diag(note, note.line_of("parent"), Severity.ERROR,
                           f"parent '{note.parent}' is not a topic (no note of type: topic and no "
                           "note lists it in 'topics')")
                continue
            topic.parent = parent
        # Break cycles deterministically: every topic on a cycle is reported, the one with the
        # smallest key loses its parent, so the tree stays a tree.
        for key in sorted(self.topics):
            topic = self.topics[key]
            path: list[Topic] = []
            node: Topic | None = topic
            while node is not None and node not in path:
                path.append(node)
                node = node.parent
            if node is None or node is not topic:
                continue
            cycle = path
            names = " → ".join(t.key for t in cycle + [topic])
            for member in cycle:
                assert member.note is not None
                self._diag(member.note, member.note.line_of("parent"), Severity.ERROR,
                           f"topic parents form a cycle: {names}")
            min(cycle, key=lambda t: t.key).parent = None
        for topic in self.topics.values():
            if topic.parent is not None:
                topic.parent.children.append(topic)

    def _diag(self, note: Note, line: int, severity: Severity, message: str) -> None:
        self.diagnostics.append(Diagnostic(note.src, line, severity, message))

    def roots(self) -> list[Topic]:
        return sorted((t for t in self.topics.values() if t.parent is None),
                      key=lambda t: (t.title.casefold(), t.key))

    def walk(self) -> Iterator[Topic]:
        """Every topic, depth first from the roots, in display order."""
        for root in self.roots():
            yield root
            yield from root.descendants()

    def topics_of(self, note: Note) -> list[Topic]:
        """The topics a note belongs to (for a topic note: its own topic)."""
        if note.is_topic:
            return [self.topics[note.id]] if note.id in self.topics else []
        return self._by_note.get(note.path, [])

    def topic_of_note(self, note: Note) -> Topic | None:
        """The topic whose overview ``note`` is."""
        return self.topics.get(note.id) if note.is_topic else None

    def __iter__(self) -> Iterator[Topic]:
        return iter(self.topics.values())

    def __len__(self) -> int:
        return len(self.topics)

    def __repr__(self) -> str:
        return f"TopicTree({len(self.topics)} topics, {len(self.roots())} roots)"
