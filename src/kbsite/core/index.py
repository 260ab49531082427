"""core: pure. Resolve a name (id, file name, title, alias or path) to a note, as Obsidian does.

- A name with a folder (``[[folder/note]]``, ``[[./note]]``, ``[[../x]]``, ``[[/note]]``, with or
  without ``.md``) is a path: relative to the linking note for ``./`` and ``../``, else from the
  notes folder; a path that is not found from the root may match the end of a deeper path
  (``[[rl/ppo]]`` finds ``papers/rl/ppo.md``), the shortest such path winning.
- A bare name is looked up by rank: an id beats a file name, a file name beats a title, a title
  beats an alias. Among notes of one rank, the one closest to the notes folder wins (then by
  path), which is Obsidian's rule for two files of one name; such a link is reported with every
  candidate so the writer can say which one they meant.

Two files with one name in different folders are fine: a note whose id comes from its file name
(no ``id:`` in the front matter) and collides with another gets an id made from its path. Two
notes that *declare* the same id are still an error.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from kbsite.core.keys import normalize_key, safe_slug
from kbsite.core.model import Diagnostic, Note, Severity
from kbsite.core.parse import derive_id

_RANKS = ("id", "file", "title", "alias")


@dataclass(frozen=True)
class Resolution:
    note: Note | None
    candidates: tuple[Note, ...] = ()  # >1 when a bare name matched several notes of one rank


def _depth_key(note: Note) -> tuple[int, str]:
    """Closest to the notes folder first, then by path: Obsidian's choice among same names."""
    return note.path.count("/"), note.path


def path_key(path: str) -> str:
    """A note path as a lookup key: no ``.md``, normalised like names."""
    if path.lower().endswith(".md"):
        path = path[:-3]
    return normalize_key(path)


