"""core: pure. The link graph as data to draw: nodes, edges, neighbourhoods and a seed layout.

Nodes are the notes, the topics that have no overview note (a topic note *is* its topic's
node) and the wanted notes (linked to, not written yet). Edges, each kept once per kind:

- ``link``: a note links to another note (a ``[[wikilink]]`` or a Markdown link), from
  ``LinkGraph.outgoing``; a note linking to itself is no edge;
- ``wanted``: a note links to a wanted note;
- ``topic``: a note belongs to a topic (``topics:``);
- ``parent``: a topic's parent topic.

The layout here is only a seed: topics in clusters on a spiral, each topic's notes around it on
a sunflower. The browser relaxes it with a force simulation and stops (templates/assets/
kbsite/graph.js). It costs one pass over the nodes, so the build stays fast at thousands of notes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable
from urllib.parse import unquote

from kbsite.core.keys import normalize_key
from kbsite.core.model import Note
from kbsite.core.topics import Topic
from kbsite.core.vault import Vault

NOTE, TOPIC, WANTED = "note", "topic", "wanted"
EDGE_KINDS = ("link", "wanted", "topic", "parent")
# A node's neighbours in the order a capped neighbourhood keeps them: its topics first, then
# what it links to, what links to it, wanted notes, sub-topics, and a topic's members last.
_PRIORITY = (("out", "parent"), ("out", "topic"), ("out", "link"), ("in", "link"), ("out", "wanted"),
             ("in", "parent"), ("in", "topic"))
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


@dataclass(frozen=True, slots=True)
class GraphNode:
    key: str  # "n:<note path>", "t:<topic key>" (a topic without an overview note), "w:<wanted key>"
    kind: str  # NOTE, TOPIC or WANTED
    title: str
    type: str  # the note's type; "topic" for a topic without an overview note; "" for a wanted note
    status: str  # done, draft, todo; "wanted"; "" for a topic without an overview note
    note: Note | None = None
    topic: Topic | None = None  # the topic this node stands for (its overview note or its own node)


@dataclass(frozen=True, slots=True)
class Neighbour:
    key: str
    relation: str  # "topic", "parent" (its parent topic), "link", "backlink", "wanted", "child", "member"


@dataclass
class GraphData:
    nodes: dict[str, GraphNode]  # notes (vault order), implicit topics (tree order), wanted (by key)
    edges: list[tuple[str, str, str]]  # (source, target, kind), each once
    cluster: dict[str, str] = field(default_factory=dict)  # node -> the topic node it is drawn with
    _out: dict[str, list[tuple[str, str]]] = field(default_factory=dict, repr=False)
    _in: dict[str, list[tuple[str, str]]] = field(default_factory=dict, repr=False)

    def neighbours(self, key: str) -> list[Neighbour]:
        """Every node one edge away, each once, in priority order (see ``_PRIORITY``)."""
        seen: set[str] = {key}
        out: list[Neighbour] = []
        for direction, kind in _PRIORITY:
            pairs = (self._out if direction == "out" else self._in).get(key, [])
            relation = _relation(direction, kind)
            for other, k in pairs:
                if k == kind and other not in seen:
                    seen.add(other)
                    out.append(Neighbour(other, relation))
        return out

    def adjacent(self, key: str) -> set[str]:
        return {k for k, _ in self._out.get(key, [])} | {k for k, _ in self._in.get(key, [])}

    def induced_edges(self, keys: Iterable[str]) -> list[tuple[str, str, str]]:
        """The edges between the given nodes, grouped by source in the order given."""
        order = list(dict.fromkeys(keys))
        inside = set(order)
        found: list[tuple[str, str, str]] = []
        for key in order:
            for other, kind in self._out.get(key, []):
                if other in inside:
                    found.append((key, other, kind))
        return found

    def __repr__(self) -> str:
        return f"GraphData({len(self.nodes)} nodes, {len(self.edges)} edges)"


def _relation(direction: str, kind: str) -> str:
    if direction == "out":
        return kind  # topic, parent, link, wanted
    return {"link": "backlink", "parent": "child", "topic": "member"}[kind]


def note_key(note: Note) -> str:
    return "n:" + note.path


def topic_key(topic: Topic) -> str:
    """A topic with an overview note is drawn as that note."""
    return note_key(topic.note) if topic.note is not None else "t:" + topic.key


def wanted_key(name_key: str) -> str:
    return "w:" + name_key


def graph_data(vault: Vault) -> GraphData:
    """Nodes and edges of the whole vault, straight from its link graph and topic tree."""
    nodes: dict[str, GraphNode] = {}
    for note in vault.notes:
        topic = vault.topics.topic_of_note(note)
        nodes[note_key(note)] = GraphNode(note_key(note), NOTE, note.title, note.type, note.status,
                                          note=note, topic=topic)
    for topic in vault.topics.walk():
        if topic.note is None:
            nodes[topic_key(topic)] = GraphNode(topic_key(topic), TOPIC, topic.title, "topic", "", topic=topic)
    edges: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str, str]] = set()

    def add(source: str, target: str, kind: str) -> None:
        edge = (source, target, kind)
        if source != target and edge not in seen:
            seen.add(edge)
            edges.append(edge)

    wanted: dict[str, GraphNode] = {}
    for note in vault.notes:
        src = note_key(note)
        for rl in vault.graph.outgoing.get(note.path, []):
            if rl.target is None:
                key = normalize_key(rl.link.target)
                w = vault.graph.wanted.get(key)
                node = wanted.get(key)
                if node is None:
                    node = wanted[key] = GraphNode(wanted_key(key), WANTED, w.name if w else rl.link.target,
                                                   "", "wanted")
                add(src, node.key, "wanted")
            elif rl.target is not note and note_key(rl.target) in nodes:
                add(src, note_key(rl.target), "link")
        if not note.is_topic:
            for topic in vault.topics.topics_of(note):
                add(src, topic_key(topic), "topic")
    for topic in vault.topics.walk():
        if topic.parent is not None:
            add(topic_key(topic), topic_key(topic.parent), "parent")
    for key in sorted(wanted):
        nodes[wanted[key].key] = wanted[key]
    data = GraphData(nodes, edges)
    for source, target, kind in edges:
        data._out.setdefault(source, []).append((target, kind))
        data._in.setdefault(target, []).append((source, kind))
    data.cluster = _clusters(vault, data)
    return data


def _clusters(vault: Vault, data: GraphData) -> dict[str, str]:
    """Each node's cluster: a note goes with its first topic, a topic with itself, a wanted note
    with the first note that wants it; notes without topics form the cluster ""."""
    cluster: dict[str, str] = {}
    for key, node in data.nodes.items():
        if node.topic is not None:
            cluster[key] = topic_key(node.topic)
        elif node.note is not None:
            topics = vault.topics.topics_of(node.note)
            cluster[key] = topic_key(topics[0]) if topics else ""
    for key, node in data.nodes.items():
        if node.kind == WANTED:
            sources = [s for s, k in data._in.get(key, []) if k == "wanted"]
            cluster[key] = cluster.get(sources[0], "") if sources else ""
    return cluster


def seed_layout(data: GraphData, vault: Vault, spacing: float = 14.0) -> dict[str, tuple[float, float]]:
    """Starting positions: clusters (in topic-tree order) on an area-weighted sunflower, each
    cluster's members on a sunflower around its topic. Deterministic; O(nodes)."""
    members: dict[str, list[str]] = {}
    for key in data.nodes:
        members.setdefault(data.cluster.get(key, ""), []).append(key)
    order = [topic_key(t) for t in vault.topics.walk()]
    order = [c for c in order if c in members] + sorted(c for c in members if c not in set(order))
    pos: dict[str, tuple[float, float]] = {}
    area = 0.0
    for i, name in enumerate(order):
        keys = members[name]
        if name in keys:  # the topic itself sits in the middle of its cluster
            keys = [name] + [k for k in keys if k != name]
        radius = spacing * math.sqrt(len(keys) + 1)
        own = math.pi * (radius + spacing) ** 2
        r = math.sqrt((area + own / 2) / math.pi) if i else 0.0
        area += own
        cx, cy = r * math.cos(i * GOLDEN_ANGLE), r * math.sin(i * GOLDEN_ANGLE)
        for j, key in enumerate(keys):
            rho = spacing * math.sqrt(j)
            pos[key] = (round(cx + rho * math.cos(j * GOLDEN_ANGLE), 1),
                        round(cy + rho * math.sin(j * GOLDEN_ANGLE), 1))
    return pos


def data_path(url: str) -> str | None:
    """Where a page's data files sit (below a data folder), from its site-relative URL:
    ``notes/%E6%B3%A8/`` -> ``notes/注``, ``notes/a.html`` -> ``notes/a``, ``""`` -> ``index``.

    The browser derives the same path from a link (graph.js, preview.js): it strips the same
    endings off the encoded path, and the web server decodes it to this file name. None for a
    URL that could leave the data folder (MkDocs never writes one).
    """
    rel = unquote(url.split("#", 1)[0])
    if rel.endswith("/"):
        rel = rel[:-1]
    elif rel.endswith(".html"):
        rel = rel[:-5]
    rel = rel or "index"
    if rel.startswith("/") or "\x00" in rel or any(p in ("", ".", "..") for p in rel.split("/")):
        return None  # not a page URL MkDocs writes; such a page gets no data files
    return rel
