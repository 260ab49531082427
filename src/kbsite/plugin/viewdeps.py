"""plugin: after a title or link edit, only the pages whose view-model inputs changed get new ones.

``viewcache.py`` reuses every other page's view model when nothing but bodies changed. A title,
a status or a link changes what other pages show, and used to rebuild all 3,000 view models
(and serialise them: 5 s at 3,000 notes). Each view model is made of shared refs (``NoteRef``,
``TopicRef``, ``TagRef``, ``FolderRef``, each a pure function of one note, topic, tag or folder)
and of a structure: which notes a page lists, in which order, with which snippets and counts.
So each build remembers

- per page, the refs its view model holds (recorded while it is serialised, ``ViewDigest``);
- every ref's text, every note's resolved links (targets, ``related:``), who links to each note
  and the wanted list;
- a signature of the trees (topics, folders, tags: titles, parents, children, members).

The next build with the same build key and the same trees finds the *changed notes*: a public
field changed (``ViewCache``) or a link or ``related:`` entry now resolves elsewhere. A page's
view model is then rebuilt when

- a ref it holds has another text now;
- note page: the note changed, or a note linking to it (before or now), naming it in
  ``related:`` (before or now), or sharing one of its topics (the related list ranks them by
  title) changed; its own body was read again, or its dates moved;
- topic page (generated, or a topic's note): a note anywhere under the topic changed (its
  coverage section lists their tasks, markers and wanted links), or the wanted list changed;
- folder and tag pages: one of the notes it lists changed;
- the one-of-a-kind pages (home, todo, recent, the indexes) and pages not kbsite's: always.

Anything else — another build key (files, nav, configuration, templates, git HEAD) or another
tree — rebuilds every view model. ``tests/test_incremental.py`` compares every page with a
clean build after each kind of edit and asserts how few view models a title change and a link
added rebuild.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from kbsite.core.model import Note
from kbsite.core.vault import Vault

RefKey = tuple[str, str]
# (kind, object): "note" Note | "topic" Topic | "folder" Folder | "tag" Tag | "special" | "other";
# a topic's or folder's note page is ("note", note) with its topic or folder given separately.
PageKind = tuple[str, Any]


class ViewDeps:
    """Across ``mkdocs serve`` rebuilds: what each page's view model was made from."""

    def __init__(self) -> None:
        self._refs: dict[RefKey, str] = {}  # every ref's text, last build
        # src_uri -> refs its view model holds (None: one it could not name; always rebuilt)
        self._deps: dict[str, frozenset[RefKey] | None] = {}
        self._links: dict[str, tuple[Any, ...]] = {}  # note path -> resolved links and related
        self._back: dict[str, frozenset[str]] = {}  # note path -> paths linking to it or naming it
        self._related: dict[str, tuple[str, ...]] = {}  # note page src_uri -> its related list's URLs
        self._wanted = ""
        self._trees = ""

    def forget(self) -> None:
        self.__init__()  # type: ignore[misc]

    # ---- This build's inputs --------------------------------------------------------------

    def stale(self, vault: Vault, views: Any, changed: set[str], own: set[str], refs: dict[RefKey, str],
              pages: Iterable[tuple[str, PageKind]]) -> set[str] | None:
        """The pages whose view model must be rebuilt, or None (all of them). ``changed``: note
        paths with another public signature; ``own``: notes whose own page is stale anyway (read
        again, dates moved); ``refs``: this build's ref texts. Remembers this build's state."""
        old = (self._links, self._back, self._wanted, self._trees, self._refs)
        links, back = _links(vault), _back(vault)
        wanted, trees = _wanted(vault), _trees(vault)
        self._links, self._back, self._wanted, self._trees, self._refs = links, back, wanted, trees, refs
        old_links, old_back, old_wanted, old_trees, old_refs = old
        if not old_refs or trees != old_trees:
            return None
        changed = set(changed) | {p for p, v in links.items() if old_links.get(p) != v}
        moved_refs = {k for k in refs.keys() | old_refs.keys() if refs.get(k) != old_refs.get(k)}
        wanted_moved = wanted != old_wanted
        empty: frozenset[str] = frozenset()
        topic_dirty: dict[str, bool] = {}  # key -> a note under it changed
        direct_dirty = {t.key for t in vault.topics if any(n.path in changed for n in t.notes)}

        def under(topic: Any) -> bool:
            hit = topic_dirty.get(topic.key)
            if hit is None:
                hit = topic_dirty[topic.key] = (any(n.path in changed for n in topic.notes)
                                                or (topic.note is not None and topic.note.path in changed)
                                                or any(under(c) for c in topic.children))
            return hit

        def topic_stale(topic: Any) -> bool:
            return wanted_moved or under(topic)

        out: set[str] = set()
        for uri, (kind, obj) in pages:
            deps = self._deps.get(uri)
            if deps is None or (deps & moved_refs):
                out.add(uri)
                continue
            if kind == "note":
                note: Note = obj
                p = note.path
                if p in changed or p in own or not (back.get(p, empty) | old_back.get(p, empty)).isdisjoint(changed):
                    out.add(uri)
                    continue
                # A note sharing a topic changed: the related list (ranked by title among
                # peers) is worked out again; the same notes in it leave the view model as it was.
                if any(t.key in direct_dirty for t in vault.topics.topics_of(note)) and \
                        self._related.get(uri) != related_urls(vault, views, note):
                    out.add(uri)
                    continue
                topic = vault.topics.topic_of_note(note)
                folder = vault.folders.folder_of_note(note)
                if (topic is not None and topic_stale(topic)) or \
                        (folder is not None and any(n.path in changed for n in folder.notes)):
                    out.add(uri)
            elif kind == "topic":
                if topic_stale(obj):
                    out.add(uri)
            elif kind == "folder":
                if any(n.path in changed for n in obj.notes):
                    out.add(uri)
            elif kind == "tag":
                if any(n.path in changed for n in obj.all_notes()):
                    out.add(uri)
            else:
                out.add(uri)
        return out

    def record(self, uri: str, refs: frozenset[RefKey] | None, view: Any) -> None:
        """The refs a freshly built view model of ``uri`` holds (``view``: the view model)."""
        self._deps[uri] = refs
        note = getattr(view, "note", None)
        related = getattr(note, "related", None)
        if related is not None:
            self._related[uri] = tuple(r.url for r in related)
        else:
            self._related.pop(uri, None)

    def drop_others(self, uris: set[str]) -> None:
        """Pages of this build only: a deleted page's record goes."""
        for uri in [u for u in self._deps if u not in uris]:
            del self._deps[uri]
            self._related.pop(uri, None)


