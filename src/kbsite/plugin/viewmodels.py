"""plugin: typed view models, the only data kbsite's templates receive.

Every text field holds raw note data; the templates escape it (their environment autoescapes
``kbsite/`` templates, see ``kbsite.plugin.escaping``). Typed fields mean a count cannot turn
into a list on its way to a template. URLs are site-relative (``File.url``): templates pass them
through MkDocs' ``url`` filter, which makes them relative to the page being rendered.

Refs (``NoteRef``, ``TopicRef``) are frozen: they are computed once per build and shared by
every page that lists the note or topic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


# ---- References -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoteRef:
    """A note as a list item: link, badges and the paper line."""

    url: str
    title: str
    type: str
    type_label: str
    status: str
    status_label: str
    year: int | None
    venue: str | None
    authors: tuple[str, ...]
    meta: str  # "year · venue · authors", joined once here (templates call the macro often)
    link: str | None  # the paper's http(s) URL, or None


@dataclass(frozen=True, slots=True)
class Counts:
    """Note counts by status (a topic's include its sub-topics)."""

    total: int
    done: int
    draft: int
    todo: int


@dataclass(frozen=True, slots=True)
class TopicRef:
    url: str
    title: str
    key: str
    counts: Counts
    has_overview: bool


@dataclass(frozen=True, slots=True)
class TagRef:
    url: str
    name: str  # the full path, e.g. "ml/rl"
    label: str  # the last segment
    count: int  # notes with this tag or a sub-tag


@dataclass(frozen=True, slots=True)
class FolderRef:
    url: str
    title: str  # the folder note's title, else the folder's name
    path: str  # relative to the notes folder
    counts: Counts  # notes in it and below


# ---- Note and topic pages -------------------------------------------------------------------


@dataclass(slots=True)
class DatedRef:
    note: NoteRef
    created: str  # ISO day
    updated: str
    same_day: bool  # created and updated on one day: the page shows one date


@dataclass(slots=True)
class Backlink:
    note: NoteRef
    snippet: str  # the sentence that holds the link, plain text


@dataclass(slots=True)
class NoteGroup:
    type: str
    label: str
    notes: list[NoteRef]


@dataclass(slots=True)
class CoverageCounts:
    total: int
    done: int
    draft: int
    todo: int
    percent: int
    open_tasks: int
    markers: int
    wanted: int  # the number of wanted notes; the notes themselves are ``wanted_notes``


@dataclass(slots=True)
class Referrer:
    note: NoteRef
    line: int


@dataclass(slots=True)
class WantedView:
    name: str
    count: int
    referrers: list[Referrer]


@dataclass(slots=True)
class ItemView:
    """A task, marker, todo note or missing overview, linked to where it is."""

    kind: str
    text: str
    line: int | None
    heading: str | None
    note: NoteRef | None
    anchor_url: str | None  # the heading above the item, when there is one
    topic: TopicRef | None


@dataclass(slots=True)
class ItemGroup:
    kind: str
    label: str
    items: list[ItemView]


@dataclass(slots=True)
class SubtopicCoverage:
    """A sub-topic's line in its parent's coverage section: its rolled-up counts."""

    ref: TopicRef
    counts: CoverageCounts


@dataclass(slots=True)
class TopicCoverageView:
    counts: CoverageCounts  # rolled up over the sub-topics
    groups: list[ItemGroup]  # the topic's own notes' items
    wanted_notes: list[WantedView]  # wanted by the topic's own notes
    subtopics: list[SubtopicCoverage]  # direct sub-topics, each with its own rolled-up counts


@dataclass(slots=True)
class TopicView:
    ref: TopicRef
    breadcrumb: list[TopicRef]
    children: list[TopicRef]
    groups: list[NoteGroup]
    direct: int  # notes in this topic itself, not its sub-topics
    coverage: TopicCoverageView | None


@dataclass(slots=True)
class PropertyLinks:
    """A front-matter field holding wikilinks (``up: "[[MOC]]"``): its key and where they lead."""

    key: str
    notes: list[NoteRef]
    wanted: list[str]  # names that match no note yet


@dataclass(slots=True)
class NoteView:
    ref: NoteRef
    id: str
    status_inferred: bool
    aliases: list[str]
    tags: list[TagRef]
    topics: list[TopicRef]
    backlinks: list[Backlink]
    related: list[NoteRef]
    topic: TopicView | None  # for a ``type: topic`` note: its topic's sections
    folder: FolderView | None  # for a folder note: its folder's listing
    folder_path: list[FolderRef]  # the folders the note sits in, top-level first
    dates: DatedRef | None = None  # created / updated
    properties: list[PropertyLinks] = field(default_factory=list)
    cssclasses: list[str] = field(default_factory=list)  # Obsidian's cssclasses, on the content


@dataclass(slots=True)
class TopicNode:
    ref: TopicRef
    children: list[TopicNode]


@dataclass(slots=True)
class FolderView:
    ref: FolderRef
    breadcrumb: list[FolderRef]
    children: list[FolderRef]
    notes: list[NoteRef]  # direct members, the folder note excluded
    has_overview: bool


@dataclass(slots=True)
class TagView:
    ref: TagRef
    breadcrumb: list[TagRef]
    children: list[TagRef]
    notes: list[NoteRef]  # with this tag or a sub-tag, by title


@dataclass(slots=True)
class TagNode:
    ref: TagRef
    children: list[TagNode]


@dataclass(slots=True)
class FolderNode:
    """The folder index: every folder with every note, so each note is two clicks from home."""

    ref: FolderRef
    notes: list[NoteRef]
    children: list[FolderNode]


@dataclass(slots=True)
class HomeView:
    totals: CoverageCounts
    topics: list[TopicRef]  # root topics, biggest first
    folders: list[FolderRef]  # top-level folders
    root_notes: list[NoteRef]  # notes directly in the notes folder
    recent: list[DatedRef]  # most recently updated first
    drafts: int


# ---- The coverage report --------------------------------------------------------------------


@dataclass(slots=True)
class CoverageRow:
    topic: TopicRef
    counts: CoverageCounts
    id: str
    depth: int
    low: bool  # highlighted: under the low-coverage share


@dataclass(slots=True)
class CoverageTotals:
    counts: CoverageCounts
    topics: int
    without_overview: int
    unfiled: int


@dataclass(slots=True)
class HistoryView:
    available: bool
    reason: str
    chart: dict[str, Any] | None  # geometry from kbsite.core.chart (numbers and date labels)


@dataclass(slots=True)
class CoveragePage:
    totals: CoverageTotals
    rows: list[CoverageRow]
    least: list[CoverageRow]
    wanted: list[WantedView]
    history: HistoryView


@dataclass(slots=True)
class TodoView:
    todo: list[NoteRef]
    draft: list[NoteRef]
    coverage: CoveragePage


# ---- What each page template gets as ``kb`` -------------------------------------------------


@dataclass(slots=True)
class NotePage:
    note: NoteView


@dataclass(slots=True)
class TopicPage:
    topic: TopicView


@dataclass(slots=True)
class TopicsIndexPage:
    tree: list[TopicNode] = field(default_factory=list)


@dataclass(slots=True)
class TodoPage:
    todo: TodoView


@dataclass(slots=True)
class FolderPage:
    folder: FolderView


@dataclass(slots=True)
class FoldersIndexPage:
    tree: FolderNode


@dataclass(slots=True)
class TagPage:
    tag: TagView


@dataclass(slots=True)
class TagsIndexPage:
    tree: list[TagNode]


@dataclass(slots=True)
class HomePage:
    home: HomeView


@dataclass(slots=True)
class RecentPage:
    notes: list[DatedRef]
    feed_url: str | None  # the Atom feed, when the site has a site_url
