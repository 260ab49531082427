"""plugin: builds the typed view models (``kbsite.plugin.viewmodels``) the templates show."""

from __future__ import annotations

import re

from collections import Counter
from functools import cached_property
from typing import Callable

from kbsite.core.dates import NoteDates
from kbsite.core.folders import Folder
from kbsite.core.history import GitLog
from kbsite.core.model import Note
from kbsite.core.tags import Tag
from kbsite.core.topics import Topic
from kbsite.core.vault import Vault
from kbsite.plugin.coverage_views import CoverageViews
from kbsite.plugin.viewmodels import (
    Backlink, Counts, DatedRef, FolderNode, FolderRef, FolderView, HomeView, NoteGroup, NoteRef, NoteView,
    PropertyLinks,
    TagNode, TagRef, TagView, TodoView, TopicNode, TopicRef, TopicView,
)

_CSS_CLASS_RE = re.compile(r"-?[A-Za-z_][A-Za-z0-9_-]*")


def css_classes(value: object) -> list[str]:
    """Obsidian's ``cssclasses`` (a list, or a string of names): the names that are CSS class names."""
    names = value.replace(",", " ").split() if isinstance(value, str) else value if isinstance(value, list) else []
    return [n for n in dict.fromkeys(str(x).strip() for x in names) if _CSS_CLASS_RE.fullmatch(n)]


RECENT = 10  # notes on the home page's "recently changed" list

TYPE_LABELS = {"paper": "论文", "technique": "技术", "concept": "概念", "model": "模型", "topic": "主题"}
TYPE_ORDER = ("paper", "technique", "concept", "model")
STATUS_LABELS = {"todo": "待写", "draft": "草稿", "done": "完成"}


