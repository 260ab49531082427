"""core: pure. Resolve a name (id, title or alias) to a note.

Priority: an id beats a title, a title beats an alias. Among equals the first note by path wins,
with a warning that names the winner (autorefs' "first URL" rule), so output is deterministic.
"""

from __future__ import annotations

from kbsite.core.keys import normalize_key
from kbsite.core.model import Diagnostic, Note, Severity

_RANKS = ("id", "title", "alias")


class NoteIndex:
    """Lookup of notes by any of their names."""

    def __init__(self, notes: list[Note]) -> None:
        self.notes = notes
        self.by_path = {n.path: n for n in notes}
        self.diagnostics: list[Diagnostic] = []
        # key -> (rank, note)
        self._keys: dict[str, tuple[int, Note]] = {}
        ids: dict[str, Note] = {}
        for note in notes:
            key = normalize_key(note.id)
            if key in ids:
                first = ids[key]
                self._diag(note, note.line_of("id"), Severity.ERROR,
                           f"duplicate id '{note.id}': {first.src} already uses it")
                continue
            ids[key] = note
        for rank, kind in enumerate(_RANKS):
            for note in notes:
                for name in self._names(note, kind):
                    self._add(normalize_key(name), rank, kind, name, note)

    @staticmethod
    def _names(note: Note, kind: str) -> tuple[str, ...]:
        if kind == "id":
            return (note.id,)
        if kind == "title":
            return (note.title,)
        return note.aliases

    def _add(self, key: str, rank: int, kind: str, name: str, note: Note) -> None:
        if not key:
            return
        existing = self._keys.get(key)
        if existing is None:
            self._keys[key] = (rank, note)
            return
        old_rank, winner = existing
        if winner is note:
            return
        if kind == "id":
            return  # duplicate ids were reported above
        field = {"title": "title", "alias": "aliases"}[kind]
        what = {"id": "the id", "title": "the title", "alias": "an alias"}[_RANKS[old_rank]]
        self._diag(note, note.line_of(field), Severity.WARNING,
                   f"{kind} '{name}' is also {what} of '{winner.id}' ({winner.src}); "
                   f"[[{name}]] links to '{winner.id}'")

    def _diag(self, note: Note, line: int, severity: Severity, message: str) -> None:
        self.diagnostics.append(Diagnostic(note.src, line, severity, message))

    def resolve(self, name: str) -> Note | None:
        """The note a wikilink target, ``related`` or ``topics`` entry names, or None."""
        hit = self._keys.get(normalize_key(name))
        return hit[1] if hit else None

    def keys(self) -> dict[str, Note]:
        """Every normalised name and the note it resolves to."""
        return {k: v[1] for k, v in self._keys.items()}

    def __len__(self) -> int:
        return len(self.notes)

    def __repr__(self) -> str:
        return f"NoteIndex({len(self.notes)} notes, {len(self._keys)} names)"
