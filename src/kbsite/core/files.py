"""core: pure. The one walker of the notes folder: notes, attachments, and links that escape.

Symbolic links are followed, files and folders alike, as long as what they point to stays
inside the boundary (the project folder, i.e. the folder of mkdocs.yml, and the notes folder).
A link that resolves outside it is never read, copied or indexed: a pull request can commit
``notes/key.txt -> ~/.ssh/id_rsa`` and CI would otherwise publish it. Such a link is an error
naming the link and its target.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from kbsite.core.attachments import DRAWING_NOTE_SUFFIX
from kbsite.core.model import Diagnostic, Severity


@dataclass
class Listing:
    """What is under the notes folder, as ``(posix path relative to it, absolute path)``, sorted."""

    notes: list[tuple[str, Path]] = field(default_factory=list)
    assets: list[tuple[str, Path]] = field(default_factory=list)  # images, PDFs, anything not .md
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # rel -> the walk's own ``lstat`` of a note that is no link (no second stat to read it)
    stats: dict[str, os.stat_result] = field(default_factory=dict)


def display_prefix(folder: Path, project: Path) -> str:
    """How a folder is named in diagnostics: relative to the project, else by its own name."""
    try:
        return folder.resolve().relative_to(project.resolve()).as_posix()
    except ValueError:
        return folder.name


def inside(path: Path, boundary: Iterable[Path]) -> bool:
    """Whether ``path`` (already resolved) lies in one of the (resolved) boundary folders."""
    return any(path == b or b in path.parents for b in boundary)


def escaping_link(path: Path, boundary: Iterable[Path]) -> tuple[Path, str] | None:
    """``(target, why)`` if ``path`` resolves outside the boundary or nowhere, else None."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, or a loop of links
        try:
            return Path(os.readlink(path)), "a missing target"
        except OSError:
            return path, "a missing target"
    return None if inside(target, boundary) else (target, "outside the project")


def list_files(root: Path, *, boundary: Iterable[Path] = (), src_prefix: str = "notes",
               skip: Iterable[Path] = (), exclude: Iterable[str] = ()) -> Listing:
    """Walk ``root``; hidden (``.``) and ``_`` folders and hidden files are skipped.

    Arguments:
        root: the notes folder.
        boundary: folders that links may point into; the notes folder itself always counts.
        src_prefix: how the notes folder is named in diagnostics.
        skip: folders never walked (docs_dir and site_dir when the vault holds them).
        exclude: glob patterns of POSIX paths relative to root (``templates/*``, ``*.canvas``).
    """
    root_real = root.resolve()
    bounds = [root_real, *(Path(b).resolve() for b in boundary)]
    skipped = {Path(p).resolve() for p in skip}
    patterns = list(exclude)
    out = Listing()

    def excluded(rel: str, folder: bool = False) -> bool:
        return any(fnmatch.fnmatchcase(rel, p) or (folder and fnmatch.fnmatchcase(rel + "/", p))
                   for p in patterns)

    def refuse(rel: str, link: Path, found: tuple[Path, str]) -> None:
        out.diagnostics.append(_refusal(f"{src_prefix}/{rel}", link, found))

    visited = {root_real}  # resolved folders, so a link back up the tree is walked once
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        here = Path(dirpath)
        keep = []
        for d in sorted(dirnames):
            if d.startswith((".", "_")):
                continue
            sub = here / d
            rel = sub.relative_to(root).as_posix()
            if excluded(rel, folder=True) or sub.resolve() in skipped:
                continue
            if sub.is_symlink():
                found = escaping_link(sub, bounds)
                if found is not None:
                    refuse(rel, sub, found)
                    continue
            real = sub.resolve()
            if real == root_real or real in root_real.parents:
                out.diagnostics.append(Diagnostic(
                    f"{src_prefix}/{rel}", 1, Severity.WARNING,
                    f"symbolic link to a folder that holds the notes folder: {d} -> {os.readlink(sub)}; "
                    "not followed (it would publish the notes again, and what is around them)",
                    code="symlink-loop"))
                continue
            if real in visited:
                continue
            visited.add(real)
            keep.append(d)
        dirnames[:] = keep
        base = here.relative_to(root).as_posix()
        base = "" if base == "." else base + "/"
        for name in filenames:
            if name.startswith("."):
                continue
            rel = base + name
            if excluded(rel):
                continue
            path = here / name
            # Every folder walked lies inside the boundary (a folder link is checked before it
            # is entered), so only a file that is itself a link can point out of it.
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                found = escaping_link(path, bounds)
                if found is not None:
                    refuse(rel, path, found)
                    continue
                if not path.is_file():  # a socket, a fifo, /dev/... through a link
                    continue
                st = None  # the note's stat is its target's: asked for when read
            elif not stat.S_ISREG(st.st_mode):
                continue
            # An Excalidraw drawing (x.excalidraw.md) is JSON for the plugin, not a note: a file.
            is_note = name.endswith(".md") and not name.endswith(DRAWING_NOTE_SUFFIX)
            (out.notes if is_note else out.assets).append((rel, path))
            if is_note and st is not None:
                out.stats[rel] = st
    out.notes.sort()
    out.assets.sort()
    out.diagnostics.sort(key=lambda d: d.path)
    return out


def links_out_of(folder: Path, *, boundary: Iterable[Path], src_prefix: str) -> list[Diagnostic]:
    """Every symbolic link anywhere under ``folder`` (hidden ones too: MkDocs' own walk of docs/
    has other rules) that resolves outside the boundary or nowhere."""
    bounds = [Path(b).resolve() for b in boundary]
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):  # links are looked at, not followed
        for name in [*dirnames, *filenames]:
            path = Path(dirpath, name)
            if path.is_symlink():
                found = escaping_link(path, bounds)
                if found is not None:
                    rel = path.relative_to(folder).as_posix()
                    out.append(_refusal(f"{src_prefix}/{rel}", path, found))
    return sorted(out, key=lambda d: d.path)


def _refusal(src: str, link: Path, found: tuple[Path, str]) -> Diagnostic:
    target, why = found
    try:
        written = os.readlink(link)  # as committed: stable, where the resolved path may not be
    except OSError:
        written = str(target)
    return Diagnostic(src, 1, Severity.ERROR,
                      f"symbolic link points to {why}: {link.name} -> {written}; not read and not published",
                      code="symlink")
