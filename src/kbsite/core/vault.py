"""core: pure. ``load_vault`` is the single entry point used by the MkDocs plugin and the CLI."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable

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
_PUBLIC = tuple(f.name for f in dataclasses.fields(Note) if f.name != "body")


def public_signature(note: Note) -> str:
    """Everything of a note another note, page or index can depend on: all its fields but the body."""
    return repr(tuple(getattr(note, name) for name in _PUBLIC))


class VaultMemo:
    """Across ``mkdocs serve`` rebuilds: the last vault and what it was made from.

    Most saves change one note's body and nothing else. When every re-read note has the public
    signature (``public_signature``) and the diagnostics it had, and the files, the folders'
    rules and the caller's key are the same, the last vault *is* this one but for those bodies:
    the old note objects take the new bodies and the vault is returned again, without building
    the name index, link graph, topic, folder and tag trees anew (about 1 s at 3,000 notes).
    """

    def __init__(self) -> None:
        self.vault: Vault | None = None
        self.shape: Any = None  # the arguments, the caller's key and the listing it came from
        self.signatures: dict[str, str] = {}  # path -> public signature as parsed (before ids)
        self.reused = False  # the last call returned the previous vault

    def forget(self) -> None:
        self.vault = self.shape = None
        self.signatures = {}


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
    # Paths of the notes read from disk for this vault (the others came from the parse cache).
    reparsed: set[str] = field(default_factory=set)

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
    memo: VaultMemo | None = None,
    memo_key: Any = None,
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
        memo: kept between calls (with ``cache``): a body-only change returns the last vault
            with the new bodies (``VaultMemo``); ``memo_key`` stands for what else the caller
            passes that the vault depends on (the slugify), compared by equality.

    Returns:
        The vault. Bad notes are included with defaults; problems are in ``vault.diagnostics``.
    """
    notes: list[Note] = []
    boundary, skip, exclude = list(boundary), list(skip), list(exclude)
    listing = list_files(root, boundary=boundary, src_prefix=src_prefix, skip=skip, exclude=exclude)
    diagnostics: list[Diagnostic] = list(listing.diagnostics)
    seen: set[str] = set()
    reparsed: dict[str, tuple[Note, list[Diagnostic], Any]] = {}  # rel -> parsed, and the cache's old entry
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
            reparsed[rel] = (note, diags, hit)
        notes.append(note)
        diagnostics.extend(diags)
    if cache is not None:
        for stale in set(cache) - seen:  # deleted or renamed notes
            del cache[stale]
    previous: LinkGraph | None = None
    if cache is not None and memo is not None:
        shape = (root, src_prefix, boundary, docs_dir, docs_prefix, wanted, skip, exclude, memo_key,
                 [rel for rel, _ in listing.notes], listing.assets, listing.diagnostics)
        if memo.vault is not None and memo.shape is not None and memo.shape[:9] == shape[:9]:
            previous = memo.vault.graph  # the same arguments, so the same slugify
        again = _same_vault(memo, shape, notes, reparsed, cache)
        memo.shape, memo.reused = shape, again is not None
        if again is not None:
            return again
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
    graph = LinkGraph(index, slugify, private=private, previous=previous,
                      keep=cache is not None and memo is not None)
    topics = TopicTree(index)
    attachments = AttachmentIndex(rel for rel, _ in listing.assets)
    diagnostics += index.diagnostics + topics.diagnostics + graph.diagnostics
    diagnostics += attachment_diagnostics(notes, attachments)  # check and build: the same list
    diagnostics += cycle_diagnostics(notes, graph.resolve_link)
    if wanted == "info":
        diagnostics = [replace(d, severity=Severity.INFO) if d.code == "wanted" else d for d in diagnostics]
    diagnostics.sort(key=lambda d: (d.path, d.line))
    vault = Vault(root, notes, index, graph, topics, diagnostics, listing.assets, refused, FolderTree(notes),
                  TagTree(notes), attachments, private, set(reparsed))
    if cache is not None and memo is not None:
        memo.vault = vault
        memo.signatures = {rel: sig for rel, sig in memo.signatures.items() if rel in seen}
        for rel, (note, _, _) in reparsed.items():
            memo.signatures[rel] = public_signature(note)
    return vault


def _same_vault(memo: VaultMemo, shape: Any, notes: list[Note], reparsed: dict[str, tuple[Note, list[Diagnostic], Any]],
                cache: ParseCache) -> Vault | None:
    """The last vault, when this call would build it again but for re-read notes' bodies; the
    old note objects then take the new bodies (and the parse cache points at them)."""
    old = memo.vault
    if old is None or memo.shape != shape:
        return None
    before = {n.path: n for n in (*old.notes, *old.private.notes)}
    for rel, (note, diags, was) in reparsed.items():
        # The same object the last vault holds, the same fields but the body, the same problems.
        if was is None or before.get(rel) is not was[2] or memo.signatures.get(rel) != public_signature(note) \
                or diags != was[3]:
            return None
    docs_dir = shape[3]
    if docs_dir is not None:
        # docs_dir's files that shadow a note, and links out of it: looked at again, as a build
        # would; any change, or any refusal at all, takes the full path.
        if old.refused_docs or len(_unshadowed(notes, old.root, docs_dir, [])) != len(before):
            return None
        if links_out_of(docs_dir, boundary=[*shape[2], docs_dir], src_prefix=shape[4]):
            return None
    for rel, (note, diags, was) in reparsed.items():
        was[2].body = note.body
        mtime, size = cache[rel][0], cache[rel][1]
        cache[rel] = (mtime, size, was[2], diags)
    old.reparsed = set(reparsed)
    return old


def is_published(note: Note) -> bool:
    """Obsidian Publish's ``publish: false`` keeps a note off the site (and the reports' pages)."""
    return note.extra.get("publish") is not False


def site_path(root: Path, note_path: str) -> str:
    """Where a note sits in the site's source tree: under the notes folder's name."""
    return f"{root.name}/{note_path}"


def _unshadowed(notes: list[Note], root: Path, docs_dir: Path, diagnostics: list[Diagnostic]) -> list[Note]:
    """Notes whose site path a file in docs_dir already takes are left out, and said so."""
    if not (docs_dir / root.name).exists():
        return list(notes)  # every site path starts there: no file can take one (one stat, not one a note)
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
