"""plugin: template data for the coverage report page and each topic page's coverage section.

The numbers come from ``kbsite.core.coverage`` (the same ones ``kbsite report`` prints); this
module only adds URLs and labels. Values are raw text: the templates escape them.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from kbsite.core.chart import progress_chart
from kbsite.core.coverage import KIND_LABELS, KINDS, Coverage, TodoItem, TopicCoverage, WantedRef, compute_coverage
from kbsite.core.history import History, load_history
from kbsite.core.topics import Topic

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
        return compute_coverage(self.views.vault)

    @cached_property
    def _rows(self) -> dict[str, TopicCoverage]:
        return {r.topic.key: r for r in self.coverage.topics}

    def history(self) -> History:
        return load_history(self.views.vault.root)

    # ---- Pieces ---------------------------------------------------------------------------

    def counts(self, row: TopicCoverage) -> dict[str, Any]:
        c = row.counts
        return {
            "total": c.notes, "done": c.done, "draft": c.draft, "todo": c.todo,
            "percent": round(100 * c.coverage), "open_tasks": c.open_tasks, "markers": c.markers,
            "wanted": c.wanted,
        }

    def row(self, row: TopicCoverage) -> dict[str, Any]:
        return {
            **self.counts(row),
            **self.views.topic_ref(row.topic),
            "id": row.id,
            "depth": row.depth,
            "has_overview": row.topic.note is not None,
            "low": bool(row.counts.notes) and row.coverage < LOW_COVERAGE,
        }

    def item(self, item: TodoItem) -> dict[str, Any]:
        """A todo item with a link to the note and, when it sits under a heading, to that heading."""
        views = self.views
        data: dict[str, Any] = {"kind": item.kind, "text": item.text, "line": item.line,
                                "heading": item.heading, "note": None, "anchor_url": None}
        if item.note is not None:
            data["note"] = views.note_ref(item.note)
            slugify = views.vault.graph.slugify
            if item.heading and slugify is not None and item.kind != "note":
                data["anchor_url"] = f"{data['note']['url']}#{slugify(item.heading)}"
        if item.topic is not None:
            data["topic"] = views.topic_ref(item.topic)
        return data

    def wanted(self, refs: list[WantedRef]) -> list[dict[str, Any]]:
        return [
            {"name": w.name, "count": w.count,
             "referrers": [{**self.views.note_ref(n), "line": line} for n, line in w.referrers]}
            for w in refs
        ]

    # ---- Pages ----------------------------------------------------------------------------

    def topic_section(self, topic: Topic) -> dict[str, Any]:
        """The coverage section of a topic page: counts, items grouped by kind, wanted notes."""
        row = self._rows.get(topic.key)
        if row is None:  # a topic is always in the tree; be safe for custom callers
            return {"total": 0, "groups": [], "wanted": []}
        groups = []
        for kind in KINDS:
            if kind == "wanted":
                continue  # shown with the notes that want them
            items = [self.item(i) for i in row.items if i.kind == kind]
            if items:
                groups.append({"kind": kind, "label": KIND_LABELS[kind], "items": items})
        return {**self.counts(row), "groups": groups, "wanted": self.wanted(row.wanted)}

    def page(self) -> dict[str, Any]:
        """The coverage report page."""
        cov = self.coverage
        totals = cov.totals
        history = self.history()
        return {
            "totals": {
                "total": totals.notes, "done": totals.done, "draft": totals.draft, "todo": totals.todo,
                "percent": round(100 * totals.coverage), "open_tasks": totals.open_tasks,
                "markers": totals.markers, "wanted": totals.wanted, "topics": cov.topic_count,
                "without_overview": cov.without_overview, "unfiled": cov.unfiled,
            },
            "rows": [self.row(r) for r in cov.topics],
            "least": [self.row(r) for r in cov.least_covered(5) if r.coverage < 1],
            "wanted": self.wanted(cov.wanted),
            "history": {
                "available": history.available,
                "reason": history.reason,
                "chart": progress_chart(history.weeks) if history.weeks else None,
            },
        }
