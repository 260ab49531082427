"""plugin: serve rebuilds reuse the view-model fingerprints of pages that cannot have changed.

Fingerprinting every page (``incremental.py``) means building every page's view model — the
backlinks, related notes, topic coverage of 3,000 pages — on every save. Most saves change one
note's body and nothing another page shows of it. So each build remembers, per note, its
*public signature*: every parsed field but the body (title, type, status, links with their
lines and snippets, tasks, markers, tags, topics, aliases, headings, front matter ...) and its
dates; and, per page, the serialised view model and feature data it was fingerprinted with.

A later build in which

- the build key is the same (configuration, nav, templates, the set of files, git HEAD),
- the notes (published and private) are the same paths in the same order, and
- every re-parsed note has the public signature it had

can only have changed the pages of the re-parsed notes themselves, plus the home and recent
pages when a note's dates moved (they list notes by date). Every other page's view model is
what it was, so its remembered text is used instead of building it. Anything else — a title,
a link, a new note — rebuilds every view model, as before. The page's own HTML, title, table
of contents and neighbours are fingerprinted afresh on every build either way, so an embed of
the edited note re-renders the page that embeds it.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Iterable

from kbsite.core.model import Note
from kbsite.core.vault import public_signature

__all__ = ["Reuse", "ViewCache", "public_signature"]


@dataclasses.dataclass
class Reuse:
    """What a build may reuse: every page's remembered inputs but those of ``stale`` pages."""

    stale_notes: set[str]  # note paths whose pages get fresh view models
    dates_moved: bool  # a note's dates changed: the pages listing notes by date are stale too


class ViewCache:
    """Across ``mkdocs serve`` rebuilds: notes' public signatures and pages' view-model texts."""

    def __init__(self) -> None:
        self._key: bytes | None = None
        self._order: list[str] = []
        self._notes: dict[str, tuple[Note, str, str]] = {}  # path -> (the note object, id, signature)
        self._dates: dict[str, Any] = {}
        self._texts: dict[str, tuple[str, str]] = {}  # src_uri -> serialised view model, feature data
        self._reuse: Reuse | None = None
        self.same_notes = False
        self.same_key = False  # the last start() had the key before it
        self.changed: set[str] = set()  # paths of notes whose public signature changed (or new)
        self.moved: set[str] = set()  # paths of notes whose dates changed
        self.reused = 0

    def compare(self, notes: Iterable[Note], dates: dict[str, Any], reparsed: set[str] | None = None) -> None:
        """``on_files``: compare this build's notes (published and private) and dates with the
        last build's. ``same_notes`` then says whether every name, link and field another page
        depends on is as it was. ``reparsed``: paths of notes read again (``Vault.reparsed``):
        a note object the vault kept may carry a new body."""
        notes = list(notes)
        order = [n.path for n in notes]
        same = order == self._order
        stale: set[str] = set()
        changed: set[str] = set()
        signatures: dict[str, tuple[Note, str, str]] = {}
        for note in notes:
            old = self._notes.get(note.path)
            # Not re-parsed (the parse cache's object) and the same id (the index assigns ids
            # taken from file names anew on each build): the signature is as remembered.
            if old is not None and old[0] is note and old[1] == note.id and note.path not in (reparsed or ()):
                signatures[note.path] = old
                continue
            sig = public_signature(note)
            signatures[note.path] = (note, note.id, sig)
            stale.add(note.path)
            if old is None or old[2] != sig:
                same = False
                changed.add(note.path)
        moved = {p for p, d in dates.items() if self._dates.get(p) != d}
        self.changed, self.moved = changed, moved
        if len(dates) != len(self._dates):
            same = False
        self._order, self._notes, self._dates = order, signatures, dict(dates)
        self.same_notes = same
        self._reuse = Reuse(stale | moved, bool(moved)) if same else None
        self.reused = 0

    def start(self, key: bytes) -> Reuse | None:
        """``on_env``: what may be reused, given the build key; None: not by this cache's rule
        (``viewdeps.py`` may still reuse view models while the key is the same)."""
        self.same_key = self._key == key
        reuse = self._reuse if self.same_key else None
        self._key = key
        if not self.same_key:
            self._texts.clear()
        return reuse

    def parts(self, uri: str) -> tuple[str, str] | None:
        """The page's remembered view-model text and feature-data text."""
        parts = self._texts.get(uri)
        if parts is not None:
            self.reused += 1
        return parts

    def remember(self, uri: str, view: str, extra: str) -> None:
        self._texts[uri] = (view, extra)

    def forget(self) -> None:
        """A failed build: nothing remembered is trusted."""
        self._key = None
        self._order = []
        self._notes.clear()
        self._texts.clear()
        self._reuse = None
        self.same_notes = self.same_key = False