class Views:
    """Builds template data for notes and topics of one vault (one instance per build)."""

    def __init__(self, vault: Vault, note_url: Callable[[Note], str], topic_url: Callable[[Topic], str],
                 folder_url: Callable[[Folder], str] | None = None, folder_crumbs: bool = True,
                 dates: dict[str, NoteDates] | None = None, git_log: GitLog | None = None,
                 tag_url: Callable[[Tag], str] | None = None) -> None:
        self.vault = vault
        self.tag_url = tag_url or (lambda tag: "")
        self._tag_refs: dict[str, TagRef] = {}
        self.dates = dates or {}  # note.path -> created/updated (kbsite.core.dates)
        self.git_log = git_log  # the build's one git pass (coverage chart), if loaded
        self.folder_crumbs = folder_crumbs  # note pages show the folders above them
        self.note_url = note_url
        self.topic_url = topic_url
        self.folder_url = folder_url or (lambda folder: "")
        # Every page lists notes and topics: each ref is computed once per build, then shared.
        self._note_refs: dict[int, NoteRef] = {}
        self._topic_refs: dict[str, TopicRef] = {}
        self._folder_refs: dict[str, FolderRef] = {}

    @cached_property
    def coverage(self) -> CoverageViews:
        """Coverage numbers of this build (the report page and topic pages), computed once."""
        return CoverageViews(self)

    def note_ref(self, note: Note) -> NoteRef:
        ref = self._note_refs.get(id(note))
        if ref is None:
            ref = self._note_refs[id(note)] = NoteRef(
                url=self.note_url(note),
                title=note.title,
                type=note.type,
                type_label=TYPE_LABELS.get(note.type, note.type),
                status=note.status,
                status_label=STATUS_LABELS[note.status],
                year=note.year,
                venue=note.venue,
                authors=note.authors,
                meta=" · ".join(str(p) for p in (note.year, note.venue, ", ".join(note.authors)) if p),
                link=note.safe_url,
            )
        return ref

    def topic_ref(self, topic: Topic) -> TopicRef:
        # all_notes() walks the sub-topics, O(N) for a root topic: once per topic and build.
        ref = self._topic_refs.get(topic.key)
        if ref is None:
            notes = topic.all_notes()
            counts = Counter(n.status for n in notes)
            ref = self._topic_refs[topic.key] = TopicRef(
                url=self.topic_url(topic),
                title=topic.title,
                key=topic.key,
                counts=Counts(len(notes), counts["done"], counts["draft"], counts["todo"]),
                has_overview=topic.note is not None,
            )
        return ref

    def tag_ref(self, tag: Tag) -> TagRef:
        ref = self._tag_refs.get(tag.key)
        if ref is None:
            ref = self._tag_refs[tag.key] = TagRef(self.tag_url(tag), tag.name, tag.label, len(tag.all_notes()))
        return ref

    def tag(self, tag: Tag) -> TagView:
        return TagView(self.tag_ref(tag), [self.tag_ref(t) for t in tag.ancestors()],
                       [self.tag_ref(t) for t in tag.children], [self.note_ref(n) for n in tag.all_notes()])

    def tag_tree(self) -> list[TagNode]:
        def node(tag: Tag) -> TagNode:
            return TagNode(self.tag_ref(tag), [node(c) for c in tag.children])
        return [node(t) for t in self.vault.tags.roots()]

    def folder_ref(self, folder: Folder) -> FolderRef:
        ref = self._folder_refs.get(folder.path)
        if ref is None:
            counts = Counter(n.status for n in folder.all_notes())
            ref = self._folder_refs[folder.path] = FolderRef(
                url=self.folder_url(folder), title=folder.title, path=folder.path,
                counts=Counts(sum(counts.values()), counts["done"], counts["draft"], counts["todo"]))
        return ref

    def folder(self, folder: Folder) -> FolderView:
        """A folder page: breadcrumb, sub-folders, and its notes by title."""
        notes = sorted(folder.notes, key=lambda n: (n.title.casefold(), n.path))
        return FolderView(ref=self.folder_ref(folder),
                          breadcrumb=[self.folder_ref(f) for f in folder.ancestors()],
                          children=[self.folder_ref(f) for f in folder.children],
                          notes=[self.note_ref(n) for n in notes],
                          has_overview=folder.note is not None)

    def folder_tree(self) -> FolderNode:
        def node(folder: Folder) -> FolderNode:
            members = ([folder.note] if folder.note is not None else []) + \
                sorted(folder.notes, key=lambda n: (n.title.casefold(), n.path))
            return FolderNode(self.folder_ref(folder), [self.note_ref(n) for n in members],
                              [node(c) for c in folder.children])
        return node(self.vault.folders.root)

    def by_updated(self, limit: int | None = None) -> list[Note]:
        """Notes, most recently updated first (then by path, so the order is stable)."""
        stamp = {p: d.updated.timestamp() for p, d in self.dates.items()}
        notes = sorted(self.vault.notes, key=lambda n: (-stamp.get(n.path, 0.0), n.path))
        return notes if limit is None else notes[:limit]

    def dated(self, notes: list[Note]) -> list[DatedRef]:
        out = []
        for n in notes:
            d = self.dates.get(n.path)
            out.append(DatedRef(self.note_ref(n), _day(d.created) if d else "", _day(d.updated) if d else "",
                                bool(d) and _day(d.created) == _day(d.updated)))
        return out

    def home(self) -> HomeView:
        """The generated home page: the coverage summary, both trees' tops, recent notes."""
        vault = self.vault
        recent = self.by_updated(RECENT)
        roots = sorted(vault.topics.roots(), key=lambda t: (-len(t.all_notes()), t.title.casefold()))
        return HomeView(
            totals=self.coverage.counts(self.coverage.coverage.totals),
            topics=[self.topic_ref(t) for t in roots],
            folders=[self.folder_ref(f) for f in vault.folders.top()],
            root_notes=[self.note_ref(n) for n in sorted(vault.folders.root.notes, key=lambda n: n.title.casefold())],
            recent=self.dated(recent),
            drafts=sum(1 for n in vault.notes if n.status == "draft"),
        )

    def note(self, note: Note) -> NoteView:
        """The header, backlinks and related notes of a note page."""
        vault = self.vault
        topic = vault.topics.topic_of_note(note)
        folder = vault.folders.folder_of_note(note)
        where = vault.folders.containing(note)
        return NoteView(
            ref=self.note_ref(note),
            id=note.id,
            status_inferred=note.status_inferred,
            aliases=list(note.aliases),
            tags=[self.tag_ref(t) for t in vault.tags.of(note)],
            topics=[self.topic_ref(t) for t in vault.topics.topics_of(note)] if not note.is_topic else [],
            backlinks=[Backlink(self.note_ref(rl.source), rl.link.snippet)
                       for rl in vault.graph.backlinks_of(note)],
            related=[self.note_ref(n) for n in vault.related(note)],
            topic=self.topic(topic) if topic is not None else None,
            folder=self.folder(folder) if folder is not None else None,
            folder_path=[self.folder_ref(f) for f in (folder.ancestors() if folder is not None
                                                      else [*where.ancestors(), where]) if f.path]
            if self.folder_crumbs else [],
            dates=self.dated([note])[0] if note.path in self.dates else None,
            properties=self._property_links(note),
            cssclasses=css_classes(note.extra.get("cssclasses", note.extra.get("cssclass"))),
        )

    def _property_links(self, note: Note) -> list[PropertyLinks]:
        found: dict[str, PropertyLinks] = {}
        for rl in self.vault.graph.outgoing.get(note.path, []):
            key = rl.link.prop
            if key is None:
                continue
            entry = found.setdefault(key, PropertyLinks(key, [], []))
            if rl.target is not None:
                entry.notes.append(self.note_ref(rl.target))
            else:
                entry.wanted.append(rl.link.target)
        return list(found.values())

    def topic(self, topic: Topic) -> TopicView:
        """Breadcrumb, sub-topics and member notes grouped by type."""
        groups: dict[str, list[NoteRef]] = {}
        for note in topic.notes:
            groups.setdefault(note.type or "other", []).append(self.note_ref(note))
        order = [t for t in TYPE_ORDER if t in groups] + sorted(t for t in groups if t not in TYPE_ORDER)
        for refs in groups.values():
            refs.sort(key=lambda r: (-(r.year or 0) if r.type == "paper" else 0, r.title.casefold()))
        return TopicView(
            ref=self.topic_ref(topic),
            breadcrumb=[self.topic_ref(t) for t in topic.ancestors()],
            children=[self.topic_ref(t) for t in topic.children],
            groups=[NoteGroup(key, TYPE_LABELS.get(key, "其他" if key == "other" else key), groups[key])
                    for key in order],
            direct=len(topic.notes),
            coverage=self.coverage.topic_section(topic),
        )

    def topic_tree(self) -> list[TopicNode]:
        """The whole hierarchy for the topics index page."""
        def node(topic: Topic) -> TopicNode:
            return TopicNode(self.topic_ref(topic), [node(c) for c in topic.children])
        return [node(t) for t in self.vault.topics.roots()]

    def todo(self) -> TodoView:
        """The todo report: coverage, wanted notes (most wanted first), todo notes and drafts."""
        notes = sorted(self.vault.notes, key=lambda n: (n.title.casefold(), n.path))
        return TodoView(
            todo=[self.note_ref(n) for n in notes if n.status == "todo"],
            draft=[self.note_ref(n) for n in notes if n.status == "draft"],
            coverage=self.coverage.page(),
        )


def _day(when: object) -> str:
    """An ISO day ("2024-03-01") for the page."""
    return when.date().isoformat() if hasattr(when, "date") else ""