def related_urls(vault: Vault, views: Any, note: Note) -> tuple[str, ...]:
    """What a note page's related list shows (``Views.note``), as URLs."""
    return tuple(views.note_ref(n).url for n in vault.related(note))


def all_refs(vault: Vault, views: Any, text: Callable[[Any, RefKey], str]) -> dict[RefKey, str]:
    """Every ref this build can show, by key, as ``text(ref, key)`` serialises it."""
    out: dict[RefKey, str] = {}
    for note in vault.notes:
        out[("n", note.path)] = text(views.note_ref(note), ("n", note.path))
    for topic in vault.topics:
        out[("t", topic.key)] = text(views.topic_ref(topic), ("t", topic.key))
    for tag in vault.tags:
        out[("g", tag.key)] = text(views.tag_ref(tag), ("g", tag.key))
    for folder in vault.folders.walk():
        out[("f", folder.path)] = text(views.folder_ref(folder), ("f", folder.path))
    return out


def _links(vault: Vault) -> dict[str, tuple[Any, ...]]:
    """Per note: where each of its links goes (a path, or the wanted name) and its ``related:``."""
    graph = vault.graph
    out = {}
    for note in vault.notes:
        targets = tuple(rl.target.path if rl.target is not None else "?" + rl.link.target
                        for rl in graph.outgoing.get(note.path, ()))
        out[note.path] = (targets, tuple(n.path for n in graph.related_of.get(note.path, ())))
    return out


def _back(vault: Vault) -> dict[str, frozenset[str]]:
    """Per note: the notes linking to it or naming it in ``related:``."""
    graph = vault.graph
    out: dict[str, set[str]] = {}
    for target, rls in graph.backlinks.items():
        out.setdefault(target, set()).update(rl.source.path for rl in rls)
    for target, notes in graph.related_by.items():
        out.setdefault(target, set()).update(n.path for n in notes)
    return {k: frozenset(v) for k, v in out.items()}


def _wanted(vault: Vault) -> str:
    return repr([(w.key, w.name, [(r.source.path, r.link.line) for r in w.referrers])
                 for w in vault.graph.wanted.values()])


def _trees(vault: Vault) -> str:
    """Titles, parents, children and members of every topic, folder and tag. Members as a set:
    their order follows titles, and a page listing a member whose title changed is rebuilt
    for that reason."""
    parts: list[Any] = []
    for t in vault.topics:
        parts.append(("t", t.key, t.title, t.slug, t.aliases, t.parent.key if t.parent else None,
                      [c.key for c in t.children], t.note.path if t.note else None, sorted(n.path for n in t.notes)))
    for f in vault.folders.walk():
        parts.append(("f", f.path, f.title, f.note.path if f.note else None, [c.path for c in f.children],
                      sorted(n.path for n in f.notes)))
    for g in vault.tags:
        parts.append(("g", g.key, g.name, g.slug, [c.key for c in g.children], sorted(n.path for n in g.notes)))
    return repr(parts)
