"""core: pure. ``load_vault`` is the single entry point used by the MkDocs plugin and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable

from kbsite.core.attachments import AttachmentIndex
from kbsite.core.embeds import attachment_diagnostics
from kbsite.core.transclusion import cycle_diagnostics
from kbsite.core.files import links_out_of, list_files
from kbsite.core.folders import FolderTree
from kbsite.core.tags import TagTree
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
    assets: list[tuple[str, Path]] = field(default_factory=list)  # non-note files, from the walk
    refused_docs: list[str] = field(default_factory=list)  # docs_dir paths of links out of the project
    folders: FolderTree = field(default_factory=lambda: FolderTree([]))
    tags: TagTree = field(default_factory=lambda: TagTree([]))
    attachments: AttachmentIndex = field(default_factory=lambda: AttachmentIndex(()))
    # ``publish: false`` notes: checked, never published; a link to one is text, not "wanted".
    private: NoteIndex = field(default_factory=lambda: NoteIndex([]))

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


def load_vault(
    root: Path,
    *,
    src_prefix: str = "notes",
    slugify: Callable[[str], str] | None = None,
    cache: ParseCache | None = None,
    boundary: Iterable[Path] = (),
    docs_dir: Path | None = None,
    docs_prefix: str = "docs",
    wanted: str = "warn",
    skip: Iterable[Path] = (),
    exclude: Iterable[str] = (),
) -> Vault:
    """Parse every note under ``root`` and resolve links and topics.

    Arguments:
        root: the notes folder.
        src_prefix: how the folder is named in diagnostics (relative to mkdocs.yml).
        slugify: heading text -> anchor, to check ``[[note#heading]]``; None skips that check.
        cache: a dict kept between calls; unchanged files (same mtime and size) are not re-parsed.
        boundary: folders symbolic links may point into (the project folder); see core.files.
        docs_dir: MkDocs' docs folder: a note whose site path a file there takes is not published,
            and its symbolic links are checked against the boundary too.
        docs_prefix: how docs_dir is named in diagnostics.
        wanted: "warn", or "info" to report links to notes not written yet as planned notes.
        skip, exclude: folders and glob patterns the walk leaves out (see ``core.files``).

    Returns:
        The vault. Bad notes are included with defaults; problems are in ``vault.diagnostics``.
    """
    notes: list[Note] = []
    listing = list_files(root, boundary=boundary, src_prefix=src_prefix, skip=skip, exclude=exclude)
    diagnostics: list[Diagnostic] = list(listing.diagnostics)
    seen: set[str] = set()
    for rel, abs_path in listing.notes:
        seen.add(rel)
        try:
            st = listing.stats.get(rel) or abs_path.stat()
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
    refused: list[str] = []
    if docs_dir is not None:
        notes = _unshadowed(notes, root, docs_dir, diagnostics)
        found = links_out_of(docs_dir, boundary=[*boundary, docs_dir], src_prefix=docs_prefix)
        diagnostics += found
        refused = [d.path[len(docs_prefix) + 1:] for d in found]
    hidden = [n for n in notes if not is_published(n)]
    if hidden:
        notes = [n for n in notes if is_published(n)]
    private = NoteIndex(hidden)
    index = NoteIndex(notes)
    graph = LinkGraph(index, slugify, private=private)
    topics = TopicTree(index)
    attachments = AttachmentIndex(rel for rel, _ in listing.assets)
    diagnostics += index.diagnostics + topics.diagnostics + graph.diagnostics
    diagnostics += attachment_diagnostics(notes, attachments)  # check and build: the same list
    diagnostics += cycle_diagnostics(notes, graph.resolve_link)
    if wanted == "info":
        diagnostics = [replace(d, severity=Severity.INFO) if d.code == "wanted" else d for d in diagnostics]
    diagnostics.sort(key=lambda d: (d.path, d.line))
    return Vault(root, notes, index, graph, topics, diagnostics, listing.assets, refused, FolderTree(notes),
                 TagTree(notes), attachments, private)


def is_published(note: Note) -> bool:
    """Obsidian Publish's ``publish: false`` keeps a note off the site (and the reports' pages)."""
    return note.extra.get("publish") is not False


def site_path(root: Path, note_path: str) -> str:
    """Where a note sits in the site's source tree: under the notes folder's name."""
    return f"{root.name}/{note_path}"


def _unshadowed(notes: list[Note], root: Path, docs_dir: Path, diagnostics: list[Diagnostic]) -> list[Note]:
    """Notes whose site path a file in docs_dir already takes are left out, and said so."""
    kept = []
    for note in notes:
        uri = site_path(root, note.path)
        if (docs_dir / uri).exists():
            diagnostics.append(Diagnostic(note.src, 1, Severity.WARNING,
                               f"{docs_dir.name}/{uri} exists too and takes this note's place in the site; "
                               "the note is not published (rename one of them)", code="shadowed"))
        else:
            kept.append(note)
    return kept