class NoteIndex:
    """Lookup of notes by any of their names, and by path."""

    def __init__(self, notes: list[Note]) -> None:
        self.notes = notes
        self.by_path = {n.path: n for n in notes}
        self.diagnostics: list[Diagnostic] = []
        self._by_path_key = {path_key(n.path): n for n in notes}
        self._assign_ids(notes)
        # key -> (rank, notes of that rank, closest to the root first)
        self._keys: dict[str, tuple[int, list[Note]]] = {}
        self._files: dict[str, list[Note]] = {}  # file name key -> every note of that name
        # name -> its resolution, for names without "/" (those never depend on the linking note):
        # a few thousand names stand for the 30,000+ links of a 3,000-note vault.
        self._resolved: dict[str, Resolution] = {}
        self._table: dict[str, tuple[object, ...]] | None = None
        for note in sorted(notes, key=_depth_key):
            self._files.setdefault(normalize_key(self._names(note, "file")[0]), []).append(note)
        for rank, kind in enumerate(_RANKS):
            for note in sorted(notes, key=_depth_key):
                for name in self._names(note, kind):
                    self._add(normalize_key(name), rank, kind, name, note)

    def _assign_ids(self, notes: list[Note]) -> None:
        """Declared ids must be unique; an id taken from a file name yields to its path."""
        declared = [n for n in notes if "id" in n.field_lines]
        derived = [n for n in notes if "id" not in n.field_lines]
        for note in derived:  # parsed notes are cached across rebuilds: start from the file name
            note.id = derive_id(note.path)
        ids: dict[str, Note] = {}
        for note in declared:
            key = normalize_key(note.id)
            if key in ids:
                self._diag(note, note.line_of("id"), Severity.ERROR,
                           f"duplicate id '{note.id}': {ids[key].src} already uses it")
                continue
            ids[key] = note
        stems: dict[str, list[Note]] = {}
        for note in derived:
            stems.setdefault(normalize_key(note.id), []).append(note)
        for key, group in stems.items():
            group.sort(key=_depth_key)
            for i, note in enumerate(group):
                if key in ids or i > 0:  # the one closest to the root keeps the plain id
                    note.id = self._path_id(note, ids)
                ids[normalize_key(note.id)] = note

    @staticmethod
    def _path_id(note: Note, taken: dict[str, Note]) -> str:
        base = safe_slug(posixpath.splitext(note.path)[0].replace("/", "-"))
        candidate, n = base, 2
        while normalize_key(candidate) in taken:
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    @staticmethod
    def _names(note: Note, kind: str) -> tuple[str, ...]:
        if kind == "id":
            return (note.id,)
        if kind == "file":
            return (posixpath.splitext(posixpath.basename(note.path))[0],)
        if kind == "title":
            return (note.title,)
        return note.aliases

    def _add(self, key: str, rank: int, kind: str, name: str, note: Note) -> None:
        if not key:
            return
        existing = self._keys.get(key)
        if existing is None:
            self._keys[key] = (rank, [note])
            return
        old_rank, winners = existing
        if note in winners:
            return
        if old_rank == rank and kind == "file":
            winners.append(note)  # same file name in two folders: fine, resolved by path
            return
        if kind in ("id", "file"):
            return  # ids are unique; a file name that is also another note's id stays the id's
        if old_rank == rank:
            winners.append(note)
        if kind == "title" and "title" not in note.field_lines:
            return  # a title taken from a heading is no name the writer chose: nothing to fix
        winner = winners[0]
        field = {"title": "title", "alias": "aliases"}[kind]
        what = {"id": "the id", "file": "the file name", "title": "the title", "alias": "an alias"}[_RANKS[old_rank]]
        self._diag(note, note.line_of(field), Severity.WARNING,
                   f"{kind} '{name}' is also {what} of '{winner.id}' ({winner.src}); "
                   f"[[{name}]] links to '{winner.id}'")

    def _diag(self, note: Note, line: int, severity: Severity, message: str) -> None:
        self.diagnostics.append(Diagnostic(note.src, line, severity, message))

    def lookup(self, name: str, source: Note | None = None) -> Resolution:
        """The note a wikilink target (or ``related``/``topics``/``parent`` entry) names."""
        known = self._resolved.get(name)
        if known is not None:
            return known
        found = self._lookup(name, source)
        if "/" not in name:
            self._resolved[name] = found
        return found

    def _lookup(self, name: str, source: Note | None) -> Resolution:
        text = name.strip()
        if "/" in text or text.lower().endswith(".md"):
            note = self._by_path(text, source)
            if note is not None or "/" in text:
                return Resolution(note)
            text = text[:-3]
        key = normalize_key(text)
        hit = self._keys.get(key)
        if hit is None:
            return Resolution(None)
        notes = hit[1]
        same_name = self._files.get(key, [])
        if len(same_name) > 1 and notes[0] in same_name:
            notes = same_name  # the winner's id is its file name, which other files share
        return Resolution(notes[0], tuple(notes) if len(notes) > 1 else ())

    def resolve(self, name: str, source: Note | None = None) -> Note | None:
        return self.lookup(name, source).note

    def _by_path(self, text: str, source: Note | None) -> Note | None:
        if text.startswith(("./", "../")):
            base = posixpath.dirname(source.path) if source is not None else ""
            joined = posixpath.normpath(posixpath.join(base, text))
            return None if joined.startswith("..") else self._by_path_key.get(path_key(joined))
        key = path_key(text.lstrip("/"))
        note = self._by_path_key.get(key)
        if note is not None or text.startswith("/"):
            return note
        # Obsidian also accepts the end of a path: the shortest path that ends with it.
        tail = "/" + key
        matches = [n for k, n in self._by_path_key.items() if k.endswith(tail)]
        return min(matches, key=_depth_key) if matches else None

    def name_table(self) -> dict[str, tuple[object, ...]]:
        """Every normalised name with all a bare-name lookup of it reads: its rank, the notes of
        that rank (path and title) and the notes sharing it as a file name. Two builds whose
        tables agree on a name resolve it to the same note, with the same title. Made once per
        index (the link graph and the page cache both compare it with the last build's)."""
        if self._table is None:
            self._table = {k: (rank, tuple((n.path, n.title) for n in notes),
                               tuple(n.path for n in self._files.get(k, ())))
                           for k, (rank, notes) in self._keys.items()}
        return self._table

    def name_key(self, name: str) -> str | None:
        """The name entry a lookup of ``name`` may read (``name_table``); None for a path with a
        folder, which resolves by note paths alone."""
        text = name.strip()
        if "/" in text:
            return None
        if text.lower().endswith(".md"):
            text = text[:-3]
        return normalize_key(text)

    def same_paths(self, other: NoteIndex) -> bool:
        return self.by_path.keys() == other.by_path.keys()

    def keys(self) -> dict[str, Note]:
        """Every normalised name and the note it resolves to."""
        return {k: v[1][0] for k, v in self._keys.items()}

    def __len__(self) -> int:
        return len(self.notes)

    def __repr__(self) -> str:
        return f"NoteIndex({len(self.notes)} notes, {len(self._keys)} names)"


def moved_names(old: tuple[NoteIndex, NoteIndex], new: tuple[NoteIndex, NoteIndex]) -> set[str] | None:
    """The names a lookup in the published or the private index would resolve differently in
    ``new`` than in ``old`` (each a (published, private) pair); None when the note paths differ
    (path-style links then may too)."""
    if not (old[0].same_paths(new[0]) and old[1].same_paths(new[1])):
        return None
    moved: set[str] = set()
    for before, after in zip(old, new):
        a, b = before.name_table(), after.name_table()
        moved.update(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    return moved
