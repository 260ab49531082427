"""plugin: the graph view. A local graph on every note and topic page, a global graph page.

Data files (written in ``on_post_build``, one pass over the graph from ``core.graphdata``):

- ``assets/kbsite/graph/<page>.json`` per note and topic page: the page's node and its
  neighbours (links, backlinks, topics, sub-topics, members, wanted notes), as many as fit in
  ``LOCAL_BUDGET`` bytes, and the edges among them. ``<page>`` is ``core.graphdata.data_path``
  of the page URL; a depth-2 graph fetches the neighbours' files the same way.
- ``assets/kbsite/graph/global.json``: every node with a seed position, every edge; fetched
  only by the global graph page (``graph.md``, template ``kbsite/graph.html``).

Node arrays are ``[url, title, type, status]`` (global: ``+ [x, y]``), type and status written as
indexes into the file's ``types`` and ``statuses`` (format 2); ``url`` is site-relative and
percent-encoded (``File.url``), ``""`` for a wanted note. Edges are flat index pairs per
kind. docs/reader.md describes the format. Every string is note data: graph.js puts it into
the page with ``textContent`` and attributes only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from kbsite.core.graphdata import (
    EDGE_KINDS, WANTED, GraphData, Neighbour, data_path, graph_data, note_key, seed_layout, topic_key,
)
from kbsite.plugin.views import STATUS_LABELS, TYPE_LABELS
from kbsite.plugin.viewmodels import TopicNode

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.pages import Page

    from kbsite.plugin.plugin import KbsitePlugin

log = get_plugin_logger(__name__)

GRAPH_JS = "assets/kbsite/graph.js"
READER_CSS = "assets/kbsite/reader.css"
GRAPH_URI = "graph.md"
GRAPH_TITLE = "知识图谱"
DATA_DIR = "assets/kbsite/graph"
GLOBAL_FILE = "global.json"
LOCAL_BUDGET = 5000  # bytes of graph data one page loads (the budget is 5 KB)
RELATION_LABELS = {"parent": "上级主题", "topic": "所属主题", "link": "链接到", "backlink": "被链接",
                   "wanted": "想写的笔记", "child": "子主题", "member": "主题里的笔记"}
GRAPH_STATUS_LABELS = {**STATUS_LABELS, "wanted": "还没写", "": ""}
# Groups the page already lists in full elsewhere: the list names the count and links there
# instead of repeating the notes (most of its bytes on every page). relation -> (anchor, label).
LISTED_ELSEWHERE = {"backlink": ("kb-backlinks", "反向链接"), "topic": ("kb-topics", "页首的主题"),
                    "child": ("kb-subtopics", "子主题"),
                    "member": ("kb-topic-summary", "本主题概况")}


# ---- View models (the templates' data; text fields are raw note data, escaped by the env) ----


@dataclass(frozen=True, slots=True)
class GraphItem:
    url: str  # relative to the page showing the list, "" for a wanted note
    title: str
    type_label: str
    status: str
    status_label: str
    meta: str  # what the list shows after the title: "草稿 · 模型"


@dataclass(slots=True)
class GraphGroup:
    relation: str
    label: str
    items: list[GraphItem]
    elsewhere: tuple[str, str] | None = None  # (anchor, label) of the section that lists them


@dataclass(slots=True)
class LocalGraphView:
    """``kb_graph`` on note and topic pages: the data file and the same nodes as a list."""

    data_url: str  # site-relative
    count: int  # neighbours in the file (the list shows the same ones)
    more: int  # neighbours left out to keep the file small
    groups: list[GraphGroup]


@dataclass(slots=True)
class GraphPageView:
    """``kb_graph_page`` on the global graph page."""

    data_url: str
    url: str  # the graph page's own site-relative URL ("" when docs_dir has its own graph.md)
    notes: int
    topics: int
    wanted: int
    edges: int
    tree: list[TopicNode]


# ---- The feature -----------------------------------------------------------------------------


def add_asset(values: list[Any], path: str) -> None:
    """Append ``path`` to ``extra_css`` / ``extra_javascript`` once (two features share one CSS)."""
    if all(str(v) != path for v in values):
        values.append(path)


class GraphFeature:
    def __init__(self) -> None:
        # Serve: each page node's signature and view from the previous build. A node's file
        # and view depend only on it and its neighbours (their URLs, titles, kinds and edges),
        # so a node none of them changed keeps the file it has.
        self._sigs: dict[str, tuple[Any, ...]] = {}
        self._views: dict[str, LocalGraphView] = {}
        self._dirty: set[str] | None = None  # changed nodes and their neighbours; None: every node
        # Serve: the vault the last graph was made from, that graph's data and global file. A
        # body-only edit keeps the vault (core.vault.VaultMemo), and the graph shows no body.
        self._kept: tuple[Any, GraphData, dict[str, str], dict[str, tuple[float, float]], bytes | None] | None = None
        self._global: bytes | None = None
        self._outputs: Any = None
        self._site = Path()
        self._made: set[str] = set()  # folders known to exist
        self._reset()

    def _reset(self) -> None:
        self.data: GraphData | None = None
        self.urls: dict[str, str] = {}  # node key -> site-relative URL ("" for wanted notes)
        self.positions: dict[str, tuple[float, float]] = {}
        self._local: dict[str, tuple[None, LocalGraphView] | None] = {}
        self._page_node: dict[str, str] = {}  # src_uri -> node key
        self._done: set[str] = set()  # mkdocs build: nodes whose page rendered and view was let go
        self.page_view: GraphPageView | None = None
        self.page_url = ""

    def on_config(self, plugin: KbsitePlugin, config: MkDocsConfig) -> None:
        self._reset()
        add_asset(config.extra_css, READER_CSS)
        add_asset(config.extra_javascript, GRAPH_JS)

    def on_files(self, plugin: KbsitePlugin, files: Files, config: MkDocsConfig) -> None:
        vault, views = plugin.vault, plugin.views
        assert vault is not None and views is not None
        for uri, note in plugin._note_files.items():
            self._page_node[uri] = note_key(note)
        for uri, topic in plugin._topic_files.items():
            self._page_node[uri] = topic_key(topic)
        self._outputs = plugin.outputs
        self._site = Path(config.site_dir)
        self._made = set()
        kept = self._kept
        if plugin._incremental.active and plugin._vault_memo.reused and kept is not None and kept[0] is vault:
            # The same vault but for bodies: the same nodes, edges, URLs (the files are the
            # same) and layout; no node changed.
            _, self.data, self.urls, self.positions, self._global = kept
            self._dirty = set()
            self._add_page(plugin, files, config)
            return
        self.data = data = graph_data(vault)
        for key, node in data.nodes.items():
            if node.note is not None:
                self.urls[key] = views.note_ref(node.note).url
            elif node.topic is not None:
                self.urls[key] = views.topic_ref(node.topic).url
            else:
                self.urls[key] = ""
        self.positions = seed_layout(data, vault)
        self._global = None
        sigs = {key: self._signature(key) for key in data.nodes}
        dirty = {k for k, s in sigs.items() if self._sigs.get(k) != s} if plugin._incremental.active else None
        # A node is stale when it or a neighbour changed: the changed nodes and everything one
        # edge away, found once here rather than by walking every node's neighbours.
        self._dirty = None if dirty is None else dirty.union(*(data.adjacent(k) for k in dirty))
        self._sigs = sigs
        self._add_page(plugin, files, config)

    def _signature(self, key: str) -> tuple[Any, ...]:
        assert self.data is not None
        return (*self._node(key), tuple(self.data._out.get(key, ())), tuple(self.data._in.get(key, ())))

    def _reusable(self, key: str) -> LocalGraphView | None:
        """The previous build's view of ``key`` if neither it nor a neighbour changed and its
        file is still what was written."""
        view = self._views.get(key)
        if view is None or self._dirty is None or self.data is None or key in self._dirty:
            return None
        rel = data_path(self.urls.get(key, ""))
        if rel is None or not self._outputs.has(self._file(rel)):
            return None
        return view

    def _file(self, rel: str) -> str:
        return f"{self._site}/{DATA_DIR}/{rel}.json"  # as str(Path) joins it (data_path: no ".." part)

    def _add_page(self, plugin: KbsitePlugin, files: Files, config: MkDocsConfig) -> None:
        if files.get_file_from_path(GRAPH_URI) is not None:
            log.info(f"docs_dir has its own {GRAPH_URI}; kbsite does not generate the graph page")
            return
        from kbsite.plugin.plugin import TODO_URI  # here: the plugin module imports the features

        # The graph page goes right before the todo report in the nav (kbsite's own nav has that
        # entry; a nav the user wrote without it is left as it is, the page is still there).
        nav = config.nav if isinstance(config.nav, list) else None
        todo = next((i for i, item in enumerate(nav or []) if isinstance(item, dict)
                     and list(item.values()) == [TODO_URI]), None)
        in_nav = nav is not None and todo is not None
        content = f"---\ntemplate: kbsite/graph.html\ntitle: {GRAPH_TITLE}\nhide:\n  - toc\n---\n"
        page = File.generated(config, GRAPH_URI, content=content,
                              inclusion=InclusionLevel.UNDEFINED if in_nav else InclusionLevel.NOT_IN_NAV)
        files.append(page)
        self.page_url = page.url
        if nav is not None and todo is not None and not any(
                isinstance(item, dict) and GRAPH_URI in item.values() for item in nav):
            nav.insert(todo, {GRAPH_TITLE: GRAPH_URI})

    def on_env(self, plugin: KbsitePlugin, env: Any, config: MkDocsConfig) -> None:
        data, views = self.data, plugin.views
        if data is None or views is None:
            return
        kinds = [n.kind for n in data.nodes.values()]
        self.page_view = GraphPageView(
            data_url=f"{DATA_DIR}/{GLOBAL_FILE}",
            url=self.page_url,
            notes=kinds.count("note"),
            topics=sum(1 for n in data.nodes.values() if n.type == "topic"),
            wanted=kinds.count(WANTED),
            edges=len(data.edges),
            tree=views.topic_tree(),
        )
        env.globals["kb_graph_page"] = self.page_view

    def _view_of(self, page: Page) -> LocalGraphView | None:
        key = self._page_node.get(page.file.src_uri)
        local = self.local(key) if key is not None else None
        return local[1] if local is not None else None

    def on_page_context(self, plugin: KbsitePlugin, context: dict[str, Any], page: Page) -> None:
        context["kb_graph"] = self._view_of(page)
        key = self._page_node.get(page.file.src_uri)
        if not plugin.is_serve and key is not None and key in self._local:
            # mkdocs build: nothing needs this page's view after its render (serve keeps every
            # view for the next rebuild); its file is written.
            del self._local[key]
            self._done.add(key)

    def split_export(self, plugin: KbsitePlugin) -> Any:
        """Split build (plugin/split.py): the nodes whose files the child wrote."""
        return set(self._done)

    def split_import(self, plugin: KbsitePlugin, done: Any) -> None:
        self._done |= done

    def page_inputs(self, plugin: KbsitePlugin, page: Page, inputs: list[Any]) -> None:
        inputs.append(self._view_of(page))
        if page.file.src_uri == GRAPH_URI or page.meta.get("template") == "kbsite/graph.html":
            inputs.append(self.page_view)  # ``kb_graph_page``, which only the graph page shows

    def on_post_build(self, plugin: KbsitePlugin, config: MkDocsConfig) -> None:
        if self.data is None:
            return
        out = Path(config.site_dir) / DATA_DIR
        made: set[str] = set()
        if self._global is None:
            self._global = self.global_json()
        write_data(out / GLOBAL_FILE, self._global, made, plugin.outputs)
        if plugin.is_serve and plugin.vault is not None:
            self._kept = (plugin.vault, self.data, self.urls, self.positions, self._global)
        views: dict[str, LocalGraphView] = {}
        for key in self._page_node.values():
            if key in self._done:
                continue
            local = self.local(key)  # written when made; a reused one is on disk as it was
            rel = data_path(self.urls.get(key, ""))
            if local is not None and rel is not None:
                views[key] = local[1]
                plugin.outputs.claim(self._file(rel))
        self._views = views

    # ---- Data ---------------------------------------------------------------------------------

    def _node(self, key: str) -> list[Any]:
        assert self.data is not None
        node = self.data.nodes[key]
        return [self.urls.get(key, ""), node.title, node.type, node.status]

    def local(self, key: str) -> tuple[None, LocalGraphView] | None:
        """The view of one page's node, its data file written or kept (memoised; the first
        item is what is left of the file to write: nothing)."""
        if key in self._local:
            return self._local[key]
        kept = self._reusable(key)
        if kept is not None:
            self._local[key] = (None, kept)
            return self._local[key]
        result = None
        if self.data is not None and key in self.data.nodes and self.urls.get(key) and \
                data_path(self.urls[key]) is not None:
            neighbours = self.data.neighbours(key)
            k = len(neighbours)
            body = self._local_json(key, neighbours, k)
            if len(body) > LOCAL_BUDGET:  # the most neighbours that fit, by binary search
                lo, hi = 0, self._most_that_could_fit(key, neighbours)
                while lo < hi:
                    mid = (lo + hi + 1) // 2
                    if len(self._local_json(key, neighbours, mid)) <= LOCAL_BUDGET:
                        lo = mid
                    else:
                        hi = mid - 1
                k = lo
                body = self._local_json(key, neighbours, k)
            # Written now rather than held until on_post_build (the build's memory peak).
            write_data(Path(self._file(str(data_path(self.urls[key])))), body, self._made, self._outputs)
            result = (None, self._local_view(key, neighbours[:k], len(neighbours) - k))
        self._local[key] = result
        return result

    def _most_that_could_fit(self, key: str, neighbours: list[Neighbour]) -> int:
        """An upper bound on how many neighbours fit the budget: their nodes alone (each at
        least ``[url,title,0,0],``) must fit. A topic with 1,500 members then searches among
        ~60 counts, not 1,500, each try serialising all of them and their edges."""
        # The empty file's ``"more": N`` may be longer than a fuller file's, or dropped: slack.
        room = LOCAL_BUDGET - len(self._local_json(key, neighbours, 0)) + len(',"more":') + 12
        for i, n in enumerate(neighbours):
            url, title = self._node(n.key)[:2]
            room -= len(_dumps([url, title, 0, 0])) + 1
            if room < 0:
                return i
        return len(neighbours)

    def _local_json(self, key: str, neighbours: list[Neighbour], k: int) -> bytes:
        assert self.data is not None
        keys = [key] + [n.key for n in neighbours[:k]]
        index = {node: i for i, node in enumerate(keys)}
        edges: dict[str, list[int]] = {}
        for source, target, kind in self.data.induced_edges(keys):
            edges.setdefault(kind, []).extend((index[source], index[target]))
        payload: dict[str, Any] = {**_coded([self._node(n) for n in keys]),
                                   "edges": {kind: edges[kind] for kind in EDGE_KINDS if kind in edges}}
        if k < len(neighbours):
            payload["more"] = len(neighbours) - k
        return _dumps(payload)

    def _local_view(self, key: str, shown: list[Neighbour], more: int) -> LocalGraphView:
        assert self.data is not None
        groups: dict[str, GraphGroup] = {}
        here_dir = self.urls[key].rsplit("/", 1)[0].split("/") if "/" in self.urls[key] else []
        for n in shown:
            node = self.data.nodes[n.key]
            group = groups.get(n.relation)
            if group is None:
                group = groups[n.relation] = GraphGroup(n.relation, RELATION_LABELS[n.relation], [])
            type_label = TYPE_LABELS.get(node.type, node.type)
            status_label = GRAPH_STATUS_LABELS.get(node.status, node.status)
            meta = f"{status_label} · {type_label}" if status_label and type_label else status_label or type_label
            target = self.urls.get(n.key, "")
            group.items.append(GraphItem(target and relative_url(target, here_dir), node.title, type_label,
                                         node.status, status_label, meta))
        node = self.data.nodes[key]
        # A note page lists its backlinks and (in its header) its topics; a topic page (overview
        # note or generated) its sub-topics and members, all of them (the graph keeps only what
        # fits its budget).
        here = ({"backlink", "topic"} if node.note is not None else set()) | \
            ({"child", "member"} if node.type == "topic" else set())
        for relation in here & groups.keys():
            groups[relation].elsewhere = LISTED_ELSEWHERE[relation]
        url = f"{DATA_DIR}/{_strip_page(self.urls[key])}.json"
        return LocalGraphView(url, len(shown), more, list(groups.values()))

    def global_json(self) -> bytes:
        assert self.data is not None
        keys = list(self.data.nodes)
        index = {key: i for i, key in enumerate(keys)}
        nodes = [self._node(k) + list(self.positions.get(k, (0.0, 0.0))) for k in keys]
        edges: dict[str, list[int]] = {kind: [] for kind in EDGE_KINDS}
        for source, target, kind in self.data.edges:
            edges[kind].extend((index[source], index[target]))
        return _dumps({**_coded(nodes), "edges": edges})


def relative_url(target: str, here_dir: list[str]) -> str:
    """A site-relative ``target`` as seen from a page whose directory parts are ``here_dir``:
    ``notes/b/x/`` from ``notes/a/y/`` is ``../../b/x/``. Shorter than ``base_url`` plus the
    site path (~10 bytes a link, a dozen links in every page's graph list), and no MkDocs filter."""
    parts = target.split("/")
    common = 0
    for a, b in zip(here_dir, parts[:-1]):
        if a != b:
            break
        common += 1
    return "../" * (len(here_dir) - common) + "/".join(parts[common:]) or "./"


def _strip_page(url: str) -> str:
    """The encoded form of ``data_path``: what the browser requests for a page URL."""
    rel = url.split("#", 1)[0]
    if rel.endswith("/"):
        rel = rel[:-1]
    elif rel.endswith(".html"):
        rel = rel[:-5]
    return rel or "index"


def _coded(nodes: list[list[Any]]) -> dict[str, Any]:
    """Nodes with their type and status as indexes into two short tables: the same strings
    repeated on every node were a fifth of a file's bytes (one file per note)."""
    types: dict[str, int] = {}
    statuses: dict[str, int] = {}
    out = [[n[0], n[1], types.setdefault(n[2], len(types)), statuses.setdefault(n[3], len(statuses)), *n[4:]]
           for n in nodes]
    return {"v": 2, "types": list(types), "statuses": list(statuses), "nodes": out}


def decoded(data: dict[str, Any]) -> dict[str, Any]:
    """A graph file with its nodes as ``[url, title, type, status, ...]`` again (what graph.js
    makes of it on load; for tests and tools)."""
    types, statuses = data["types"], data["statuses"]
    return {**data, "nodes": [[n[0], n[1], types[n[2]], statuses[n[3]], *n[4:]] for n in data["nodes"]]}


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_data(path: Path, data: bytes, made: set[str] | None = None, outputs: Any = None) -> None:
    """Write one data file; a file the system refuses (a name too long) is a warning, not a failure.
    ``made``: folders known to exist (thousands of files share a few folders); ``outputs``: the
    plugin's ``Outputs`` (skips a file that already holds ``data``)."""
    try:
        if outputs is not None:
            outputs.write(path, data, made)
            return
        if made is None or str(path.parent) not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            if made is not None:
                made.add(str(path.parent))
        path.write_bytes(data)
    except OSError as exc:  # e.g. a file name longer than the file system allows
        log.warning(f"cannot write {path}: {exc}")

