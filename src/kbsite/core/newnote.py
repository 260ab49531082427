"""core: pure (plus an exclusive-create write). New notes: stable ids, the right folder, complete
front matter, and a refusal to overwrite a file or reuse an id, title or alias.

Used by ``kbsite new`` and ``kbsite import``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from kbsite.core.index import NoteIndex
from kbsite.core.keys import is_safe_id, normalize_key, safe_slug
from kbsite.core.model import KNOWN_TYPES

# type -> folder under the notes folder (the layout of the shipped knowledge base).
TYPE_FOLDERS = {"paper": "papers", "technique": "techniques", "concept": "concepts", "model": "models",
                "topic": "topics"}
ID_PREFIXES = {"paper": "paper-"}
MAX_ID_WORDS = 6


# ---- Classes --------------------------------------------------------------------------------


class NoteExists(Exception):
    """A new note would overwrite a file or reuse an existing id, title or alias."""


@dataclass
class NoteDraft:
    """A note to be written: its place, its front matter and its body."""

    title: str
    type: str = ""
    id: str = ""
    aliases: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    status: str = "todo"
    year: int | None = None
    venue: str | None = None
    parent: str | None = None
    body: str = ""
    path: str = ""  # POSIX, relative to the notes folder

    def text(self) -> str:
        return render_note(self)

    def __repr__(self) -> str:
        return f"NoteDraft({self.id!r}, {self.title!r}, {self.path!r}, {self.status})"


# ---- Functions ------------------------------------------------------------------------------


def _yaml_str(value: str) -> str:
    """A YAML scalar: JSON's double-quoted string is valid YAML and escapes everything."""
    return json.dumps(value, ensure_ascii=False)


def _yaml_list(values: list[str]) -> str:
    return "[" + ", ".join(_yaml_str(v) for v in values) + "]"


def render_note(d: NoteDraft) -> str:
    """The file text: every standard key present (unknown scalars as comments, so they pass
    ``kbsite check``), then the body under a ``# Title``."""
    lines = ["---", f"id: {_yaml_str(d.id)}", f"title: {_yaml_str(d.title)}"]
    if d.type:
        lines.append(f"type: {d.type}")
    if d.parent:
        lines.append(f"parent: {_yaml_str(d.parent)}")
    lines.append(f"aliases: {_yaml_list(d.aliases)}")
    if d.type != "topic":
        lines.append(f"topics: {_yaml_list(d.topics)}")
    lines += [f"tags: {_yaml_list(d.tags)}", f"status: {d.status}"]
    if d.type == "paper":
        lines.append(f"year: {d.year}" if d.year else "# year: 2024")
        lines.append(f"venue: {_yaml_str(d.venue)}" if d.venue else "# venue: NeurIPS")
        lines += ["authors: []", '# url: "https://arxiv.org/abs/..."']
    lines += ["related: []", "---", "", f"# {d.title}", ""]
    body = d.body.strip("\n")
    if body:
        lines += [body, ""]
    return "\n".join(lines)


def slug_words(text: str, max_words: int = MAX_ID_WORDS) -> str:
    """A short slug: the part before a colon when it is short ("LayerDrop: ..." -> layerdrop),
    else the first few words."""
    head = re.split(r"[:：]", text, maxsplit=1)[0]
    if len(head.split()) <= 4 and head.strip() and head != text:
        text = head
    words = re.findall(r"[\w\-]+", text)
    return safe_slug(" ".join(words[:max_words]))


def derive_id(title: str, note_type: str, short: str | None = None) -> str:
    """A stable id from the title (or from a short name such as ``CLIP``), prefixed by type."""
    slug = slug_words(short or title)
    prefix = ID_PREFIXES.get(note_type, "")
    return slug if slug.startswith(prefix) else prefix + slug


def folder_for(note_type: str) -> str:
    return TYPE_FOLDERS.get(note_type, "")


def taken_names(index: NoteIndex) -> dict[str, str]:
    """Every normalised id, title and alias in use -> the id of the note that has it."""
    return {key: note.id for key, note in index.keys().items()}


def check_free(d: NoteDraft, taken: dict[str, str], root: Path) -> None:
    """Raise NoteExists when the file exists or the id, title or an alias is in use."""
    if (root / d.path).exists():  # the file first: the plainest reason, and names follow files
        raise NoteExists(f"{(root / d.path).as_posix()} already exists")
    for what, name in [("id", d.id), ("title", d.title), *(("alias", a) for a in d.aliases)]:
        owner = taken.get(normalize_key(name))
        if owner is not None:
            raise NoteExists(f"{what} '{name}' is already used by note '{owner}'")


def prepare(d: NoteDraft, taken: dict[str, str], root: Path, note_id: str | None = None) -> NoteDraft:
    """Fill in the id and path of a draft and check nothing is reused.

    Raises:
        NoteExists: the id (given or derived), the title, an alias or the file is taken.
        ValueError: the given id is not a safe slug, or the type is unknown.
    """
    if d.type and d.type not in KNOWN_TYPES:
        raise ValueError(f"unknown type '{d.type}': use one of {', '.join(KNOWN_TYPES)}")
    d.id = note_id or derive_id(d.title, d.type)
    if not is_safe_id(d.id):
        raise ValueError(f"id {d.id!r} is not a safe slug (letters, digits, '-', '_', '.')")
    folder = folder_for(d.type)
    d.path = f"{folder}/{d.id}.md" if folder else f"{d.id}.md"
    check_free(d, taken, root)
    return d


def unique_id(base: str, taken: dict[str, str], root: Path, folder: str) -> str:
    """``base``, or ``base-2``, ``base-3``… : the first id that no note and no file uses."""
    candidate, n = base, 2
    while normalize_key(candidate) in taken or (root / folder / f"{candidate}.md").exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def write_new(root: Path, d: NoteDraft) -> Path:
    """Write the note; never overwrites (exclusive create, so a race cannot clobber a file)."""
    path = root / d.path
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        fd = os.open(path, flags, 0o644)
    except FileExistsError as exc:
        raise NoteExists(f"{path.as_posix()} already exists") from exc
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(d.text())
    return path
