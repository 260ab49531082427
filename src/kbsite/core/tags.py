"""core: pure. Tags as a hierarchy: ``#ml/rl`` is the tag ``rl`` under ``ml``, as in Obsidian.

Tags are matched case-insensitively (NFKC): ``#LoRA`` and ``#lora`` are one tag, shown as first
written. A parent tag lists the notes of its sub-tags too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from kbsite.core.keys import normalize_key, safe_slug
from kbsite.core.model import Note


@dataclass(eq=False)
class Tag:
    key: str  # normalised full path, e.g. "ml/rl"
    name: str  # full path as first written, e.g. "ML/RL"
    slug: str  # URL path under tags/, e.g. "ml/rl"
    parent: Tag | None = None
    children: list[Tag] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)  # tagged with exactly this tag

    @property
    def label(self) -> str:
        """The last segment: what a tree shows."""
        return self.name.rsplit("/", 1)[-1]

    def all_notes(self) -> list[Note]:
        seen = {n.path: n for n in self.notes}
        for child in self.descendants():
            for n in child.notes:
                seen.setdefault(n.path, n)
        return sorted(seen.values(), key=lambda n: (n.title.casefold(), n.path))

    def descendants(self) -> Iterator[Tag]:
        for child in self.children:
            yield child
            yield from child.descendants()

    def ancestors(self) -> list[Tag]:
        out, node = [], self.parent
        while node is not None:
            out.append(node)
            node = node.parent
        return list(reversed(out))

    def __repr__(self) -> str:
        return f"Tag({self.name!r}, {len(self.notes)} notes, {len(self.children)} sub)"


class TagTree:
    def __init__(self, notes: list[Note]) -> None:
        self.tags: dict[str, Tag] = {}
        self._slugs: set[str] = set()
        for note in sorted(notes, key=lambda n: n.path):
            for name in note.tags:
                tag = self._tag(name)
                if tag is not None and note not in tag.notes:
                    tag.notes.append(note)
        for tag in self.tags.values():
            tag.children.sort(key=lambda t: t.label.casefold())

    @staticmethod
    def _parts(name: str) -> list[str]:
        return [p.strip() for p in name.split("/") if p.strip()]

    def _tag(self, name: str) -> Tag | None:
        parts = self._parts(name)
        if not parts:
            return None
        parent: Tag | None = None
        for i, part in enumerate(parts):
            key = normalize_key("/".join(parts[: i + 1]))
            tag = self.tags.get(key)
            if tag is None:
                name = f"{parent.name}/{part}" if parent is not None else part  # parents keep their spelling
                tag = self.tags[key] = Tag(key, name, self._slug(parts[: i + 1]), parent)
                if parent is not None:
                    parent.children.append(tag)
            parent = tag
        return parent

    def _slug(self, parts: list[str]) -> str:
        base = "/".join(safe_slug(p) for p in parts)
        slug, n = base, 2
        while slug in self._slugs or slug == "index" or slug.endswith("/index"):
            slug, n = f"{base}-{n}", n + 1
        self._slugs.add(slug)
        return slug

    def roots(self) -> list[Tag]:
        return sorted((t for t in self.tags.values() if t.parent is None), key=lambda t: t.label.casefold())

    def find(self, name: str) -> Tag | None:
        """The tag ``name`` (``#ML/RL`` written any case)."""
        return self.tags.get(normalize_key("/".join(self._parts(name.lstrip("#＃")))))

    def of(self, note: Note) -> list[Tag]:
        """The note's tags, in the order it lists them."""
        found = (self.tags.get(normalize_key("/".join(self._parts(name)))) for name in note.tags)
        return list(dict.fromkeys(t for t in found if t is not None))

    def __iter__(self) -> Iterator[Tag]:
        return iter(self.tags.values())

    def __len__(self) -> int:
        return len(self.tags)
