"""plugin: what the templates show, as plain dicts (raw text: the templates escape it).

URLs here are site-relative (``File.url``); templates pass them through MkDocs' ``url`` filter,
which makes them relative to the page being rendered.
"""

from __future__ import annotations

from collections import Counter
from functools import cached_property
from typing import Any, Callable

from kbsite.core.model import Note
from kbsite.core.topics import Topic
from kbsite.core.vault import Vault
from kbsite.plugin.coverage_views import CoverageViews

TYPE_LABELS = {"paper": "论文", "technique": "技术", "concept": "概念", "model": "模型", "topic": "主题"}
TYPE_ORDER = ("paper", "technique", "concept", "model")
STATUS_LABELS = {"todo": "待写", "draft": "草稿", "done": "完成"}


class Views:
    """Builds template data for notes and topics of one vault."""

    def __init__(self, vault: Vault, note_url: Callable[[Note], str], topic_url: Callable[[Topic], str]) -> None:
        self.vault = vault
        self.note_url = note_url
        self.topic_url = topic_url
        self._topic_refs: dict[str, dict[str, Any]] = {}  # topic key -> topic_ref()

    @cached_property
    def coverage(self) -> CoverageViews:
        """Coverage numbers of this build (the report page and topic pages), computed once."""
        return CoverageViews(self)

    def note_ref(self, note: Note) -> dict[str, Any]:
        return {
            "url": self.note_url(note),
            "title": note.title,
            "type": note.type,
            "type_label": TYPE_LABELS.get(note.type, note.type),
            "status": note.status,
            "status_label": STATUS_LABELS[note.status],
            "year": note.year,
            "venue": note.venue,
            "authors": list(note.authors),
            "meta": " · ".join(str(p) for p in (note.year, note.venue, ", ".join(note.authors)) if p),
            "link": note.safe_url,
        }

    def topic_ref(self, topic: Topic) -> dict[str, Any]:
        # Every note page shows its topics' counts: computed once per topic and build, not per
        # page (all_notes() walks the sub-topics, O(N) for a root topic).
        ref = self._topic_refs.get(topic.key)
        if ref is None:
            notes = topic.all_notes()
            counts = Counter(n.status for n in notes)
            ref = self._topic_refs[topic.key] = {
                "url": self.topic_url(topic),
                "title": topic.title,
                "key": topic.key,
                "total": len(notes),
                "done": counts["done"],
                "draft": counts["draft"],
                "todo": counts["todo"],
                "has_overview": topic.note is not None,
            }
        return dict(ref)  # a copy: callers may extend it

    def note(self, note: Note) -> dict[str, Any]:
        """The header, backlinks and related notes of a note page."""
        vault = self.vault
        data = self.note_ref(note)
        data.update({
            "id": note.id,
            "status_inferred": note.status_inferred,
            "aliases": list(note.aliases),
            "tags": list(note.tags),
            "topics": [self.topic_ref(t) for t in vault.topics.topics_of(note) if not note.is_topic],
            "backlinks": [
                {**self.note_ref(rl.source), "snippet": rl.link.snippet}
                for rl in vault.graph.backlinks_of(note)
            ],
            "related": [self.note_ref(n) for n in vault.related(note)],
            "topic": None,
        })
        topic = vault.topics.topic_of_note(note)
        if topic is not None:
            data["topic"] = self.topic(topic)
        return data

    def topic(self, topic: Topic) -> dict[str, Any]:
        """Breadcrumb, sub-topics and member notes grouped by type."""
        groups: dict[str, list[dict[str, Any]]] = {}
        for note in topic.notes:
            groups.setdefault(note.type or "other", []).append(self.note_ref(note))
        order = [t for t in TYPE_ORDER if t in groups] + sorted(t for t in groups if t not in TYPE_ORDER)
        for key in groups:
            groups[key].sort(key=lambda r: (-(r["year"] or 0) if r["type"] == "paper" else 0, r["title"].casefold()))
        return {
            **self.topic_ref(topic),
            "breadcrumb": [self.topic_ref(t) for t in topic.ancestors()],
            "children": [self.topic_ref(t) for t in topic.children],
            "groups": [
                {"type": key, "label": TYPE_LABELS.get(key, "其他" if key == "other" else key),
                 "notes": groups[key]}
                for key in order
            ],
            "direct": len(topic.notes),
            "coverage": self.coverage.topic_section(topic),
        }

    def topic_tree(self) -> list[dict[str, Any]]:
        """The whole hierarchy for the topics index page."""
        def node(topic: Topic) -> dict[str, Any]:
            return {**self.topic_ref(topic), "children": [node(c) for c in topic.children]}
        return [node(t) for t in self.vault.topics.roots()]

    def todo(self) -> dict[str, Any]:
        """The todo report: wanted notes (most wanted first), todo notes and drafts."""
        vault = self.vault
        notes = sorted(vault.notes, key=lambda n: (n.title.casefold(), n.path))
        return {
            "wanted": [
                {
                    "name": w.name,
                    "count": w.count,
                    "referrers": [
                        {**self.note_ref(src), "line": rl.link.line}
                        for src, rl in _first_per_source(w.referrers)
                    ],
                }
                for w in vault.graph.wanted_sorted()
            ],
            "todo": [self.note_ref(n) for n in notes if n.status == "todo"],
            "draft": [self.note_ref(n) for n in notes if n.status == "draft"],
            "counts": Counter(n.status for n in vault.notes),
            "total": len(vault.notes),
            "coverage": self.coverage.page(),
        }


def _first_per_source(referrers: list[Any]) -> list[tuple[Note, Any]]:
    seen: dict[str, tuple[Note, Any]] = {}
    for rl in referrers:
        seen.setdefault(rl.source.path, (rl.source, rl))
    return sorted(seen.values(), key=lambda pair: pair[0].title.casefold())
