"""core: pure. The folder tree of the notes, for a vault organised by folders rather than topics.

A folder's overview is its *folder note*, found as Obsidian's folder-note plugins and static
sites do: ``x/index.md``, ``x/README.md``, ``x/x.md``, or ``x.md`` next to the folder ``x``.
A folder note is listed as the folder's overview, not among its notes.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Iterator

from kbsite.core.model import Note


@dataclass(eq=False)
class Folder:
    path: str  # POSIX, relative to the notes folder; "" for the notes folder itself
    note: Note | None = None  # the folder note, if there is one
    parent: Folder | None = None
    children: list[Folder] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)  # direct members, the folder note excluded

    @property
    def name(self) -> str:
        return posixpath.basename(self.path)

    @property
    def title(self) -> str:
        return self.note.title if self.note is not None else self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") + 1 if self.path else 0

    def ancestors(self) -> list[Folder]:
        """From the top-level folder down to the direct parent (the notes folder excluded)."""
        out: list[Folder] = []
        node = self.parent
        while node is not None and node.path:
            out.append(node)
            node = node.parent
        return list(reversed(out))

    def descendants(self) -> Iterator[Folder]:
        for child in self.children:
            yield child
            yield from child.descendants()

    def all_notes(self) -> list[Note]:
        """Notes in this folder and every sub-folder (folder notes included), in path order."""
        out = list(self.notes)
        if self.note is not None:
            out.append(self.note)
        for sub in self.descendants():
            out.extend(sub.notes)
            if sub.note is not None:
                out.append(sub.note)
        return sorted(out, key=lambda n: n.path)

    def __repr__(self) -> str:
        return f"Folder({self.path!r}, {len(self.notes)} notes, {len(self.children)} sub)"


FOLDER_NOTE_NAMES = ("index.md", "README.md", "readme.md")


class FolderTree:
    """Every folder that holds a note (directly or below), rooted at the notes folder."""

    def __init__(self, notes: list[Note]) -> None:
        self.root = Folder("")
        self.folders: dict[str, Folder] = {"": self.root}
        for note in sorted(notes, key=lambda n: n.path):
            self._folder(posixpath.dirname(note.path)).notes.append(note)
        self._folder_of_note: dict[int, Folder] = {}
        for folder in list(self.folders.values()):
            note = self._find_folder_note(folder)
            if note is not None:
                folder.note = note
                self._folder_of_note[id(note)] = folder
                owner = self.folders[posixpath.dirname(note.path)]
                owner.notes.remove(note)
        for folder in self.folders.values():
            folder.children.sort(key=lambda f: f.name.casefold())

    def _folder(self, path: str) -> Folder:
        folder = self.folders.get(path)
        if folder is None:
            parent = self._folder(posixpath.dirname(path)) if path else None
            folder = self.folders[path] = Folder(path, parent=parent)
            if parent is not None:
                parent.children.append(folder)
        return folder

    def _find_folder_note(self, folder: Folder) -> Note | None:
        if not folder.path:
            return None  # the notes folder's index is the site's home page, not a folder note
        by_name = {posixpath.basename(n.path): n for n in folder.notes}
        for name in (*FOLDER_NOTE_NAMES, f"{folder.name}.md"):
            if name in by_name:
                return by_name[name]
        parent = folder.parent
        if parent is not None:
            for note in parent.notes:
                if posixpath.basename(note.path) == f"{folder.name}.md":
                    return note
        return None

    def top(self) -> list[Folder]:
        """The folders directly under the notes folder."""
        return self.root.children

    def folder_of_note(self, note: Note) -> Folder | None:
        """The folder whose folder note ``note`` is."""
        return self._folder_of_note.get(id(note))

    def containing(self, note: Note) -> Folder:
        """The folder a note sits in."""
        return self.folders[posixpath.dirname(note.path)]

    def walk(self) -> Iterator[Folder]:
        """Every folder but the notes folder itself, parents first."""
        yield from self.root.descendants()

    def __len__(self) -> int:
        return len(self.folders) - 1

    def __repr__(self) -> str:
        return f"FolderTree({len(self)} folders)"
