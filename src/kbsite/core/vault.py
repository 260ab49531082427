"""core: pure. ``load_vault`` is the single entry point used by the MkDocs plugin and the CLI."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from kbsite.core.graph import LinkGraph
from kbsite.core.index import NoteIndex
from kbsite.core.model import Diagnostic, Note, Severity
from kbsite.core.parse import parse_note
from kbsite.core.topics import Topic, TopicTree

# path -> (mtime_ns, size, note, diagnostics): survives ``mkdocs serve`` rebuilds.
ParseCache = dict[str, tuple[int, int, Note, list[Diagnostic]]]


@dataclass
class Vault:
    """Every note, parsed and cross-referenced, plus everything wrong with them."""

    root: Path
    notes: list[Note]
    index: NoteIndex
    graph: LinkGraph
    topics: TopicTree
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]

    def topic_peers(self, note: Note) -> list[list[Note]]:
        return [t.notes for t in self.topics.topics_of(note)]

    def related(self, note: Note, limit: int = 8) -> list[Note]:
        return self.graph.related(note, self.topic_peers(note), limit)

    def topic(self, key: str) -> Topic | None:
        return self.topics.topics.get(key)

    def __repr__(self) -> str:
        return (f"Vault({self.root}, {len(self.notes)} notes, {len(self.topics)} topics, "
                f"{len(self.errors())} errors, {len(self.warnings())} warnings)")


def iter_files(root: Path, *, notes: bool = True) -> Iterator[tuple[str, Path]]:
    """``(posix relative path, absolute path)`` under root, sorted; hidden and ``_`` folders skipped.

    Arguments:
        root: the notes folder.
        notes: True for the ``.md`` notes, False for everything else (images, PDFs).
    """
    found: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith((".", "_"))]
        for name in filenames:
            if name.endswith(".md") == notes and not name.startswith("."):
                abs_path = Path(dirpath, name)
                found.append((abs_path.relative_to(root).as_posix(), abs_path))
    yield from sorted(found)


def load_vault(
    root: Path,
    *,
    src_prefix: str = "notes",
    slugify: Callable[[str], str] | None = None,
    cache: ParseCache | None = None,
) -> Vault:
    """Parse every note under ``root`` and resolve links and topics.

    Arguments:
        root: the notes folder.
        src_prefix: how the folder is named in diagnostics (relative to mkdocs.yml).
        slugify: heading text -> anchor, to check ``[[note#heading]]``; None skips that check.
        cache: a dict kept between calls; unchanged files (same mtime and size) are not re-parsed.

    Returns:
        The vault. Bad notes are included with defaults; problems are in ``vault.diagnostics``.
    """
    notes: list[Note] = []
    diagnostics: list[Diagnostic] = []
    seen: set[str] = set()
    for rel, abs_path in iter_files(root):
        seen.add(rel)
        try:
            st = abs_path.stat()
        except OSError as exc:
            diagnostics.append(Diagnostic(f"{src_prefix}/{rel}", 1, Severity.ERROR, f"cannot read: {exc}"))
            continue
        hit = cache.get(rel) if cache is not None else None
        if hit is not None and hit[0] == st.st_mtime_ns and hit[1] == st.st_size:
            note, diags = hit[2], hit[3]
        else:
            try:
                raw = abs_path.read_bytes()
            except OSError as exc:
                diagnostics.append(Diagnostic(f"{src_prefix}/{rel}", 1, Severity.ERROR, f"cannot read: {exc}"))
                continue
            note, diags = parse_note(rel, raw, src_prefix)
            if cache is not None:
                cache[rel] = (st.st_mtime_ns, st.st_size, note, diags)
        notes.append(note)
        diagnostics.extend(diags)
    if cache is not None:
        for stale in set(cache) - seen:  # deleted or renamed notes
            del cache[stale]
    index = NoteIndex(notes)
    graph = LinkGraph(index, slugify)
    topics = TopicTree(index)
    diagnostics += index.diagnostics + topics.diagnostics + graph.diagnostics
    diagnostics.sort(key=lambda d: (d.path, d.line))
    return Vault(root, notes, index, graph, topics, diagnostics)
