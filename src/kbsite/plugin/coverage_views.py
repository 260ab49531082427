"""plugin: view models of the coverage report page and each topic page's coverage section.

The numbers come from ``kbsite.core.coverage`` (the same ones ``kbsite report`` prints); this
module only adds URLs and labels.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from kbsite.core.chart import progress_chart
from kbsite.core.coverage import (
    KIND_LABELS, KINDS, Coverage, Counts, TodoItem, TopicCoverage, WantedBySource, WantedRef, compute_coverage,
    own_todo, wanted_by_source,
)
from kbsite.core.graph import Wanted
from kbsite.core.history import History, history_from, load_git_log
from kbsite.core.topics import Topic
from kbsite.plugin.hrefs import encode_fragment
from kbsite.plugin.viewmodels import (
    CoverageCounts, CoveragePage, CoverageRow, CoverageTotals, HistoryView, ItemGroup, ItemView,
    Referrer, SubtopicCoverage, TopicCoverageView, WantedView,
)

if TYPE_CHECKING:
    from kbsite.plugin.views import Views

# Below this share of done notes a topic row is highlighted on the report page.
LOW_COVERAGE = 0.34


class CoverageViews:
    """Coverage data for one build (computed once, on first use)."""

    def __init__(self, views: Views) -> None:
        self.views = views

    @cached_property
    def coverage(self) -> Coverage:
        # The pages show each topic's rolled-up counts; only own_todo's lists are shown in full.
        return compute_coverage(self.views.vault, listing=False)

    @cached_property
    def _rows(self) -> dict[str, TopicCoverage]:
        return {r.topic.key: r for r in self.coverage.topics}

    @cached_property
    def _wanted(self) -> list[Wanted]:
        return list(self.views.vault.graph.wanted.values())

    @cached_property
    def _by_source(self) -> WantedBySource:
        return wanted_by_source(self._wanted)

    @cached_property
    def _items_of(self) -> dict[str, list[TodoItem]]:
        return {}  # note path -> its todo items, shared by the topics it is in

    def history(self) -> History:
        log = self.views.git_log if self.views.git_log is not None else load_git_log(self.views.vault.root)
        return history_from(log)

    # ---- Pieces ---------------------------------------------------------------------------

    @staticmethod
    def counts(c: Counts) -> CoverageCounts:
        return CoverageCounts(total=c.notes, done=c.done, draft=c.draft, todo=c.todo,
                              percent=round(100 * c.coverage), open_tasks=c.open_tasks,
                              markers=c.markers, wanted=c.wanted)

    def row(self, row: TopicCoverage) -> CoverageRow:
        return CoverageRow(topic=self.views.topic_ref(row.topic), counts=self.counts(row.counts),
                           id=row.id, depth=row.depth,
                           low=bool(row.counts.notes) and row.coverage < LOW_COVERAGE)

    def item(self, item: TodoItem) -> ItemView:
        """A todo item with a link to the note and, when it sits under a heading, to that heading."""
        views = self.views
        note = views.note_ref(item.note) if item.note is not None else None
        anchor = None
        slugify = views.vault.graph.slugify
        if note is not None and item.heading and slugify is not None and item.kind != "note":
            anchor = f"{note.url}#{encode_fragment(slugify(item.heading))}"
        topic = views.topic_ref(item.topic) if item.topic is not None else None
        return ItemView(kind=item.kind, text=item.text, line=item.line, heading=item.heading,
                        note=note, anchor_url=anchor, topic=topic)

    def wanted(self, refs: list[WantedRef]) -> list[WantedView]:
        return [WantedView(w.name, w.count, [Referrer(self.views.note_ref(n), line) for n, line in w.referrers])
                for w in refs]

    # ---- Pages ----------------------------------------------------------------------------

    def topic_section(self, topic: Topic) -> TopicCoverageView | None:
        """The coverage section of a topic page: rolled-up counts; the items of its own notes
        grouped by kind and the notes they want; each sub-topic with its counts."""
        row = self._rows.get(topic.key)
        if row is None:  # a topic is always in the tree; be safe for custom callers
            return None
        own, wanted = own_todo(topic, self._wanted, self._by_source, self._items_of)
        groups = []
        for kind in KINDS:
            if kind == "wanted":
                continue  # shown with the notes that want them
            items = [self.item(i) for i in own if i.kind == kind]
            if items:
                groups.append(ItemGroup(kind, KIND_LABELS[kind], items))
        subtopics = [SubtopicCoverage(self.views.topic_ref(child), self.counts(self._rows[child.key].counts))
                     for child in topic.children if child.key in self._rows]
        return TopicCoverageView(self.counts(row.counts), groups, self.wanted(wanted), subtopics)

    def page(self) -> CoveragePage:
        """The coverage report page."""
        cov = self.coverage
        history = self.history()
        return CoveragePage(
            totals=CoverageTotals(self.counts(cov.totals), cov.topic_count, cov.without_overview, cov.unfiled),
            rows=[self.row(r) for r in cov.topics],
            least=[self.row(r) for r in cov.least_covered(5) if r.coverage < 1],
            wanted=self.wanted(cov.wanted),
            history=HistoryView(history.available, history.reason,
                                progress_chart(history.weeks) if history.weeks else None),
        )
